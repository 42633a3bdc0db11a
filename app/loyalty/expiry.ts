/**
 * Points expiry: what expires on a given business day, which reminders are due, and what the member
 * sees ("120 points expire on 2027-02-28"). Pure functions over a member's ledger entries; every
 * rule is unit-tested in tests/unit/expiry.test.ts; the choices are in docs/decisions/011.
 *
 * Modes:
 * - inactivity: the whole balance expires N months after the member's last activity (an earn, a
 *   redemption or a staff adjustment — reversals and expiries are not activity). Key
 *   `expire:<member>:<expiry date>`: a rerun finds the same key; new activity moves the date.
 * - per_earning: every credit is a lot that expires N months after the shop-local day it was
 *   credited. Debits consume lots oldest first (FIFO); an expiry entry consumes the lot it names.
 *   Key `expire:<member>:<lot entry id>`.
 *
 * "Expires on D" means the sweep of business day D removes the points (they are spendable through
 * D − 1). D = the credit/activity day + N calendar months, clamped to the month end (Jan 31 + 1
 * month = Feb 28, Feb 29 in a leap year; see schedule.ts addMonths), and never earlier than the
 * enabling day + the notice period: enabling expiry never expires points earlier than one full
 * notice period after enabling. The notice period is the longest reminder lead time, at least 30
 * days, so every reminder can be sent.
 */
import { z } from "zod";
import {
  addDays,
  addMonths,
  compareLocalDates,
  daysBetween,
  isLocalDate,
  localDateOf,
  maxLocalDate,
  type LocalDate,
} from "./schedule";

export const EXPIRY_MODES = ["off", "inactivity", "per_earning"] as const;
export type ExpiryMode = (typeof EXPIRY_MODES)[number];
export const DEFAULT_REMINDER_DAYS = [30, 3] as const;
export const MINIMUM_NOTICE_DAYS = 30;

export const ExpirySettingsSchema = z.object({
  mode: z.enum(EXPIRY_MODES),
  months: z.number().int().min(1).max(120),
  /** The shop-local day expiry was (last) turned on. */
  enabledOn: z.string().refine(isLocalDate, "a date yyyy-mm-dd"),
  reminderDays: z
    .array(z.number().int().min(1).max(365))
    .max(5)
    .refine((days) => new Set(days).size === days.length, "each reminder day once")
    .default([...DEFAULT_REMINDER_DAYS]),
});
export type ExpirySettings = z.output<typeof ExpirySettingsSchema>;
export type ExpirySettingsInput = z.input<typeof ExpirySettingsSchema>;

export type LedgerKind = "earn" | "redeem" | "adjustment" | "reversal" | "expiry";

/** A ledger entry as expiry sees it. Pass a member's entries in ledger order (oldest first). */
export interface ExpiryLedgerEntry {
  id: string;
  at: Date;
  kind: LedgerKind;
  /** Signed points. */
  delta: number;
  /** On an expiry entry: the lot (credit entry id) it expired, in per_earning mode. */
  expiresEntryId?: string | null;
}

export interface ExpiryContext {
  memberId: string;
  /** The business day being evaluated (schedule.ts businessDay). */
  today: LocalDate;
  timeZone: string;
}

/** Points that expire on one day, with the key of the expiry ledger entry. */
export interface ExpiryLot {
  points: number;
  expiresOn: LocalDate;
  idempotencyKey: string;
  /** per_earning: the credit entry the points came from (store it as `expiresEntryId`). */
  lotEntryId: string | null;
}

/** The notice period in days: the longest reminder, at least 30. */
export function noticeDays(settings: Pick<ExpirySettings, "reminderDays">): number {
  return Math.max(MINIMUM_NOTICE_DAYS, ...settings.reminderDays);
}

/** No points expire before this day. */
export function earliestExpiryDay(settings: Pick<ExpirySettings, "enabledOn" | "reminderDays">): LocalDate {
  return addDays(settings.enabledOn, noticeDays(settings));
}

function expiryDay(from: LocalDate, settings: ExpirySettings): LocalDate {
  return maxLocalDate(addMonths(from, settings.months), earliestExpiryDay(settings));
}

const ACTIVITY: ReadonlySet<LedgerKind> = new Set(["earn", "redeem", "adjustment"]);

/**
 * Every point still on the balance with the day it expires, oldest first, whether already due or
 * not. Empty when expiry is off or the balance is not positive.
 */
export function expirySchedule(
  entries: readonly ExpiryLedgerEntry[],
  settings: ExpirySettings,
  context: Omit<ExpiryContext, "today">,
): ExpiryLot[] {
  if (settings.mode === "off") return [];
  const balance = entries.reduce((sum, entry) => sum + entry.delta, 0);
  if (balance <= 0) return [];
  if (settings.mode === "inactivity") {
    // The local day only grows with the instant: convert the latest one.
    const latest = (candidates: readonly ExpiryLedgerEntry[]) =>
      candidates.reduce<Date | null>((max, entry) => (max === null || entry.at > max ? entry.at : max), null);
    const last = latest(entries.filter((entry) => ACTIVITY.has(entry.kind))) ?? latest(entries);
    if (last === null) return [];
    const expiresOn = expiryDay(localDateOf(last, context.timeZone), settings);
    return [{ points: balance, expiresOn, idempotencyKey: `expire:${context.memberId}:${expiresOn}`, lotEntryId: null }];
  }
  return remainingLots(entries).map((lot) => {
    const expiresOn = expiryDay(localDateOf(lot.at, context.timeZone), settings);
    return { points: lot.remaining, expiresOn, idempotencyKey: `expire:${context.memberId}:${lot.id}`, lotEntryId: lot.id };
  })
    .filter((lot) => lot.points > 0)
    .sort((a, b) => compareLocalDates(a.expiresOn, b.expiresOn));
}

interface Lot {
  id: string;
  at: Date;
  remaining: number;
}

/**
 * FIFO: each credit is a lot; each debit takes from the oldest lots first (an expiry entry first
 * from the lot it names). A debit larger than every open lot (a reversal after the points were
 * spent — it should not happen, invariant 5) leaves a shortfall that later credits pay first.
 */
export function remainingLots(entries: readonly ExpiryLedgerEntry[]): Lot[] {
  const lots: Lot[] = [];
  const byId = new Map<string, Lot>();
  let head = 0; // lots before head are empty
  let shortfall = 0;
  for (const entry of entries) {
    if (!Number.isSafeInteger(entry.delta)) throw new RangeError(`entry ${entry.id}: delta must be an integer`);
    if (entry.delta > 0) {
      const paid = Math.min(shortfall, entry.delta);
      shortfall -= paid;
      const lot = { id: entry.id, at: entry.at, remaining: entry.delta - paid };
      lots.push(lot);
      byId.set(entry.id, lot);
      continue;
    }
    let debit = -entry.delta;
    if (entry.kind === "expiry" && entry.expiresEntryId) {
      const named = byId.get(entry.expiresEntryId);
      if (named) {
        const taken = Math.min(named.remaining, debit);
        named.remaining -= taken;
        debit -= taken;
      }
    }
    for (let index = head; index < lots.length && debit > 0; index += 1) {
      const lot = lots[index] as Lot;
      const taken = Math.min(lot.remaining, debit);
      lot.remaining -= taken;
      debit -= taken;
    }
    while (head < lots.length && (lots[head] as Lot).remaining === 0) head += 1;
    shortfall += debit;
  }
  return lots.filter((lot) => lot.remaining > 0);
}

/**
 * What the sweep of business day `today` expires: every lot whose expiry day is today or earlier
 * (a sweep that missed days catches up under the same keys), oldest first.
 */
export function dueExpiries(
  entries: readonly ExpiryLedgerEntry[],
  settings: ExpirySettings,
  context: ExpiryContext,
): ExpiryLot[] {
  return expirySchedule(entries, settings, context).filter((lot) => compareLocalDates(lot.expiresOn, context.today) <= 0);
}

export interface ExpiryNotice {
  points: number;
  expiresOn: LocalDate;
}

/** Points grouped by expiry day, from `today` on, soonest first (what is due today included). */
export function upcomingExpiries(
  entries: readonly ExpiryLedgerEntry[],
  settings: ExpirySettings,
  context: ExpiryContext,
): ExpiryNotice[] {
  const byDay = new Map<LocalDate, number>();
  for (const lot of expirySchedule(entries, settings, context)) {
    const day = maxLocalDate(lot.expiresOn, context.today);
    byDay.set(day, (byDay.get(day) ?? 0) + lot.points);
  }
  return [...byDay.entries()]
    .map(([expiresOn, points]) => ({ expiresOn, points }))
    .sort((a, b) => compareLocalDates(a.expiresOn, b.expiresOn));
}

/** For the member response: "X points expire on <date>" (the soonest), or null. */
export function memberExpiryNotice(
  entries: readonly ExpiryLedgerEntry[],
  settings: ExpirySettings,
  context: ExpiryContext,
): ExpiryNotice | null {
  return upcomingExpiries(entries, settings, context)[0] ?? null;
}

export interface ExpiryReminder extends ExpiryNotice {
  /** The configured lead time this reminder is for (30, 3…). */
  daysBefore: number;
  /** Days actually left (smaller than daysBefore when a missed day is caught up). */
  daysLeft: number;
  /** `expiry-reminder:<member>:<expiry date>:<days before>`. */
  idempotencyKey: string;
}

/**
 * Reminders due on `today`: for each future expiry day, the configured reminder with the shortest
 * lead time whose day has come (expiresOn − daysBefore ≤ today). A job that missed the 30-day
 * reminder sends it late rather than never; one that missed both the 30- and 3-day reminders sends
 * only the 3-day one. Rerunning on any day returns the same keys, so a Notification row unique on
 * the key is sent once. Nothing is due on or after the expiry day itself.
 */
export function dueReminders(
  entries: readonly ExpiryLedgerEntry[],
  settings: ExpirySettings,
  context: ExpiryContext,
): ExpiryReminder[] {
  const reminders: ExpiryReminder[] = [];
  const leadTimes = [...settings.reminderDays].sort((a, b) => a - b);
  for (const notice of upcomingExpiries(entries, settings, context)) {
    const daysLeft = daysBetween(context.today, notice.expiresOn);
    if (daysLeft <= 0) continue;
    const daysBefore = leadTimes.find((days) => days >= daysLeft);
    if (daysBefore === undefined) continue;
    reminders.push({
      ...notice,
      daysBefore,
      daysLeft,
      idempotencyKey: `expiry-reminder:${context.memberId}:${notice.expiresOn}:${daysBefore}`,
    });
  }
  return reminders;
}
