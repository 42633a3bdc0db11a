/**
 * Points expiry wired to the database (docs/decisions/011 "Expiry", 014). The rules are the pure
 * functions of app/loyalty/expiry.ts; this file feeds them only the members with something to do:
 *
 * - Member.pointsExpireOn is the next day the expiry jobs must look at a member. The ledger keeps it
 *   current in the same transaction as each entry (exact for inactivity activity; lowered for a new
 *   per-earning lot; never raised), the jobs set it to the exact soonest expiry day after looking,
 *   and a settings change lowers every balance's to the first day anything may expire. So it is
 *   never later than the true day: selecting `pointsExpireOn <= day` (indexed) misses no one.
 * - The sweep of day D expires every lot due on or before D (catch-up) under the keys of ADR 011;
 *   amounts never exceed the balance (appendDebit), so `ledger:verify` stays green.
 * - Reminders: Notification rows `points_expiring` with a Flow-style trigger payload, idempotent.
 *   Each night looks only at members with something expiring exactly a lead time ahead (ADR 014
 *   addendum); a first run, a gap or a settings change (Shop.expiryChangedAt) looks at everyone
 *   within the longest lead time once and sends missed reminders late.
 */
import type { PrismaClient } from "@prisma/client";
import { z } from "zod";
import defaultDb from "~/db.server";
import type { BatchResult, JobShop, ShopJobContext } from "~/jobs/job-types";
import {
  DEFAULT_REMINDER_DAYS,
  dueReminders,
  earliestExpiryDay,
  EXPIRY_MODES,
  ExpirySettingsSchema,
  expirySchedule,
  memberExpiryNotice,
  type ExpiryLedgerEntry,
  type ExpiryLot,
  type ExpiryMode,
  type ExpiryNotice,
  type ExpirySettings,
  type LedgerKind,
} from "~/loyalty/expiry";
import { appendDebits, isExpiryActivity, runOnce, type Tx } from "~/loyalty/ledger.server";
import { addDays, addMonths, businessDay, compareLocalDates, daysBetween, startOfLocalDay, type LocalDate } from "~/loyalty/schedule";
import { auditTrail, writeAudit } from "./audit-log.server";
import { customerIdOf, queueNotifications, type NewNotification } from "./notifications.server";
import { ensureShop } from "./shops.server";
import { jsonRows } from "./sql-rows.server";

export interface ShopExpiryColumns {
  ianaTimezone: string;
  expiryMode: string;
  expiryMonths: number;
  expiryEnabledOn: string | null;
  expiryReminderDays: string;
}

export const SHOP_EXPIRY_SELECT = {
  ianaTimezone: true,
  expiryMode: true,
  expiryMonths: true,
  expiryEnabledOn: true,
  expiryReminderDays: true,
} as const;

export function reminderDaysOf(text: string): number[] {
  try {
    const parsed = z.array(z.number().int().min(1).max(365)).max(5).safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through to the default
  }
  return [...DEFAULT_REMINDER_DAYS];
}

/** The shop's settings for the pure rules; null while expiry is off. */
export function expirySettingsOf(shop: ShopExpiryColumns): ExpirySettings | null {
  if (shop.expiryMode === "off" || shop.expiryEnabledOn === null) return null;
  const parsed = ExpirySettingsSchema.safeParse({
    mode: shop.expiryMode,
    months: shop.expiryMonths,
    enabledOn: shop.expiryEnabledOn,
    reminderDays: reminderDaysOf(shop.expiryReminderDays),
  });
  return parsed.success ? parsed.data : null;
}

/** A ledger kind as the expiry rules see it (activity or not, ADR 011). */
export function expiryKindOf(kind: string, delta: number): LedgerKind {
  if (kind === "expiry") return "expiry";
  if (!isExpiryActivity(kind)) return "reversal";
  if (kind === "manual_adjustment") return "adjustment";
  return delta < 0 ? "redeem" : "earn";
}

/** The members' entries in ledger order, as the expiry rules read them. */
export async function expiryEntriesOf(
  db: PrismaClient,
  shopId: string,
  memberIds: readonly string[],
): Promise<Map<string, ExpiryLedgerEntry[]>> {
  const byMember = new Map<string, ExpiryLedgerEntry[]>(memberIds.map((id) => [id, []]));
  if (memberIds.length === 0) return byMember;
  // By member only, the shop checked on each row: with `shopId` in the WHERE, SQLite without planner
  // statistics (production files have none, ADR 005 addendum) walks a (shopId, …) index over the
  // whole shop instead of (memberId, createdAt) — minutes per nightly run at 1M members.
  const rows = await db.ledgerEntry.findMany({
    where: { memberId: { in: [...memberIds] } },
    select: { id: true, shopId: true, memberId: true, kind: true, delta: true, createdAt: true, expiresEntryId: true },
    orderBy: [{ memberId: "asc" }, { createdAt: "asc" }, { id: "asc" }],
  });
  for (const row of rows) {
    if (row.shopId !== shopId) continue;
    byMember.get(row.memberId)?.push({
      id: row.id,
      at: row.createdAt,
      kind: expiryKindOf(row.kind, row.delta),
      delta: row.delta,
      expiresEntryId: row.expiresEntryId,
    });
  }
  return byMember;
}

interface LookMember {
  id: string;
  customerGid: string;
  pointsExpireOn: string | null;
}

/** Members the jobs must look at for `through` (indexed on shopId, pointsExpireOn), keyset by id. */
function membersToLookAt(db: PrismaClient, shopId: string, through: LocalDate, cursor: string | null, take: number) {
  return db.member.findMany({
    where: { shopId, pointsExpireOn: { lte: through }, ...(cursor ? { id: { gt: cursor } } : {}) },
    orderBy: { id: "asc" },
    take,
    select: { id: true, customerGid: true, pointsExpireOn: true },
  });
}

async function shopSettings(db: PrismaClient, shopId: string): Promise<ExpirySettings | null> {
  const shop = await db.shop.findUniqueOrThrow({ where: { id: shopId }, select: SHOP_EXPIRY_SELECT });
  return expirySettingsOf(shop);
}

const FINISHED: BatchResult = { processed: 0, written: 0, nextCursor: null };

interface SweepPlan {
  member: LookMember;
  due: ExpiryLot[];
  next: LocalDate | null;
}

async function writeSweep(tx: Tx, shop: JobShop, settings: ExpirySettings, plans: readonly SweepPlan[], skip: ReadonlySet<string>) {
  const debits = plans.flatMap((plan) =>
    plan.due
      .filter((lot) => !skip.has(lot.idempotencyKey))
      .map((lot) => ({
        shopId: shop.id,
        memberId: plan.member.id,
        kind: "expiry" as const,
        delta: lot.points,
        idempotencyKey: lot.idempotencyKey,
        description: `Points expired (${lot.expiresOn})`,
        expiresEntryId: lot.lotEntryId,
        rule: { mode: settings.mode, months: settings.months, expiresOn: lot.expiresOn },
      })),
  );
  await appendDebits(tx, debits);
  await restampAll(tx, plans);
  return debits.length;
}

/**
 * Each member's next look set to `next`, in one statement, only where it still holds the value read
 * (a ledger write meanwhile keeps its own, which is never later than the truth).
 */
async function restampAll(tx: Tx, plans: readonly { member: LookMember; next: LocalDate | null }[]) {
  const moved = plans.filter((plan) => plan.next !== plan.member.pointsExpireOn);
  if (moved.length === 0) return;
  // c0 id, c1 day read, c2 next look: one JSON parameter (sql-rows.server.ts), not two per member.
  const values = jsonRows(
    moved.map((plan) => [plan.member.id, plan.member.pointsExpireOn, plan.next]),
    3,
  );
  await tx.$executeRaw`UPDATE "Member" AS m SET "pointsExpireOn" = v.c2 FROM ${values} AS v WHERE m."id" = v.c0 AND m."pointsExpireOn" IS NOT DISTINCT FROM v.c1`;
}

const WRITE_CHUNK = 100;

/**
 * One batch of the expiry sweep for business day `day`: members whose next look is due, their
 * due lots expired (catch-up included), their next look set. Nothing before enabledOn + notice.
 */
export async function sweepExpiryBatch(context: ShopJobContext, cursor: string | null, batchSize: number): Promise<BatchResult> {
  const { db, shop, day } = context;
  const settings = await shopSettings(db, shop.id);
  if (!settings || compareLocalDates(day, earliestExpiryDay(settings)) < 0) return FINISHED;
  const members = await membersToLookAt(db, shop.id, day, cursor, batchSize);
  if (members.length === 0) return FINISHED;
  const entries = await expiryEntriesOf(db, shop.id, members.map((member) => member.id));
  const plans: SweepPlan[] = members.map((member) => {
    const schedule = expirySchedule(entries.get(member.id) ?? [], settings, { memberId: member.id, timeZone: shop.ianaTimezone });
    const due = schedule.filter((lot) => compareLocalDates(lot.expiresOn, day) <= 0);
    const next = schedule.find((lot) => compareLocalDates(lot.expiresOn, day) > 0)?.expiresOn ?? null;
    return { member, due, next };
  });
  // A replayed batch finds its entries written: skip them (the unique constraint stays the guard).
  const keys = plans.flatMap((plan) => plan.due.map((lot) => lot.idempotencyKey));
  const existing = keys.length
    ? await db.ledgerEntry.findMany({ where: { shopId: shop.id, idempotencyKey: { in: keys } }, select: { idempotencyKey: true } })
    : [];
  const skip = new Set(existing.map((row) => row.idempotencyKey));
  let written = 0;
  for (let start = 0; start < plans.length; start += WRITE_CHUNK) {
    const chunk = plans.slice(start, start + WRITE_CHUNK);
    const outcome = await runOnce(db, (tx) => writeSweep(tx, shop, settings, chunk, skip));
    if (outcome.applied) {
      written += outcome.value;
      continue;
    }
    // Another writer got some of these first: member by member, each under its own keys.
    for (const plan of chunk) {
      const single = await runOnce(db, (tx) => writeSweep(tx, shop, settings, [plan], skip));
      if (single.applied) written += single.value;
    }
  }
  return { processed: members.length, written, nextCursor: members.length < batchSize ? null : (members.at(-1)?.id ?? null) };
}

/** The Flow-style trigger payload of a points-expiring notice. */
function expiringPayload(shop: JobShop, member: LookMember, reminder: { points: number; expiresOn: string; daysBefore: number; daysLeft: number }) {
  return {
    trigger: "keepsake/points-expiring",
    shop: shop.domain,
    customer_id: customerIdOf(member.customerGid),
    customer_gid: member.customerGid,
    points: reminder.points,
    expires_on: reminder.expiresOn,
    days_before: reminder.daysBefore,
    days_left: reminder.daysLeft,
  };
}

/** The JobRun name of the reminders job (app/jobs/expiry-reminders.server.ts). */
export const EXPIRY_REMINDERS_JOB = "expiry-reminders";

/**
 * How the reminders of `day` find their members (ADR 014 addendum):
 * - "exact": yesterday's run is done and the settings did not change since it started, so every
 *   reminder whose lead day is before `day` was sent; only the members with something expiring on
 *   day + a lead time (and the few below) are looked at.
 * - "window": the first run, a gap the catch-up did not cover (it goes back 31 days at most) or a
 *   settings change since the last run: every member with an expiry within the longest lead time is
 *   looked at and missed reminders are sent late (ADR 011), as before.
 */
async function reminderLook(db: PrismaClient, shopId: string, day: LocalDate): Promise<"exact" | "window"> {
  const [previous, shop] = await Promise.all([
    db.jobRun.findFirst({
      where: { shopId, job: EXPIRY_REMINDERS_JOB, status: "done", periodKey: { lt: day } },
      orderBy: { periodKey: "desc" },
      select: { periodKey: true, startedAt: true },
    }),
    db.shop.findUniqueOrThrow({ where: { id: shopId }, select: { expiryChangedAt: true } }),
  ]);
  if (!previous || previous.periodKey !== addDays(day, -1)) return "window";
  if (shop.expiryChangedAt !== null && shop.expiryChangedAt >= previous.startedAt) return "window";
  return "exact";
}

/** The shop-local days whose credits expire on `day` under `months` (several at a month end). */
export function creditDaysExpiringOn(day: LocalDate, months: number): LocalDate[] {
  const days: LocalDate[] = [];
  const last = addDays(day, -(28 * months - 1));
  for (let credit = addDays(day, -(31 * months + 1)); compareLocalDates(credit, last) <= 0; credit = addDays(credit, 1)) {
    if (addMonths(credit, months) === day) days.push(credit);
  }
  return days;
}

/**
 * Whether something credited (or, in inactivity mode, some activity) on `day` − 1 or `day` can have
 * a reminder whose lead day is already behind it (months shorter than the longest lead time, or an
 * expiry moved to the end of the notice period): then those members are looked at too, late.
 */
function recentNeedsLook(settings: ExpirySettings, day: LocalDate): boolean {
  const longest = Math.max(...settings.reminderDays, 0);
  const earliest = earliestExpiryDay(settings);
  return [addDays(day, -1), day].some((credit) => {
    const natural = addMonths(credit, settings.months);
    return compareLocalDates(natural, earliest) < 0 || daysBetween(credit, natural) <= longest;
  });
}

interface Candidate {
  id: string;
  /** Looked at for a late reminder (any due one) rather than for an exact lead day. */
  late: boolean;
}

/** Every member the exact look of `day` must see, by id (a few indexed reads, no member scan). */
async function exactCandidates(db: PrismaClient, shop: JobShop, settings: ExpirySettings, day: LocalDate): Promise<Candidate[]> {
  const targets = [...new Set(settings.reminderDays)].map((days) => addDays(day, days));
  const earliest = earliestExpiryDay(settings);
  const shopId = shop.id;
  const dayRange = (first: LocalDate, last: LocalDate) => ({
    gte: startOfLocalDay(first, shop.ianaTimezone),
    lt: startOfLocalDay(addDays(last, 1), shop.ianaTimezone),
  });
  const exact = new Set<string>();
  const late = new Set<string>();
  // Next look on a lead day (inactivity: the expiry day; per earning: the soonest lot), or overdue
  // (a stamp lowered by a credit that the sweep has not looked at yet).
  const stamped = await db.member.findMany({
    where: { shopId, OR: [{ pointsExpireOn: { in: targets } }, { pointsExpireOn: { lte: day } }] },
    select: { id: true, pointsExpireOn: true },
  });
  for (const row of stamped) (row.pointsExpireOn !== null && compareLocalDates(row.pointsExpireOn, day) <= 0 ? late : exact).add(row.id);
  if (settings.mode === "per_earning") {
    // Every lot, not only the soonest: the credits of the days whose lots expire on a lead day. The
    // rules decide what is left of them (FIFO); a lot moved to the end of the notice period is the
    // member's soonest, found above.
    const ranges = targets
      .filter((target) => compareLocalDates(target, earliest) >= 0)
      .map((target) => creditDaysExpiringOn(target, settings.months))
      .filter((days) => days.length > 0)
      .map((days) => dayRange(days[0] as LocalDate, days.at(-1) as LocalDate));
    for (const createdAt of ranges) {
      const lots = await db.ledgerEntry.findMany({ where: { shopId, createdAt, delta: { gt: 0 } }, select: { memberId: true } });
      for (const lot of lots) exact.add(lot.memberId);
    }
  }
  if (recentNeedsLook(settings, day)) {
    const createdAt = dayRange(addDays(day, -1), day);
    const recent =
      settings.mode === "per_earning"
        ? (await db.ledgerEntry.findMany({ where: { shopId, createdAt, delta: { gt: 0 } }, select: { memberId: true } })).map((row) => row.memberId)
        : (await db.member.findMany({ where: { shopId, lastActivityAt: createdAt }, select: { id: true } })).map((row) => row.id);
    for (const id of recent) late.add(id);
  }
  const ids = [...new Set([...exact, ...late])].sort();
  return ids.map((id) => ({ id, late: late.has(id) }));
}

/**
 * The exact look's candidates, built once per (shop, day) run and served in keyset batches. A run
 * resumed elsewhere (or after a restart) rebuilds them; the list is the same for the same data.
 */
const candidateRuns = new Map<string, Candidate[]>();
const MAX_CANDIDATE_RUNS = 8;

async function exactBatch(db: PrismaClient, shop: JobShop, settings: ExpirySettings, day: LocalDate, cursor: string | null, take: number) {
  const key = `${shop.id}:${day}:${JSON.stringify(settings)}`;
  let all = candidateRuns.get(key);
  if (!all || cursor === null) {
    all = await exactCandidates(db, shop, settings, day);
    candidateRuns.delete(key);
    candidateRuns.set(key, all);
    while (candidateRuns.size > MAX_CANDIDATE_RUNS) candidateRuns.delete(candidateRuns.keys().next().value as string);
  }
  let start = 0;
  if (cursor !== null) {
    let high = all.length;
    while (start < high) {
      const middle = (start + high) >>> 1;
      if ((all[middle] as Candidate).id <= cursor) start = middle + 1;
      else high = middle;
    }
  }
  const slice = all.slice(start, start + take);
  const finished = start + take >= all.length;
  if (finished) candidateRuns.delete(key);
  const rows = slice.length
    ? // By primary key, the shop checked on each row (see expiryEntriesOf: no statistics in production).
      await db.member.findMany({ where: { id: { in: slice.map((c) => c.id) } }, select: { id: true, shopId: true, customerGid: true, pointsExpireOn: true } })
    : [];
  const byId = new Map(rows.filter((row) => row.shopId === shop.id).map(({ shopId: _shop, ...row }) => [row.id, row]));
  const members = slice.flatMap((c) => {
    const row = byId.get(c.id);
    return row ? [{ member: row, late: c.late }] : [];
  });
  return { members, nextCursor: finished ? null : ((slice.at(-1) as Candidate).id ?? null) };
}

/**
 * One batch of the reminders job for business day `day` (ADR 011 rules, ADR 014 + addendum).
 * Normally ("exact") only members with points expiring exactly a lead time ahead (30 and 3 days by
 * default) are looked at, and they get the reminders whose lead day is `day`; a first run, a missed
 * stretch or a settings change looks at every member within the longest lead time instead and sends
 * missed reminders late (the shortest lead time whose day has come). Amounts are the rules' own
 * (FIFO after debits), each reminder once (Notification key); the next look is restamped exactly.
 */
export async function remindExpiryBatch(context: ShopJobContext, cursor: string | null, batchSize: number): Promise<BatchResult> {
  const { db, shop, day } = context;
  const settings = await shopSettings(db, shop.id);
  if (!settings) return FINISHED;
  let looked: { member: LookMember; late: boolean }[];
  let nextCursor: string | null;
  if ((await reminderLook(db, shop.id, day)) === "window") {
    const horizon = addDays(day, Math.max(...settings.reminderDays, 0));
    const members = await membersToLookAt(db, shop.id, horizon, cursor, batchSize);
    looked = members.map((member) => ({ member, late: true }));
    nextCursor = members.length < batchSize ? null : (members.at(-1)?.id ?? null);
  } else {
    const batch = await exactBatch(db, shop, settings, day, cursor, batchSize);
    looked = batch.members;
    nextCursor = batch.nextCursor;
  }
  if (looked.length === 0) return { processed: 0, written: 0, nextCursor };
  const entries = await expiryEntriesOf(db, shop.id, looked.map(({ member }) => member.id));
  const leadDays = new Set(settings.reminderDays);
  const horizon = addDays(day, Math.max(...settings.reminderDays, 0));
  const notices: NewNotification[] = [];
  const restamps: { member: LookMember; next: LocalDate | null }[] = [];
  for (const { member, late } of looked) {
    const list = entries.get(member.id) ?? [];
    const context = { memberId: member.id, today: day, timeZone: shop.ianaTimezone };
    if (late) {
      // Overdue or window looks set the next look exactly (exact looks find stamps that are exact
      // already, or early, which only costs the sweep a look); nothing within the longest lead
      // time (a lot redeemed since, a stale stamp) means no reminder.
      const soonest = expirySchedule(list, settings, context)[0]?.expiresOn ?? null;
      if (soonest !== member.pointsExpireOn) restamps.push({ member, next: soonest });
      if (soonest === null || compareLocalDates(soonest, horizon) > 0) continue;
    }
    for (const reminder of dueReminders(list, settings, context)) {
      if (!late && !leadDays.has(reminder.daysLeft)) continue;
      notices.push({
        shopId: shop.id,
        memberId: member.id,
        kind: "points_expiring",
        idempotencyKey: reminder.idempotencyKey,
        payload: expiringPayload(shop, member, reminder),
      });
    }
  }
  const written = await queueNotifications(db, notices);
  if (restamps.length > 0) await db.$transaction((tx) => restampAll(tx, restamps));
  return { processed: looked.length, written, nextCursor };
}

/** "X points expire on <date>" for the member response: the soonest expiry, or null. */
export async function memberExpiry(
  shop: ShopExpiryColumns & { id: string },
  memberId: string,
  now: Date = new Date(),
  db: PrismaClient = defaultDb,
): Promise<ExpiryNotice | null> {
  const settings = expirySettingsOf(shop);
  if (!settings) return null;
  const entries = await expiryEntriesOf(db, shop.id, [memberId]);
  return memberExpiryNotice(entries.get(memberId) ?? [], settings, {
    memberId,
    today: businessDay(now, shop.ianaTimezone),
    timeZone: shop.ianaTimezone,
  });
}

// ---------------------------------------------------------------------------------------------
// The Expiry settings page (/app/expiry)

export interface ExpirySettingsView {
  mode: ExpiryMode;
  months: string;
  reminderDays: string;
  enabledOn: string | null;
  /** The first day any point may expire (enabledOn + notice), when expiry is on. */
  earliestExpiry: string | null;
  timezone: string;
}

const ReminderDaysInput = z
  .string()
  .trim()
  .refine((text) => /^\d+(\s*,\s*\d+)*$/.test(text), "Enter days as numbers separated by commas, like 30, 3")
  .transform((text) => text.split(",").map((part) => Number(part.trim())))
  .refine((days) => days.every((value) => value >= 1 && value <= 365), "Each reminder must be 1 to 365 days before")
  .refine((days) => days.length <= 5, "At most 5 reminders")
  .refine((days) => new Set(days).size === days.length, "Each reminder day once");

/** What the Expiry form posts (strings, as FormData has them). */
export const ExpirySettingsInput = z.object({
  mode: z.enum(EXPIRY_MODES, { message: "Choose off, inactivity or per earning" }),
  months: z
    .string()
    .trim()
    .regex(/^\d+$/, "Enter a whole number of months")
    .transform(Number)
    .refine((months) => months >= 1 && months <= 120, "Must be 1 to 120 months"),
  reminderDays: ReminderDaysInput,
});
export type ExpirySettingsUpdate = z.output<typeof ExpirySettingsInput>;

function viewOf(shop: ShopExpiryColumns): ExpirySettingsView {
  const settings = expirySettingsOf(shop);
  return {
    mode: (EXPIRY_MODES as readonly string[]).includes(shop.expiryMode) ? (shop.expiryMode as ExpiryMode) : "off",
    months: String(shop.expiryMonths),
    reminderDays: reminderDaysOf(shop.expiryReminderDays).join(", "),
    enabledOn: shop.expiryEnabledOn,
    earliestExpiry: settings ? earliestExpiryDay(settings) : null,
    timezone: shop.ianaTimezone,
  };
}

/**
 * The day the notice period counts from after a save (ADR 011): turning expiry on, switching mode
 * or shrinking the months starts a new notice period today (shop zone); other saves keep it.
 */
export function nextEnabledOn(before: ShopExpiryColumns, update: ExpirySettingsUpdate, today: LocalDate): string | null {
  if (update.mode === "off") return before.expiryEnabledOn;
  const restart =
    before.expiryEnabledOn === null ||
    before.expiryMode !== update.mode ||
    update.months < before.expiryMonths;
  return restart ? today : before.expiryEnabledOn;
}

/**
 * Saves the settings with the audit entry, in one transaction. When expiry is on and the rules
 * changed, every member with a balance gets their next look no later than the first day anything
 * may expire, so the jobs re-read them under the new rules (one indexed UPDATE); any change that
 * moves expiry or reminder days stamps Shop.expiryChangedAt, so the next reminders run looks at the
 * whole window once.
 */
export async function updateExpirySettings(
  shopDomain: string,
  update: ExpirySettingsUpdate,
  staffId: string | null = null,
  now: Date = new Date(),
): Promise<ExpirySettingsView> {
  const shop = await ensureShop(shopDomain);
  const saved = await defaultDb.$transaction(async (tx) => {
    const before = await tx.shop.findUniqueOrThrow({ where: { id: shop.id }, select: SHOP_EXPIRY_SELECT });
    const enabledOn = nextEnabledOn(before, update, businessDay(now, before.ianaTimezone));
    const reminderDays = JSON.stringify(update.reminderDays);
    const changed =
      before.expiryMode !== update.mode ||
      before.expiryMonths !== update.months ||
      before.expiryEnabledOn !== enabledOn ||
      JSON.stringify(reminderDaysOf(before.expiryReminderDays)) !== reminderDays;
    const after = await tx.shop.update({
      where: { id: shop.id },
      data: {
        expiryMode: update.mode,
        expiryMonths: update.months,
        expiryReminderDays: reminderDays,
        expiryEnabledOn: enabledOn,
        // The next reminders run looks at every member within the lead time once (remindExpiryBatch).
        ...(changed ? { expiryChangedAt: now } : {}),
      },
      select: SHOP_EXPIRY_SELECT,
    });
    const settings = expirySettingsOf(after);
    const rulesChanged =
      before.expiryMode !== after.expiryMode || before.expiryMonths !== after.expiryMonths || before.expiryEnabledOn !== after.expiryEnabledOn;
    if (settings && rulesChanged) {
      const earliest = earliestExpiryDay(settings);
      await tx.member.updateMany({
        where: { shopId: shop.id, balance: { gt: 0 }, OR: [{ pointsExpireOn: null }, { pointsExpireOn: { gt: earliest } }] },
        data: { pointsExpireOn: earliest },
      });
    }
    const snapshot = (row: ShopExpiryColumns) => ({
      expiryMode: row.expiryMode,
      expiryMonths: row.expiryMonths,
      expiryReminderDays: reminderDaysOf(row.expiryReminderDays),
      expiryEnabledOn: row.expiryEnabledOn,
    });
    await writeAudit(tx, {
      shopId: shop.id,
      staffId,
      action: "expiry.update",
      subjectType: "shop",
      subjectId: shop.id,
      before: snapshot(before),
      after: snapshot(after),
    });
    return after;
  });
  return viewOf(saved);
}

export interface ExpiryChange {
  id: string;
  at: string;
  staffId: string | null;
  changed: string[];
}

/** The Expiry page: the settings and the latest changes to them (from the audit log). */
export async function expiryPage(shopDomain: string): Promise<{ settings: ExpirySettingsView; changes: ExpiryChange[] }> {
  const shop = await ensureShop(shopDomain);
  const row = await defaultDb.shop.findUniqueOrThrow({ where: { id: shop.id }, select: SHOP_EXPIRY_SELECT });
  const trail = await auditTrail(shopDomain, { type: "shop", id: shop.id }, 20);
  const changes = trail
    .filter((item) => item.action === "expiry.update")
    .slice(0, 5)
    .map((item) => {
      const before = (item.before ?? {}) as Record<string, unknown>;
      const after = (item.after ?? {}) as Record<string, unknown>;
      const changed = Object.keys(after).filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]));
      return { id: item.id, at: item.createdAt, staffId: item.staffId, changed };
    });
  return { settings: viewOf(row), changes };
}
