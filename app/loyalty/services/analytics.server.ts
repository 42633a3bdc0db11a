/**
 * Analytics (docs/decisions/018): the daily roll-up of one shop-local day from the raw tables into
 * DailyStat, and the analytics page's figures read from those rows (plus today, computed live), so
 * the page never scans the ledger whatever its size.
 */
import { Prisma, type DailyStat, type PrismaClient } from "@prisma/client";
import defaultDb, { directQuery } from "~/db.server";
import {
  addDelta,
  computeKpis,
  daysOf,
  decodeSketch,
  encodeSketch,
  orderRevenue,
  pointValueOf,
  resolveRange,
  sketchOf,
  sumFigures,
  zeroFigures,
  type DayFigures,
  type DayRange,
  type Kpis,
  type Lifetime,
  type ResolvedRange,
  type RewardCount,
} from "../analytics";
import { isExpiryActivity } from "../ledger.server";
import { fromMicros, toMicros, type Micros } from "../money";
import { addDays, businessDay, compareLocalDates, localDateOf, startOfLocalDay, type LocalDate } from "../schedule";

type Db = PrismaClient;

export interface StatShop {
  id: string;
  ianaTimezone: string;
}

/** The instants [start, end) of a shop-local day. */
export function dayBounds(day: LocalDate, timeZone: string): { start: Date; end: Date } {
  return { start: startOfLocalDay(day, timeZone), end: startOfLocalDay(addDays(day, 1), timeZone) };
}

/** One day's figures computed from the ledger, members, orders and redemptions (nothing written). */
export async function computeDay(db: Db, shop: StatShop, day: LocalDate): Promise<DayFigures> {
  const { start, end } = dayBounds(day, shop.ianaTimezone);
  const within = { gte: start, lt: end };
  const figures = zeroFigures(day);
  // The day's entries in one pass over LedgerEntry (shopId, createdAt, id, kind, delta, memberId):
  // an index-only scan. Straight to the driver adapter: thousands of rows through Prisma's query
  // compiler and row mapping cost more than the scan (ADR 018, addendum 2).
  const [entries, newMembers, orders, redemptions] = await Promise.all([
    directQuery(
      db,
      Prisma.sql`SELECT "memberId", "kind", "delta" FROM "LedgerEntry" WHERE "shopId" = ${shop.id} AND "createdAt" >= ${start} AND "createdAt" < ${end}`,
    ),
    db.member.count({ where: { shopId: shop.id, enrolledAt: within } }),
    dayOrders(db, shop, start, end),
    db.redemption.groupBy({
      by: ["rewardId", "rewardName"],
      where: { shopId: shop.id, createdAt: within, status: { in: ["issued", "used"] } },
      _count: { _all: true },
      _sum: { pointsSpent: true },
    }),
  ]);
  const activeIds = new Set<string>();
  for (const entry of entries) {
    const kind = String(entry.kind);
    addDelta(figures, kind, Number(entry.delta));
    if (isExpiryActivity(kind)) activeIds.add(String(entry.memberId));
  }
  figures.activeMembers = activeIds.size;
  figures.activeSketch = sketchOf(activeIds);
  figures.newMembers = newMembers;
  addOrders(figures, orders);
  const counts: RewardCount[] = redemptions.map((row) => ({
    rewardId: row.rewardId,
    name: row.rewardName,
    count: row._count._all,
    points: row._sum.pointsSpent ?? 0,
  }));
  figures.redemptions = counts.reduce((sum, item) => sum + item.count, 0);
  figures.rewardCounts = counts.sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
  return figures;
}

interface DayOrder {
  eligibleAmount: string | null;
  refundedAmount: string;
  member: boolean;
  repeat: boolean;
}

/** SQLite answers EXISTS as 0/1 (a bigint through the adapter), PostgreSQL as a boolean. */
const truthy = (value: unknown): boolean => value === true || value === 1 || value === 1n || value === "1";

/**
 * The day's paid, not cancelled orders, each with two flags from the same statement. Member order:
 * its customer has a member row (guest checkouts and customers never enrolled are "other").
 * Repeat purchase: the same customer — or, for a guest checkout, the same email — paid an earlier
 * order (any order, cancelled or not). Each flag is one probe of a unique or (…, paidAt) index.
 */
async function dayOrders(db: Db, shop: StatShop, start: Date, end: Date): Promise<DayOrder[]> {
  const rows = await directQuery(
    db,
    Prisma.sql`SELECT o."eligibleAmount", o."refundedAmount",
      CASE WHEN o."customerGid" IS NULL THEN 0 WHEN EXISTS (SELECT 1 FROM "Member" m WHERE m."shopId" = o."shopId" AND m."customerGid" = o."customerGid") THEN 1 ELSE 0 END AS "member",
      CASE
        WHEN o."customerGid" IS NOT NULL THEN (CASE WHEN EXISTS (SELECT 1 FROM "OrderRecord" p WHERE p."shopId" = o."shopId" AND p."customerGid" = o."customerGid" AND p."paidAt" < o."paidAt") THEN 1 ELSE 0 END)
        WHEN o."guestEmail" IS NOT NULL THEN (CASE WHEN EXISTS (SELECT 1 FROM "OrderRecord" p WHERE p."shopId" = o."shopId" AND p."guestEmail" = o."guestEmail" AND p."customerGid" IS NULL AND p."paidAt" < o."paidAt") THEN 1 ELSE 0 END)
        ELSE 0
      END AS "repeat"
    FROM "OrderRecord" o
    WHERE o."shopId" = ${shop.id} AND o."paidAt" >= ${start} AND o."paidAt" < ${end} AND o."cancelledAt" IS NULL`,
  );
  return rows.map((row) => ({
    eligibleAmount: row.eligibleAmount === null ? null : String(row.eligibleAmount),
    refundedAmount: String(row.refundedAmount),
    member: truthy(row.member),
    repeat: truthy(row.repeat),
  }));
}

function addOrders(figures: DayFigures, orders: readonly DayOrder[]): void {
  for (const order of orders) {
    const revenue = orderRevenue(order.eligibleAmount, order.refundedAmount);
    if (order.member) {
      figures.memberOrders += 1;
      figures.memberRevenue += revenue;
      if (order.repeat) figures.memberRepeatOrders += 1;
    } else {
      figures.otherOrders += 1;
      figures.otherRevenue += revenue;
      if (order.repeat) figures.otherRepeatOrders += 1;
    }
  }
}

interface RunningTotals {
  membersToDate: number;
  pointsOutstanding: number;
  memberRevenueToDate: Micros;
}

const NO_TOTALS: RunningTotals = { membersToDate: 0, pointsOutstanding: 0, memberRevenueToDate: 0n };

function addDay(totals: RunningTotals, figures: DayFigures): RunningTotals {
  return {
    membersToDate: totals.membersToDate + figures.newMembers,
    pointsOutstanding: totals.pointsOutstanding + figures.netPoints,
    memberRevenueToDate: totals.memberRevenueToDate + figures.memberRevenue,
  };
}

function totalsOf(row: { membersToDate: number; pointsOutstanding: number; memberRevenueToDate: string }): RunningTotals {
  return { membersToDate: row.membersToDate, pointsOutstanding: row.pointsOutstanding, memberRevenueToDate: toMicros(row.memberRevenueToDate) };
}

function rowData(figures: DayFigures, totals: RunningTotals, at: Date) {
  return {
    membersToDate: totals.membersToDate,
    pointsOutstanding: totals.pointsOutstanding,
    memberRevenueToDate: fromMicros(totals.memberRevenueToDate),
    pointsIssued: figures.pointsIssued,
    pointsRedeemed: figures.pointsRedeemed,
    pointsExpired: figures.pointsExpired,
    pointsReversed: figures.pointsReversed,
    netPoints: figures.netPoints,
    newMembers: figures.newMembers,
    activeMembers: figures.activeMembers,
    activeSketch: encodeSketch(figures.activeSketch),
    memberOrders: figures.memberOrders,
    memberRevenue: fromMicros(figures.memberRevenue),
    memberRepeatOrders: figures.memberRepeatOrders,
    otherOrders: figures.otherOrders,
    otherRevenue: fromMicros(figures.otherRevenue),
    otherRepeatOrders: figures.otherRepeatOrders,
    redemptions: figures.redemptions,
    rewardCounts: JSON.stringify(figures.rewardCounts),
    computedAt: at,
  };
}

/**
 * Computes a day and writes its row (an upsert on (shop, day): rerunning leaves the same figures).
 * Its running totals continue the latest earlier row, so days are rolled up oldest first (the job
 * always re-rolls every later day after an earlier one).
 */
export async function rollUpDay(db: Db, shop: StatShop, day: LocalDate, now = new Date()): Promise<DayFigures> {
  const [figures, previous] = await Promise.all([
    computeDay(db, shop, day),
    db.dailyStat.findFirst({
      where: { shopId: shop.id, day: { lt: day } },
      orderBy: { day: "desc" },
      select: { membersToDate: true, pointsOutstanding: true, memberRevenueToDate: true },
    }),
  ]);
  const data = rowData(figures, addDay(previous ? totalsOf(previous) : NO_TOTALS, figures), now);
  await db.dailyStat.upsert({
    where: { shopId_day: { shopId: shop.id, day } },
    create: { shopId: shop.id, day, ...data },
    update: data,
  });
  return figures;
}

/** The first shop-local day with anything to roll up (the backfill starts there). */
export async function firstActivityDay(db: Db, shop: StatShop): Promise<LocalDate | null> {
  const [entry, member, order] = await Promise.all([
    db.ledgerEntry.findFirst({ where: { shopId: shop.id }, orderBy: { createdAt: "asc" }, select: { createdAt: true } }),
    db.member.findFirst({ where: { shopId: shop.id }, orderBy: { enrolledAt: "asc" }, select: { enrolledAt: true } }),
    db.orderRecord.findFirst({ where: { shopId: shop.id, paidAt: { not: null } }, orderBy: { paidAt: "asc" }, select: { paidAt: true } }),
  ]);
  const instants = [entry?.createdAt, member?.enrolledAt, order?.paidAt].filter((at): at is Date => at instanceof Date);
  if (instants.length === 0) return null;
  return localDateOf(new Date(Math.min(...instants.map((at) => at.getTime()))), shop.ianaTimezone);
}

/** Days re-rolled on every run so late refunds reach the revenue of their order's day. */
export const REFRESH_DAYS = 7;

/**
 * The days a roll-up run for business day `today` owes, oldest first: from the day after the last
 * rolled day (or the first activity day: the backfill) — and at least the last REFRESH_DAYS days —
 * up to yesterday. Today is never stored (it is still moving; the page computes it live).
 */
export async function daysToRollUp(db: Db, shop: StatShop, today: LocalDate): Promise<LocalDate[]> {
  const yesterday = addDays(today, -1);
  const [last, first] = await Promise.all([
    db.dailyStat.findFirst({ where: { shopId: shop.id }, orderBy: { day: "desc" }, select: { day: true } }),
    firstActivityDay(db, shop),
  ]);
  if (first === null) return [];
  let from = last ? addDays(last.day, 1) : first;
  const refresh = addDays(today, -REFRESH_DAYS);
  if (compareLocalDates(refresh, from) < 0) from = refresh;
  if (compareLocalDates(from, first) < 0) from = first;
  if (compareLocalDates(from, yesterday) > 0) return [];
  return daysOf({ from, to: yesterday });
}

/** Backfill or catch up: rolls up every owed day (see daysToRollUp). Returns the days written. */
export async function rollUpOwedDays(db: Db, shop: StatShop, now = new Date()): Promise<LocalDate[]> {
  const days = await daysToRollUp(db, shop, businessDay(now, shop.ianaTimezone));
  for (const day of days) await rollUpDay(db, shop, day, now);
  return days;
}

// ---------------------------------------------------------------------------------------------
// Reading

const ROW_COLUMNS = {
  day: true,
  pointsIssued: true,
  pointsRedeemed: true,
  pointsExpired: true,
  pointsReversed: true,
  netPoints: true,
  newMembers: true,
  activeMembers: true,
  activeSketch: true,
  memberOrders: true,
  memberRevenue: true,
  memberRepeatOrders: true,
  otherOrders: true,
  otherRevenue: true,
  otherRepeatOrders: true,
  redemptions: true,
  rewardCounts: true,
  membersToDate: true,
  pointsOutstanding: true,
  memberRevenueToDate: true,
} as const;

type StatRow = Pick<DailyStat, keyof typeof ROW_COLUMNS>;

const TEXT_COLUMNS = new Set<string>(["day", "activeSketch", "memberRevenue", "otherRevenue", "rewardCounts", "memberRevenueToDate"]);
const ROW_SQL = Prisma.raw(
  Object.keys(ROW_COLUMNS)
    .map((column) => `"${column}"`)
    .join(", "),
);

/**
 * The rows of [from, to], oldest first, straight from the driver adapter: a two-year range is
 * ~1,500 rows of 20 columns, which Prisma's row mapping turns into tens of milliseconds.
 * Integers come back as bigint (SQLite) or number (PostgreSQL), text as strings.
 */
async function statRows(db: Db, shopId: string, span: DayRange): Promise<StatRow[]> {
  const rows = await directQuery(
    db,
    Prisma.sql`SELECT ${ROW_SQL} FROM "DailyStat" WHERE "shopId" = ${shopId} AND "day" >= ${span.from} AND "day" <= ${span.to} ORDER BY "day"`,
  );
  return rows.map((row) => {
    const out: Record<string, string | number> = {};
    for (const column of Object.keys(ROW_COLUMNS)) out[column] = TEXT_COLUMNS.has(column) ? String(row[column]) : Number(row[column]);
    return out as unknown as StatRow;
  });
}

/** A row's figures; reward counts are parsed only where they are shown (the current period). */
function figuresOf(row: StatRow, withRewards: boolean): DayFigures {
  return {
    day: row.day,
    pointsIssued: row.pointsIssued,
    pointsRedeemed: row.pointsRedeemed,
    pointsExpired: row.pointsExpired,
    pointsReversed: row.pointsReversed,
    netPoints: row.netPoints,
    newMembers: row.newMembers,
    activeMembers: row.activeMembers,
    activeSketch: decodeSketch(row.activeSketch),
    memberOrders: row.memberOrders,
    memberRevenue: toMicros(row.memberRevenue),
    memberRepeatOrders: row.memberRepeatOrders,
    otherOrders: row.otherOrders,
    otherRevenue: toMicros(row.otherRevenue),
    otherRepeatOrders: row.otherRepeatOrders,
    redemptions: row.redemptions,
    rewardCounts: withRewards ? (JSON.parse(row.rewardCounts) as RewardCount[]) : [],
  };
}

/** Days not rolled up yet that the page computes live (today and, just after midnight, yesterday). */
export const LIVE_DAYS = 2;

/** Live (not rolled up) days are recomputed at most this often per shop and day. */
export const LIVE_TTL_MS = 60_000;
const liveCache = new Map<string, { at: number; figures: DayFigures }>();

/** Forgets every live day computed so far (the dashboard bench times uncached requests with it). */
export function clearLiveDays(): void {
  liveCache.clear();
}

/** A day not rolled up yet, computed from the raw tables and kept for LIVE_TTL_MS (per process). */
async function liveDay(db: Db, shop: StatShop, day: LocalDate): Promise<DayFigures> {
  const key = `${shop.id}:${day}`;
  const cached = liveCache.get(key);
  if (cached && Date.now() - cached.at < LIVE_TTL_MS) return cached.figures;
  const figures = await computeDay(db, shop, day);
  if (liveCache.size > 10_000) liveCache.clear();
  liveCache.set(key, { at: Date.now(), figures });
  return figures;
}

export interface SeriesPoint {
  day: LocalDate;
  pointsIssued: number;
  pointsRedeemed: number;
  pointsExpired: number;
  memberRevenue: string;
  otherRevenue: string;
  activeMembers: number;
}

export interface AnalyticsReport {
  shopDomain: string;
  currencyCode: string;
  today: LocalDate;
  range: ResolvedRange;
  kpis: Kpis;
  series: SeriesPoint[];
  topRewards: RewardCount[];
  /** Days of the range (or its previous period) with no roll-up yet: figures still being prepared. */
  pendingDays: number;
  /**
   * Whether each period's active members is a HyperLogLog estimate (≈ 2 %): a range of several
   * days whose merged activity sketch outgrew the exact set (analytics.ts sketchOf). One day, or a
   * small shop, is exact.
   */
  activeMembersEstimated: { current: boolean; previous: boolean };
}

/** A period's active members is an estimate when several days' sketches merged into registers. */
export const isActiveEstimate = (totals: { days: number; activeSketch: { kind: string } }): boolean =>
  totals.days > 1 && totals.activeSketch.kind === "hll";

/**
 * The analytics page's figures for a range and its previous period. Reads DailyStat rows only
 * (one indexed range read, plus the shop's whole row history's narrow sums for lifetime figures),
 * and computes at most LIVE_DAYS recent days live from the raw tables.
 */
export async function analyticsReport(
  shopDomain: string,
  input: { preset?: string | null; from?: string | null; to?: string | null },
  options: { now?: Date; db?: Db } = {},
): Promise<AnalyticsReport | null> {
  const db = options.db ?? defaultDb;
  const now = options.now ?? new Date();
  const shop = await db.shop.findUnique({ where: { domain: shopDomain }, select: { id: true, ianaTimezone: true, currencyCode: true } });
  if (!shop) return null;
  const today = businessDay(now, shop.ianaTimezone);
  const range = resolveRange(input, today);
  const span: DayRange = { from: range.previous.from, to: range.to };
  const [rows, before, rewards, lastRolled] = await Promise.all([
    statRows(db, shop.id, span),
    db.dailyStat.findFirst({
      where: { shopId: shop.id, day: { lt: span.from } },
      orderBy: { day: "desc" },
      select: { membersToDate: true, pointsOutstanding: true, memberRevenueToDate: true },
    }),
    db.reward.findMany({
      where: { shopId: shop.id, active: true },
      select: { id: true, name: true, kind: true, pointsCost: true, amount: true, pointsPerStep: true, amountPerStep: true },
    }),
    db.dailyStat.findFirst({ where: { shopId: shop.id }, orderBy: { day: "desc" }, select: { day: true } }),
  ]);
  const byDay = new Map(rows.map((row) => [row.day, figuresOf(row, compareLocalDates(row.day, range.from) >= 0)]));
  const rowByDay = new Map(rows.map((row) => [row.day, row]));
  // Recent days not rolled up yet: computed live (today always; yesterday until the job ran).
  const liveFrom = addDays(today, -(LIVE_DAYS - 1));
  for (const day of daysOf(span)) {
    if (byDay.has(day) || compareLocalDates(day, liveFrom) < 0) continue;
    byDay.set(day, await liveDay(db, shop, day));
  }
  let pendingDays = 0;
  // Before the first day with anything in it there is nothing to wait for.
  const firstKnown = lastRolled ? await firstRowDay(db, shop.id) : await firstActivityDay(db, shop);
  const pick = (period: DayRange) =>
    daysOf(period).map((day) => {
      const figures = byDay.get(day);
      if (figures) return figures;
      if (firstKnown !== null && compareLocalDates(day, firstKnown) >= 0) pendingDays += 1;
      return zeroFigures(day);
    });
  const currentDays = pick(range);
  const previousDays = pick(range.previous);

  // Lifetime figures at the end of each period: a row's running totals, continued through the
  // days computed live after it (a missing day adds nothing).
  // (Parsed only at the two period ends: the latest stored row plus the live days after it.)
  let base: Parameters<typeof totalsOf>[0] | null = before;
  let liveAfter: DayFigures[] = [];
  const lifetimeAt: Record<string, RunningTotals> = {};
  for (const day of daysOf(span)) {
    const stored = rowByDay.get(day);
    if (stored) {
      base = stored;
      liveAfter = [];
    } else {
      const live = byDay.get(day);
      if (live) liveAfter.push(live);
    }
    if (day === range.previous.to || day === range.to) lifetimeAt[day] = liveAfter.reduce(addDay, base ? totalsOf(base) : NO_TOTALS);
  }
  const lifetime = (day: LocalDate): Lifetime => {
    const at = lifetimeAt[day] ?? NO_TOTALS;
    return { members: at.membersToDate, memberRevenue: at.memberRevenueToDate, outstandingPoints: at.pointsOutstanding };
  };
  const previousLifetime = lifetime(range.previous.to);
  const currentLifetime = lifetime(range.to);

  const current = sumFigures(currentDays);
  const previous = sumFigures(previousDays);
  return {
    shopDomain,
    currencyCode: shop.currencyCode,
    today,
    range,
    kpis: computeKpis(current, previous, { current: currentLifetime, previous: previousLifetime }, pointValueOf(rewards)),
    series: currentDays.map((day) => ({
      day: day.day,
      pointsIssued: day.pointsIssued,
      pointsRedeemed: day.pointsRedeemed,
      pointsExpired: day.pointsExpired,
      memberRevenue: fromMicros(day.memberRevenue),
      otherRevenue: fromMicros(day.otherRevenue),
      activeMembers: day.activeMembers,
    })),
    topRewards: current.rewardCounts.slice(0, 5),
    pendingDays,
    activeMembersEstimated: { current: isActiveEstimate(current), previous: isActiveEstimate(previous) },
  };
}

async function firstRowDay(db: Db, shopId: string): Promise<LocalDate | null> {
  const row = await db.dailyStat.findFirst({ where: { shopId }, orderBy: { day: "asc" }, select: { day: true } });
  return row?.day ?? null;
}
