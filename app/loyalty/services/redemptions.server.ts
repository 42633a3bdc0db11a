/**
 * Redeeming points for a reward: a saga with no lost points (DESIGN.md invariant 6,
 * docs/decisions/007-rewards-redemption-saga.md).
 *
 *   1. Redemption(pending) keyed by (shop, member, requestId): the unique constraint makes a retried
 *      request find its first attempt instead of redeeming twice.
 *   2. Conditional debit through the ledger, key `redeem:<redemption id>`, never below zero.
 *   3. The discount code in Shopify (customer-locked, single use, dated).
 *   4. Redemption(issued) with the code, the discount's GID and the expiry.
 *   If 3 fails: a compensating credit `redeem:<id>:restore`, Redemption(failed), `shopify_unavailable`.
 *
 * Donations stop after 2 (the debit and the pledge are one transaction; nothing to create in Shopify).
 * Staff cancel an unused code: delete it in Shopify, then refund `redeem:<id>:cancel`.
 * An orders/paid carrying the code marks it used.
 */
import type { Redemption } from "@prisma/client";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { appendCredit, appendDebit, isUniqueViolation, runOnce } from "~/loyalty/ledger.server";
import {
  codeExpiry,
  generateCode,
  isKeepsakeCode,
  normalizeCode,
  parseRewardDefinition,
  redemptionCost,
  rewardFromColumns,
  rewardToColumns,
  type DiscountValue,
  type Reward,
} from "~/loyalty/rewards";
import type { IssuedCode, RedeemRequest, RedeemSuccess, RewardKind, StorefrontErrorCode } from "~/loyalty/storefront-contract";
import { offlineAccess, ShopifyApiError } from "~/shopify/admin-api.server";
import { createLoyaltyCode, deleteLoyaltyCode, findLoyaltyCode } from "~/shopify/discounts.server";
import { queueProgramSync } from "./shopify-outbox.server";

export type RedemptionStatus = "pending" | "issued" | "failed" | "used" | "cancelled";

export type RedeemOutcome =
  | { ok: true; value: RedeemSuccess }
  | { ok: false; code: StorefrontErrorCode; message: string; retryAfterSeconds?: number };

/** English fallbacks; the widget translates by code. Never a Shopify or database detail. */
const MESSAGES = {
  not_enrolled: "Join the rewards program to redeem points.",
  reward_not_found: "This reward does not exist.",
  reward_inactive: "This reward is not available any more.",
  not_enough_points: "You don't have enough points for this reward.",
  shopify_unavailable: "We couldn't create your code just now. Your points were not spent; please try again.",
  request_in_progress: "This redemption is still being processed. Please try again in a moment.",
} as const satisfies Partial<Record<StorefrontErrorCode, string>>;

function failure(code: keyof typeof MESSAGES, extra: { retryAfterSeconds?: number } = {}): RedeemOutcome {
  return { ok: false, code, message: MESSAGES[code], ...extra };
}

export const redeemKey = (redemptionId: string) => `redeem:${redemptionId}`;
export const restoreKey = (redemptionId: string) => `redeem:${redemptionId}:restore`;
export const cancelKey = (redemptionId: string) => `redeem:${redemptionId}:cancel`;

/** How long a retry waits for the first attempt of the same requestId before answering 409. */
const PENDING_WAIT_MS = 5_000;
const PENDING_POLL_MS = 100;

export const customerGidOf = (customerNumericId: string) => `gid://shopify/Customer/${customerNumericId}`;

/**
 * Redeems `request.rewardId` for the logged-in customer `customerNumericId` of `shopDomain` (both
 * from the signed app-proxy request, never from the body).
 */
export async function redeemReward(
  shopDomain: string,
  customerNumericId: string,
  request: RedeemRequest,
  options: { shopifyTimeoutMs?: number } = {},
): Promise<RedeemOutcome> {
  const shop = await db.shop.findUnique({
    where: { domain: shopDomain },
    select: { id: true, domain: true, programEnabled: true },
  });
  if (!shop) return failure("not_enrolled");
  const customerGid = customerGidOf(customerNumericId);
  const member = await db.member.findUnique({
    where: { shopId_customerGid: { shopId: shop.id, customerGid } },
    select: { id: true },
  });
  if (!member) return failure("not_enrolled");

  // A retry answers what its first attempt answered, even if the reward changed since. This read is
  // a shortcut only: the unique constraint below is what stops a second redemption.
  const earlier = await findByRequest(shop.id, member.id, request.requestId);
  if (earlier) return answerFor(earlier);

  const row = await db.reward.findFirst({ where: { id: request.rewardId, shopId: shop.id } });
  const reward = row ? rewardFromColumns(row) : null;
  if (!reward) return failure("reward_not_found");
  // A paused program offers nothing (GET member lists no rewards then either).
  if (!reward.active || !shop.programEnabled) return failure("reward_inactive");
  const cost = redemptionCost(reward, request.points);
  if (!cost.ok) return { ok: false, code: "invalid_points", message: cost.message };

  const created = await createPending(shop.id, member.id, reward, request.requestId, cost.points, cost.value);
  if (!created.created) return answerFor(created.redemption);
  const redemption = created.redemption;
  const log = logger.child({ shop: shop.domain, redemptionId: redemption.id, rewardId: reward.id });

  // Step 2: the conditional debit. A donation is complete with it (same transaction).
  let debited: boolean;
  try {
    debited = await debit(redemption, reward);
  } catch (error) {
    await markFailed(redemption.id, "internal_error", describe(error));
    throw error;
  }
  if (!debited) return failure("not_enough_points");
  if (reward.kind === "donation" || !cost.value || !redemption.code) return answerFor(await reload(redemption.id));

  // Step 3: the code in Shopify, outside any transaction (a slow Shopify must not hold the database).
  const issuedAt = new Date();
  const expiresAt = codeExpiry(issuedAt, reward.codeExpiresInDays);
  const spec = {
    code: redemption.code,
    title: `Keepsake: ${reward.name}`,
    customerGid,
    value: cost.value,
    startsAt: issuedAt,
    endsAt: expiresAt,
    minimumSubtotal: reward.minimumSubtotal,
    combinesWith: reward.combinesWith,
  };
  const creating = (async () => createLoyaltyCode(await offlineAccess(shop.domain), spec))();
  let discountGid: string;
  try {
    discountGid = await withTimeout(creating, options.shopifyTimeoutMs ?? SHOPIFY_TIMEOUT_MS);
  } catch (error) {
    log.warn(
      { kind: error instanceof ShopifyApiError ? error.kind : "unexpected", error: describe(error) },
      "discount not created; restoring points",
    );
    await restore(redemption, reward, describe(error));
    if (error instanceof TimeoutError) {
      // Shopify may still create it: a code nobody was given must not stay usable.
      void creating.then(
        (late) => deleteLateCode(shop.domain, late, log),
        () => undefined,
      );
    }
    return failure("shopify_unavailable");
  }

  // Step 4.
  const recorded = await db.redemption.updateMany({
    where: { id: redemption.id, status: "pending" },
    data: { status: "issued", discountGid, expiresAt },
  });
  if (recorded.count === 1) {
    log.info({ points: redemption.pointsSpent }, "reward redeemed");
  } else {
    // Recovery gave this (very slow) attempt up and restored the points meanwhile: the code must
    // not outlive that decision.
    await deleteLateCode(shop.domain, discountGid, log);
  }
  return answerFor(await reload(redemption.id));
}

// ---------------------------------------------------------------------------------------------
// rewards given, not bought (tier entry rewards, birthday gifts, referral rewards)

export type GrantOutcome =
  | { ok: true; redemptionId: string; code: string | null; status: "issued" }
  | { ok: false; reason: "reward_not_found" | "reward_not_grantable" | "shopify_unavailable"; message: string };

/** Grants are Redemption rows whose requestId starts with this; they spend no points. */
export const GRANT_PREFIX = "grant:";

const GRANTABLE_KINDS = new Set(["amount_off", "percent_off", "free_shipping", "free_product"]);

/**
 * Issues a reward of the catalog to a member for free: a customer-locked, single-use code, exactly
 * like a redemption but spending 0 points. `grantKey` (e.g. `birthday:<member>:<year>`) makes it
 * idempotent: the Redemption row `(shop, member, "grant:" + grantKey)` is unique, so a job rerun or a
 * retried webhook gets the same code back. When Shopify fails the row is left `failed` and the next
 * call with the same key tries again (failed → pending is a conditional update, so two callers never
 * both create a code). Sliding scales and donations cannot be granted (no fixed value to give).
 */
export async function grantRewardCode(
  shopId: string,
  memberId: string,
  rewardId: string,
  grantKey: string,
  options: { reason: string; shopifyTimeoutMs?: number },
): Promise<GrantOutcome> {
  const shop = await db.shop.findUniqueOrThrow({ where: { id: shopId }, select: { id: true, domain: true } });
  const member = await db.member.findFirstOrThrow({ where: { id: memberId, shopId }, select: { id: true, customerGid: true } });
  const row = await db.reward.findFirst({ where: { id: rewardId, shopId } });
  const reward = row ? rewardFromColumns(row) : null;
  if (!reward) return { ok: false, reason: "reward_not_found", message: "The reward to grant does not exist." };
  if (!GRANTABLE_KINDS.has(reward.kind)) {
    return { ok: false, reason: "reward_not_grantable", message: "Only fixed discounts can be given away (not sliding scales or donations)." };
  }
  const cost = redemptionCost(reward);
  if (!cost.ok || !cost.value) return { ok: false, reason: "reward_not_grantable", message: "This reward has no fixed value." };

  const requestId = `${GRANT_PREFIX}${grantKey}`;
  const created = await createPending(shop.id, member.id, reward, requestId, 0, cost.value);
  let redemption = created.redemption;
  if (!created.created) {
    if (redemption.status === "issued" || redemption.status === "used" || redemption.status === "cancelled") {
      return { ok: true, redemptionId: redemption.id, code: redemption.code, status: "issued" };
    }
    // failed before: take it back to pending (only one caller wins); pending: someone else is on it.
    const retaken = await db.redemption.updateMany({
      where: { id: redemption.id, status: "failed" },
      data: { status: "pending", errorCode: null, error: null },
    });
    if (retaken.count !== 1) {
      return { ok: false, reason: "shopify_unavailable", message: "This reward is being issued; try again shortly." };
    }
    redemption = await reload(redemption.id);
  }
  if (!redemption.code) throw new Error(`grant ${redemption.id} has no code`);

  const issuedAt = new Date();
  const expiresAt = codeExpiry(issuedAt, reward.codeExpiresInDays);
  const creating = (async () =>
    createLoyaltyCode(await offlineAccess(shop.domain), {
      code: redemption.code as string,
      title: `Keepsake: ${reward.name} (${options.reason})`,
      customerGid: member.customerGid,
      value: cost.value as DiscountValue,
      startsAt: issuedAt,
      endsAt: expiresAt,
      minimumSubtotal: reward.minimumSubtotal,
      combinesWith: reward.combinesWith,
    }))();
  const log = logger.child({ shop: shop.domain, redemptionId: redemption.id, rewardId: reward.id });
  let discountGid: string;
  try {
    discountGid = await withTimeout(creating, options.shopifyTimeoutMs ?? SHOPIFY_TIMEOUT_MS);
  } catch (error) {
    log.warn({ error: describe(error) }, "granted code not created; will retry");
    await markFailed(redemption.id, "shopify_unavailable", describe(error));
    if (error instanceof TimeoutError) {
      void creating.then(
        (late) => deleteLateCode(shop.domain, late, log),
        () => undefined,
      );
    }
    return { ok: false, reason: "shopify_unavailable", message: "Shopify did not create the code; it will be retried." };
  }
  const recorded = await db.redemption.updateMany({
    where: { id: redemption.id, status: "pending" },
    data: { status: "issued", discountGid, expiresAt },
  });
  if (recorded.count !== 1) {
    await deleteLateCode(shop.domain, discountGid, log);
    return { ok: false, reason: "shopify_unavailable", message: "The grant was given up meanwhile; it will be retried." };
  }
  log.info({ reason: options.reason }, "reward granted");
  return { ok: true, redemptionId: redemption.id, code: redemption.code, status: "issued" };
}

/**
 * How long a shopper's request waits for Shopify to create the code. Under the app proxy's own
 * timeout, so the shopper gets our clear answer (points restored) rather than a proxy error.
 */
export const SHOPIFY_TIMEOUT_MS = 8_000;

class TimeoutError extends Error {
  constructor(ms: number) {
    super(`Shopify did not answer within ${ms} ms`);
    this.name = "TimeoutError";
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(ms)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function deleteLateCode(shopDomain: string, discountGid: string, log: typeof logger): Promise<void> {
  log.warn({ discountGid }, "Shopify created the code after the redemption was given up; deleting it");
  try {
    await deleteLoyaltyCode(await offlineAccess(shopDomain), discountGid);
  } catch (error) {
    log.error({ error: describe(error), discountGid }, "late code not deleted");
  }
}

// ---------------------------------------------------------------------------------------------
// reward definitions (for the admin pages and seeds; the redeem path only reads them)

export type CreateRewardOutcome = { ok: true; id: string } | { ok: false; issues: string[] };

/** Validates a definition (app/loyalty/rewards.ts) and stores it for the shop. Bad input stores nothing. */
export async function createReward(shopDomain: string, input: unknown): Promise<CreateRewardOutcome> {
  const parsed = parseRewardDefinition(input);
  if (!parsed.success) {
    return { ok: false, issues: parsed.error.issues.map((i) => `${i.path.join(".") || "reward"}: ${i.message}`) };
  }
  const shop = await db.shop.findUnique({ where: { domain: shopDomain }, select: { id: true } });
  if (!shop) return { ok: false, issues: [`shop ${shopDomain} is not installed`] };
  // The catalog is part of the storefront's program metafield: its sync commits with the reward.
  const [reward] = await db.$transaction([
    db.reward.create({ data: { shopId: shop.id, ...rewardToColumns(parsed.data) } }),
    queueProgramSync(db, shop.id),
  ]);
  return { ok: true, id: reward.id };
}

export interface DonationTotal {
  rewardId: string;
  name: string;
  cause: string | null;
  points: number;
  pledges: number;
}

/** Points pledged per donation reward (cancelled pledges excluded), largest first. */
export async function donationTotals(shopDomain: string): Promise<DonationTotal[]> {
  const shop = await db.shop.findUnique({ where: { domain: shopDomain }, select: { id: true } });
  if (!shop) return [];
  const sums = await db.redemption.groupBy({
    by: ["rewardId"],
    where: { shopId: shop.id, kind: "donation", status: "issued" },
    _sum: { pointsSpent: true },
    _count: { _all: true },
  });
  const rewards = await db.reward.findMany({
    where: { shopId: shop.id, id: { in: sums.map((row) => row.rewardId) } },
    select: { id: true, name: true, donationCause: true },
  });
  const byId = new Map(rewards.map((reward) => [reward.id, reward]));
  return sums
    .map((row) => ({
      rewardId: row.rewardId,
      name: byId.get(row.rewardId)?.name ?? "",
      cause: byId.get(row.rewardId)?.donationCause ?? null,
      points: row._sum.pointsSpent ?? 0,
      pledges: row._count._all,
    }))
    .sort((a, b) => b.points - a.points);
}

async function findByRequest(shopId: string, memberId: string, requestId: string): Promise<Redemption | null> {
  return db.redemption.findUnique({ where: { shopId_memberId_requestId: { shopId, memberId, requestId } } });
}

async function reload(id: string): Promise<Redemption> {
  return db.redemption.findUniqueOrThrow({ where: { id } });
}

/** Step 1. The code is chosen now, so a crash after Shopify created it still leaves it on record. */
async function createPending(
  shopId: string,
  memberId: string,
  reward: Reward,
  requestId: string,
  points: number,
  value: DiscountValue | null,
): Promise<{ created: true; redemption: Redemption } | { created: false; redemption: Redemption }> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const redemption = await db.redemption.create({
        data: {
          shopId,
          memberId,
          rewardId: reward.id,
          requestId,
          kind: reward.kind,
          rewardName: reward.name,
          pointsSpent: points,
          amount: value?.type === "amount" ? value.amount : null,
          status: "pending",
          code: value ? generateCode() : null,
        },
      });
      return { created: true, redemption };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const existing = await findByRequest(shopId, memberId, requestId);
      if (existing) return { created: false, redemption: existing };
      // Not the request id, so the code: 60 random bits collided. Draw again.
      if (attempt >= 3) throw error;
    }
  }
}

/** Step 2: true if the points were taken; false (and the redemption failed) if there were too few. */
async function debit(redemption: Redemption, reward: Reward): Promise<boolean> {
  const outcome = await runOnce(db, async (tx) => {
    const taken = await appendDebit(
      tx,
      {
        shopId: redemption.shopId,
        memberId: redemption.memberId,
        kind: "redemption",
        delta: redemption.pointsSpent,
        idempotencyKey: redeemKey(redemption.id),
        rule: { rewardId: reward.id, kind: reward.kind, amount: redemption.amount },
        description: `Redeemed: ${reward.name}`,
      },
      { requireFull: true },
    );
    if (taken.shortfall > 0) {
      await tx.redemption.update({
        where: { id: redemption.id },
        data: { status: "failed", errorCode: "not_enough_points", error: `short of ${taken.shortfall} points` },
      });
      return false;
    }
    if (reward.kind === "donation") {
      // The pledge is this row (reward.donationCause via rewardId); totals are summed from it.
      await tx.redemption.update({ where: { id: redemption.id }, data: { status: "issued" } });
    }
    return true;
  });
  // The key exists: this redemption was debited before (cannot happen for a fresh row, but is true).
  return outcome.applied ? outcome.value : true;
}

/** The compensation: points back and the redemption failed, in one transaction. */
async function restore(redemption: Redemption, reward: Reward, error: string): Promise<void> {
  await runOnce(db, async (tx) => {
    await tx.redemption.updateMany({
      where: { id: redemption.id, status: "pending" },
      data: { status: "failed", errorCode: "shopify_unavailable", error: error.slice(0, 1000) },
    });
    await appendCredit(tx, {
      shopId: redemption.shopId,
      memberId: redemption.memberId,
      kind: "redemption_restore",
      delta: redemption.pointsSpent,
      idempotencyKey: restoreKey(redemption.id),
      rule: { rewardId: reward.id },
      description: `Points restored: ${reward.name}`,
    });
  });
  // If the restore entry already existed, the status update above rolled back with it: set it now.
  await db.redemption.updateMany({
    where: { id: redemption.id, status: "pending" },
    data: { status: "failed", errorCode: "shopify_unavailable", error: error.slice(0, 1000) },
  });
}

async function markFailed(id: string, errorCode: string, error: string): Promise<void> {
  await db.redemption.updateMany({
    where: { id, status: "pending" },
    data: { status: "failed", errorCode, error: error.slice(0, 1000) },
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What a redemption answers, the first time and on every retry of its requestId. */
async function answerFor(initial: Redemption): Promise<RedeemOutcome> {
  let redemption = initial;
  const deadline = Date.now() + PENDING_WAIT_MS;
  while (redemption.status === "pending" && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, PENDING_POLL_MS));
    redemption = await reload(redemption.id);
  }
  switch (redemption.status as RedemptionStatus) {
    case "pending":
      return failure("request_in_progress", { retryAfterSeconds: 2 });
    case "failed": {
      const code = redemption.errorCode;
      if (code === "not_enough_points" || code === "shopify_unavailable") return failure(code);
      // An unexpected failure of the first attempt: fail the same way again, loudly.
      throw new Error(`redemption ${redemption.id} failed: ${redemption.errorCode ?? "unknown"}`);
    }
    case "issued":
    case "used":
    case "cancelled": {
      const member = await db.member.findUniqueOrThrow({ where: { id: redemption.memberId }, select: { balance: true } });
      return {
        ok: true,
        value: {
          code: redemption.code,
          expiresAt: redemption.expiresAt?.toISOString() ?? null,
          rewardId: redemption.rewardId,
          rewardName: redemption.rewardName,
          kind: redemption.kind as RewardKind,
          pointsSpent: redemption.pointsSpent,
          balance: member.balance,
        },
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// after the redemption

/** Codes issued to a member and not yet used (nor expired, nor cancelled), newest first. */
export async function unusedCodesOf(shopId: string, memberId: string, now = new Date()): Promise<IssuedCode[]> {
  const rows = await db.redemption.findMany({
    where: {
      shopId,
      memberId,
      status: "issued",
      code: { not: null },
      OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 50,
  });
  return rows.flatMap((row) =>
    row.code
      ? [
          {
            code: row.code,
            rewardId: row.rewardId,
            rewardName: row.rewardName,
            kind: row.kind as RewardKind,
            issuedAt: row.createdAt.toISOString(),
            expiresAt: row.expiresAt?.toISOString() ?? null,
          },
        ]
      : [],
  );
}

/**
 * orders/paid with discount codes: the Keepsake codes among them are used by that order. Only an
 * issued code changes (so a redelivery, or a second order, changes nothing). Returns how many.
 */
export async function markCodesUsed(shopId: string, orderGid: string, discountCodes: readonly string[]): Promise<number> {
  const codes = [...new Set(discountCodes.filter(isKeepsakeCode).map(normalizeCode))];
  if (codes.length === 0) return 0;
  const result = await db.redemption.updateMany({
    where: { shopId, code: { in: codes }, status: "issued" },
    data: { status: "used", usedOrderGid: orderGid, usedAt: new Date() },
  });
  return result.count;
}

export interface RecoveryReport {
  checked: number;
  issued: number;
  restored: number;
  failedBeforeDebit: number;
  retryLater: number;
}

/** Long enough that no live request is still between its debit and its Shopify answer. */
export const STALE_PENDING_MS = 10 * 60_000;

/**
 * Redemptions left pending by a request that stopped half-way (crash, deploy, timeout): Shopify
 * is asked whether the code exists. It does → record it as issued (the shopper paid for it and
 * sees it in GET member). It does not → restore the points and fail it. Not debited → just fail it.
 * Shopify unreachable → left for the next run. For a scheduled job; safe to run concurrently with
 * redeems and with itself (every step is conditional on the row still being pending).
 */
export async function recoverStaleRedemptions(
  options: { now?: Date; olderThanMs?: number; limit?: number } = {},
): Promise<RecoveryReport> {
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - (options.olderThanMs ?? STALE_PENDING_MS));
  const stale = await db.redemption.findMany({
    where: { status: "pending", updatedAt: { lt: cutoff } },
    include: { shop: { select: { domain: true } }, reward: true },
    orderBy: { updatedAt: "asc" },
    take: options.limit ?? 100,
  });
  const report: RecoveryReport = { checked: stale.length, issued: 0, restored: 0, failedBeforeDebit: 0, retryLater: 0 };
  for (const redemption of stale) {
    const log = logger.child({ shop: redemption.shop.domain, redemptionId: redemption.id });
    const isGrant = redemption.requestId.startsWith(GRANT_PREFIX);
    const debitEntry = isGrant
      ? null
      : await db.ledgerEntry.findUnique({
          where: { shopId_idempotencyKey: { shopId: redemption.shopId, idempotencyKey: redeemKey(redemption.id) } },
          select: { id: true },
        });
    if (isGrant && redemption.code) {
      // A grant spent no points: find its code in Shopify or mark it failed (the next grant call retries).
      try {
        const found = await findLoyaltyCode(await offlineAccess(redemption.shop.domain), redemption.code);
        if (found) {
          const updated = await db.redemption.updateMany({
            where: { id: redemption.id, status: "pending" },
            data: { status: "issued", discountGid: found.discountGid, expiresAt: found.endsAt },
          });
          report.issued += updated.count;
        } else {
          await markFailed(redemption.id, "shopify_unavailable", "stopped before the code was created in Shopify");
          report.failedBeforeDebit += 1;
        }
      } catch (error) {
        report.retryLater += 1;
        log.warn({ error: describe(error) }, "stale grant: Shopify not reachable, retry later");
      }
      continue;
    }
    if (!debitEntry) {
      await markFailed(redemption.id, "internal_error", "stopped before the debit");
      report.failedBeforeDebit += 1;
      continue;
    }
    const reward = rewardFromColumns(redemption.reward);
    if (!reward || !redemption.code) {
      // A pending donation cannot exist (debit and pledge are one transaction); be safe anyway.
      log.error("stale pending redemption without a code or a readable reward; left for staff");
      report.retryLater += 1;
      continue;
    }
    try {
      const found = await findLoyaltyCode(await offlineAccess(redemption.shop.domain), redemption.code);
      if (found) {
        const updated = await db.redemption.updateMany({
          where: { id: redemption.id, status: "pending" },
          data: { status: "issued", discountGid: found.discountGid, expiresAt: found.endsAt },
        });
        report.issued += updated.count;
        log.info("stale redemption: code found in Shopify, recorded as issued");
      } else {
        await restore(redemption, reward, "stopped before the code was created in Shopify");
        report.restored += 1;
        log.info("stale redemption: no code in Shopify, points restored");
      }
    } catch (error) {
      report.retryLater += 1;
      log.warn({ error: describe(error) }, "stale redemption: Shopify not reachable, retry later");
    }
  }
  return report;
}

export type CancelOutcome =
  | { ok: true; refunded: number; alreadyCancelled: boolean }
  | { ok: false; reason: "not_found" | "not_cancellable"; status?: string };

/**
 * Staff cancel an unused redemption: the discount is deleted in Shopify first (a code that still
 * works must never come with its points back), then the points are refunded. Shopify failures
 * throw ShopifyApiError and change nothing here. Repeating a cancel is harmless.
 */
export async function cancelRedemption(
  shopDomain: string,
  redemptionId: string,
  staffId: string | null = null,
): Promise<CancelOutcome> {
  const redemption = await db.redemption.findFirst({ where: { id: redemptionId, shop: { domain: shopDomain } } });
  if (!redemption) return { ok: false, reason: "not_found" };
  if (redemption.status === "cancelled") return { ok: true, refunded: 0, alreadyCancelled: true };
  if (redemption.status !== "issued") return { ok: false, reason: "not_cancellable", status: redemption.status };

  if (redemption.discountGid) {
    try {
      await deleteLoyaltyCode(await offlineAccess(shopDomain), redemption.discountGid);
    } catch (error) {
      // Gone already (an earlier cancel deleted it, then failed before the refund): go on.
      const gone = error instanceof ShopifyApiError && error.kind === "user_errors" && /does not exist/i.test(error.message);
      if (!gone) throw error;
    }
  }

  const outcome = await runOnce(db, async (tx) => {
    const claimed = await tx.redemption.updateMany({
      where: { id: redemption.id, status: "issued" },
      data: { status: "cancelled", cancelledAt: new Date(), staffId },
    });
    // Used meanwhile (an order paid with it before the delete): no refund.
    if (claimed.count !== 1) return false;
    await appendCredit(tx, {
      shopId: redemption.shopId,
      memberId: redemption.memberId,
      kind: "redemption_cancel",
      delta: redemption.pointsSpent,
      idempotencyKey: cancelKey(redemption.id),
      staffId,
      rule: { rewardId: redemption.rewardId },
      description: `Redemption cancelled: ${redemption.rewardName}`,
    });
    return true;
  });
  if (outcome.applied && outcome.value) {
    logger.info({ shop: shopDomain, redemptionId, staffId }, "redemption cancelled");
    return { ok: true, refunded: redemption.pointsSpent, alreadyCancelled: false };
  }
  const now = await reload(redemption.id);
  return now.status === "cancelled"
    ? { ok: true, refunded: 0, alreadyCancelled: true }
    : { ok: false, reason: "not_cancellable", status: now.status };
}
