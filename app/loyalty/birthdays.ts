/**
 * Birthday rules (issue 5, docs/decisions/015): pure functions over shop-local calendar days
 * (`LocalDate`, see ./schedule). The caller turns "now" into the shop's business day with
 * `localDateOf(now, shop.ianaTimezone)`; nothing here reads the clock.
 *
 * - A birthday is a month and a day, the year optional (only needed for the birth-date metafield).
 * - Feb 29 falls on Feb 28 in years without one (it stays in February, so "start of the month"
 *   mode and the pop-up's window agree with what the member expects).
 * - Issue day: the birthday itself (`day`) or the 1st of its month (`month_start`).
 * - Lead rule: a birthday whose issue day comes less than `minLeadDays` after the day it is entered
 *   (or has already passed this year) is first rewarded the following year.
 * - Change cooldown: once set, a birthday can change again only `cooldownDays` after it was set.
 * - Window: the days the pop-up shows the gift — from the issue day to the end of the birthday month
 *   (`month_start`) or for `DAY_WINDOW_DAYS` days from the birthday (`day`).
 */
import { addDays, compareLocalDates, daysBetween, yearOf, type LocalDate } from "./schedule";

export type BirthdayIssueOn = "day" | "month_start";

export interface Birthday {
  month: number; // 1–12
  day: number; // 1–31
  year: number | null;
}

export interface BirthdaySettings {
  issueOn: BirthdayIssueOn;
  /** A birthday entered less than this many days before its issue day waits a year. */
  minLeadDays: number;
  /** Days after a birthday was set before it may change. */
  cooldownDays: number;
}

export const DAY_WINDOW_DAYS = 7;
export const OLDEST_BIRTH_YEAR = 1900;

const pad = (n: number) => String(n).padStart(2, "0");

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export type BirthdayProblem = "month" | "day" | "year" | "future";

/**
 * Checks a birthday as entered. Feb 29 is valid without a year or with a leap year; a year must be
 * between 1900 and this year, and the whole date must not be in the future.
 */
export function birthdayProblem(birthday: Birthday, today: LocalDate): BirthdayProblem | null {
  const { month, day, year } = birthday;
  if (!Number.isInteger(month) || month < 1 || month > 12) return "month";
  // Without a year, the longest the month can be (Feb 29 included).
  const longest = daysInMonth(year ?? 2000, month);
  if (!Number.isInteger(day) || day < 1 || day > longest) return "day";
  if (year !== null) {
    if (!Number.isInteger(year) || year < OLDEST_BIRTH_YEAR || year > yearOf(today)) return "year";
    if (compareLocalDates(`${year}-${pad(month)}-${pad(day)}`, today) > 0) return "future";
  }
  return null;
}

/** The day the birthday falls on in `year` (Feb 29 → Feb 28 in a common year). */
export function birthdayIn(birthday: Pick<Birthday, "month" | "day">, year: number): LocalDate {
  const day = Math.min(birthday.day, daysInMonth(year, birthday.month));
  return `${year}-${pad(birthday.month)}-${pad(day)}`;
}

/** The day the birthday reward is issued in `year`. */
export function issueDayIn(birthday: Pick<Birthday, "month" | "day">, year: number, issueOn: BirthdayIssueOn): LocalDate {
  return issueOn === "month_start" ? `${year}-${pad(birthday.month)}-01` : birthdayIn(birthday, year);
}

/**
 * The first year a birthday entered on `enteredOn` may be rewarded: the first year whose issue day is
 * at least `minLeadDays` after `enteredOn` (an issue day already passed never counts).
 */
export function firstRewardYear(
  birthday: Pick<Birthday, "month" | "day">,
  enteredOn: LocalDate,
  settings: Pick<BirthdaySettings, "issueOn" | "minLeadDays">,
): number {
  const lead = Math.max(0, settings.minLeadDays);
  for (let year = yearOf(enteredOn); ; year += 1) {
    if (daysBetween(enteredOn, issueDayIn(birthday, year, settings.issueOn)) >= lead) return year;
  }
}

/** The reward year due on `today`, or null: today is the issue day and the lead rule allows it. */
export function rewardYearDueOn(
  birthday: Pick<Birthday, "month" | "day">,
  today: LocalDate,
  issueOn: BirthdayIssueOn,
  firstYear: number | null,
): number | null {
  const year = yearOf(today);
  if (firstYear !== null && year < firstYear) return null;
  return issueDayIn(birthday, year, issueOn) === today ? year : null;
}

/** The days (inclusive) around `year`'s birthday when the pop-up shows the gift. */
export function birthdayWindow(
  birthday: Pick<Birthday, "month" | "day">,
  year: number,
  issueOn: BirthdayIssueOn,
): { from: LocalDate; to: LocalDate } {
  const from = issueDayIn(birthday, year, issueOn);
  if (issueOn === "month_start") return { from, to: `${year}-${pad(birthday.month)}-${pad(daysInMonth(year, birthday.month))}` };
  return { from, to: addDays(from, DAY_WINDOW_DAYS - 1) };
}

/** The reward year whose window contains `today`, or null. */
export function windowYearOn(
  birthday: Pick<Birthday, "month" | "day">,
  today: LocalDate,
  issueOn: BirthdayIssueOn,
): number | null {
  // A day-mode window that starts late in December runs into January: look at last year's too.
  for (const year of [yearOf(today), yearOf(today) - 1]) {
    const window = birthdayWindow(birthday, year, issueOn);
    if (compareLocalDates(window.from, today) <= 0 && compareLocalDates(today, window.to) <= 0) return year;
  }
  return null;
}

/**
 * Whether a birthday set on `setOn` (null = never set) may change on `today`; when not, the first
 * day it may.
 */
export function changeAllowed(
  setOn: LocalDate | null,
  today: LocalDate,
  cooldownDays: number,
): { allowed: true } | { allowed: false; nextChangeOn: LocalDate } {
  if (setOn === null || cooldownDays <= 0) return { allowed: true };
  const nextChangeOn = addDays(setOn, cooldownDays);
  return compareLocalDates(today, nextChangeOn) >= 0 ? { allowed: true } : { allowed: false, nextChangeOn };
}

/** The same birthday as stored: saving it again changes nothing (and starts no cooldown). */
export function sameBirthday(a: Birthday, b: Birthday): boolean {
  return a.month === b.month && a.day === b.day && a.year === b.year;
}

/** The ledger key of a year's birthday points (DESIGN.md): one per customer and year. */
export const birthdayPointsKey = (customerGid: string, year: number) => `birthday:${customerGid}:${year}`;
/** The grant key of a year's birthday reward code (grantRewardCode): one per member and year. */
export const birthdayGrantKey = (memberId: string, year: number) => `birthday:${memberId}:${year}`;

/** The birth-date metafield value (type `date`), only with a known year. */
export function birthDateValue(birthday: Birthday): string | null {
  if (birthday.year === null) return null;
  return `${birthday.year}-${pad(birthday.month)}-${pad(birthday.day)}`;
}
