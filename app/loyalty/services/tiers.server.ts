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
import { Prisma, type Tier as TierRow } from "@prisma/client";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { reversalTarget, type OrderEarning } from "~/loyalty/earning";
import { appendCredit, ConcurrentChangeError, runOnce, type Tx } from "~/loyalty/ledger.server";
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
import { queueTierSync, tierKey } from "./shopify-outbox.server";

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
 * Qualifying progress of many members at once, for the period of `ladder` that contains `asOf`:
 * two queries for the whole batch (orders in the window, other earnings in the window), never one
 * per member.
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

export type TierChangeReason = "promotion" | "retention_downgrade" | "refund_demotion" | "manual";

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
 * The shop condition of a statement that names its members by id, as an expression no index can
 * serve: the planner then takes the primary key for the ids (with `"shopId" = ?` SQLite walks the
 * shop's whole member index instead, one full pass per statement).
 */
export const shopScope = (shopId: string) => Prisma.sql`COALESCE("shopId", '') = ${shopId}`;

/** Members per set-based statement: keeps every statement under SQLite's bind-variable limit. */
const SET_CHUNK = 100;

function chunks<T>(items: readonly T[], size = SET_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * writeTierChange for many members of one shop in a constant number of statements per 100 members
 * (the daily review's batches): the TierChange rows with createMany, every member moved by one
 * `UPDATE … CASE` conditional on the tier read (any member that moved meanwhile throws
 * ConcurrentChangeError and the caller rereads), the outbox rows created or refreshed in bulk (the
 * same values queueTierSync writes). Keys already recorded are the caller's to skip: a duplicate
 * here fails the transaction, like writeTierChange.
 */
export async function writeTierChanges(
  tx: Tx,
  shopId: string,
  changes: readonly { memberId: string; from: string | null; to: string; idempotencyKey: string }[],
  options: { reason: TierChangeReason; ladder: TierLadder; today: LocalDate },
): Promise<void> {
  if (changes.length === 0) return;
  const { reason, ladder, today } = options;
  await tx.tierChange.createMany({
    data: changes.map((change) => ({
      shopId,
      memberId: change.memberId,
      fromHandle: change.from,
      toHandle: change.to,
      reason,
      idempotencyKey: change.idempotencyKey,
    })),
  });
  const at = new Date();
  for (const part of chunks(changes)) {
    const handles = part.map((change) => Prisma.sql`WHEN ${change.memberId} THEN CAST(${change.to} AS TEXT)`);
    const reviews = part.map(
      (change) => Prisma.sql`WHEN ${change.memberId} THEN CAST(${nextReviewOn(ladder, change.to, today, today)} AS TEXT)`,
    );
    const fences = part.map((change) =>
      change.from === null
        ? Prisma.sql`("id" = ${change.memberId} AND "tierHandle" IS NULL)`
        : Prisma.sql`("id" = ${change.memberId} AND "tierHandle" = ${change.from})`,
    );
    const moved = await tx.$executeRaw`UPDATE "Member" SET "tierHandle" = CASE "id" ${Prisma.join(handles, " ")} ELSE "tierHandle" END, "tierReviewOn" = CASE "id" ${Prisma.join(reviews, " ")} ELSE "tierReviewOn" END, "tierSince" = ${today}, "tierPendingHandle" = NULL, "tierPendingOn" = NULL, "updatedAt" = ${at} WHERE "id" IN (${Prisma.join(part.map((change) => change.memberId))}) AND ${shopScope(shopId)} AND (${Prisma.join(fences, " OR ")})`;
    if (moved !== part.length) throw new ConcurrentChangeError(`tiers of ${part.length - moved} member(s) of a review batch`);
  }
  // Outbox: the values queueTierSync's upsert writes, for the whole set at once.
  const keys = new Map(changes.map((change) => [tierKey(change.memberId), change.memberId]));
  const existing = await tx.shopifyOutbox.findMany({ where: { shopId, key: { in: [...keys.keys()] } }, select: { key: true } });
  const due = { status: "pending", tries: 0, availableAt: at, lastError: null };
  if (existing.length > 0) {
    await tx.shopifyOutbox.updateMany({
      where: { shopId, key: { in: existing.map((row) => row.key) } },
      data: { ...due, version: { increment: 1 } },
    });
  }
  const known = new Set(existing.map((row) => row.key));
  const fresh = [...keys].filter(([key]) => !known.has(key));
  if (fresh.length > 0) {
    await tx.shopifyOutbox.createMany({
      data: fresh.map(([key, memberId]) => ({ shopId, kind: "customer_tier", key, payload: JSON.stringify({ memberId }), ...due })),
    });
  }
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
  const allTags = ladder.map((item) => tierTag(item.handle));
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
