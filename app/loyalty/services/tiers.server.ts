/**
 * VIP tiers wired to the database (docs/decisions/011 for the rules, 012 for the wiring). The rules
 * themselves are the pure functions of app/loyalty/tiers.ts; this file only loads their inputs,
 * writes their outcomes and queues the Shopify side effects.
 *
 * - The ladder is the shop's Tier rows by `position` (base first).
 * - Progress is computed from OrderRecord (merchandise amount, *base* points frozen in the order's
 *   rule, refunds and cancellations as recorded there) and the other earning entries of the ledger.
 * - Every tier change is a TierChange row with a unique idempotency key, written in the same
 *   transaction as the member's new tier, the entry-reward points and the tier's outbox sync.
 * - A member's next retention review (`tierReviewOn`) is the day after their period ends; base and
 *   hidden tiers and lifetime ladders are never reviewed (null), so the nightly job only sees
 *   members who can actually move.
 */
import { randomUUID } from "node:crypto";
import { Prisma, type Tier as TierRow } from "@prisma/client";
import db, { directQuery } from "~/db.server";
import { logger } from "~/logger.server";
import { reversalTarget, type OrderEarning } from "~/loyalty/earning";
import { appendCredit, ConcurrentChangeError, runOnce, type Tx } from "~/loyalty/ledger.server";
import { fromMicros, toMicros } from "~/loyalty/money";
import { SEGMENTS, type Segment } from "~/loyalty/segments";
import { addDays, businessDay, localDateOf, startOfLocalDay, type LocalDate } from "~/loyalty/schedule";
import {
  applyMultiplier,
  currentPeriodEnd,
  evaluatePromotion,
  evaluateRefundDemotion,
  progressToNext,
  qualifyingProgress,
  type NextTierProgress,
  type QualifyingEvent,
  type Tier,
  type TierLadder,
  type TierProgress,
} from "~/loyalty/tiers";
import type { MemberTier, StorefrontTier } from "~/loyalty/storefront-contract";
import { GRANT_PREFIX, grantRewardCode } from "./redemptions.server";
import { indexedBy, jsonRows, POSTGRES, sqlTimestamp } from "./sql-rows.server";
import { queueTierSync, queueTierSyncs } from "./shopify-outbox.server";

type Db = Prisma.TransactionClient | typeof db;

/** Ledger kinds that count toward `points_earned` besides orders (never tier rewards or staff adjustments). */
export const QUALIFYING_EARN_KINDS = ["signup_bonus", "birthday_reward", "action_award", "referral_reward"] as const;

/** Orders skipped for these reasons are not part of the program and do not count toward a tier. */
const NOT_COUNTED = new Set(["test_order", "pos_order", "program_disabled", "member_excluded"]);

export interface TierShop {
  id: string;
  ianaTimezone: string;
  tiersEnabled: boolean;
  tierDowngrade: string;
  tierGraceDays: number;
  tierRefundsDemote: boolean;
}

export const TIER_SHOP_SELECT = {
  id: true,
  ianaTimezone: true,
  tiersEnabled: true,
  tierDowngrade: true,
  tierGraceDays: true,
  tierRefundsDemote: true,
} as const;

export function tierFromRow(row: TierRow): Tier {
  return {
    handle: row.handle,
    name: row.name,
    thresholdKind: row.thresholdKind as Tier["thresholdKind"],
    thresholdValue: row.thresholdValue,
    qualificationPeriod: row.qualificationPeriod as Tier["qualificationPeriod"],
    earnMultiplier: row.earnMultiplier,
    entryReward:
      row.entryRewardPoints !== null && row.entryRewardPoints > 0
        ? { kind: "points", points: row.entryRewardPoints }
        : row.entryRewardId
          ? { kind: "reward", rewardId: row.entryRewardId }
          : null,
    perks: row.perks,
    hidden: row.hidden,
    assignSegment: row.hidden && (SEGMENTS as readonly string[]).includes(row.assignSegment ?? "") ? (row.assignSegment as Segment) : null,
  };
}

export async function loadLadder(shopId: string, client: Db = db): Promise<TierLadder> {
  const rows = await client.tier.findMany({ where: { shopId }, orderBy: [{ position: "asc" }, { id: "asc" }] });
  return rows.map(tierFromRow);
}

export function tierOf(ladder: TierLadder, handle: string | null): Tier | null {
  return handle === null ? null : (ladder.find((tier) => tier.handle === handle) ?? null);
}

/**
 * The day a member in `handle` since `since` is next reviewed: the day after their period ends.
 * Null when there is nothing to review (base or hidden tier, lifetime ladder, unknown tier).
 */
export function nextReviewOn(ladder: TierLadder, handle: string, since: LocalDate, today: LocalDate): LocalDate | null {
  const rank = ladder.findIndex((tier) => tier.handle === handle);
  const tier = ladder[rank];
  if (rank <= 0 || !tier || tier.hidden) return null;
  const end = currentPeriodEnd(tier.qualificationPeriod, since, today);
  return end === null ? null : addDays(end, 1);
}

// ---------------------------------------------------------------------------------------------
// Order points

/**
 * The award of a paid order for a member: base points × the multiplier of the member's tier at
 * payment (floored, ADR 011), frozen in the rule with the base points and the tier (tiers on). A member
 * without a tier yet earns at the base tier's multiplier. An excluded member earns nothing.
 */
export async function orderAwardFor(
  shop: { id: string; tiersEnabled: boolean },
  member: { tierHandle: string | null; excludedAt: Date | null },
  earning: OrderEarning,
): Promise<Omit<OrderEarning, "rule" | "skipReason"> & { rule: object; skipReason: string | null }> {
  const basePoints = earning.points;
  if (member.excludedAt) {
    return { ...earning, points: 0, skipReason: earning.skipReason ?? "member_excluded", rule: { ...earning.rule, basePoints: 0 } };
  }
  // Tiers off: the rule stays as it always was (base points = the award).
  if (!shop.tiersEnabled || basePoints === 0) return earning;
  const ladder = await loadLadder(shop.id);
  const tier = tierOf(ladder, member.tierHandle) ?? ladder[0];
  if (!tier) return earning;
  return {
    ...earning,
    points: applyMultiplier(basePoints, tier.earnMultiplier),
    rule: { ...earning.rule, basePoints, tierHandle: tier.handle, tierMultiplier: tier.earnMultiplier },
  };
}

// ---------------------------------------------------------------------------------------------
// Progress

export interface ProgressMember {
  id: string;
  customerGid: string;
}

interface OrderFacts {
  customerGid: string | null;
  orderGid: string;
  paidAt: Date | null;
  eligibleAmount: string | null;
  refundedAmount: string;
  pointsAwarded: number;
  cancelledAt: Date | null;
  rule: string | null;
  skipReason: string | null;
}

/** The base points an order earned (before tier multiplier and campaign bonus), frozen in its rule. */
export function basePointsOf(order: Pick<OrderFacts, "rule" | "pointsAwarded">): number {
  if (order.rule) {
    try {
      const rule = JSON.parse(order.rule) as { basePoints?: unknown };
      if (typeof rule.basePoints === "number" && Number.isSafeInteger(rule.basePoints)) return rule.basePoints;
    } catch {
      // an old or unreadable rule: the award was not multiplied
    }
  }
  return order.pointsAwarded;
}

/** The amount grammar the progress statement reads exactly (SqlDialect.micros): 1–11 digits, optionally a dot and 1–6 digits. */
const EXACT_AMOUNT = /^[0-9]{1,11}([.][0-9]{1,6})?$/;
/** The base points the progress statement reads (SqlDialect.basePoints); outside it JS decides. */
const MAX_SQL_BASE_POINTS = 999_999_999;

/** An amount as the integer micros the progress statement sums, or null when it must read the text. */
export function progressMicros(amount: string | null): bigint | null {
  return amount !== null && EXACT_AMOUNT.test(amount) ? toMicros(amount) : null;
}

/**
 * The integer twins of an order's amounts and base points, written with them (orders.server.ts) so
 * the nightly progress statement sums integers instead of parsing text and JSON for every order row
 * (ADR 012 addendum). A null twin is always safe: the statement then reads the text as before, and
 * what it cannot read exactly is left to JS (`undecided`). A twin must therefore never disagree with
 * its text: every write of eligibleAmount, refundedAmount or rule goes with its twin.
 */
export function orderProgressColumns(order: { eligibleAmount?: string | null; refundedAmount?: string; rule?: string | null; pointsAwarded?: number }) {
  const columns: { eligibleMicros?: bigint | null; refundedMicros?: bigint | null; basePoints?: number | null } = {};
  if (order.eligibleAmount !== undefined) columns.eligibleMicros = progressMicros(order.eligibleAmount ?? "0");
  if (order.refundedAmount !== undefined) columns.refundedMicros = progressMicros(order.refundedAmount);
  if (order.rule !== undefined || order.pointsAwarded !== undefined) {
    if (order.rule === undefined || order.pointsAwarded === undefined) throw new Error("orderProgressColumns: rule and pointsAwarded go together");
    const base = basePointsOf({ rule: order.rule, pointsAwarded: order.pointsAwarded });
    columns.basePoints = base >= 0 && base <= MAX_SQL_BASE_POINTS ? base : null;
  }
  return columns;
}

function orderEvents(order: OrderFacts): QualifyingEvent[] {
  if (!order.paidAt || NOT_COUNTED.has(order.skipReason ?? "")) return [];
  const amount = order.eligibleAmount ?? "0";
  const points = basePointsOf(order);
  const events: QualifyingEvent[] = [{ type: "order", orderRef: order.orderGid, at: order.paidAt, amount, points }];
  // Refunds and a cancellation count against the order's own period (ADR 011), as recorded now.
  if (order.cancelledAt) {
    events.push({ type: "refund", orderRef: order.orderGid, at: order.paidAt, amount, points });
  } else if (order.refundedAmount !== "0") {
    const reversed = Math.min(points, reversalTarget(points, amount, order.refundedAmount));
    events.push({ type: "refund", orderRef: order.orderGid, at: order.paidAt, amount: order.refundedAmount, points: reversed });
  }
  return events;
}

/**
 * Qualifying progress of many members at once, for the period of `ladder` that contains `asOf`: one
 * grouped SQL statement for the whole batch (progressSums), whatever the number of orders. A member
 * with an order that statement cannot decide exactly (see below) gets the event-by-event reading of
 * `qualifyingProgress` instead, so the result is always the one the pure rule gives.
 */
export async function progressOfMembers(
  shop: { id: string; ianaTimezone: string },
  ladder: TierLadder,
  members: readonly ProgressMember[],
  asOf: LocalDate,
): Promise<Map<string, TierProgress>> {
  const result = new Map<string, TierProgress>();
  const base = ladder[0];
  if (!base || members.length === 0) return result;
  const period = base.qualificationPeriod;
  const window = qualifyingProgress([], { period, asOf, timeZone: shop.ianaTimezone }).window;
  const bounds = {
    since: window.start ? startOfLocalDay(window.start, shop.ianaTimezone) : null,
    until: startOfLocalDay(addDays(asOf, 1), shop.ianaTimezone),
  };
  const sums = await progressSums(shop.id, members, bounds, base.thresholdKind === "points_earned");
  const undecided = members.filter((member) => sums.undecided.has(member.id));
  const fallback = undecided.length > 0 ? await progressFromEvents(shop, ladder, undecided, asOf) : new Map<string, TierProgress>();
  for (const member of members) {
    const sum = sums.byMember.get(member.id);
    result.set(
      member.id,
      fallback.get(member.id) ?? {
        window,
        pointsEarned: sum ? Number(sum.points) : 0,
        amountSpent: fromMicros(sum?.micros ?? 0n),
        ordersCount: sum ? Number(sum.orders) : 0,
      },
    );
  }
  return result;
}

// --- Progress in SQL -------------------------------------------------------------------------
//
// The statement applies, per order, exactly what orderEvents + qualifyingProgress do in JS: the
// order's period by its paid instant (the window's bounds are the shop-local days' first instants),
// skipped orders left out, base points from the rule, a cancellation taking the whole order back,
// a refund its amount and `reversalTarget`'s points (round half up, capped at the order), the order
// counted while any of its amount is unrefunded; plus the other earnings for points_earned.
// Amounts are parsed as text into integer micros, never as floating point. What SQL cannot decide
// exactly is not guessed: an amount outside `digits[.1-6 digits]` (11 digits at most), a rule that is
// not plain JSON or whose basePoints is not a plain integer, or a refund whose reversal would
// overflow 64 bits marks the member `undecided`, and JS reads that member's events instead.

interface SqlDialect {
  /** Amount text → integer micros, NULL when outside the exact domain. */
  micros(text: Prisma.Sql): Prisma.Sql;
  /** The order's base points (basePointsOf), NULL when the rule is not plain enough to read here. */
  basePoints(rule: Prisma.Sql, pointsAwarded: Prisma.Sql): Prisma.Sql;
  greatest(a: Prisma.Sql, b: Prisma.Sql): Prisma.Sql;
  least(a: Prisma.Sql, b: Prisma.Sql): Prisma.Sql;
}

/** 1–11 digits, optionally a dot and 1–6 digits (toMicros' grammar, non-negative, no spaces). */
const SQLITE: SqlDialect = {
  micros: (x) => {
    const dot = Prisma.sql`instr(${x}, '.')`;
    const places = Prisma.sql`(CASE ${dot} WHEN 0 THEN 0 ELSE length(${x}) - ${dot} END)`;
    return Prisma.sql`(CASE WHEN ${x} GLOB '[0-9]*' AND ${x} NOT GLOB '*[^0-9.]*' AND ${x} NOT GLOB '*.*.*' AND ${x} NOT GLOB '*.' AND ${places} <= 6 AND length(${x}) - ${places} <= 12 AND (${dot} > 0 OR length(${x}) <= 11) THEN CAST(replace(${x}, '.', '') AS INTEGER) * CAST(substr('1000000', 1, 7 - ${places}) AS INTEGER) END)`;
  },
  // JSON.parse keeps the last of duplicate keys and decodes escapes: such rules (never written by
  // JSON.stringify) are left to JS, as are non-integer numbers (5.0 is 5 in JS, "real" here).
  basePoints: (rule, awarded) =>
    Prisma.sql`(CASE WHEN ${rule} IS NULL THEN ${awarded} WHEN instr(${rule}, '\\') > 0 OR NOT json_valid(${rule}) OR instr(substr(${rule}, instr(${rule}, '"basePoints"') + 12), '"basePoints"') > 0 THEN NULL WHEN json_type(${rule}, '$.basePoints') = 'integer' THEN (CASE WHEN json_extract(${rule}, '$.basePoints') BETWEEN 0 AND 999999999 THEN json_extract(${rule}, '$.basePoints') END) WHEN json_type(${rule}, '$.basePoints') = 'real' THEN NULL ELSE ${awarded} END)`,
  greatest: (a, b) => Prisma.sql`MAX(${a}, ${b})`,
  least: (a, b) => Prisma.sql`MIN(${a}, ${b})`,
};

/**
 * PostgreSQL 15 has no non-throwing JSON check, so a rule is read only when it is a flat object of
 * plain keys and escape-free scalars (what JSON.stringify writes for every rule): then the jsonb cast
 * cannot fail, and jsonb keeps the last duplicate key like JSON.parse.
 */
const FLAT_MEMBER = '"[A-Za-z0-9_]+":("[^"[:cntrl:]]*"|-?(0|[1-9][0-9]*)([.][0-9]+)?([eE][+-]?[0-9]{1,3})?|true|false|null)';
const FLAT_JSON_OBJECT = `^[{](${FLAT_MEMBER}(,${FLAT_MEMBER})*)?[}]$`;
const POSTGRESQL: SqlDialect = {
  micros: (x) => Prisma.sql`(CASE WHEN ${x} ~ '^[0-9]{1,11}([.][0-9]{1,6})?$' THEN CAST(CAST(${x} AS NUMERIC) * 1000000 AS BIGINT) END)`,
  basePoints: (rule, awarded) =>
    Prisma.sql`(CASE WHEN ${rule} IS NULL THEN CAST(${awarded} AS BIGINT) WHEN strpos(${rule}, '\\') > 0 OR ${rule} !~ ${Prisma.raw(`'${FLAT_JSON_OBJECT}'`)} THEN NULL WHEN jsonb_typeof(CAST(${rule} AS JSONB) -> 'basePoints') = 'number' THEN (CASE WHEN (CAST(${rule} AS JSONB) ->> 'basePoints') ~ '^[0-9]{1,9}$' THEN CAST(CAST(${rule} AS JSONB) ->> 'basePoints' AS BIGINT) END) ELSE CAST(${awarded} AS BIGINT) END)`,
  greatest: (a, b) => Prisma.sql`GREATEST(${a}, ${b})`,
  least: (a, b) => Prisma.sql`LEAST(${a}, ${b})`,
};

/** Keeps 2 · points · refunded + eligible under 2^63 (reversalTarget's numerator). */
const REVERSAL_LIMIT = Prisma.raw("4000000000000000000");

interface ProgressSum {
  points: bigint;
  micros: bigint;
  orders: bigint;
}

const bigintOf = (value: unknown): bigint => (value === null || value === undefined ? 0n : BigInt(String(value)));

/**
 * The batch's sums in one statement: orders by `(shopId, customerGid)` with the paid-day window
 * checked on the row, other earnings by `(memberId, createdAt)`. On SQLite both indexes are named
 * (INDEXED BY): without statistics the planner prefers the shop's `(shopId, paidAt)` /
 * `(shopId, createdAt, …)` indexes and walks the whole year of the shop for every batch.
 */
async function progressSums(
  shopId: string,
  members: readonly ProgressMember[],
  bounds: { since: Date | null; until: Date },
  withPoints: boolean,
): Promise<{ byMember: Map<string, ProgressSum>; undecided: Set<string> }> {
  const d = POSTGRES ? POSTGRESQL : SQLITE;
  const gids = [...new Set(members.map((member) => member.customerGid))];
  const ids = [...new Set(members.map((member) => member.id))];
  const paid = Prisma.sql`o."paidAt" < ${bounds.until}${bounds.since ? Prisma.sql` AND o."paidAt" >= ${bounds.since}` : Prisma.empty}`;
  const created = Prisma.sql`l."createdAt" < ${bounds.until}${bounds.since ? Prisma.sql` AND l."createdAt" >= ${bounds.since}` : Prisma.empty}`;
  // The integer twins first (orderProgressColumns); the text only where a twin is null.
  const points = withPoints
    ? Prisma.sql`COALESCE(o."basePoints", ${d.basePoints(Prisma.sql`o."rule"`, Prisma.sql`o."pointsAwarded"`)})`
    : Prisma.sql`CAST(o."pointsAwarded" AS BIGINT)`;
  // state: 0 cancelled (all of it taken back), 1 nothing refunded, 2 refunded (refundedAmount ≠ "0").
  const facts = Prisma.sql`SELECT o."customerGid" AS gid, COALESCE(o."eligibleMicros", ${d.micros(Prisma.sql`COALESCE(o."eligibleAmount", '0')`)}) AS e, ${points} AS p, (CASE WHEN o."refundedAmount" = '0' THEN 0 ELSE COALESCE(o."refundedMicros", ${d.micros(Prisma.sql`o."refundedAmount"`)}) END) AS r, CASE WHEN o."cancelledAt" IS NOT NULL THEN 0 WHEN o."refundedAmount" = '0' THEN 1 ELSE 2 END AS state FROM "OrderRecord" o ${indexedBy("OrderRecord_shopId_customerGid_idx")} WHERE o."shopId" = ${shopId} AND o."customerGid" IN (SELECT v.c0 FROM ${jsonRows(gids.map((gid) => [gid]), 1)} AS v) AND ${paid} AND (o."skipReason" IS NULL OR o."skipReason" NOT IN (${Prisma.join([...NOT_COUNTED])}))`;
  const refunded = d.least(Prisma.sql`r`, Prisma.sql`e`);
  const checked = Prisma.sql`SELECT gid, e, p, r, state, CASE WHEN e IS NULL OR p IS NULL OR p < 0 OR (state = 2 AND (r IS NULL OR (${refunded} > 0 AND p > ${REVERSAL_LIMIT} / ${refunded}))) THEN 1 ELSE 0 END AS undecided FROM f`;
  const reversed = Prisma.sql`(CASE WHEN p = 0 OR e = 0 THEN 0 ELSE ${d.least(Prisma.sql`p`, Prisma.sql`(2 * p * ${refunded} + e) / (2 * e)`)} END)`;
  const net = Prisma.sql`SELECT gid, undecided, CASE WHEN undecided = 1 OR state = 0 THEN 0 WHEN state = 1 THEN p ELSE ${d.greatest(Prisma.sql`p - ${reversed}`, Prisma.sql`0`)} END AS points, CASE WHEN undecided = 1 OR state = 0 THEN 0 WHEN state = 1 THEN e ELSE ${d.greatest(Prisma.sql`e - r`, Prisma.sql`0`)} END AS micros FROM (${checked}) c`;
  const orders = Prisma.sql`SELECT 'o' AS source, gid AS owner, points, micros, CASE WHEN micros > 0 THEN 1 ELSE 0 END AS counted, undecided FROM (${net}) n`;
  const earnings = Prisma.sql`SELECT 'e' AS source, l."memberId" AS owner, CASE WHEN l."delta" > 0 THEN l."delta" ELSE 0 END AS points, 0 AS micros, 0 AS counted, 0 AS undecided FROM "LedgerEntry" l ${indexedBy("LedgerEntry_memberId_createdAt_idx")} WHERE l."memberId" IN (SELECT v.c0 FROM ${jsonRows(ids.map((id) => [id]), 1)} AS v) AND l."shopId" = ${shopId} AND l."kind" IN (${Prisma.join([...QUALIFYING_EARN_KINDS])}) AND ${created}`;
  // The facts are materialized: flattened into the outer queries, every mention of e, p or r would
  // parse the amount texts and the rule's JSON again (one order's row is mentioned ~15 times).
  const rows = await directQuery(
    db,
    Prisma.sql`WITH f AS MATERIALIZED (${facts}) SELECT source, owner, SUM(points) AS points, SUM(micros) AS micros, SUM(counted) AS orders, SUM(undecided) AS undecided FROM (${orders}${withPoints ? Prisma.sql` UNION ALL ${earnings}` : Prisma.empty}) t GROUP BY source, owner`,
  );
  const idsByGid = new Map<string, string[]>();
  for (const member of members) idsByGid.set(member.customerGid, [...(idsByGid.get(member.customerGid) ?? []), member.id]);
  const byMember = new Map<string, ProgressSum>();
  const undecided = new Set<string>();
  for (const row of rows) {
    const owners = row.source === "o" ? (idsByGid.get(String(row.owner)) ?? []) : [String(row.owner)];
    for (const id of owners) {
      const sum = byMember.get(id) ?? { points: 0n, micros: 0n, orders: 0n };
      byMember.set(id, { points: sum.points + bigintOf(row.points), micros: sum.micros + bigintOf(row.micros), orders: sum.orders + bigintOf(row.orders) });
      if (bigintOf(row.undecided) > 0n) undecided.add(id);
    }
  }
  return { byMember, undecided };
}

/**
 * The event-by-event reading (orders and other earnings loaded, then `qualifyingProgress`): the
 * reference the SQL sums reproduce, used for the members they leave undecided.
 */
export async function progressFromEvents(
  shop: { id: string; ianaTimezone: string },
  ladder: TierLadder,
  members: readonly ProgressMember[],
  asOf: LocalDate,
): Promise<Map<string, TierProgress>> {
  const result = new Map<string, TierProgress>();
  const base = ladder[0];
  if (!base || members.length === 0) return result;
  const period = base.qualificationPeriod;
  const timeZone = shop.ianaTimezone;
  const windowStart = period === "lifetime" ? null : qualifyingProgress([], { period, asOf, timeZone }).window.start;
  const since = windowStart ? startOfLocalDay(windowStart, timeZone) : null;
  const until = startOfLocalDay(addDays(asOf, 1), timeZone);
  const byGid = new Map(members.map((member) => [member.customerGid, member.id]));
  const events = new Map<string, QualifyingEvent[]>(members.map((member) => [member.id, []]));
  const kind = base.thresholdKind;

  const orders = await db.orderRecord.findMany({
    where: {
      shopId: shop.id,
      customerGid: { in: [...byGid.keys()] },
      paidAt: { ...(since ? { gte: since } : {}), lt: until },
    },
    select: {
      customerGid: true,
      orderGid: true,
      paidAt: true,
      eligibleAmount: true,
      refundedAmount: true,
      pointsAwarded: true,
      cancelledAt: true,
      rule: kind === "points_earned",
      skipReason: true,
    },
  });
  for (const order of orders) {
    const memberId = order.customerGid ? byGid.get(order.customerGid) : undefined;
    if (memberId) events.get(memberId)?.push(...orderEvents({ ...order, rule: order.rule ?? null }));
  }
  if (kind === "points_earned") {
    const earnings = await db.ledgerEntry.findMany({
      where: {
        shopId: shop.id,
        memberId: { in: members.map((member) => member.id) },
        kind: { in: [...QUALIFYING_EARN_KINDS] },
        createdAt: { ...(since ? { gte: since } : {}), lt: until },
      },
      select: { id: true, memberId: true, delta: true, createdAt: true },
    });
    for (const entry of earnings) {
      events.get(entry.memberId)?.push({ type: "earn", ref: entry.id, at: entry.createdAt, points: entry.delta });
    }
  }
  for (const member of members) {
    result.set(member.id, qualifyingProgress(events.get(member.id) ?? [], { period, asOf, timeZone }));
  }
  return result;
}

export async function progressOf(
  shop: { id: string; ianaTimezone: string },
  ladder: TierLadder,
  member: ProgressMember,
  asOf: LocalDate,
): Promise<TierProgress> {
  const progress = (await progressOfMembers(shop, ladder, [member], asOf)).get(member.id);
  return progress ?? { window: { start: null, end: asOf }, pointsEarned: 0, amountSpent: "0", ordersCount: 0 };
}

// ---------------------------------------------------------------------------------------------
// Changing a member's tier

/** `program_change`: the tier settings changed and the placement run moved the member (app/jobs/tier-placement.server.ts). */
export type TierChangeReason = "promotion" | "retention_downgrade" | "refund_demotion" | "manual" | "program_change" | "segment_rule";

export interface MemberTierState {
  id: string;
  customerGid: string;
  tierHandle: string | null;
}

/**
 * Moves a member from `from` to `to` inside `tx`: conditional on the member still being in `from`
 * (a concurrent change throws ConcurrentChangeError, and runOnce retries the whole unit), clears any
 * pending downgrade, schedules the next review, records the TierChange and queues the Shopify sync.
 * A duplicate `idempotencyKey` rolls the transaction back (runOnce reports it as done).
 */
export async function writeTierChange(
  tx: Tx,
  change: {
    shopId: string;
    memberId: string;
    from: string | null;
    to: string;
    reason: TierChangeReason;
    idempotencyKey: string;
    ladder: TierLadder;
    today: LocalDate;
    staffId?: string | null;
    note?: string | null;
  },
): Promise<void> {
  await tx.tierChange.create({
    data: {
      shopId: change.shopId,
      memberId: change.memberId,
      fromHandle: change.from,
      toHandle: change.to,
      reason: change.reason,
      staffId: change.staffId ?? null,
      note: change.note ?? null,
      idempotencyKey: change.idempotencyKey,
    },
  });
  const moved = await tx.member.updateMany({
    where: { id: change.memberId, shopId: change.shopId, tierHandle: change.from },
    data: {
      tierHandle: change.to,
      tierSince: change.today,
      tierReviewOn: nextReviewOn(change.ladder, change.to, change.today, change.today),
      tierPendingHandle: null,
      tierPendingOn: null,
    },
  });
  if (moved.count !== 1) throw new ConcurrentChangeError(`tier of member ${change.memberId}`);
  await queueTierSync(tx, { shopId: change.shopId, memberId: change.memberId });
}

/**
 * writeTierChange for many members of one shop in three statements whatever their number (the daily
 * review's batches), all plain SQL with the rows as one JSON parameter (sql-rows.server.ts jsonRows): the
 * TierChange rows in one INSERT, the members moved by one `UPDATE … FROM` conditional on the tier
 * read (any member that moved meanwhile throws ConcurrentChangeError and the caller rereads), the
 * outbox rows with queueTierSyncs (queueTierSync's upsert, in bulk). Keys already recorded are the
 * caller's to skip: a duplicate here fails the transaction, like writeTierChange.
 *
 * The members are found by primary key: their shop condition is `COALESCE("shopId", '')`, an
 * expression no index serves (with `"shopId" = ?` SQLite's planner picks a `(shopId, …)` member
 * index and walks all the shop's members for every statement).
 */
export async function writeTierChanges(
  tx: Tx,
  shopId: string,
  changes: readonly { memberId: string; from: string | null; to: string; idempotencyKey: string }[],
  options: { reason: TierChangeReason; ladder: TierLadder; today: LocalDate },
): Promise<void> {
  if (changes.length === 0) return;
  const { reason, ladder, today } = options;
  const at = new Date();
  // c0 id, c1 member, c2 from, c3 to, c4 key, c5 next review day
  const rows = jsonRows(
    changes.map((change) => [randomUUID(), change.memberId, change.from, change.to, change.idempotencyKey, nextReviewOn(ladder, change.to, today, today)]),
    6,
  );
  await tx.$executeRaw`INSERT INTO "TierChange" ("id", "shopId", "memberId", "fromHandle", "toHandle", "reason", "idempotencyKey", "createdAt") SELECT v.c0, CAST(${shopId} AS TEXT), v.c1, v.c2, v.c3, CAST(${reason} AS TEXT), v.c4, ${sqlTimestamp(at)} FROM ${rows} AS v`;
  const moved = await tx.$executeRaw`UPDATE "Member" AS m SET "tierHandle" = v.c3, "tierReviewOn" = v.c5, "tierSince" = ${today}, "tierPendingHandle" = NULL, "tierPendingOn" = NULL, "updatedAt" = ${at} FROM ${rows} AS v WHERE m."id" = v.c1 AND COALESCE(m."shopId", '') = ${shopId} AND m."tierHandle" IS NOT DISTINCT FROM v.c2`;
  if (moved !== changes.length) throw new ConcurrentChangeError(`tiers of ${changes.length - moved} member(s) of a review batch`);
  await queueTierSyncs(
    tx,
    shopId,
    changes.map((change) => change.memberId),
  );
}

export interface PromotionOutcome {
  promoted: boolean;
  from: string | null;
  to: string | null;
  /** Catalog entry rewards issued (or already issued) as codes. */
  codes: string[];
}

const NOTHING: PromotionOutcome = { promoted: false, from: null, to: null, codes: [] };

/**
 * Call after any credit that may count toward a tier (orders, sign-up, birthday, referral, action):
 * promotes the member at once if their progress reaches a higher visible tier, issuing every
 * crossed tier's entry reward once per member ever (points: ledger key `tier-entry:<member>:<handle>`
 * in the promotion's transaction; a catalog reward: grantRewardCode after it commits). A member
 * without a tier enters the base tier. `trigger` names what caused it (an order gid, an entry key)
 * and makes the TierChange idempotent. Does nothing while tiers are off or for excluded members.
 */
export async function promoteIfQualified(
  shopId: string,
  memberId: string,
  trigger: string,
  options: { now?: Date } = {},
): Promise<PromotionOutcome> {
  const shop = await db.shop.findUnique({ where: { id: shopId }, select: TIER_SHOP_SELECT });
  if (!shop?.tiersEnabled) return NOTHING;
  const ladder = await loadLadder(shopId);
  if (ladder.length === 0) return NOTHING;
  const today = businessDay(options.now ?? new Date(), shop.ianaTimezone);

  for (let attempt = 1; ; attempt += 1) {
    const member = await db.member.findFirst({
      where: { id: memberId, shopId },
      select: { id: true, customerGid: true, tierHandle: true, excludedAt: true },
    });
    if (!member || member.excludedAt) return NOTHING;
    const current = tierOf(ladder, member.tierHandle)?.handle ?? null;
    const progress = await progressOf(shop, ladder, member, today);
    const decision = evaluatePromotion(ladder, current, progress, { memberId });
    if (!decision.promoted) {
      // Progress moved: the storefront's tier metafields show it (one upsert, collapsed by the outbox).
      if (current !== null) await queueTierSync(db, { shopId, memberId });
      await retryFailedEntryGrants(shopId, memberId);
      return { ...NOTHING, from: current, to: current };
    }
    try {
      const outcome = await runOnce(db, async (tx) => {
        await writeTierChange(tx, {
          shopId,
          memberId,
          from: member.tierHandle,
          to: decision.to,
          reason: "promotion",
          idempotencyKey: `promote:${memberId}:${decision.to}:${trigger}`,
          ladder,
          today,
        });
        const pointRewards = decision.entryRewards.filter((grant) => grant.reward.kind === "points");
        const existing = new Set(
          (
            await tx.ledgerEntry.findMany({
              where: { shopId, idempotencyKey: { in: pointRewards.map((grant) => grant.idempotencyKey) } },
              select: { idempotencyKey: true },
            })
          ).map((entry) => entry.idempotencyKey),
        );
        for (const grant of pointRewards) {
          if (grant.reward.kind !== "points" || existing.has(grant.idempotencyKey)) continue;
          await appendCredit(tx, {
            shopId,
            memberId,
            kind: "tier_entry_reward",
            delta: grant.reward.points,
            idempotencyKey: grant.idempotencyKey,
            rule: { tier: grant.tierHandle, points: grant.reward.points },
            description: `Welcome to ${tierOf(ladder, grant.tierHandle)?.name ?? grant.tierHandle}`,
          });
        }
      });
      if (!outcome.applied) return { ...NOTHING, from: current, to: member.tierHandle };
    } catch (error) {
      if (error instanceof ConcurrentChangeError && attempt < 5) continue;
      throw error;
    }
    // Catalog rewards: a Shopify call, never inside the transaction. Idempotent per grant key.
    const codes: string[] = [];
    for (const grant of decision.entryRewards) {
      if (grant.reward.kind !== "reward") continue;
      const granted = await grantRewardCode(shopId, memberId, grant.reward.rewardId, grant.idempotencyKey, {
        reason: `tier entry: ${grant.tierHandle}`,
      });
      if (granted.ok && granted.code) codes.push(granted.code);
      else if (!granted.ok) logger.warn({ shopId, memberId, tier: grant.tierHandle, reason: granted.reason }, "tier entry reward not issued yet");
    }
    return { promoted: true, from: current, to: decision.to, codes };
  }
}

/** A tier entry code Shopify refused earlier is tried again on the member's next earning. */
async function retryFailedEntryGrants(shopId: string, memberId: string): Promise<void> {
  const failed = await db.redemption.findMany({
    where: { shopId, memberId, status: "failed", requestId: { startsWith: `${GRANT_PREFIX}tier-entry:` } },
    select: { rewardId: true, requestId: true },
    take: 5,
  });
  for (const row of failed) {
    await grantRewardCode(shopId, memberId, row.rewardId, row.requestId.slice(GRANT_PREFIX.length), { reason: "tier entry (retry)" });
  }
}

/**
 * After a refund or cancellation: refunds never demote mid-period, unless the shop turned
 * `tierRefundsDemote` on — then the member drops to the tier their progress still reaches.
 */
export async function demoteAfterRefundIfEnabled(
  shopId: string,
  orderGid: string,
  trigger: string,
  options: { now?: Date } = {},
): Promise<{ demoted: boolean; to: string | null }> {
  const shop = await db.shop.findUnique({ where: { id: shopId }, select: TIER_SHOP_SELECT });
  if (!shop?.tiersEnabled || !shop.tierRefundsDemote) return { demoted: false, to: null };
  const order = await db.orderRecord.findUnique({
    where: { shopId_orderGid: { shopId, orderGid } },
    select: { customerGid: true },
  });
  if (!order?.customerGid) return { demoted: false, to: null };
  const member = await db.member.findUnique({
    where: { shopId_customerGid: { shopId, customerGid: order.customerGid } },
    select: { id: true, customerGid: true, tierHandle: true },
  });
  const ladder = await loadLadder(shopId);
  const current = member ? tierOf(ladder, member.tierHandle) : null;
  if (!member || !current) return { demoted: false, to: null };
  const today = businessDay(options.now ?? new Date(), shop.ianaTimezone);
  const progress = await progressOf(shop, ladder, member, today);
  const decision = evaluateRefundDemotion(ladder, current.handle, progress, { refundsDemote: true });
  if (!decision.demote) return { demoted: false, to: null };
  const done = await runOnce(db, (tx) =>
    writeTierChange(tx, {
      shopId,
      memberId: member.id,
      from: current.handle,
      to: decision.to,
      reason: "refund_demotion",
      idempotencyKey: `refund-demote:${member.id}:${trigger}`,
      ladder,
      today,
    }),
  );
  return { demoted: done.applied, to: decision.to };
}

// ---------------------------------------------------------------------------------------------
// What staff and the storefront see

export interface MemberTierView {
  enabled: boolean;
  tier: { handle: string; name: string; perks: string; multiplier: string; hidden: boolean } | null;
  since: string | null;
  reviewOn: string | null;
  pending: { handle: string; on: string } | null;
  progress: Omit<TierProgress, "window"> & { window: { start: string | null; end: string } };
  next: NextTierProgress | null;
}

export async function memberTierView(
  shop: { id: string; ianaTimezone: string; tiersEnabled: boolean },
  member: ProgressMember & {
    tierHandle: string | null;
    tierSince: string | null;
    tierReviewOn: string | null;
    tierPendingHandle: string | null;
    tierPendingOn: string | null;
  },
  ladder: TierLadder,
  now: Date = new Date(),
): Promise<MemberTierView> {
  const today = localDateOf(now, shop.ianaTimezone);
  const tier = tierOf(ladder, member.tierHandle);
  const progress = ladder.length ? await progressOf(shop, ladder, member, today) : null;
  return {
    enabled: shop.tiersEnabled,
    tier: tier
      ? { handle: tier.handle, name: tier.name, perks: tier.perks, multiplier: tier.earnMultiplier, hidden: tier.hidden }
      : null,
    since: member.tierSince,
    reviewOn: member.tierReviewOn,
    pending:
      member.tierPendingHandle && member.tierPendingOn ? { handle: member.tierPendingHandle, on: member.tierPendingOn } : null,
    progress: progress ?? { window: { start: null, end: today }, pointsEarned: 0, amountSpent: "0", ordersCount: 0 },
    next: tier && progress ? progressToNext(ladder, tier.handle, progress) : null,
  };
}

export interface TierHistoryItem {
  id: string;
  from: string | null;
  to: string;
  reason: string;
  staffId: string | null;
  note: string | null;
  at: string;
}

export async function tierHistory(shopId: string, memberId: string, take = 20): Promise<TierHistoryItem[]> {
  const rows = await db.tierChange.findMany({
    where: { shopId, memberId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
  });
  return rows.map((row) => ({
    id: row.id,
    from: row.fromHandle,
    to: row.toHandle,
    reason: row.reason,
    staffId: row.staffId,
    note: row.note,
    at: row.createdAt.toISOString(),
  }));
}

/** The customer tag of a tier: `keepsake-tier-<handle>`. */
export const tierTag = (handle: string) => `keepsake-tier-${handle}`;

/**
 * What the outbox sends for a member's tier (built when it is sent, so it is always the current
 * state): the tag to add, the tier tags to remove, and the metafields (name, progress as JSON).
 */
export async function tierSyncOf(
  shopId: string,
  memberId: string,
  now: Date = new Date(),
): Promise<{ customerGid: string; tag: string | null; removeTags: string[]; name: string | null; progress: unknown } | null> {
  const shop = await db.shop.findUnique({ where: { id: shopId }, select: TIER_SHOP_SELECT });
  const member = await db.member.findFirst({
    where: { id: memberId, shopId },
    select: {
      id: true,
      customerGid: true,
      tierHandle: true,
      tierSince: true,
      tierReviewOn: true,
      tierPendingHandle: true,
      tierPendingOn: true,
    },
  });
  if (!shop || !member) return null;
  const ladder = await loadLadder(shopId);
  const tier = shop.tiersEnabled ? tierOf(ladder, member.tierHandle) : null;
  // Every tier of the ladder, and every tier the member was ever in: a tier removed from the ladder
  // (its members re-placed, ADR 012 "Program changes") must not leave its tag on the customer.
  const history = await db.tierChange.findMany({ where: { shopId, memberId }, select: { fromHandle: true, toHandle: true } });
  const handles = new Set([...ladder.map((item) => item.handle), ...history.flatMap((row) => [row.toHandle, row.fromHandle ?? row.toHandle])]);
  const allTags = [...handles].map(tierTag);
  if (!tier) return { customerGid: member.customerGid, tag: null, removeTags: allTags, name: null, progress: null };
  const view = await memberTierView(shop, member, ladder, now);
  return {
    customerGid: member.customerGid,
    tag: tierTag(tier.handle),
    removeTags: allTags.filter((tag) => tag !== tierTag(tier.handle)),
    name: tier.name,
    progress: {
      tier: tier.handle,
      name: tier.name,
      pointsEarned: view.progress.pointsEarned,
      amountSpent: view.progress.amountSpent,
      ordersCount: view.progress.ordersCount,
      next: view.next,
    },
  };
}

/** The visible ladder as the storefront shows it (hidden tiers never). */
export async function storefrontLadder(shopId: string): Promise<StorefrontTier[]> {
  const ladder = await loadLadder(shopId);
  return ladder
    .filter((tier) => !tier.hidden)
    .map((tier) => ({
      handle: tier.handle,
      name: tier.name,
      perks: tier.perks,
      multiplier: tier.earnMultiplier,
      kind: tier.thresholdKind,
      threshold: tier.thresholdValue,
    }));
}

/** GET member's `tier`: the member's own tier (even a hidden one: it is theirs) and progress to the next visible tier. */
export async function storefrontMemberTier(
  shop: { id: string; ianaTimezone: string; tiersEnabled: boolean },
  memberId: string,
  now: Date = new Date(),
): Promise<MemberTier | null> {
  const member = await db.member.findFirst({
    where: { id: memberId, shopId: shop.id },
    select: { id: true, customerGid: true, tierHandle: true, tierSince: true, tierReviewOn: true, tierPendingHandle: true, tierPendingOn: true },
  });
  if (!member) return null;
  const view = await memberTierView(shop, member, await loadLadder(shop.id), now);
  if (!view.tier) return null;
  const next = view.next;
  return {
    handle: view.tier.handle,
    name: view.tier.name,
    perks: view.tier.perks,
    multiplier: view.tier.multiplier,
    next: next
      ? { handle: next.tier, name: next.name, kind: next.kind, remaining: next.remaining, threshold: next.threshold, current: next.current }
      : null,
  };
}
