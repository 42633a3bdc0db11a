/**
 * VIP tiers: the ladder, a member's qualifying progress, promotion, retention and progress to the
 * next tier. Pure functions over plain data (no Prisma, no Shopify, no clock); every rule is
 * unit-tested in tests/unit/tiers.test.ts. Choices are recorded in docs/decisions/011.
 *
 * - The ladder is ordered: index 0 is the base tier (threshold 0), thresholds strictly increase,
 *   all tiers share one threshold kind and one qualification period.
 * - Promotion is immediate: as soon as progress reaches a higher tier, the member moves there and
 *   every visible tier crossed on the way (skipped ones included) issues its entry reward once per
 *   member, ever (idempotency key `tier-entry:<member>:<tier handle>`).
 * - Retention is reviewed at the end of the member's period only; refunds never demote mid-period
 *   (unless the shop turns `refundsDemote` on). Downgrades go to the qualifying tier or one level
 *   down, never below the base tier, and take effect after an optional grace period.
 * - Hidden tiers keep their rank (threshold) but are never reached automatically: staff or a rule
 *   assign them, promotion may move a member up out of one, and retention keeps them. A hidden tier's
 *   rule (`assignSegment`) places the members of one RFM segment in it and takes back those it placed
 *   when they leave the segment (`segmentRuleMove`, docs/decisions/012 addendum).
 */
import { z } from "zod";
import { SEGMENTS, type Segment } from "./segments";
import { divideRounded, fromMicros, isDecimalAmount, MICROS_PER_UNIT, toMicros, type Micros } from "./money";
import {
  addDays,
  addMonths,
  compareLocalDates,
  inRange,
  localDateOf,
  periodWindow,
  type LocalDate,
  type LocalDateRange,
  type QualificationPeriod,
} from "./schedule";

export const THRESHOLD_KINDS = ["points_earned", "amount_spent", "orders_count"] as const;
export type ThresholdKind = (typeof THRESHOLD_KINDS)[number];
export const QUALIFICATION_PERIODS = ["lifetime", "rolling_12_months", "calendar_year"] as const satisfies readonly QualificationPeriod[];

/** Multipliers are exact decimals with up to 6 places ("1", "1.25", "2"). */
const MULTIPLIER = /^\d{1,4}(?:\.\d{1,6})?$/;
const INTEGER = /^\d{1,12}$/;

const EntryRewardSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("points"), points: z.number().int().min(1).max(1_000_000) }),
  z.object({ kind: z.literal("reward"), rewardId: z.string().min(1).max(100) }),
]);
export type EntryReward = z.infer<typeof EntryRewardSchema>;

export const TierSchema = z.object({
  /** Lower-case, used in the customer tag `keepsake-tier-<handle>`. */
  handle: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, "lower-case letters, digits and dashes"),
  name: z.string().trim().min(1).max(60),
  thresholdKind: z.enum(THRESHOLD_KINDS),
  /** Points or orders as an integer ("500"), or an amount in shop currency ("250.00"). */
  thresholdValue: z.string().trim(),
  qualificationPeriod: z.enum(QUALIFICATION_PERIODS),
  earnMultiplier: z.string().trim().regex(MULTIPLIER, "a decimal such as 1.5"),
  entryReward: EntryRewardSchema.nullable().default(null),
  perks: z.string().trim().max(1000).default(""),
  hidden: z.boolean().default(false),
  /** A hidden tier's rule: the daily segment refresh places the members of this segment in it. */
  assignSegment: z.enum(SEGMENTS, { message: "is not a segment Keepsake computes" }).nullable().default(null),
});
export type Tier = z.output<typeof TierSchema>;
export type TierInput = z.input<typeof TierSchema>;

/** `thresholdValue` as a comparable integer: micros for amounts, the count for points/orders. */
export function thresholdUnits(tier: Pick<Tier, "thresholdKind" | "thresholdValue">): bigint {
  if (tier.thresholdKind === "amount_spent") return toMicros(tier.thresholdValue);
  return BigInt(tier.thresholdValue);
}

function validThreshold(tier: Pick<Tier, "thresholdKind" | "thresholdValue">): boolean {
  if (tier.thresholdKind === "amount_spent") {
    return isDecimalAmount(tier.thresholdValue) && toMicros(tier.thresholdValue) >= 0n;
  }
  return INTEGER.test(tier.thresholdValue);
}

/** A ladder, base tier first. Rank = index. */
export const TierLadderSchema = z
  .array(TierSchema)
  .min(1)
  .max(20)
  .superRefine((tiers, ctx) => {
    const handles = new Set<string>();
    tiers.forEach((tier, index) => {
      if (handles.has(tier.handle)) {
        ctx.addIssue({ code: "custom", path: [index, "handle"], message: "is used by another tier" });
      }
      handles.add(tier.handle);
      if (!validThreshold(tier)) {
        ctx.addIssue({ code: "custom", path: [index, "thresholdValue"], message: `is not a valid ${tier.thresholdKind} threshold` });
      }
      if (MULTIPLIER.test(tier.earnMultiplier) && toMicros(tier.earnMultiplier) < MICROS_PER_UNIT) {
        ctx.addIssue({ code: "custom", path: [index, "earnMultiplier"], message: "must be at least 1" });
      }
    });
    const first = tiers[0];
    if (!first) return;
    tiers.forEach((tier, index) => {
      if (tier.thresholdKind !== first.thresholdKind) {
        ctx.addIssue({ code: "custom", path: [index, "thresholdKind"], message: "every tier uses the same threshold kind" });
      }
      if (tier.qualificationPeriod !== first.qualificationPeriod) {
        ctx.addIssue({ code: "custom", path: [index, "qualificationPeriod"], message: "every tier uses the same qualification period" });
      }
    });
    const ruled = new Set<Segment>();
    tiers.forEach((tier, index) => {
      if (tier.assignSegment === null) return;
      if (!tier.hidden) {
        ctx.addIssue({ code: "custom", path: [index, "assignSegment"], message: "only a hidden tier can be assigned by segment" });
      } else if (ruled.has(tier.assignSegment)) {
        ctx.addIssue({ code: "custom", path: [index, "assignSegment"], message: "another hidden tier already assigns this segment" });
      }
      ruled.add(tier.assignSegment);
    });
    if (tiers.some((tier) => !validThreshold(tier) || tier.thresholdKind !== first.thresholdKind)) return;
    const units = tiers.map(thresholdUnits);
    const zeros = units.filter((value) => value === 0n).length;
    if (zeros !== 1 || units[0] !== 0n) {
      ctx.addIssue({ code: "custom", path: [0, "thresholdValue"], message: "exactly one base tier, the first, has threshold 0" });
    }
    if (first.hidden) {
      ctx.addIssue({ code: "custom", path: [0, "hidden"], message: "the base tier cannot be hidden" });
    }
    for (let index = 1; index < units.length; index += 1) {
      const previous = units[index - 1] ?? 0n;
      const current = units[index] ?? 0n;
      if (current <= previous && current !== 0n) {
        ctx.addIssue({ code: "custom", path: [index, "thresholdValue"], message: "thresholds must strictly increase up the ladder" });
      }
    }
  });
export type TierLadder = Tier[];

export class UnknownTierError extends Error {
  constructor(readonly handle: string) {
    super(`No tier ${JSON.stringify(handle)} in the ladder`);
    this.name = "UnknownTierError";
  }
}

function rankOf(ladder: TierLadder, handle: string): number {
  const rank = ladder.findIndex((tier) => tier.handle === handle);
  if (rank < 0) throw new UnknownTierError(handle);
  return rank;
}

function tierAt(ladder: TierLadder, rank: number): Tier {
  const tier = ladder[rank];
  if (!tier) throw new RangeError(`no tier at rank ${rank}`);
  return tier;
}

// ---------------------------------------------------------------------------------------------
// Multiplier

/**
 * points × multiplier, exact, floored: 7 × 1.5 = 10 (10.5 floored), 3 × 1.333333 = 3 (3.999999).
 * Floor, because an earn multiplier is a promise of "at least"; rounding up would award points the
 * order did not earn and a refund's proportional reversal could then exceed them. Applied once to
 * the order's total base points, never per line.
 */
export function applyMultiplier(points: number, multiplier: string): number {
  if (!Number.isSafeInteger(points) || points < 0) throw new RangeError("points must be a non-negative integer");
  if (!MULTIPLIER.test(multiplier)) throw new RangeError(`not a multiplier: ${multiplier}`);
  return Number(divideRounded(BigInt(points) * toMicros(multiplier), MICROS_PER_UNIT, "floor"));
}

// ---------------------------------------------------------------------------------------------
// Qualifying progress

/**
 * What counts toward a tier. Orders carry their merchandise amount and the base points they earned
 * (before tier multiplier and campaign bonus, so thresholds mean the same for everyone); other
 * earnings (sign-up, birthday) count for points_earned only; refunds name the order they refund.
 */
export type QualifyingEvent =
  | { type: "order"; orderRef: string; at: Date; amount: string; points: number }
  | { type: "earn"; ref: string; at: Date; points: number }
  | { type: "refund"; orderRef: string; at: Date; amount: string; points: number };

export interface TierProgress {
  window: LocalDateRange;
  pointsEarned: number;
  /** Decimal text in shop currency. */
  amountSpent: string;
  ordersCount: number;
}

/**
 * A member's progress in the qualification period that contains `asOf` (a shop-local date), up to
 * and including `asOf`. Events count on their shop-local date. A refund counts against the period of the order it
 * refunds (a January refund of a December order lowers last year, not this one), capped at what the
 * order brought; an order or earning listed twice (same ref) counts once. Refunds dated after `refundsThrough` (default `asOf`) are ignored so a review is
 * reproducible, as are refunds of orders not in `events`. An order counts for orders_count while any
 * of its amount is unrefunded.
 */
export function qualifyingProgress(
  events: readonly QualifyingEvent[],
  options: { period: QualificationPeriod; asOf: LocalDate; timeZone: string; refundsThrough?: LocalDate },
): TierProgress {
  const window = periodWindow(options.period, options.asOf);
  const orders = new Map<string, { amount: Micros; points: number; refundedAmount: Micros; refundedPoints: number }>();
  const otherEarnings = new Set<string>();
  let otherPoints = 0;
  for (const event of events) {
    if (event.type === "refund") continue;
    const day = localDateOf(event.at, options.timeZone);
    if (!inRange(day, window) || compareLocalDates(day, options.asOf) > 0) continue;
    if (event.type === "earn") {
      if (otherEarnings.has(event.ref)) continue;
      otherEarnings.add(event.ref);
      otherPoints += Math.max(0, event.points);
    } else if (!orders.has(event.orderRef)) {
      orders.set(event.orderRef, {
        amount: maxZero(toMicros(event.amount)),
        points: Math.max(0, event.points),
        refundedAmount: 0n,
        refundedPoints: 0,
      });
    }
  }
  for (const event of events) {
    if (event.type !== "refund") continue;
    if (compareLocalDates(localDateOf(event.at, options.timeZone), options.refundsThrough ?? options.asOf) > 0) continue;
    const order = orders.get(event.orderRef);
    if (!order) continue;
    order.refundedAmount += maxZero(toMicros(event.amount));
    order.refundedPoints += Math.max(0, event.points);
  }
  let amount = 0n;
  let points = otherPoints;
  let count = 0;
  for (const order of orders.values()) {
    const netAmount = maxZero(order.amount - order.refundedAmount);
    amount += netAmount;
    points += Math.max(0, order.points - order.refundedPoints);
    if (netAmount > 0n) count += 1;
  }
  return { window, pointsEarned: points, amountSpent: fromMicros(amount), ordersCount: count };
}

function maxZero(value: bigint): bigint {
  return value > 0n ? value : 0n;
}

/** The progress measured in the ladder's threshold kind, as comparable units. */
export function progressUnits(kind: ThresholdKind, progress: Omit<TierProgress, "window">): bigint {
  switch (kind) {
    case "points_earned":
      return BigInt(progress.pointsEarned);
    case "amount_spent":
      return toMicros(progress.amountSpent);
    case "orders_count":
      return BigInt(progress.ordersCount);
  }
}

/** The highest visible tier the progress reaches (the base tier at least). */
export function qualifyingTier(ladder: TierLadder, progress: Omit<TierProgress, "window">): Tier {
  const base = tierAt(ladder, 0);
  const value = progressUnits(base.thresholdKind, progress);
  let best = base;
  for (const tier of ladder) {
    if (!tier.hidden && thresholdUnits(tier) <= value) best = tier;
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Promotion

export interface TierEntryRewardGrant {
  tierHandle: string;
  reward: EntryReward;
  /** `tier-entry:<member>:<tier handle>`: once per member and tier, ever. */
  idempotencyKey: string;
}

export interface PromotionResult {
  promoted: boolean;
  from: string | null;
  to: string;
  /** Visible tiers entered, lowest first (the new tier last). */
  crossed: string[];
  entryRewards: TierEntryRewardGrant[];
}

export function tierEntryKey(memberId: string, tierHandle: string): string {
  return `tier-entry:${memberId}:${tierHandle}`;
}

/**
 * Immediate promotion after an earning event. `current` null = a member without a tier yet (the
 * base tier's entry reward, if any, is then a welcome gift). Never moves a member down.
 */
export function evaluatePromotion(
  ladder: TierLadder,
  current: string | null,
  progress: Omit<TierProgress, "window">,
  options: { memberId: string },
): PromotionResult {
  const currentRank = current === null ? -1 : rankOf(ladder, current);
  const target = qualifyingTier(ladder, progress);
  const targetRank = rankOf(ladder, target.handle);
  if (targetRank <= currentRank) {
    return { promoted: false, from: current, to: current ?? target.handle, crossed: [], entryRewards: [] };
  }
  const crossed = ladder.slice(currentRank + 1, targetRank + 1).filter((tier) => !tier.hidden);
  return {
    promoted: true,
    from: current,
    to: target.handle,
    crossed: crossed.map((tier) => tier.handle),
    entryRewards: crossed.flatMap((tier) =>
      tier.entryReward
        ? [{ tierHandle: tier.handle, reward: tier.entryReward, idempotencyKey: tierEntryKey(options.memberId, tier.handle) }]
        : [],
    ),
  };
}

// ---------------------------------------------------------------------------------------------
// Retention

export type DowngradeRule = "to_qualifying" | "one_level";

export interface RetentionOptions {
  downgrade: DowngradeRule;
  /** Days after the period end during which the member keeps the tier. */
  graceDays: number;
  /** The last day of the period being reviewed (shop-local). */
  periodEnd: LocalDate;
}

export interface RetentionResult {
  decision: "retain" | "downgrade";
  reason: "qualified" | "hidden_tier" | "below_threshold";
  from: string;
  to: string;
  /** The day the downgrade takes effect: periodEnd + 1 + graceDays (= the next day if no grace). */
  effectiveOn: LocalDate;
}

/**
 * The review at the end of a member's period, with the progress of the period that just ended.
 * Never moves up (promotion does) and never below the base tier.
 */
export function evaluateRetention(
  ladder: TierLadder,
  current: string,
  progress: Omit<TierProgress, "window">,
  options: RetentionOptions,
): RetentionResult {
  if (!Number.isInteger(options.graceDays) || options.graceDays < 0) throw new RangeError("graceDays must be ≥ 0");
  const currentRank = rankOf(ladder, current);
  const effectiveOn = addDays(options.periodEnd, 1 + options.graceDays);
  const retain = (reason: RetentionResult["reason"]): RetentionResult => ({
    decision: "retain",
    reason,
    from: current,
    to: current,
    effectiveOn,
  });
  if (tierAt(ladder, currentRank).hidden) return retain("hidden_tier");
  const qualifying = qualifyingTier(ladder, progress);
  const qualifyingRank = rankOf(ladder, qualifying.handle);
  if (qualifyingRank >= currentRank) return retain("qualified");
  let target = qualifying;
  if (options.downgrade === "one_level") {
    for (let rank = currentRank - 1; rank >= 0; rank -= 1) {
      const tier = tierAt(ladder, rank);
      if (!tier.hidden) {
        target = tier;
        break;
      }
    }
  }
  return { decision: "downgrade", reason: "below_threshold", from: current, to: target.handle, effectiveOn };
}

/**
 * On a pending downgrade's effective day: apply it unless the member's tier changed since the review
 * (e.g. promoted during the grace period) or the progress measured today qualifies them for their
 * tier again; when applied, never lower than what today's progress qualifies for.
 */
export function confirmPendingDowngrade(
  ladder: TierLadder,
  pending: Pick<RetentionResult, "from" | "to">,
  currentNow: string,
  progressNow: Omit<TierProgress, "window">,
): { apply: false } | { apply: true; to: string } {
  if (currentNow !== pending.from) return { apply: false };
  const qualifyingRank = rankOf(ladder, qualifyingTier(ladder, progressNow).handle);
  const fromRank = rankOf(ladder, pending.from);
  if (qualifyingRank >= fromRank) return { apply: false };
  const toRank = Math.max(rankOf(ladder, pending.to), qualifyingRank);
  return { apply: true, to: tierAt(ladder, toRank).handle };
}

/**
 * Refunds never demote mid-period: the member keeps the tier until the period's review. A shop can
 * opt in to `refundsDemote`, then a refund moves the member straight to the qualifying tier.
 */
export function evaluateRefundDemotion(
  ladder: TierLadder,
  current: string,
  progress: Omit<TierProgress, "window">,
  options: { refundsDemote: boolean },
): { demote: false } | { demote: true; to: string } {
  if (!options.refundsDemote) return { demote: false };
  const currentRank = rankOf(ladder, current);
  if (tierAt(ladder, currentRank).hidden) return { demote: false };
  const qualifying = qualifyingTier(ladder, progress);
  return rankOf(ladder, qualifying.handle) < currentRank ? { demote: true, to: qualifying.handle } : { demote: false };
}

/**
 * The last day of the member's current period, on or after `today`; null for lifetime (never
 * reviewed). calendar_year: Dec 31. rolling_12_months: the day before each 12-month anniversary of
 * `tierSince` (the day they entered the tier), counted from `tierSince` so a Feb 29 start does not
 * drift: 2028-02-29 → 2029-02-27, 2030-02-27, …, 2032-02-28.
 */
export function currentPeriodEnd(period: QualificationPeriod, tierSince: LocalDate, today: LocalDate): LocalDate | null {
  switch (period) {
    case "lifetime":
      return null;
    case "calendar_year":
      return periodWindow("calendar_year", today).end;
    case "rolling_12_months": {
      for (let years = 1; ; years += 1) {
        const end = addDays(addMonths(tierSince, 12 * years), -1);
        if (compareLocalDates(end, today) >= 0) return end;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Progress to the next tier

export interface NextTierProgress {
  tier: string;
  name: string;
  kind: ThresholdKind;
  /** Exact decimal text: an amount ("40", "12.5") for amount_spent, an integer otherwise. */
  remaining: string;
  threshold: string;
  current: string;
}

/**
 * What is left to reach the next visible tier above the member's ("spend $40 more to reach Gold").
 * Null at the top of the visible ladder. Hidden tiers are never announced.
 */
export function progressToNext(
  ladder: TierLadder,
  current: string,
  progress: Omit<TierProgress, "window">,
): NextTierProgress | null {
  const currentRank = rankOf(ladder, current);
  const next = ladder.slice(currentRank + 1).find((tier) => !tier.hidden);
  if (!next) return null;
  const value = progressUnits(next.thresholdKind, progress);
  const threshold = thresholdUnits(next);
  const remaining = threshold > value ? threshold - value : 0n;
  const text = (units: bigint) => (next.thresholdKind === "amount_spent" ? fromMicros(units) : units.toString());
  return {
    tier: next.handle,
    name: next.name,
    kind: next.thresholdKind,
    remaining: text(remaining),
    threshold: text(threshold),
    current: text(value),
  };
}

/** A tier change as the member's history records it. */
export interface TierChange {
  memberId: string;
  from: string | null;
  to: string;
  reason: "promotion" | "retention_downgrade" | "refund_demotion" | "manual" | "segment_rule";
  at: Date;
}

// ---------------------------------------------------------------------------------------------
// Hidden tiers assigned by segment (docs/decisions/012 addendum)

/** What the daily segment refresh knows of a member when it applies the hidden tiers' rules. */
export interface SegmentRuleMember {
  memberId: string;
  /** The member's tier (null: none yet). */
  tier: string | null;
  /** The member's segment after today's refresh. */
  segment: Segment | null;
  /** Excluded members are never placed by a rule (they may still be taken out). */
  excluded: boolean;
  /**
   * Set when the member's latest tier change was a segment rule placing them in their current tier:
   * the tier they came from. Null when they hold their tier otherwise (staff, promotion, review).
   */
  placedByRule: { from: string | null } | null;
  /** Today's progress; needed only for a member leaving a rule's tier (the caller reads it then). */
  progress: Omit<TierProgress, "window"> | null;
}

export type SegmentRuleDecision =
  | { move: false; needsProgress?: boolean }
  | { move: true; to: string; entryRewards: TierEntryRewardGrant[] };

/** The hidden tier whose rule assigns `segment`, if any (the ladder allows one per segment). */
export function ruleTierFor(ladder: TierLadder, segment: Segment | null): Tier | null {
  if (segment === null) return null;
  return ladder.find((tier) => tier.hidden && tier.assignSegment === segment) ?? null;
}

/**
 * A hidden tier's segment rule for one member:
 * - in the rule's segment and the tier ranks above the member's → placed there (never a demotion:
 *   someone who earned a higher tier, or a staff-assigned higher hidden tier, stays);
 * - placed by a rule and no longer in that tier's segment (or the rule was removed) → back to the
 *   higher of the visible tier they came from and the visible tier today's progress reaches, or to
 *   another rule's tier if their new segment has one ranked above that. A tier staff assigned, or
 *   one reached any other way, is never taken back.
 * Entry rewards: a rule tier's own on entry; on the way back, the visible tiers crossed above the
 * one they came from (keys `tier-entry:<member>:<handle>`, once per member ever, as promotions).
 * A member leaving returns `needsProgress` when `progress` is null: read it and ask again.
 */
export function segmentRuleMove(ladder: TierLadder, member: SegmentRuleMember): SegmentRuleDecision {
  const rankOrNone = (handle: string | null) => (handle === null ? -1 : ladder.findIndex((tier) => tier.handle === handle));
  const currentRank = rankOrNone(member.tier);
  const current = currentRank >= 0 ? tierAt(ladder, currentRank) : null;
  const ruleTier = member.excluded ? null : ruleTierFor(ladder, member.segment);
  const entry = (tier: Tier): TierEntryRewardGrant[] =>
    tier.entryReward ? [{ tierHandle: tier.handle, reward: tier.entryReward, idempotencyKey: tierEntryKey(member.memberId, tier.handle) }] : [];

  const leaving = current !== null && current.hidden && member.placedByRule !== null && current.assignSegment !== member.segment;
  if (leaving) {
    if (!member.progress) return { move: false, needsProgress: true };
    const fromRank = rankOrNone(member.placedByRule?.from ?? null);
    const from = fromRank >= 0 && !tierAt(ladder, fromRank).hidden ? fromRank : -1;
    const qualifying = rankOf(ladder, qualifyingTier(ladder, member.progress).handle);
    const back = Math.max(from, qualifying);
    if (ruleTier && rankOf(ladder, ruleTier.handle) > back) return { move: true, to: ruleTier.handle, entryRewards: entry(ruleTier) };
    const crossed = ladder.slice(from + 1, back + 1).filter((tier) => !tier.hidden);
    return { move: true, to: tierAt(ladder, back).handle, entryRewards: crossed.flatMap(entry) };
  }
  if (ruleTier && rankOf(ladder, ruleTier.handle) > currentRank) {
    return { move: true, to: ruleTier.handle, entryRewards: entry(ruleTier) };
  }
  return { move: false };
}
