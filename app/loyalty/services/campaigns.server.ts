/**
 * Bonus campaigns on orders (issue 4, ADR 011 + 013). The rules are the pure functions of
 * `~/loyalty/campaigns`; this file feeds them the shop's campaigns and writes their outcome:
 *
 *   order:<gid>:campaign-bonus                   + the winning campaign's bonus (id/kind/value frozen)
 *   refund:<gid>:campaign-bonus-reverse          − that refund's share of the bonus (cumulative)
 *   order:<gid>:campaign-bonus-cancel            − whatever is left of the bonus
 *
 * The bonus is decided in the transaction that writes the order's earn entry (orders.server.ts), so
 * it is decided exactly once, when the base points are credited (for a guest order: when it is
 * claimed), and a once-per-member use (CampaignUse, unique per shop+campaign+member) commits with
 * it. Two orders racing for the same once-per-member campaign: the loser's transaction fails on
 * that unique row, `runOnce` retries it, and the retry sees the use and re-evaluates without it.
 */
import type { Campaign as CampaignRow } from "@prisma/client";
import db from "~/db.server";
import {
  bestCampaignFor,
  campaignBonusKey,
  campaignBonusReversal,
  CampaignSchema,
  campaignWindow,
  type Campaign,
} from "~/loyalty/campaigns";
import { appendCredit, appendDebit, type DebitResult, type Tx } from "~/loyalty/ledger.server";
import { addDays, isValidTimeZone, localDateOf, localDateTimeOf } from "~/loyalty/schedule";
import type { RunningCampaign } from "~/loyalty/storefront-contract";

const refundBonusKey = (refundGid: string) => `refund:${refundGid}:campaign-bonus-reverse`;
const cancelBonusKey = (orderGid: string) => `order:${orderGid}:campaign-bonus-cancel`;

export function shopTimeZone(shop: { ianaTimezone: string }): string {
  return isValidTimeZone(shop.ianaTimezone) ? shop.ianaTimezone : "UTC";
}

/** A stored row as the pure rules see it; null when the row no longer passes the schema. */
export function campaignOfRow(row: CampaignRow): Campaign | null {
  let targetTiers: unknown = null;
  try {
    targetTiers = row.targetTiers === null ? null : JSON.parse(row.targetTiers);
  } catch {
    return null;
  }
  const parsed = CampaignSchema.safeParse({
    id: row.id,
    name: row.name,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    kind: row.kind,
    value: row.value,
    minimumOrderAmount: row.minimumOrderAmount,
    targetTiers,
    oncePerMember: row.oncePerMember,
  });
  return parsed.success ? parsed.data : null;
}

/**
 * The shop's live (not archived) campaigns that may contain `paidAt`: a coarse text filter on the
 * shop-local wall times (±1 day covers any zone offset change); the exact test is the pure rule's.
 */
async function campaignsAround(tx: Tx, shopId: string, paidAt: Date, timeZone: string): Promise<Campaign[]> {
  const day = localDateOf(paidAt, timeZone);
  const rows = await tx.campaign.findMany({
    where: {
      shopId,
      archivedAt: null,
      startsAt: { lt: `${addDays(day, 2)}T00:00` },
      endsAt: { gt: `${addDays(day, -1)}T00:00` },
    },
  });
  return rows.map(campaignOfRow).filter((campaign): campaign is Campaign => campaign !== null);
}

/**
 * The campaigns running at `now` that a shopper could still get on an order: not archived, for
 * everyone or for the member's tier, and (once-per-member ones) not used yet. Guests see only the
 * campaigns for everyone.
 */
export async function runningCampaignsFor(
  shop: { id: string; ianaTimezone: string },
  member: { id: string; tierHandle: string | null } | null,
  now: Date = new Date(),
): Promise<RunningCampaign[]> {
  const timeZone = shopTimeZone(shop);
  const local = localDateTimeOf(now, timeZone).slice(0, 16);
  // Text filter on the wall times (±1 day for DST), then the exact window.
  const rows = await db.campaign.findMany({
    where: { shopId: shop.id, archivedAt: null, startsAt: { lte: `${addDays(local.slice(0, 10), 1)}T23:59` }, endsAt: { gt: `${addDays(local.slice(0, 10), -1)}T00:00` } },
    orderBy: [{ endsAt: "asc" }, { id: "asc" }],
    take: 50,
  });
  const used = member
    ? new Set((await db.campaignUse.findMany({ where: { shopId: shop.id, memberId: member.id }, select: { campaignId: true } })).map((use) => use.campaignId))
    : new Set<string>();
  const running: RunningCampaign[] = [];
  for (const row of rows) {
    const campaign = campaignOfRow(row);
    if (!campaign) continue;
    const { start, end } = campaignWindow(campaign, timeZone);
    if (now.getTime() < start.getTime() || now.getTime() >= end.getTime()) continue;
    const tiers = campaign.targetTiers ?? [];
    if (tiers.length > 0 && (!member?.tierHandle || !tiers.includes(member.tierHandle))) continue;
    if (campaign.oncePerMember && used.has(campaign.id)) continue;
    running.push({
      name: campaign.name,
      kind: campaign.kind,
      value: campaign.value,
      minimumOrderAmount: campaign.minimumOrderAmount,
      endsAt: end.toISOString(),
      lastDay: localDateOf(new Date(end.getTime() - 1), timeZone),
    });
  }
  return running;
}

export interface BonusOrder {
  orderGid: string;
  label: string;
  paidAt: Date;
  eligibleAmount: string;
  /** The order's base points (before any tier multiplier). */
  basePoints: number;
}

/**
 * Writes the best campaign's bonus for an order whose base points are being credited in this same
 * transaction. Returns the bonus points written (0 when no campaign applies).
 */
export async function appendCampaignBonus(
  tx: Tx,
  shop: { id: string; ianaTimezone: string },
  memberId: string,
  order: BonusOrder,
): Promise<number> {
  if (order.basePoints <= 0) return 0;
  const timeZone = shopTimeZone(shop);
  const campaigns = await campaignsAround(tx, shop.id, order.paidAt, timeZone);
  if (campaigns.length === 0) return 0;
  const member = await tx.member.findUniqueOrThrow({ where: { id: memberId }, select: { tierHandle: true } });
  const onceIds = campaigns.filter((campaign) => campaign.oncePerMember).map((campaign) => campaign.id);
  const used =
    onceIds.length === 0
      ? []
      : await tx.campaignUse.findMany({
          where: { shopId: shop.id, memberId, campaignId: { in: onceIds } },
          select: { campaignId: true },
        });
  const best = bestCampaignFor(
    { orderRef: order.orderGid, paidAt: order.paidAt, eligibleAmount: order.eligibleAmount, basePoints: order.basePoints },
    campaigns,
    { memberId, memberTier: member.tierHandle, alreadyUsedOnce: used.map((use) => use.campaignId), timeZone },
  );
  if (!best) return 0;
  if (best.oncePerMemberKey) {
    // Unique (shop, campaign, member): a concurrent order's use makes this transaction fail and retry.
    await tx.campaignUse.create({
      data: { shopId: shop.id, campaignId: best.campaignId, memberId, orderGid: order.orderGid },
    });
  }
  const name = campaigns.find((campaign) => campaign.id === best.campaignId)?.name ?? "";
  await appendCredit(tx, {
    shopId: shop.id,
    memberId,
    kind: "campaign_bonus",
    delta: best.bonusPoints,
    idempotencyKey: best.idempotencyKey,
    orderGid: order.orderGid,
    rule: {
      campaignId: best.campaignId,
      campaignName: name,
      kind: best.kind,
      value: best.value,
      basePoints: order.basePoints,
      eligibleAmount: order.eligibleAmount,
      paidAt: order.paidAt.toISOString(),
    },
    description: `Bonus campaign "${name}" on order ${order.label}`,
  });
  return best.bonusPoints;
}

/** The bonus an order received and how much of it refunds/cancellation already took back. */
async function bonusState(tx: Tx, shopId: string, orderGid: string): Promise<{ awarded: number; reversed: number }> {
  const entries = await tx.ledgerEntry.findMany({
    where: { shopId, orderGid, kind: { in: ["campaign_bonus", "campaign_bonus_reversal"] } },
    select: { kind: true, delta: true, shortfall: true, idempotencyKey: true },
  });
  let awarded = 0;
  let reversed = 0;
  for (const entry of entries) {
    if (entry.kind === "campaign_bonus" && entry.idempotencyKey === campaignBonusKey(orderGid)) awarded += entry.delta;
    // A reversal's intended size is what it took plus what the balance could not cover.
    if (entry.kind === "campaign_bonus_reversal") reversed += -entry.delta + entry.shortfall;
  }
  return { awarded, reversed };
}

/**
 * A refund's share of the order's bonus, in the refund's own transaction (which also moves the
 * order's version, so two refunds of one order never both read the same "already reversed").
 * Null when there is nothing to take back.
 */
export async function reverseCampaignBonusForRefund(
  tx: Tx,
  input: { shopId: string; memberId: string; orderGid: string; label: string; refundGid: string; eligibleAmount: string; refundedTotal: string },
): Promise<DebitResult | null> {
  const state = await bonusState(tx, input.shopId, input.orderGid);
  if (state.awarded <= 0) return null;
  const points = campaignBonusReversal({
    bonusAwarded: state.awarded,
    eligibleAmount: input.eligibleAmount,
    refundedAmount: input.refundedTotal,
    alreadyReversed: state.reversed,
  });
  if (points <= 0) return null;
  return appendDebit(tx, {
    shopId: input.shopId,
    memberId: input.memberId,
    kind: "campaign_bonus_reversal",
    delta: points,
    idempotencyKey: refundBonusKey(input.refundGid),
    orderGid: input.orderGid,
    refundGid: input.refundGid,
    rule: { bonusAwarded: state.awarded, eligibleAmount: input.eligibleAmount, refundedTotal: input.refundedTotal },
    description: `Refund on order ${input.label}: campaign bonus`,
  });
}

/** Cancellation takes back whatever is left of the bonus; null when nothing is left. */
export async function reverseCampaignBonusForCancel(
  tx: Tx,
  input: { shopId: string; memberId: string; orderGid: string; label: string },
): Promise<DebitResult | null> {
  const state = await bonusState(tx, input.shopId, input.orderGid);
  const remaining = state.awarded - state.reversed;
  if (remaining <= 0) return null;
  return appendDebit(tx, {
    shopId: input.shopId,
    memberId: input.memberId,
    kind: "campaign_bonus_reversal",
    delta: remaining,
    idempotencyKey: cancelBonusKey(input.orderGid),
    orderGid: input.orderGid,
    rule: { bonusAwarded: state.awarded, alreadyReversed: state.reversed },
    description: `Order ${input.label} cancelled: campaign bonus`,
  });
}
