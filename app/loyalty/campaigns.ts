/**
 * Bonus campaigns ("double points weekend", "+200 points on orders over $100"): which campaign an
 * order gets, how many bonus points, and how many a refund takes back. Pure functions; every rule
 * is unit-tested in tests/unit/campaigns.test.ts; the choices are in docs/decisions/011.
 *
 * - A window is [startsAt, endsAt) in shop-local wall-clock time, converted with the shop's time
 *   zone at evaluation (so "Saturday 00:00 to Monday 00:00" in New York is 49 hours on the weekend
 *   clocks go back). endsAt is exclusive: the admin stores "until the end of the 30th" as the 1st
 *   at 00:00.
 * - At most one campaign applies to an order: the one giving the most bonus points; ties go to the
 *   earliest start, then the smallest id. Campaigns never stack.
 * - A multiplier applies to the order's base points (before the tier multiplier): a 2× campaign adds
 *   base × (2 − 1), floored; multipliers never compound.
 * - The bonus is its own ledger entry (`order:<gid>:campaign-bonus`), linked to the order and frozen
 *   with the campaign id, kind and value, so a refund reverses it exactly, in proportion.
 */
import { z } from "zod";
import { isDecimalAmount, MICROS_PER_UNIT, toMicros } from "./money";
import { reversalTarget } from "./earning";
import { isLocalDateTime, zonedTimeToInstant, type LocalDateTime } from "./schedule";
import { applyMultiplier } from "./tiers";

export const CAMPAIGN_KINDS = ["multiplier", "fixed_bonus"] as const;
export type CampaignKind = (typeof CAMPAIGN_KINDS)[number];

const MULTIPLIER = /^\d{1,3}(?:\.\d{1,6})?$/;
const POINTS = /^\d{1,7}$/;

const LocalDateTimeText = z.string().refine(isLocalDateTime, "a local date-time yyyy-mm-ddThh:mm");

export const CampaignSchema = z
  .object({
    id: z.string().min(1).max(100),
    name: z.string().trim().min(1).max(100),
    startsAt: LocalDateTimeText,
    /** Exclusive. */
    endsAt: LocalDateTimeText,
    kind: z.enum(CAMPAIGN_KINDS),
    /** multiplier: a decimal > 1 ("2", "1.5"); fixed_bonus: whole points ("200"). */
    value: z.string().trim(),
    /** Eligible merchandise amount the order must reach, shop currency; null = none. */
    minimumOrderAmount: z.string().trim().nullable().default(null),
    /** Tier handles; null or empty = every member. */
    targetTiers: z.array(z.string().min(1)).nullable().default(null),
    oncePerMember: z.boolean().default(false),
  })
  .superRefine((campaign, ctx) => {
    if (isLocalDateTime(campaign.startsAt) && isLocalDateTime(campaign.endsAt)) {
      if (normalize(campaign.endsAt) <= normalize(campaign.startsAt)) {
        ctx.addIssue({ code: "custom", path: ["endsAt"], message: "must be after startsAt" });
      }
    }
    if (campaign.kind === "multiplier") {
      if (!MULTIPLIER.test(campaign.value) || toMicros(campaign.value) <= MICROS_PER_UNIT) {
        ctx.addIssue({ code: "custom", path: ["value"], message: "a multiplier greater than 1, such as 2 or 1.5" });
      }
    } else if (!POINTS.test(campaign.value) || Number(campaign.value) < 1) {
      ctx.addIssue({ code: "custom", path: ["value"], message: "whole points, at least 1" });
    }
    if (campaign.minimumOrderAmount !== null) {
      if (!isDecimalAmount(campaign.minimumOrderAmount) || toMicros(campaign.minimumOrderAmount) < 0n) {
        ctx.addIssue({ code: "custom", path: ["minimumOrderAmount"], message: "an amount such as 50.00" });
      }
    }
  });
export type Campaign = z.output<typeof CampaignSchema>;
export type CampaignInput = z.input<typeof CampaignSchema>;

function normalize(local: LocalDateTime): string {
  return local.length === 16 ? `${local}:00` : local;
}

/** The campaign's window as instants, for the shop's time zone. */
export function campaignWindow(campaign: Pick<Campaign, "startsAt" | "endsAt">, timeZone: string): { start: Date; end: Date } {
  return { start: zonedTimeToInstant(campaign.startsAt, timeZone), end: zonedTimeToInstant(campaign.endsAt, timeZone) };
}

export function isCampaignActive(campaign: Pick<Campaign, "startsAt" | "endsAt">, at: Date, timeZone: string): boolean {
  const { start, end } = campaignWindow(campaign, timeZone);
  return start.getTime() <= at.getTime() && at.getTime() < end.getTime();
}

export interface CampaignOrder {
  orderRef: string;
  /** When the order was paid (its processed_at), the instant compared with the window. */
  paidAt: Date;
  /** Eligible merchandise (OrderEarning.eligibleAmount). */
  eligibleAmount: string;
  /** The order's base points (OrderEarning.points, before the tier multiplier). */
  basePoints: number;
}

export interface CampaignBonus {
  campaignId: string;
  kind: CampaignKind;
  value: string;
  bonusPoints: number;
  /** The bonus ledger entry's key, one per order whichever campaign wins. */
  idempotencyKey: string;
  /** For once-per-member campaigns: the key of the member's single use (a unique row). */
  oncePerMemberKey: string | null;
}

export function campaignBonusKey(orderRef: string): string {
  return `order:${orderRef}:campaign-bonus`;
}

export function campaignUseKey(campaignId: string, memberId: string): string {
  return `campaign-once:${campaignId}:${memberId}`;
}

/** The bonus one campaign would give an order, ignoring window and eligibility. */
export function campaignBonusPoints(campaign: Pick<Campaign, "kind" | "value">, basePoints: number): number {
  if (campaign.kind === "multiplier") return applyMultiplier(basePoints, campaign.value) - basePoints;
  return Number(campaign.value);
}

export interface CampaignContext {
  memberId: string;
  /** The member's tier handle when the order is paid; null = none. */
  memberTier: string | null;
  /** Ids of once-per-member campaigns this member has already used (on another order). */
  alreadyUsedOnce: ReadonlySet<string> | readonly string[];
  timeZone: string;
}

/**
 * The single best campaign for a paid order, or null. A campaign is eligible when the order was paid
 * inside its window, its eligible amount reaches the campaign's minimum, the member's tier is
 * targeted (or no tiers are), and a once-per-member campaign is not used yet. An order with no
 * eligible merchandise gets nothing. Among eligible campaigns with a positive bonus, the largest
 * bonus wins; ties → earliest start instant, then smallest id (so the result never depends on the
 * order of `campaigns`).
 */
export function bestCampaignFor(order: CampaignOrder, campaigns: readonly Campaign[], context: CampaignContext): CampaignBonus | null {
  if (toMicros(order.eligibleAmount) <= 0n || order.basePoints < 0) return null;
  const used = new Set(context.alreadyUsedOnce);
  let best: { campaign: Campaign; bonus: number; start: number } | null = null;
  for (const campaign of campaigns) {
    const { start, end } = campaignWindow(campaign, context.timeZone);
    const paid = order.paidAt.getTime();
    if (paid < start.getTime() || paid >= end.getTime()) continue;
    if (campaign.minimumOrderAmount !== null && toMicros(order.eligibleAmount) < toMicros(campaign.minimumOrderAmount)) continue;
    if (campaign.targetTiers && campaign.targetTiers.length > 0) {
      if (context.memberTier === null || !campaign.targetTiers.includes(context.memberTier)) continue;
    }
    if (campaign.oncePerMember && used.has(campaign.id)) continue;
    const bonus = campaignBonusPoints(campaign, order.basePoints);
    if (bonus <= 0) continue;
    const candidate = { campaign, bonus, start: start.getTime() };
    if (
      best === null ||
      candidate.bonus > best.bonus ||
      (candidate.bonus === best.bonus &&
        (candidate.start < best.start || (candidate.start === best.start && candidate.campaign.id < best.campaign.id)))
    ) {
      best = candidate;
    }
  }
  if (best === null) return null;
  return {
    campaignId: best.campaign.id,
    kind: best.campaign.kind,
    value: best.campaign.value,
    bonusPoints: best.bonus,
    idempotencyKey: campaignBonusKey(order.orderRef),
    oncePerMemberKey: best.campaign.oncePerMember ? campaignUseKey(best.campaign.id, context.memberId) : null,
  };
}

/**
 * How many bonus points a refund takes back: the same cumulative, proportional rule as the base
 * points (earning.ts reversalTarget) applied to the frozen bonus, minus what earlier refunds of the
 * order already took back. Partial refunds add up to exactly the bonus when everything is refunded,
 * never more, in any order of arrival. A fixed bonus is reversed in proportion too (not all at once
 * when a refund takes the order below the campaign minimum), and a once-per-member use is not
 * given back.
 */
export function campaignBonusReversal(input: {
  bonusAwarded: number;
  eligibleAmount: string;
  /** Cumulative refunded merchandise of the order, this refund included. */
  refundedAmount: string;
  /** Bonus points already taken back by earlier refunds of the order. */
  alreadyReversed: number;
}): number {
  const target = reversalTarget(input.bonusAwarded, input.eligibleAmount, input.refundedAmount);
  return Math.max(0, target - Math.max(0, input.alreadyReversed));
}
