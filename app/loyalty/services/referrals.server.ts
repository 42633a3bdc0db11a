/**
 * Referrals (issue 5; docs/decisions/016-referrals.md). A member shares `https://<shop>/?kp_ref=<code>`;
 * a friend claims the offer with an email and gets a single-use code (the merchant's friend reward);
 * when the friend's FIRST order is paid with that code the referrer earns their reward
 * (`referral:<id>:reward`), taken back (`referral:<id>:reverse`) if that order is refunded in full or
 * cancelled within the pending days. Every fraud rule is in app/loyalty/referrals.ts; a rejected
 * claim or order is recorded with its reason for staff.
 */
import type { Referral } from "@prisma/client";
import db from "~/db.server";
import { promoteIfQualified } from "./tiers.server";
import { env } from "~/env.server";
import { logger } from "~/logger.server";
import { appendCredit, appendDebit, isUniqueViolation, runOnce } from "~/loyalty/ledger.server";
import {
  attributionStep,
  checkClaim,
  checkReferralOrder,
  friendCodesIn,
  generateFriendCode,
  generateReferralCode,
  hashEmail,
  hashIp,
  isFullyRefunded,
  monthWindow,
  normalizeEmailAddress,
  normalizeReferralCode,
  orderedBefore,
  referralLink,
  referralReverseKey,
  referralRewardKey,
  withinPendingPeriod,
  type AddressFacts,
  type Identity,
  type QuantityLine,
  type RejectReason,
} from "~/loyalty/referrals";
import { codeExpiry, redemptionCost, rewardFromColumns, type Reward } from "~/loyalty/rewards";
import type {
  OwnReferral,
  ReferralClaimErrorCode,
  ReferralClaimSuccess,
  ReferralOffer,
  ReferralResponse,
  RewardKind,
} from "~/loyalty/storefront-contract";
import { offlineAccess } from "~/shopify/admin-api.server";
import { fetchCustomerContact } from "~/shopify/customer-contact.server";
import { fetchOrderHistory } from "~/shopify/customer-order-history.server";
import { createLoyaltyCode } from "~/shopify/discounts.server";
import { cancelRedemption, customerGidOf, GRANT_PREFIX, grantRewardCode } from "./redemptions.server";
import type { ShopRecord } from "./shops.server";

const GRANTABLE = new Set<RewardKind>(["amount_off", "percent_off", "free_shipping", "free_product"]);

// ---------------------------------------------------------------------------------------------
// the member's own code

/** The member's referral code, drawn on first use (unique per shop; a collision draws again). */
export async function ensureReferralCode(shopId: string, memberId: string): Promise<string> {
  for (let attempt = 1; ; attempt += 1) {
    const member = await db.member.findFirstOrThrow({ where: { id: memberId, shopId }, select: { referralCode: true } });
    if (member.referralCode) return member.referralCode;
    try {
      // Conditional: two first uses at once keep one code (the loser reads the winner's).
      await db.member.updateMany({ where: { id: memberId, shopId, referralCode: null }, data: { referralCode: generateReferralCode() } });
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= 5) throw error;
    }
  }
}

async function catalogReward(shopId: string, rewardId: string | null): Promise<Reward | null> {
  if (!rewardId) return null;
  const row = await db.reward.findFirst({ where: { id: rewardId, shopId } });
  return row ? rewardFromColumns(row) : null;
}

/** The friend's reward if it can be given as a code now (set, active, a fixed kind). */
async function friendRewardOf(shop: { id: string; friendRewardId: string | null }): Promise<Reward | null> {
  const reward = await catalogReward(shop.id, shop.friendRewardId);
  return reward && reward.active && GRANTABLE.has(reward.kind) ? reward : null;
}

const offerOf = (reward: Reward): ReferralOffer => ({ rewardName: reward.name, kind: reward.kind });

interface ReferralShop {
  id: string;
  domain: string;
  programEnabled: boolean;
  referralsEnabled: boolean;
  friendRewardId: string | null;
  referrerRewardPoints: number | null;
  referrerRewardId: string | null;
  referralIpClaimsPerDay: number;
}

const REFERRAL_SHOP_SELECT = {
  id: true,
  domain: true,
  programEnabled: true,
  referralsEnabled: true,
  friendRewardId: true,
  referrerRewardPoints: true,
  referrerRewardId: true,
  referralIpClaimsPerDay: true,
} as const satisfies Record<keyof ReferralShop, true>;

/** Referrer by code, in this shop, still in the program. */
async function referrerByCode(shopId: string, ref: string | null | undefined) {
  const code = normalizeReferralCode(ref);
  if (!code) return null;
  return db.member.findFirst({
    where: { shopId, referralCode: code, redactedAt: null, excludedAt: null },
    select: { id: true, customerGid: true, email: true },
  });
}

/** GET /apps/keepsake/referral: the friend's offer for `ref`, and the logged-in member's own referral. */
export async function referralView(shopDomain: string, customerNumericId: string, ref: string | null): Promise<ReferralResponse> {
  const shop = await db.shop.findUnique({ where: { domain: shopDomain }, select: REFERRAL_SHOP_SELECT });
  if (!shop || !shop.programEnabled || !shop.referralsEnabled) return { enabled: false, offer: null, own: null };
  const friendReward = await friendRewardOf(shop);
  const offer = friendReward && ref && (await referrerByCode(shop.id, ref)) ? offerOf(friendReward) : null;

  let own: OwnReferral | null = null;
  if (customerNumericId) {
    const member = await db.member.findUnique({
      where: { shopId_customerGid: { shopId: shop.id, customerGid: customerGidOf(customerNumericId) } },
      select: { id: true, excludedAt: true },
    });
    if (member && !member.excludedAt) {
      const code = await ensureReferralCode(shop.id, member.id);
      const [claimed, rewarded, earned, reversed, referrerReward] = await Promise.all([
        db.referral.count({ where: { shopId: shop.id, referrerId: member.id, status: { not: "rejected" } } }),
        db.referral.count({ where: { shopId: shop.id, referrerId: member.id, status: "rewarded" } }),
        db.ledgerEntry.aggregate({ where: { shopId: shop.id, memberId: member.id, kind: "referral_reward" }, _sum: { delta: true } }),
        db.ledgerEntry.aggregate({ where: { shopId: shop.id, memberId: member.id, kind: "referral_reversal" }, _sum: { delta: true } }),
        catalogReward(shop.id, shop.referrerRewardId),
      ]);
      own = {
        code,
        link: referralLink(shop.domain, code),
        referrerReward: { points: shop.referrerRewardPoints, rewardName: referrerReward?.name ?? null },
        friendReward: friendReward ? offerOf(friendReward) : null,
        // Reversal deltas are negative (debits), so the sum is the net.
        stats: { claimed, rewarded, pointsEarned: (earned._sum.delta ?? 0) + (reversed._sum.delta ?? 0) },
      };
    }
  }
  return { enabled: true, offer, own };
}

// ---------------------------------------------------------------------------------------------
// the friend's claim

export type ClaimOutcome =
  | { ok: true; value: ReferralClaimSuccess }
  | { ok: false; code: ReferralClaimErrorCode; message: string; retryAfterSeconds?: number };

/** English fallbacks; the widget translates by code. */
const CLAIM_MESSAGES = {
  referrals_disabled: "Referrals are not available in this shop.",
  referral_not_found: "This referral link is not valid.",
  self_referral: "You can't use your own referral link.",
  existing_customer: "This offer is for new customers only.",
  email_used: "This email has already received a friend's offer.",
  ip_limit: "Too many offers were claimed from your network today. Please try again tomorrow.",
  request_in_progress: "Your code is being created. Please try again in a moment.",
  shopify_unavailable: "We couldn't create your code just now. Please try again.",
} as const satisfies Partial<Record<ReferralClaimErrorCode, string>>;

const claimFailure = (code: keyof typeof CLAIM_MESSAGES, retryAfterSeconds?: number): ClaimOutcome => ({
  ok: false,
  code,
  message: CLAIM_MESSAGES[code],
  ...(retryAfterSeconds ? { retryAfterSeconds } : {}),
});

const DAY_MS = 86_400_000;

export interface ClaimInput {
  ref: string;
  email: string;
  /** The signed `logged_in_customer_id` ("" for a guest). */
  loggedInCustomerId: string;
  /** The shopper's address from the app proxy's X-Forwarded-For (referrals.ts shopperAddress); null: unknown. */
  clientIp: string | null;
}

/** Paid orders Keepsake knows for this email (guest checkouts, or the member with that email) or customer. */
async function paidOrdersOf(
  shopId: string,
  who: { email: string | null; customerGids: string[] },
  exceptOrderGid?: string,
): Promise<number> {
  const gids = new Set(who.customerGids);
  if (who.email) {
    const members = await db.member.findMany({ where: { shopId, email: who.email }, select: { customerGid: true } });
    for (const member of members) gids.add(member.customerGid);
  }
  const or = [...(who.email ? [{ guestEmail: who.email }] : []), ...(gids.size ? [{ customerGid: { in: [...gids] } }] : [])];
  if (or.length === 0) return 0;
  return db.orderRecord.count({
    where: { shopId, paidAt: { not: null }, OR: or, ...(exceptOrderGid ? { orderGid: { not: exceptOrderGid } } : {}) },
  });
}

/**
 * POST /apps/keepsake/referral/claim. Accepted: a Referral(claimed) holding the email's key (the
 * unique (shop, acceptedEmailKey) is what keeps one friend reward per email, even for two claims at
 * once), then the code in Shopify. Rejected: a Referral(rejected) with the reason, and the reason
 * as the answer. The same email claiming the same link again gets its code back.
 */
export async function claimReferral(shopDomain: string, input: ClaimInput): Promise<ClaimOutcome> {
  const shop = await db.shop.findUnique({ where: { domain: shopDomain }, select: REFERRAL_SHOP_SELECT });
  if (!shop || !shop.programEnabled || !shop.referralsEnabled) return claimFailure("referrals_disabled");
  const reward = await friendRewardOf(shop);
  if (!reward) return claimFailure("referrals_disabled");
  const referrer = await referrerByCode(shop.id, input.ref);
  if (!referrer) return claimFailure("referral_not_found");

  const email = normalizeEmailAddress(input.email) as string;
  const emailHash = hashEmail(email);
  const ipHash = input.clientIp ? hashIp(input.clientIp, env().SHOPIFY_API_SECRET) : null;

  // A repeat of an accepted claim (same email, same link): its code again. Another link: email_used.
  const accepted = await db.referral.findUnique({ where: { shopId_acceptedEmailKey: { shopId: shop.id, acceptedEmailKey: emailHash } } });
  if (accepted?.referrerId === referrer.id && accepted.status === "claimed") return claimAnswer(accepted, reward);

  const loggedInGid = input.loggedInCustomerId ? customerGidOf(input.loggedInCustomerId) : null;
  const since = new Date(Date.now() - DAY_MS);
  const [friendOrders, claimsFromIp] = await Promise.all([
    paidOrdersOf(shop.id, { email, customerGids: loggedInGid ? [loggedInGid] : [] }),
    ipHash ? db.referral.count({ where: { shopId: shop.id, claimIpHash: ipHash, createdAt: { gte: since } } }) : null,
  ]);
  const verdict = checkClaim({
    referrer: { customerGid: referrer.customerGid, emails: [referrer.email] },
    friend: { customerGid: loggedInGid, emails: [email] },
    friendHasOrders: friendOrders > 0,
    emailAlreadyRewarded: accepted !== null,
    claimsFromIpToday: claimsFromIp,
    ipClaimsPerDay: shop.referralIpClaimsPerDay,
  });
  const base = { shopId: shop.id, referrerId: referrer.id, friendEmail: email, friendEmailHash: emailHash, claimIpHash: ipHash, friendCustomerGid: loggedInGid };
  if (!verdict.ok) return reject(base, verdict.reason);

  let referral: Referral;
  try {
    referral = await db.referral.create({
      data: { ...base, acceptedEmailKey: emailHash, friendCode: generateFriendCode(), status: "claimed" },
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // Another claim of this email won the race (or, at 60 bits, a code collided: same answer, retry).
    const winner = await db.referral.findUnique({ where: { shopId_acceptedEmailKey: { shopId: shop.id, acceptedEmailKey: emailHash } } });
    if (!winner) return claimFailure("request_in_progress", 1);
    if (winner.referrerId === referrer.id) return claimAnswer(winner, reward);
    return reject(base, "email_used");
  }

  const value = redemptionCost(reward);
  if (!value.ok || !value.value) throw new Error(`friend reward ${reward.id} has no fixed value`);
  const issuedAt = new Date();
  const expiresAt = codeExpiry(issuedAt, reward.codeExpiresInDays);
  try {
    const discountGid = await createLoyaltyCode(await offlineAccess(shop.domain), {
      code: referral.friendCode as string,
      title: `Keepsake referral: ${reward.name}`,
      customerGid: null, // the friend may not be a customer yet; single use keeps it to one order
      value: value.value,
      startsAt: issuedAt,
      endsAt: expiresAt,
      minimumSubtotal: reward.minimumSubtotal,
      combinesWith: reward.combinesWith,
    });
    referral = await db.referral.update({ where: { id: referral.id }, data: { discountGid } });
  } catch (error) {
    // Nothing was given: drop the claim so the friend can try again (the email is free again).
    logger.warn({ shop: shop.domain, referralId: referral.id, error: error instanceof Error ? error.message : String(error) }, "friend code not created");
    await db.referral.deleteMany({ where: { id: referral.id, discountGid: null } });
    return claimFailure("shopify_unavailable");
  }
  logger.info({ shop: shop.domain, referralId: referral.id }, "referral claimed");
  return claimAnswer(referral, reward, expiresAt);
}

async function reject(
  data: { shopId: string; referrerId: string; friendEmail: string; friendEmailHash: string; claimIpHash: string | null; friendCustomerGid: string | null },
  reason: RejectReason,
): Promise<ClaimOutcome> {
  await db.referral.create({ data: { ...data, status: "rejected", rejectReason: reason, acceptedEmailKey: null } });
  return claimFailure(reason as keyof typeof CLAIM_MESSAGES);
}

function claimAnswer(referral: Referral, reward: Reward, expiresAt?: Date | null): ClaimOutcome {
  if (!referral.friendCode || !referral.discountGid) return claimFailure("request_in_progress", 1);
  return {
    ok: true,
    value: {
      code: referral.friendCode,
      rewardName: reward.name,
      kind: reward.kind,
      expiresAt: (expiresAt === undefined ? codeExpiry(referral.createdAt, reward.codeExpiresInDays) : expiresAt)?.toISOString() ?? null,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// the friend's order (orders/paid), refunds and cancellations

export interface ReferralOrderFacts {
  orderGid: string;
  customerGid: string | null;
  email: string | null;
  phones: readonly (string | null | undefined)[];
  shippingAddress: AddressFacts | null;
  discountCodes: readonly string[];
}

/**
 * orders/paid: a claimed referral whose friend code this order used is rewarded or rejected, once
 * (conditional on `claimed`). A redelivery finds it decided and only finishes what may be unfinished
 * (the referrer's reward code, a reversal). Shopify failures throw: the delivery is retried.
 */
export async function attributeReferralOrder(shop: ShopRecord, order: ReferralOrderFacts): Promise<void> {
  const codes = friendCodesIn(order.discountCodes);
  if (codes.length === 0) return;
  const referral = await db.referral.findFirst({ where: { shopId: shop.id, friendCode: { in: codes } } });
  if (!referral) return;
  const step = attributionStep(referral, order.orderGid);
  if (step === "ignore") return;
  if (step === "resume") {
    await finishReferral(shop, referral.id);
    return;
  }

  const referrer = await db.member.findFirstOrThrow({ where: { id: referral.referrerId, shopId: shop.id }, select: { customerGid: true, email: true } });
  const access = await offlineAccess(shop.domain);
  // Shopify failures throw: the delivery is retried, nothing is decided on missing facts.
  const contact = await fetchCustomerContact(access, referrer.customerGid);
  // Keepsake's records start at install: Shopify also says whether the friend ordered before this order.
  const history = order.customerGid ? await fetchOrderHistory(access, order.customerGid, order.orderGid) : null;
  const referrerIdentity: Identity = {
    customerGid: referrer.customerGid,
    emails: [referrer.email, contact?.email],
    phones: contact?.phones ?? [],
    addresses: contact?.address ? [contact.address] : [],
  };
  const email = normalizeEmailAddress(order.email);
  const { start, end } = monthWindow(new Date(), shop.ianaTimezone);
  const [friendEarlierOrders, rewardedThisMonth] = await Promise.all([
    paidOrdersOf(shop.id, { email, customerGids: order.customerGid ? [order.customerGid] : [] }, order.orderGid),
    db.referral.count({ where: { shopId: shop.id, referrerId: referral.referrerId, status: "rewarded", rewardedAt: { gte: start, lt: end } } }),
  ]);
  const verdict = checkReferralOrder({
    referrer: referrerIdentity,
    friend: { customerGid: order.customerGid, emails: [email], phones: order.phones, addresses: [order.shippingAddress] },
    friendEarlierOrders: friendEarlierOrders + (orderedBefore(history, order.orderGid) ? 1 : 0),
    rewardedThisMonth,
    monthlyCap: shop.referralMonthlyCap,
    referralsEnabled: shop.referralsEnabled && shop.programEnabled,
  });
  const log = logger.child({ shop: shop.domain, referralId: referral.id });
  if (!verdict.ok) {
    // The friend used their code (nothing to take back from them); the referrer earns nothing.
    await db.referral.updateMany({
      where: { id: referral.id, status: "claimed" },
      data: { status: "rejected", rejectReason: verdict.reason, orderGid: order.orderGid, friendCustomerGid: order.customerGid ?? referral.friendCustomerGid },
    });
    log.info({ reason: verdict.reason }, "referral order rejected");
    return;
  }

  const points = shop.referrerRewardPoints ?? 0;
  await runOnce(db, async (tx) => {
    const won = await tx.referral.updateMany({
      where: { id: referral.id, status: "claimed" },
      data: { status: "rewarded", orderGid: order.orderGid, rewardedAt: new Date(), friendCustomerGid: order.customerGid ?? referral.friendCustomerGid },
    });
    if (won.count !== 1 || points <= 0) return;
    await appendCredit(tx, {
      shopId: shop.id,
      memberId: referral.referrerId,
      kind: "referral_reward",
      delta: points,
      idempotencyKey: referralRewardKey(referral.id),
      orderGid: order.orderGid,
      rule: { referralId: referral.id, points },
      description: "Referral reward: a friend's first order",
    });
  });
  log.info({ points }, "referral rewarded");
  await finishReferral(shop, referral.id);
  // Referral points count toward VIP tiers: promotion is immediate (ADR 011).
  if (points > 0) await promoteIfQualified(shop.id, referral.referrerId, referralRewardKey(referral.id));
}

/** The grant's key for the referrer's reward code; its Redemption row is `grant:` + this. */
const rewardGrantKey = referralRewardKey;

/**
 * Brings a decided referral to what its facts imply: the referrer's reward code issued (rewarded),
 * the reversal applied when the friend's order was refunded in full or cancelled within the pending
 * days, and a reversed referral's unused reward code cancelled. Idempotent; Shopify failures throw.
 */
async function finishReferral(shop: ShopRecord, referralId: string): Promise<void> {
  let referral = await db.referral.findFirstOrThrow({ where: { id: referralId, shopId: shop.id } });
  if (referral.status === "rewarded" && referral.orderGid && (await reversalDue(shop, referral.orderGid))) {
    referral = await reverse(shop, referral);
  }
  const rewardId = shop.referrerRewardId;
  if (referral.status === "rewarded" && rewardId) {
    const grantKey = rewardGrantKey(referral.id);
    const existing = await db.redemption.findFirst({ where: { shopId: shop.id, memberId: referral.referrerId, requestId: `${GRANT_PREFIX}${grantKey}` } });
    // The reward to give is the one in force when first attempted (a setting change must not swap it).
    const granted = await grantRewardCode(shop.id, referral.referrerId, existing?.rewardId ?? rewardId, grantKey, { reason: "referral" });
    if (!granted.ok && granted.reason === "shopify_unavailable") throw new Error(`referral ${referral.id}: ${granted.message}`);
    if (!granted.ok) logger.warn({ shop: shop.domain, referralId: referral.id, reason: granted.reason }, "referral reward code not granted");
  }
  if (referral.status === "reversed") {
    const grant = await db.redemption.findFirst({
      where: { shopId: shop.id, memberId: referral.referrerId, requestId: `${GRANT_PREFIX}${rewardGrantKey(referral.id)}`, status: "issued" },
      select: { id: true },
    });
    // An unused reward code goes; a used one cannot be taken back (recorded by the reversal).
    if (grant) await cancelRedemption(shop.domain, grant.id);
  }
}

async function reversalDue(shop: ShopRecord, orderGid: string): Promise<boolean> {
  const order = await db.orderRecord.findUnique({ where: { shopId_orderGid: { shopId: shop.id, orderGid } } });
  if (!order?.paidAt) return false;
  if (order.cancelledAt) return withinPendingPeriod(order.paidAt, order.cancelledAt, shop.referralPendingDays);
  const refunds = await db.refundRecord.findMany({ where: { shopId: shop.id, orderGid }, orderBy: { createdAt: "asc" } });
  if (refunds.length === 0) return false;
  const paidLines = JSON.parse(order.lines ?? "[]") as QuantityLine[];
  const refundLines = refunds.map((refund) => JSON.parse(refund.lines) as QuantityLine[]);
  // The moment it became a full refund: the first prefix of refunds that covers every line.
  for (let i = 1; i <= refunds.length; i += 1) {
    if (isFullyRefunded(paidLines, refundLines.slice(0, i))) {
      return withinPendingPeriod(order.paidAt, (refunds[i - 1] as { createdAt: Date }).createdAt, shop.referralPendingDays);
    }
  }
  return false;
}

async function reverse(shop: ShopRecord, referral: Referral): Promise<Referral> {
  await runOnce(db, async (tx) => {
    const won = await tx.referral.updateMany({ where: { id: referral.id, status: "rewarded" }, data: { status: "reversed", reversedAt: new Date() } });
    if (won.count !== 1) return;
    const reward = await tx.ledgerEntry.findUnique({
      where: { shopId_idempotencyKey: { shopId: shop.id, idempotencyKey: referralRewardKey(referral.id) } },
      select: { delta: true },
    });
    if (!reward || reward.delta <= 0) return;
    await appendDebit(tx, {
      shopId: shop.id,
      memberId: referral.referrerId,
      kind: "referral_reversal",
      delta: reward.delta,
      idempotencyKey: referralReverseKey(referral.id),
      orderGid: referral.orderGid,
      rule: { referralId: referral.id, rewarded: reward.delta },
      description: "Referral reward reversed: the friend's order was refunded or cancelled",
    });
  });
  logger.info({ shop: shop.domain, referralId: referral.id }, "referral reversed");
  return db.referral.findFirstOrThrow({ where: { id: referral.id } });
}

/** refunds/create, orders/cancelled (and orders/paid): settle the referral of this order, if any. */
export async function settleReferralOrder(shop: ShopRecord, orderGid: string): Promise<void> {
  const referral = await db.referral.findFirst({
    where: { shopId: shop.id, orderGid, status: { in: ["rewarded", "reversed"] } },
    select: { id: true },
  });
  if (referral) await finishReferral(shop, referral.id);
}

// ---------------------------------------------------------------------------------------------
// personal data

/** customers/redact (and delete) of a friend or a referrer: their referrals' friend emails go. */
export async function eraseReferralEmails(shopId: string, target: { customerGid: string; email?: string | null }): Promise<number> {
  const email = normalizeEmailAddress(target.email);
  const erased = await db.referral.updateMany({
    where: {
      shopId,
      friendEmail: { not: null },
      OR: [
        { friendCustomerGid: target.customerGid },
        { referrer: { customerGid: target.customerGid } },
        ...(email ? [{ friendEmailHash: hashEmail(email) }] : []),
      ],
    },
    data: { friendEmail: null },
  });
  return erased.count;
}

/** customers/data_request: the customer's referral code, the friends they referred, and their claims as a friend. */
export async function referralDataOf(shopId: string, target: { customerGid: string; email?: string | null }) {
  const email = normalizeEmailAddress(target.email);
  const member = await db.member.findUnique({
    where: { shopId_customerGid: { shopId, customerGid: target.customerGid } },
    select: { id: true, referralCode: true },
  });
  const rows = await db.referral.findMany({
    where: {
      shopId,
      OR: [
        ...(member ? [{ referrerId: member.id }] : []),
        { friendCustomerGid: target.customerGid },
        ...(email ? [{ friendEmailHash: hashEmail(email) }] : []),
      ],
    },
    orderBy: { createdAt: "asc" },
  });
  const describe = (row: Referral) => ({
    friendEmail: row.friendEmail,
    status: row.status,
    rejectReason: row.rejectReason,
    friendCode: row.friendCode,
    orderGid: row.orderGid,
    createdAt: row.createdAt.toISOString(),
  });
  return {
    referralCode: member?.referralCode ?? null,
    referred: rows.filter((row) => member && row.referrerId === member.id).map(describe),
    claimedAsFriend: rows.filter((row) => !member || row.referrerId !== member.id).map(describe),
  };
}
