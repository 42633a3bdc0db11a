/**
 * Orders → points. Every webhook about an order (paid, refund, cancelled, in any order, any number
 * of times) records what it knows and then calls `reconcileOrder`, which brings the ledger to the
 * state those facts imply. Each step is one idempotent ledger entry:
 *
 *   order:<gid>:earn       + the award, frozen at paid time (rule stored on the entry)
 *   refund:<gid>:reverse   − that refund's share (cumulative, so shares sum to the award at most)
 *   order:<gid>:cancel     − whatever is left of the award
 *
 * A bonus campaign's points are separate entries linked to the order (campaigns.server.ts): decided
 * in the earn entry's transaction, reversed in each refund's and the cancellation's.
 *
 * A refund or cancellation that arrives before the award waits (RefundRecord.appliedAt = null,
 * OrderRecord.cancelledAt) and is applied right after the award is written, so arrival order never
 * changes the final balance.
 */
import db from "~/db.server";
import {
  computeOrderEarning,
  refundedMerchandise,
  reversalTarget,
  type EligibleLine,
  type PaidOrderFacts,
  type RefundLineFacts,
} from "~/loyalty/earning";
import {
  appendCredit,
  appendDebit,
  ConcurrentChangeError,
  isUniqueViolation,
  runOnce,
  type Tx,
} from "~/loyalty/ledger.server";
import { fromMicros, toMicros } from "~/loyalty/money";
import {
  appendCampaignBonus,
  reverseCampaignBonusForCancel,
  reverseCampaignBonusForRefund,
} from "./campaigns.server";
import { ensureMember, normalizeEmail, type CustomerProfile } from "./members.server";
import { markCodesUsed } from "./redemptions.server";
import { attributeReferralOrder, settleReferralOrder } from "./referrals.server";
import { earnSettingsOf, type ShopRecord } from "./shops.server";
import { basePointsOf, demoteAfterRefundIfEnabled, orderAwardFor, orderProgressColumns, promoteIfQualified } from "./tiers.server";

export interface PaidOrder extends PaidOrderFacts {
  customer: CustomerProfile | null;
  /** Discount codes used at checkout (a Keepsake reward code among them is marked used). */
  discountCodes?: readonly string[];
  /** Referral checks only (a friend's order vs the referrer); never stored. */
  phones?: readonly string[];
  shippingAddress?: { address1: string | null; address2: string | null; zip: string | null; countryCode: string | null } | null;
  /** processed_at: when the order was paid (campaign windows); the arrival time when absent. */
  processedAt?: Date | null;
}

export interface ReconcileResult {
  earned: number;
  reversed: number;
}

const earnKey = (orderGid: string) => `order:${orderGid}:earn`;
const cancelKey = (orderGid: string) => `order:${orderGid}:cancel`;
const refundKey = (refundGid: string) => `refund:${refundGid}:reverse`;

function orderLabel(order: { orderName: string | null; orderGid: string }): string {
  return order.orderName ?? order.orderGid.replace("gid://shopify/Order/", "#");
}

/** orders/paid. The award is computed with the settings in force now and frozen on the record. */
export async function recordPaidOrder(shop: ShopRecord, order: PaidOrder): Promise<ReconcileResult> {
  const computed = computeOrderEarning(order, earnSettingsOf(shop));
  const member = order.customer ? await ensureMember(shop, order.customer) : null;
  // Base points → the member's tier multiplier (frozen in the rule with the base points, which feed
  // tier progress and campaign bonuses); an excluded member earns nothing (tiers.server.ts).
  const earning = member ? await orderAwardFor(shop, member, computed) : computed;
  const paidData = {
    orderName: order.orderName,
    customerGid: order.customerGid,
    guestEmail: order.customerGid ? null : normalizeEmail(order.email),
    paidAt: order.processedAt ?? new Date(),
    eligibleAmount: earning.eligibleAmount,
    lines: JSON.stringify(earning.lines),
    pointsAwarded: earning.points,
    rule: JSON.stringify(earning.rule),
    skipReason: earning.skipReason,
  };
  // Their integer twins for the nightly tier progress (written with them, never apart).
  const paidFacts = { ...paidData, ...orderProgressColumns(paidData) };
  const where = { shopId_orderGid: { shopId: shop.id, orderGid: order.orderGid } };
  const existing = await db.orderRecord.findUnique({ where, select: { paidAt: true } });
  if (!existing) {
    try {
      await db.orderRecord.create({ data: { shopId: shop.id, orderGid: order.orderGid, ...paidFacts } });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      await freezePaidFacts(shop.id, order.orderGid, paidFacts);
    }
  } else if (!existing.paidAt) {
    await freezePaidFacts(shop.id, order.orderGid, paidFacts);
  }
  const result = await reconcileOrder(shop, order.orderGid);
  // Promotion is immediate: the earning may cross a tier threshold (entry rewards once per tier).
  if (member) await promoteIfQualified(shop.id, member.id, order.orderGid);
  // Rewards: a separate concern that only needs the codes; idempotent like the rest.
  if (order.discountCodes?.length) {
    await markCodesUsed(shop.id, order.orderGid, order.discountCodes);
    // A referral friend's code: the referrer's reward (idempotent per referral; docs/decisions/016).
    await attributeReferralOrder(shop, {
      orderGid: order.orderGid,
      customerGid: order.customerGid,
      email: order.email,
      phones: order.phones ?? [],
      shippingAddress: order.shippingAddress ?? null,
      discountCodes: order.discountCodes,
    });
  }
  return result;
}

/** Paid facts are written once: a redelivery (or a late one after edits) never changes them. */
async function freezePaidFacts(shopId: string, orderGid: string, paidData: object): Promise<void> {
  await db.orderRecord.updateMany({ where: { shopId, orderGid, paidAt: null }, data: paidData });
}

/** refunds/create. Recorded first (so one arriving before orders/paid is kept), then applied. */
export async function recordRefund(
  shop: ShopRecord,
  refund: { refundGid: string; orderGid: string; lines: RefundLineFacts[] },
): Promise<ReconcileResult> {
  try {
    await db.refundRecord.create({
      data: {
        shopId: shop.id,
        refundGid: refund.refundGid,
        orderGid: refund.orderGid,
        lines: JSON.stringify(refund.lines),
      },
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error; // a redelivery: already recorded
  }
  const result = await reconcileOrder(shop, refund.orderGid);
  // Refunds never demote mid-period unless the shop turned tierRefundsDemote on.
  await demoteAfterRefundIfEnabled(shop.id, refund.orderGid, refund.refundGid);
  await settleReferralOrder(shop, refund.orderGid); // a full refund within the pending days reverses it
  return result;
}

/** orders/cancelled. Creates the record if the cancellation is the first thing we hear. */
export async function recordCancellation(
  shop: ShopRecord,
  order: { orderGid: string; orderName: string | null },
): Promise<ReconcileResult> {
  const now = new Date();
  try {
    await db.orderRecord.create({
      data: { shopId: shop.id, orderGid: order.orderGid, orderName: order.orderName, cancelledAt: now },
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    await db.orderRecord.updateMany({
      where: { shopId: shop.id, orderGid: order.orderGid, cancelledAt: null },
      data: { cancelledAt: now },
    });
  }
  const result = await reconcileOrder(shop, order.orderGid);
  await demoteAfterRefundIfEnabled(shop.id, order.orderGid, `cancel:${order.orderGid}`);
  await settleReferralOrder(shop, order.orderGid);
  return result;
}

/**
 * customers/create with an email that earlier guest checkouts used: those orders become the new
 * customer's (once: the conditional update only takes unclaimed rows) and are reconciled.
 */
export async function claimGuestOrders(shop: ShopRecord, customerGid: string, email: string): Promise<number> {
  const candidates = await db.orderRecord.findMany({
    where: { shopId: shop.id, guestEmail: email, customerGid: null },
    select: { orderGid: true },
  });
  let claimed = 0;
  for (const { orderGid } of candidates) {
    const taken = await db.orderRecord.updateMany({
      where: { shopId: shop.id, orderGid, customerGid: null },
      data: { customerGid, guestEmail: null, claimedAt: new Date() },
    });
    if (taken.count === 1) {
      claimed += 1;
      await reconcileOrder(shop, orderGid);
    }
  }
  return claimed;
}

/** The earn entry exists: reversals may only run after it, or they would take unearned points. */
async function awardWritten(tx: Tx, shopId: string, orderGid: string): Promise<boolean> {
  const entry = await tx.ledgerEntry.findUnique({
    where: { shopId_idempotencyKey: { shopId, idempotencyKey: earnKey(orderGid) } },
    select: { id: true },
  });
  return entry !== null;
}

export async function reconcileOrder(shop: ShopRecord, orderGid: string): Promise<ReconcileResult> {
  const result: ReconcileResult = { earned: 0, reversed: 0 };
  const order = await db.orderRecord.findUnique({
    where: { shopId_orderGid: { shopId: shop.id, orderGid } },
  });
  if (!order?.paidAt || !order.customerGid) return result; // not paid yet, or a guest's
  const paidAt = order.paidAt;
  const member = await db.member.findUnique({
    where: { shopId_customerGid: { shopId: shop.id, customerGid: order.customerGid } },
    select: { id: true },
  });
  if (!member) return result;

  if (order.pointsAwarded > 0) {
    const earn = await runOnce(db, async (tx) => {
      await appendCredit(tx, {
        shopId: shop.id,
        memberId: member.id,
        kind: "order_earn",
        delta: order.pointsAwarded,
        idempotencyKey: earnKey(orderGid),
        orderGid,
        rule: order.rule ? JSON.parse(order.rule) : undefined,
        description: `Order ${orderLabel(order)}`,
      });
      // Decided once, with the award (a guest order's when it is claimed): base points, paid instant.
      return appendCampaignBonus(tx, shop, member.id, {
        orderGid,
        label: orderLabel(order),
        paidAt,
        eligibleAmount: order.eligibleAmount ?? "0",
        basePoints: basePointsOf(order), // before the tier multiplier (ADR 011: no compounding)
      });
    });
    if (earn.applied) result.earned = order.pointsAwarded + earn.value;
  }

  const pendingRefunds = await db.refundRecord.findMany({
    where: { shopId: shop.id, orderGid, appliedAt: null },
    orderBy: { createdAt: "asc" },
    select: { id: true },
  });
  for (const refund of pendingRefunds) {
    const applied = await runOnce(db, (tx) => applyRefund(tx, shop.id, member.id, refund.id));
    if (applied.applied) result.reversed += applied.value;
  }

  if (order.cancelledAt) {
    const cancelled = await runOnce(db, (tx) => applyCancellation(tx, shop.id, member.id, orderGid));
    if (cancelled.applied) result.reversed += cancelled.value;
  }
  return result;
}

async function applyRefund(tx: Tx, shopId: string, memberId: string, refundId: string): Promise<number> {
  const refund = await tx.refundRecord.findUniqueOrThrow({ where: { id: refundId } });
  if (refund.appliedAt) return 0;
  const order = await tx.orderRecord.findUniqueOrThrow({
    where: { shopId_orderGid: { shopId, orderGid: refund.orderGid } },
  });
  if (order.pointsAwarded > 0 && !(await awardWritten(tx, shopId, order.orderGid))) return 0;

  const paidLines = JSON.parse(order.lines ?? "[]") as EligibleLine[];
  const refundLines = JSON.parse(refund.lines) as RefundLineFacts[];
  const merchandise = refundedMerchandise(paidLines, refundLines);
  const refundedTotal = fromMicros(toMicros(order.refundedAmount) + merchandise);
  const target = reversalTarget(order.pointsAwarded, order.eligibleAmount ?? "0", refundedTotal);
  const toReverse = Math.max(0, Math.min(target, order.pointsAwarded) - order.pointsReversed);

  let taken = 0;
  if (toReverse > 0) {
    const debit = await appendDebit(tx, {
      shopId,
      memberId,
      kind: "refund_reversal",
      delta: toReverse,
      idempotencyKey: refundKey(refund.refundGid),
      orderGid: order.orderGid,
      refundGid: refund.refundGid,
      rule: { pointsAwarded: order.pointsAwarded, eligibleAmount: order.eligibleAmount, refundedTotal },
      description: `Refund on order ${orderLabel(order)}`,
    });
    taken = debit.taken;
  }
  const bonus = await reverseCampaignBonusForRefund(tx, {
    shopId,
    memberId,
    orderGid: order.orderGid,
    label: orderLabel(order),
    refundGid: refund.refundGid,
    eligibleAmount: order.eligibleAmount ?? "0",
    refundedTotal,
  });
  taken += bonus?.taken ?? 0;
  const orderUpdate = await tx.orderRecord.updateMany({
    where: { id: order.id, version: order.version },
    data: {
      pointsReversed: order.pointsReversed + toReverse,
      refundedAmount: refundedTotal,
      ...orderProgressColumns({ refundedAmount: refundedTotal }),
      version: order.version + 1,
    },
  });
  if (orderUpdate.count !== 1) throw new ConcurrentChangeError(`order ${order.orderGid}`);
  const refundUpdate = await tx.refundRecord.updateMany({
    where: { id: refund.id, appliedAt: null },
    data: { appliedAt: new Date(), merchandiseAmount: fromMicros(merchandise) },
  });
  if (refundUpdate.count !== 1) throw new ConcurrentChangeError(`refund ${refund.refundGid}`);
  return taken;
}

async function applyCancellation(tx: Tx, shopId: string, memberId: string, orderGid: string): Promise<number> {
  const order = await tx.orderRecord.findUniqueOrThrow({
    where: { shopId_orderGid: { shopId, orderGid } },
  });
  const remaining = order.pointsAwarded - order.pointsReversed;
  const reverseBase = remaining > 0 && (await awardWritten(tx, shopId, orderGid));
  const bonus = await reverseCampaignBonusForCancel(tx, { shopId, memberId, orderGid, label: orderLabel(order) });
  if (!reverseBase && !bonus) return 0;
  let taken = bonus?.taken ?? 0;
  if (reverseBase) {
    const debit = await appendDebit(tx, {
      shopId,
      memberId,
      kind: "cancel_reversal",
      delta: remaining,
      idempotencyKey: cancelKey(orderGid),
      orderGid,
      rule: { pointsAwarded: order.pointsAwarded, alreadyReversed: order.pointsReversed },
      description: `Order ${orderLabel(order)} cancelled`,
    });
    taken += debit.taken;
  }
  // The version moves even for a bonus-only reversal, so a concurrent refund re-reads what is left.
  const orderUpdate = await tx.orderRecord.updateMany({
    where: { id: order.id, version: order.version },
    data: { pointsReversed: reverseBase ? order.pointsAwarded : order.pointsReversed, version: order.version + 1 },
  });
  if (orderUpdate.count !== 1) throw new ConcurrentChangeError(`order ${orderGid}`);
  return taken;
}
