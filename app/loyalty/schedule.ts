/**
 * Calendar and clock helpers for the time-based rules (tiers, campaigns, expiry) and the daily jobs.
 * Pure: the caller passes the instant (`now`) and the shop's IANA time zone; nothing here reads the
 * clock. Time-zone conversions use Intl.DateTimeFormat only (no library, no Temporal).
 *
 * Vocabulary:
 * - `LocalDate` is a shop-local calendar day, "yyyy-mm-dd". Such strings sort chronologically.
 * - `LocalDateTime` is a shop-local wall-clock time, "yyyy-mm-ddThh:mm" or "yyyy-mm-ddThh:mm:ss".
 * - The "business day" of an instant is the shop-local date at that instant: the day a daily job is
 *   running for. A job keyed by (job, shop, business day) does nothing when it is rerun that day.
 *
 * Month arithmetic clamps to the month end: Jan 31 + 1 month = Feb 28 (Feb 29 in a leap year),
 * Mar 31 − 1 month = Feb 28/29, Feb 29 2028 + 12 months = Feb 28 2029. Adding months to the 1st..28th
 * never moves the day of month.
 */

export type LocalDate = string;
export type LocalDateTime = string;

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;
const MS_PER_DAY = 86_400_000;

export class InvalidLocalDateError extends Error {
  constructor(readonly input: string) {
    super(`Not a local date/date-time: ${JSON.stringify(input)}`);
    this.name = "InvalidLocalDateError";
  }
}

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  // Arithmetic for the usual case (the nightly jobs ask millions of times); Date for the rest, which
  // also keeps Date.UTC's reading of years 0–99 as 1900–1999 that epochDay shares.
  if (year >= 100 && month >= 1 && month <= 12) {
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    return month === 2 && leap ? 29 : (MONTH_DAYS[month - 1] ?? 31);
  }
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function validParts(p: Parts): boolean {
  return (
    p.month >= 1 &&
    p.month <= 12 &&
    p.day >= 1 &&
    p.day <= daysInMonth(p.year, p.month) &&
    p.hour <= 23 &&
    p.minute <= 59 &&
    p.second <= 59
  );
}

function parseLocalDateParts(date: LocalDate): Parts {
  const match = LOCAL_DATE.exec(date);
  if (!match) throw new InvalidLocalDateError(date);
  const parts = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]), hour: 0, minute: 0, second: 0 };
  if (!validParts(parts)) throw new InvalidLocalDateError(date);
  return parts;
}

function parseLocalDateTimeParts(text: LocalDateTime): Parts {
  const match = LOCAL_DATE_TIME.exec(text);
  if (!match) throw new InvalidLocalDateError(text);
  const parts = {
    year: Number(match[1]),
    month: Number(match[2]),
    day: Number(match[3]),
    hour: Number(match[4]),
    minute: Number(match[5]),
    second: Number(match[6] ?? "0"),
  };
  if (!validParts(parts)) throw new InvalidLocalDateError(text);
  return parts;
}

export function isLocalDate(text: string): boolean {
  const match = LOCAL_DATE.exec(text);
  return match !== null && validParts({ year: Number(match[1]), month: Number(match[2]), day: Number(match[3]), hour: 0, minute: 0, second: 0 });
}

export function isLocalDateTime(text: string): boolean {
  try {
    parseLocalDateTimeParts(text);
    return true;
  } catch {
    return false;
  }
}

const pad = (value: number, width = 2) => String(value).padStart(width, "0");

function formatDate(year: number, month: number, day: number): LocalDate {
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

function zonedParts(instant: Date, timeZone: string): Parts {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 0,
    day: parts.day ?? 0,
    hour: (parts.hour ?? 0) % 24,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

function utcOfParts(p: Parts): number {
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
}

/** The zone's offset from UTC at an instant, in ms (New York in winter: −5 h). */
export function timeZoneOffsetMs(instant: Date, timeZone: string): number {
  const wholeSeconds = Math.floor(instant.getTime() / 1000) * 1000;
  return utcOfParts(zonedParts(new Date(wholeSeconds), timeZone)) - wholeSeconds;
}

const OFFSET_BUCKET_MS = 15 * 60_000;
const MAX_CACHED_BUCKETS = 200_000;
const offsetCache = new Map<string, Map<number, number | null>>();

/**
 * The zone offset at `time`, memoized per 15-minute bucket: a bucket whose first and last second
 * have the same offset holds no transition (none are closer than 15 minutes), so every instant in it
 * shares that offset. Buckets with a transition are computed exactly each time. Intl formatting
 * costs ~6 µs a call; the nightly jobs convert millions of ledger timestamps.
 */
function cachedOffsetMs(time: number, timeZone: string): number {
  let zone = offsetCache.get(timeZone);
  if (!zone) {
    zone = new Map();
    offsetCache.set(timeZone, zone);
  }
  const bucket = Math.floor(time / OFFSET_BUCKET_MS);
  let offset = zone.get(bucket);
  if (offset === undefined) {
    const start = timeZoneOffsetMs(new Date(bucket * OFFSET_BUCKET_MS), timeZone);
    const end = timeZoneOffsetMs(new Date((bucket + 1) * OFFSET_BUCKET_MS - 1000), timeZone);
    offset = start === end ? start : null;
    if (zone.size >= MAX_CACHED_BUCKETS) zone.clear();
    zone.set(bucket, offset);
  }
  return offset ?? timeZoneOffsetMs(new Date(time), timeZone);
}

/** The shop-local calendar day at an instant. */
export function localDateOf(instant: Date, timeZone: string): LocalDate {
  const time = instant.getTime();
  if (!Number.isFinite(time)) throw new RangeError("invalid date");
  const local = new Date(Math.floor(time / 1000) * 1000 + cachedOffsetMs(time, timeZone));
  return formatDate(local.getUTCFullYear(), local.getUTCMonth() + 1, local.getUTCDate());
}

/** The shop-local wall-clock time at an instant, "yyyy-mm-ddThh:mm:ss". */
export function localDateTimeOf(instant: Date, timeZone: string): LocalDateTime {
  const p = zonedParts(instant, timeZone);
  return `${formatDate(p.year, p.month, p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

/** The business day a daily job runs for at `now`: the shop-local date. */
export function businessDay(now: Date, timeZone: string): LocalDate {
  return localDateOf(now, timeZone);
}

/**
 * The instant of a shop-local wall-clock time. Disambiguation follows Temporal's "compatible":
 * a time that happens twice (the repeated hour when clocks go back) is its first occurrence; a time
 * that never happens (the skipped hour when clocks go forward) is moved forward by the gap, so
 * 02:30 on a New York spring-forward day is 03:30 EDT.
 */
export function zonedTimeToInstant(local: LocalDateTime, timeZone: string): Date {
  const parts = parseLocalDateTimeParts(local);
  const wall = utcOfParts(parts);
  // Offsets a day either side cover every transition (none are closer than that in practice).
  const before = timeZoneOffsetMs(new Date(wall - MS_PER_DAY), timeZone);
  const after = timeZoneOffsetMs(new Date(wall + MS_PER_DAY), timeZone);
  const candidates = [...new Set([before, after])]
    .map((offset) => wall - offset)
    .filter((instant) => utcOfParts(zonedParts(new Date(instant), timeZone)) === wall)
    .sort((a, b) => a - b);
  const first = candidates[0];
  if (first !== undefined) return new Date(first);
  // In a gap: read the wall time with the offset in force before it, which lands after the gap.
  return new Date(wall - before);
}

/** The instant a shop-local day begins (not always 00:00: some zones skip midnight). */
export function startOfLocalDay(date: LocalDate, timeZone: string): Date {
  parseLocalDateParts(date);
  return zonedTimeToInstant(`${date}T00:00`, timeZone);
}

/**
 * Days already validated and counted: a nightly batch compares and shifts the same few days for
 * hundreds of thousands of members (ADR 014 addendum). Bounded: emptied when full.
 */
const EPOCH_DAYS = new Map<string, number>();
const EPOCH_DAYS_LIMIT = 10_000;

function epochDay(date: LocalDate): number {
  const known = EPOCH_DAYS.get(date);
  if (known !== undefined) return known;
  const p = parseLocalDateParts(date); // throws on a bad date, which is never remembered
  const day = Date.UTC(p.year, p.month - 1, p.day) / MS_PER_DAY;
  if (EPOCH_DAYS.size >= EPOCH_DAYS_LIMIT) EPOCH_DAYS.clear();
  EPOCH_DAYS.set(date, day);
  return day;
}

function fromEpochDay(day: number): LocalDate {
  const d = new Date(day * MS_PER_DAY);
  return formatDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

export function addDays(date: LocalDate, days: number): LocalDate {
  if (!Number.isInteger(days)) throw new RangeError("days must be an integer");
  return fromEpochDay(epochDay(date) + days);
}

/** Calendar months, clamped to the month end (Jan 31 + 1 month = Feb 28, or Feb 29 in a leap year). */
export function addMonths(date: LocalDate, months: number): LocalDate {
  if (!Number.isInteger(months)) throw new RangeError("months must be an integer");
  const p = parseLocalDateParts(date);
  const index = p.year * 12 + (p.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  return formatDate(year, month, Math.min(p.day, daysInMonth(year, month)));
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: LocalDate, to: LocalDate): number {
  return epochDay(to) - epochDay(from);
}

export function compareLocalDates(a: LocalDate, b: LocalDate): number {
  return epochDay(a) - epochDay(b);
}

export function maxLocalDate(a: LocalDate, b: LocalDate): LocalDate {
  return compareLocalDates(a, b) >= 0 ? a : b;
}

export function yearOf(date: LocalDate): number {
  return parseLocalDateParts(date).year;
}

// ---------------------------------------------------------------------------------------------
// Periods

export type QualificationPeriod = "lifetime" | "rolling_12_months" | "calendar_year";
export type PeriodKind = "day" | QualificationPeriod;

/** Inclusive range of local dates; `start` null = since the beginning. */
export interface LocalDateRange {
  start: LocalDate | null;
  end: LocalDate;
}

/**
 * The window of a period that contains `day`:
 * - day: that day;
 * - calendar_year: Jan 1 .. Dec 31 of its year;
 * - rolling_12_months: the 12 months ending on `day` (2025-11-24 .. 2026-11-23 for 2026-11-23;
 *   for Feb 29 2028 it starts Mar 1 2027 — 12 months before, clamped, plus one day);
 * - lifetime: everything up to `day`.
 */
export function periodWindow(kind: PeriodKind, day: LocalDate): LocalDateRange {
  switch (kind) {
    case "day":
      return { start: day, end: day };
    case "calendar_year": {
      const year = pad(yearOf(day), 4);
      return { start: `${year}-01-01`, end: `${year}-12-31` };
    }
    case "rolling_12_months":
      return { start: addDays(addMonths(day, -12), 1), end: day };
    case "lifetime":
      return { start: null, end: day };
  }
}

export function inRange(day: LocalDate, range: LocalDateRange): boolean {
  return (range.start === null || compareLocalDates(day, range.start) >= 0) && compareLocalDates(day, range.end) <= 0;
}

/**
 * A stable text key for the period containing `day`: "2026-11-23" (day), "2026" (calendar_year),
 * "2025-11-24..2026-11-23" (rolling_12_months), "lifetime..2026-11-23" (lifetime).
 */
export function periodKey(kind: PeriodKind, day: LocalDate): string {
  const window = periodWindow(kind, day);
  switch (kind) {
    case "day":
      return day;
    case "calendar_year":
      return String(yearOf(day));
    case "rolling_12_months":
      return `${window.start}..${window.end}`;
    case "lifetime":
      return `lifetime..${window.end}`;
  }
}

/**
 * The key a job run is unique on: the same job for the same shop and period twice is the same key,
 * so a `JobRun` row unique on it (or a lease named by it) makes a rerun a no-op.
 * `jobRunKey("expiry-sweep", "shop_1", "day", now, "Asia/Seoul")` → "expiry-sweep:shop_1:2026-11-23".
 */
export function jobRunKey(job: string, shopId: string, kind: PeriodKind, now: Date, timeZone: string): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(job)) throw new RangeError(`job names are kebab-case: ${job}`);
  return `${job}:${shopId}:${periodKey(kind, businessDay(now, timeZone))}`;
}

/**
 * The business days a daily job still owes, oldest first: every day after `lastCompleted` up to and
 * including today, at most `maxDays` of them (a job that was down for a week catches up in order;
 * one that never ran starts today).
 */
export function businessDaysToRun(
  lastCompleted: LocalDate | null,
  now: Date,
  timeZone: string,
  maxDays = 31,
): LocalDate[] {
  const today = businessDay(now, timeZone);
  if (lastCompleted === null) return [today];
  const days: LocalDate[] = [];
  const missing = daysBetween(lastCompleted, today);
  for (let offset = Math.max(1, missing - maxDays + 1); offset <= missing; offset += 1) {
    days.push(addDays(lastCompleted, offset));
  }
  return days;
}
