/**
 * Redeeming rewards through the app proxy (POST /apps/keepsake/redeem) against the real database
 * and the Admin GraphQL stand-in: the saga (debit → Shopify code → issued, or restore), retries,
 * concurrency, the code's life after (used by an order, cancelled by staff) and shop isolation.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { appendCredit, appendDebit, findBalanceMismatches, runOnce } from "~/loyalty/ledger.server";
import type { RewardInput } from "~/loyalty/rewards";
import {
  cancelRedemption,
  createReward as createRewardDefinition,
  donationTotals,
  grantRewardCode,
  recoverStaleRedemptions,
  redeemReward,
} from "~/loyalty/services/redemptions.server";
import { offlineAccess } from "~/shopify/admin-api.server";
import { createLoyaltyCode } from "~/shopify/discounts.server";
import type { RedeemSuccess, StorefrontError } from "~/loyalty/storefront-contract";
import { deliver, entriesOf, installShop, memberOf, proxyGet, proxyPost } from "../support/app";
import { resetDatabase } from "../support/database";
import {
  createAdminApiStandIn,
  installAdminApiFetch,
  type AdminApiFetchHandle,
  type AdminApiStandIn,
} from "../support/shopify/admin-graphql";
import { customerPayload, paidOrderPayload, type CustomerPayload } from "../support/shopify/payloads";

const SHOP = "test-shop.myshopify.com";
const OTHER_SHOP = "other-shop.myshopify.com";

let shopify: AdminApiStandIn;
let handle: AdminApiFetchHandle | undefined;
let requestCounter = 0;

beforeEach(async () => {
  await resetDatabase(db);
  await installShop(SHOP);
  await installShop(OTHER_SHOP);
  // Cost throttling off: the concurrency test sends many mutations at once; throttling is tested on demand.
  shopify = createAdminApiStandIn({ throttle: false });
  handle = installAdminApiFetch(shopify, { passthrough: false });
});

afterEach(() => handle?.restore());

const newRequestId = () => `req-${Date.now().toString(36)}-${(requestCounter += 1)}`;

async function shopId(domain = SHOP): Promise<string> {
  return (await db.shop.findUniqueOrThrow({ where: { domain } })).id;
}

async function createReward(input: RewardInput, domain = SHOP): Promise<string> {
  const created = await createRewardDefinition(domain, input);
  if (!created.ok) throw new Error(created.issues.join("; "));
  return created.id;
}

/** A member (through customers/create) holding `points`. */
async function memberWith(points: number, domain = SHOP, customer: CustomerPayload = customerPayload()) {
  await deliver("customers/create", customer, { shop: domain });
  const member = await memberOf(domain, customer.admin_graphql_api_id);
  if (!member) throw new Error("member not enrolled");
  if (points > 0) {
    await runOnce(db, (tx) =>
      appendCredit(tx, {
        shopId: member.shopId,
        memberId: member.id,
        kind: "manual_adjustment",
        delta: points,
        idempotencyKey: `test:grant:${member.id}:${points}`,
        description: "Test grant",
      })
    );
  }
  return { customer, member, customerId: String(customer.id) };
}

async function balanceOf(memberId: string): Promise<number> {
  return (await db.member.findUniqueOrThrow({ where: { id: memberId } })).balance;
}

async function redeem(customerId: string, body: Record<string, unknown>, domain = SHOP) {
  const response = await proxyPost({
    shop: domain,
    loggedInCustomerId: customerId,
    body,
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as unknown,
  };
}

async function expectLedgerExact() {
  expect((await findBalanceMismatches(db)).mismatches).toEqual([]);
}

const creates = () => [
  ...shopify.requestsFor("DiscountCodeBasicCreate"),
  ...shopify.requestsFor("DiscountCodeFreeShippingCreate"),
  ...shopify.requestsFor("DiscountCodeFreeProductCreate"),
];

const CODE = /^KS-[A-HJ-NP-Z2-9]{12}$/;

describe("POST /apps/keepsake/redeem: each kind of reward", () => {
  const cases: {
    name: string;
    reward: RewardInput;
    points?: number;
    spent: number;
    operation: string;
    input: string;
    gets?: unknown;
  }[] = [
    {
      name: "amount_off",
      reward: {
        kind: "amount_off",
        name: "$5 off",
        pointsCost: 500,
        amount: "5.00",
        minimumSubtotal: "20.00",
        codeExpiresInDays: 30,
      },
      spent: 500,
      operation: "DiscountCodeBasicCreate",
      input: "basicCodeDiscount",
      gets: {
        items: { all: true },
        value: { discountAmount: { amount: "5.00", appliesOnEachItem: false } },
      },
    },
    {
      name: "percent_off",
      reward: {
        kind: "percent_off",
        name: "10% off",
        pointsCost: 800,
        percentage: "10",
        codeExpiresInDays: 30,
      },
      spent: 800,
      operation: "DiscountCodeBasicCreate",
      input: "basicCodeDiscount",
      gets: { items: { all: true }, value: { percentage: 0.1 } },
    },
    {
      name: "free_shipping",
      reward: {
        kind: "free_shipping",
        name: "Free shipping",
        pointsCost: 300,
        codeExpiresInDays: 30,
      },
      spent: 300,
      operation: "DiscountCodeFreeShippingCreate",
      input: "freeShippingCodeDiscount",
    },
    {
      name: "free_product",
      reward: {
        kind: "free_product",
        name: "Free mug",
        pointsCost: 900,
        variantGid: "gid://shopify/ProductVariant/4242",
        codeExpiresInDays: 30,
      },
      spent: 900,
      operation: "DiscountCodeFreeProductCreate",
      input: "basicCodeDiscount",
      gets: {
        items: {
          products: {
            productVariantsToAdd: ["gid://shopify/ProductVariant/4242"],
          },
        },
        value: { percentage: 1 },
      },
    },
    {
      name: "sliding_scale",
      reward: {
        kind: "sliding_scale",
        name: "Points for cash",
        sliding: {
          pointsPerStep: 100,
          amountPerStep: "1.00",
          minPoints: 200,
          maxPoints: 1000,
        },
        codeExpiresInDays: 30,
        combinesWith: { shippingDiscounts: true },
      },
      points: 700,
      spent: 700,
      operation: "DiscountCodeBasicCreate",
      input: "basicCodeDiscount",
      gets: {
        items: { all: true },
        value: { discountAmount: { amount: "7", appliesOnEachItem: false } },
      },
    },
  ];

  it.each(cases.map((c) => [c.name, c] as const))(
    "%s: a customer-locked, single-use, dated code; points spent; ledger exact",
    async (_name, c) => {
      const { member, customer, customerId } = await memberWith(1000);
      const rewardId = await createReward(c.reward);
      const before = Date.now();
      const requestId = newRequestId();
      const { status, body } = await redeem(customerId, {
        rewardId,
        requestId,
        ...(c.points ? { points: c.points } : {}),
      });
      expect(status).toBe(200);
      const success = body as RedeemSuccess;
      expect(success).toMatchObject({
        rewardId,
        rewardName: c.reward.name,
        kind: c.name,
        pointsSpent: c.spent,
        balance: 1000 - c.spent,
      });
      expect(success.code).toMatch(CODE);

      const [request, ...more] = shopify.requestsFor(c.operation);
      expect(more).toHaveLength(0);
      expect(request).toMatchObject({
        shop: SHOP,
        accessToken: `shpat_test_${SHOP}`,
        errors: [],
        status: 200,
      });
      const input = request?.variables[c.input] as Record<string, unknown>;
      const startsAt = Date.parse(String(input.startsAt));
      expect(startsAt).toBeGreaterThanOrEqual(before - 1000);
      expect(startsAt).toBeLessThanOrEqual(Date.now());
      expect(Date.parse(String(input.endsAt)) - startsAt).toBe(30 * 86_400_000);
      expect(success.expiresAt).toBe(new Date(String(input.endsAt)).toISOString());
      expect(input).toMatchObject({
        code: success.code,
        title: `Keepsake: ${c.reward.name}`,
        context: { customers: { add: [customer.admin_graphql_api_id] } },
        usageLimit: 1,
        appliesOncePerCustomer: true,
        combinesWith: {
          orderDiscounts: false,
          productDiscounts: false,
          shippingDiscounts: c.name === "sliding_scale",
        },
      });
      if (c.gets) expect(input.customerGets).toEqual(c.gets);
      if (c.reward.minimumSubtotal) {
        expect(input.minimumRequirement).toEqual({
          subtotal: { greaterThanOrEqualToSubtotal: c.reward.minimumSubtotal },
        });
      } else {
        expect(input.minimumRequirement).toBeUndefined();
      }

      const redemption = await db.redemption.findFirstOrThrow({
        where: { memberId: member.id },
      });
      expect(redemption).toMatchObject({
        status: "issued",
        code: success.code,
        pointsSpent: c.spent,
        requestId,
      });
      expect(redemption.discountGid).toMatch(/^gid:\/\/shopify\/DiscountCodeNode\/\d+$/);
      expect(shopify.discounts.get(redemption.discountGid ?? "")).toMatchObject({
        code: success.code,
        status: "ACTIVE",
      });
      const entries = await entriesOf(SHOP, customer.admin_graphql_api_id);
      expect(entries.filter((e) => e.kind === "redemption")).toMatchObject([
        {
          delta: -c.spent,
          idempotencyKey: `redeem:${redemption.id}`,
          description: `Redeemed: ${c.reward.name}`,
        },
      ]);
      expect(await balanceOf(member.id)).toBe(1000 - c.spent);
      await expectLedgerExact();
    }
  );

  it("donation: points pledged to the cause, no code, nothing sent to Shopify", async () => {
    const { member, customerId } = await memberWith(500);
    const rewardId = await createReward({
      kind: "donation",
      name: "Plant a tree",
      pointsCost: 200,
      donationCause: "One Tree Planted",
    });
    const { status, body } = await redeem(customerId, {
      rewardId,
      requestId: newRequestId(),
    });
    expect(status).toBe(200);
    expect(body).toEqual({
      code: null,
      expiresAt: null,
      rewardId,
      rewardName: "Plant a tree",
      kind: "donation",
      pointsSpent: 200,
      balance: 300,
    });
    expect(shopify.requests).toHaveLength(0);
    const pledge = await db.redemption.findFirstOrThrow({
      where: { memberId: member.id },
      include: { reward: true },
    });
    expect(pledge).toMatchObject({
      status: "issued",
      code: null,
      pointsSpent: 200,
    });
    expect(pledge.reward.donationCause).toBe("One Tree Planted");
    await expectLedgerExact();
  });

  it("an open-ended reward gives a code without an end date", async () => {
    const { customerId } = await memberWith(500);
    const rewardId = await createReward({
      kind: "free_shipping",
      name: "Ship",
      pointsCost: 100,
    });
    const { body } = await redeem(customerId, {
      rewardId,
      requestId: newRequestId(),
    });
    expect((body as RedeemSuccess).expiresAt).toBeNull();
    const input = shopify.requestsFor("DiscountCodeFreeShippingCreate")[0]?.variables
      .freeShippingCodeDiscount as Record<string, unknown>;
    expect(input.endsAt).toBeNull();
  });
});

describe("POST /apps/keepsake/redeem: refusals change nothing", () => {
  async function expectUntouched(memberId: string, balance: number) {
    expect(await balanceOf(memberId)).toBe(balance);
    expect(
      await db.ledgerEntry.count({
        where: { memberId, kind: { startsWith: "redemption" } },
      })
    ).toBe(0);
    expect(creates()).toHaveLength(0);
    await expectLedgerExact();
  }

  it("not enough points: 409, balance and ledger as they were, Shopify not called", async () => {
    const { member, customerId } = await memberWith(499);
    const rewardId = await createReward({
      kind: "amount_off",
      name: "$5 off",
      pointsCost: 500,
      amount: "5",
    });
    const { status, body } = await redeem(customerId, {
      rewardId,
      requestId: newRequestId(),
    });
    expect(status).toBe(409);
    expect(body).toEqual({
      error: { code: "not_enough_points", message: expect.any(String) },
    });
    await expectUntouched(member.id, 499);
  });

  it("inactive reward: 409 reward_inactive", async () => {
    const { member, customerId } = await memberWith(1000);
    const rewardId = await createReward({
      kind: "amount_off",
      name: "Old",
      pointsCost: 500,
      amount: "5",
      active: false,
    });
    const { status, body } = await redeem(customerId, {
      rewardId,
      requestId: newRequestId(),
    });
    expect(status).toBe(409);
    expect((body as StorefrontError).error.code).toBe("reward_inactive");
    await expectUntouched(member.id, 1000);
  });

  it("unknown reward, or another shop's: 404 reward_not_found", async () => {
    const { member, customerId } = await memberWith(1000);
    const theirs = await createReward({ kind: "amount_off", name: "Theirs", pointsCost: 5, amount: "5" }, OTHER_SHOP);
    for (const rewardId of ["does-not-exist", theirs]) {
      const { status, body } = await redeem(customerId, {
        rewardId,
        requestId: newRequestId(),
      });
      expect(status).toBe(404);
      expect((body as StorefrontError).error.code).toBe("reward_not_found");
    }
    await expectUntouched(member.id, 1000);
  });

  it("nobody logged in: 401 not_logged_in; a customer who is not a member: 403 not_enrolled", async () => {
    const rewardId = await createReward({
      kind: "amount_off",
      name: "$5",
      pointsCost: 5,
      amount: "5",
    });
    const guest = await redeem("", { rewardId, requestId: newRequestId() });
    expect(guest.status).toBe(401);
    expect((guest.body as StorefrontError).error.code).toBe("not_logged_in");
    const stranger = await redeem("123456789", {
      rewardId,
      requestId: newRequestId(),
    });
    expect(stranger.status).toBe(403);
    expect((stranger.body as StorefrontError).error.code).toBe("not_enrolled");
    expect(await db.redemption.count()).toBe(0);
  });

  it("a bad body: 400 invalid_body with what is wrong", async () => {
    const { member, customerId } = await memberWith(1000);
    const rewardId = await createReward({
      kind: "amount_off",
      name: "$5",
      pointsCost: 5,
      amount: "5",
    });
    const bodies: Record<string, unknown>[] = [
      {},
      { rewardId },
      { rewardId, requestId: "short" },
      { rewardId, requestId: "has spaces in it" },
      { rewardId, requestId: newRequestId(), points: -5 },
      { rewardId, requestId: newRequestId(), points: "100" },
    ];
    for (const body of bodies) {
      const response = await redeem(customerId, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect((response.body as StorefrontError).error.code).toBe("invalid_body");
    }
    const notJson = await proxyPost({
      shop: SHOP,
      loggedInCustomerId: customerId,
      body: "{not json",
      headers: { "Content-Type": "application/json" },
    });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({
      error: { code: "invalid_body" },
    });
    await expectUntouched(member.id, 1000);
  });

  it("a forged signature: 400 before anything is read", async () => {
    const { member, customerId } = await memberWith(1000);
    const rewardId = await createReward({
      kind: "amount_off",
      name: "$5",
      pointsCost: 5,
      amount: "5",
    });
    const response = await proxyPost({
      shop: SHOP,
      loggedInCustomerId: customerId,
      secret: "forged",
      body: { rewardId, requestId: newRequestId() },
    });
    expect(response.status).toBe(400);
    await expectUntouched(member.id, 1000);
  });

  it("sliding scale off the scale: 422 invalid_points", async () => {
    const { member, customerId } = await memberWith(5000);
    const rewardId = await createReward({
      kind: "sliding_scale",
      name: "Cash",
      sliding: {
        pointsPerStep: 100,
        amountPerStep: "1",
        minPoints: 200,
        maxPoints: 1000,
      },
    });
    for (const points of [undefined, 150, 100, 1100]) {
      const { status, body } = await redeem(customerId, {
        rewardId,
        requestId: newRequestId(),
        ...(points ? { points } : {}),
      });
      expect(status).toBe(422);
      expect((body as StorefrontError).error.code).toBe("invalid_points");
    }
    await expectUntouched(member.id, 5000);
  });
});

describe("POST /apps/keepsake/redeem: Shopify fails → points restored", () => {
  async function expectRestored(memberId: string, response: { status: number; body: unknown }) {
    expect(response.status).toBe(502);
    expect((response.body as StorefrontError).error).toEqual({
      code: "shopify_unavailable",
      message: expect.stringContaining("points were not spent"),
    });
    expect(await balanceOf(memberId)).toBe(1000);
    const redemption = await db.redemption.findFirstOrThrow({
      where: { memberId },
    });
    expect(redemption).toMatchObject({
      status: "failed",
      errorCode: "shopify_unavailable",
      discountGid: null,
    });
    const entries = await db.ledgerEntry.findMany({
      where: { memberId, kind: { startsWith: "redemption" } },
      orderBy: { createdAt: "asc" },
    });
    expect(entries.map((e) => [e.kind, e.delta, e.idempotencyKey])).toEqual([
      ["redemption", -500, `redeem:${redemption.id}`],
      ["redemption_restore", 500, `redeem:${redemption.id}:restore`],
    ]);
    await expectLedgerExact();
    return redemption;
  }

  it("userErrors: 502, points back, the same answer on retry", async () => {
    const { member, customerId } = await memberWith(1000);
    const rewardId = await createReward({
      kind: "amount_off",
      name: "$5",
      pointsCost: 500,
      amount: "5",
    });
    shopify.userErrorsNext("discountCodeBasicCreate", [
      {
        field: ["basicCodeDiscount", "customerGets"],
        message: "Value must be greater than 0",
        code: "GREATER_THAN",
      },
    ]);
    const requestId = newRequestId();
    const redemption = await expectRestored(member.id, await redeem(customerId, { rewardId, requestId }));
    expect(redemption.error).toContain("Value must be greater than 0");
    // The same request again: the same answer, no second debit, no second call.
    const again = await redeem(customerId, { rewardId, requestId });
    expect(again.status).toBe(502);
    expect(creates()).toHaveLength(1);
    await expectRestored(member.id, again);
    // A new request works.
    const fresh = await redeem(customerId, {
      rewardId,
      requestId: newRequestId(),
    });
    expect(fresh.status).toBe(200);
  });

  it("throttled: 502, points back", async () => {
    const { member, customerId } = await memberWith(1000);
    const rewardId = await createReward({
      kind: "amount_off",
      name: "$5",
      pointsCost: 500,
      amount: "5",
    });
    shopify.throttleNext();
    await expectRestored(member.id, await redeem(customerId, { rewardId, requestId: newRequestId() }));
  });

  it("HTTP 500: 502, points back", async () => {
    const { member, customerId } = await memberWith(1000);
    const rewardId = await createReward({
      kind: "percent_off",
      name: "10%",
      pointsCost: 500,
      percentage: "10",
    });
    shopify.failNext(500);
    await expectRestored(member.id, await redeem(customerId, { rewardId, requestId: newRequestId() }));
  });

  it("no offline session (app uninstalled meanwhile): 502, points back", async () => {
    const { member, customerId } = await memberWith(1000);
    const rewardId = await createReward({
      kind: "free_shipping",
      name: "Ship",
      pointsCost: 500,
    });
    await db.session.deleteMany({ where: { shop: SHOP } });
    await expectRestored(member.id, await redeem(customerId, { rewardId, requestId: newRequestId() }));
    expect(shopify.requests).toHaveLength(0);
  });
});

describe("POST /apps/keepsake/redeem: Shopify too slow", () => {
  it("no answer in time: points restored, 502; the code Shopify creates later is deleted", async () => {
    const { member, customerId } = await memberWith(1000);
    const rewardId = await createReward({ kind: "amount_off", name: "$5", pointsCost: 500, amount: "5" });
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    shopify.onMutation("discountCodeBasicCreate", async () => {
      await held;
      return { codeDiscountNode: { id: "gid://shopify/DiscountCodeNode/888" }, userErrors: [] };
    });
    shopify.onMutation("discountCodeDelete", (args) => ({ deletedCodeDiscountId: args.id, userErrors: [] }));
    const outcome = await redeemReward(
      SHOP,
      customerId,
      { rewardId, requestId: newRequestId() },
      { shopifyTimeoutMs: 200 }
    );
    expect(outcome).toMatchObject({ ok: false, code: "shopify_unavailable" });
    expect(await balanceOf(member.id)).toBe(1000);
    expect((await db.redemption.findFirstOrThrow({ where: { memberId: member.id } })).error).toContain(
      "did not answer"
    );
    release();
    await expect
      .poll(() => shopify.requestsFor("DiscountCodeDelete").map((r) => r.variables))
      .toEqual([{ id: "gid://shopify/DiscountCodeNode/888" }]);
    await expectLedgerExact();
  });
});

describe("retries and concurrency", () => {
  it("a repeated requestId answers the same code with one debit and one Shopify call", async () => {
    const { member, customerId } = await memberWith(1000);
    const rewardId = await createReward({
      kind: "amount_off",
      name: "$5",
      pointsCost: 300,
      amount: "5",
    });
    const requestId = newRequestId();
    const first = await redeem(customerId, { rewardId, requestId });
    const second = await redeem(customerId, { rewardId, requestId });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect((second.body as RedeemSuccess).code).toBe((first.body as RedeemSuccess).code);
    // Even after the reward was switched off, a retry of a done redemption answers what it answered.
    await db.reward.update({
      where: { id: rewardId },
      data: { active: false },
    });
    const third = await redeem(customerId, { rewardId, requestId });
    expect((third.body as RedeemSuccess).code).toBe((first.body as RedeemSuccess).code);
    expect(creates()).toHaveLength(1);
    expect(await balanceOf(member.id)).toBe(700);
    expect(await db.redemption.count({ where: { memberId: member.id } })).toBe(1);
    await expectLedgerExact();
  });

  it("the same requestId sent 10 times at once: one redemption, one code for all", async () => {
    const { member, customerId } = await memberWith(1000);
    const rewardId = await createReward({
      kind: "amount_off",
      name: "$5",
      pointsCost: 300,
      amount: "5",
    });
    const requestId = newRequestId();
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => redeemReward(SHOP, customerId, { rewardId, requestId }))
    );
    const codes = new Set(outcomes.map((o) => (o.ok ? o.value.code : o.code)));
    expect(codes.size).toBe(1);
    expect([...codes][0]).toMatch(CODE);
    expect(creates()).toHaveLength(1);
    expect(await balanceOf(member.id)).toBe(700);
    await expectLedgerExact();
  });

  it("50 concurrent redeems with points for exactly one: exactly one code", async () => {
    const { member, customerId } = await memberWith(500);
    const rewardId = await createReward({
      kind: "amount_off",
      name: "$5",
      pointsCost: 500,
      amount: "5",
    });
    // The saga itself (the route's rate limit would stop 40 of them first: tested below).
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, () => redeemReward(SHOP, customerId, { rewardId, requestId: newRequestId() }))
    );
    const issued = outcomes.filter((o) => o.ok);
    expect(issued).toHaveLength(1);
    expect(outcomes.filter((o) => !o.ok && o.code === "not_enough_points")).toHaveLength(49);
    expect(creates()).toHaveLength(1);
    expect(await balanceOf(member.id)).toBe(0);
    expect(
      await db.redemption.count({
        where: { memberId: member.id, status: "issued" },
      })
    ).toBe(1);
    expect(
      await db.ledgerEntry.count({
        where: { memberId: member.id, kind: "redemption" },
      })
    ).toBe(1);
    await expectLedgerExact();
  });

  it("rate limit: the 11th redeem within a minute is 429 with Retry-After", async () => {
    const { customerId } = await memberWith(0);
    for (let i = 0; i < 10; i += 1) {
      const { status } = await redeem(customerId, {
        rewardId: "nope",
        requestId: newRequestId(),
      });
      expect(status).toBe(404);
    }
    const limited = await redeem(customerId, {
      rewardId: "nope",
      requestId: newRequestId(),
    });
    expect(limited.status).toBe(429);
    expect((limited.body as StorefrontError).error.code).toBe("rate_limited");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another shopper is not affected.
    const other = await memberWith(0);
    expect(
      (
        await redeem(other.customerId, {
          rewardId: "nope",
          requestId: newRequestId(),
        })
      ).status
    ).toBe(404);
  });
});

describe("after the redemption", () => {
  async function issuedCode(points = 1000) {
    const ctx = await memberWith(points);
    const rewardId = await createReward({
      kind: "amount_off",
      name: "$5 off",
      pointsCost: 500,
      amount: "5.00",
    });
    const { body } = await redeem(ctx.customerId, {
      rewardId,
      requestId: newRequestId(),
    });
    const code = (body as RedeemSuccess).code ?? "";
    const redemption = await db.redemption.findFirstOrThrow({
      where: { code },
    });
    return { ...ctx, rewardId, code, redemption };
  }

  it("GET member lists the unused code; orders/paid with it marks it used, once", async () => {
    const { customer, customerId, code, redemption } = await issuedCode();
    const view = await (await proxyGet({ shop: SHOP, loggedInCustomerId: customerId })).json();
    expect(view.codes).toEqual([
      {
        code,
        rewardId: redemption.rewardId,
        rewardName: "$5 off",
        kind: "amount_off",
        issuedAt: redemption.createdAt.toISOString(),
        expiresAt: null,
      },
    ]);

    // Shoppers type codes in any case; Shopify reports what was applied.
    const order = paidOrderPayload({
      customer,
      discountCodes: [{ code: code.toLowerCase(), amount: "5.00" }],
    });
    await deliver("orders/paid", order);
    const used = await db.redemption.findUniqueOrThrow({
      where: { id: redemption.id },
    });
    expect(used).toMatchObject({
      status: "used",
      usedOrderGid: order.admin_graphql_api_id,
    });
    expect(used.usedAt).toBeInstanceOf(Date);

    // A redelivery, or another order claiming the same code, changes nothing.
    await deliver("orders/paid", order);
    await deliver("orders/paid", paidOrderPayload({ customer, discountCodes: [{ code, amount: "5.00" }] }));
    expect(await db.redemption.findUniqueOrThrow({ where: { id: redemption.id } })).toMatchObject({
      status: "used",
      usedOrderGid: order.admin_graphql_api_id,
      usedAt: used.usedAt,
    });
    const after = await (await proxyGet({ shop: SHOP, loggedInCustomerId: customerId })).json();
    expect(after.codes).toEqual([]);
    await expectLedgerExact();
  });

  it("orders/paid with other codes, or none, leaves codes alone", async () => {
    const { customer, redemption } = await issuedCode();
    await deliver(
      "orders/paid",
      paidOrderPayload({
        customer,
        discountCodes: [{ code: "SUMMER10", amount: "1.00" }],
      })
    );
    await deliver("orders/paid", paidOrderPayload({ customer }));
    expect((await db.redemption.findUniqueOrThrow({ where: { id: redemption.id } })).status).toBe("issued");
  });

  it("staff cancel an unused code: the discount is deleted in Shopify, then the points come back", async () => {
    const { member, redemption } = await issuedCode();
    expect(await balanceOf(member.id)).toBe(500);
    const outcome = await cancelRedemption(SHOP, redemption.id, "staff-1");
    expect(outcome).toEqual({
      ok: true,
      refunded: 500,
      alreadyCancelled: false,
    });
    expect(shopify.requestsFor("DiscountCodeDelete")[0]?.variables).toEqual({
      id: redemption.discountGid,
    });
    expect(shopify.discounts.get(redemption.discountGid ?? "")?.status).toBe("DELETED");
    expect(await db.redemption.findUniqueOrThrow({ where: { id: redemption.id } })).toMatchObject({
      status: "cancelled",
      staffId: "staff-1",
    });
    expect(await balanceOf(member.id)).toBe(1000);
    const refund = await db.ledgerEntry.findFirstOrThrow({
      where: { memberId: member.id, kind: "redemption_cancel" },
    });
    expect(refund).toMatchObject({
      delta: 500,
      idempotencyKey: `redeem:${redemption.id}:cancel`,
      staffId: "staff-1",
    });
    // Again: nothing more.
    expect(await cancelRedemption(SHOP, redemption.id, "staff-1")).toEqual({
      ok: true,
      refunded: 0,
      alreadyCancelled: true,
    });
    expect(await balanceOf(member.id)).toBe(1000);
    await expectLedgerExact();
  });

  it("staff cannot cancel a used code, another shop's redemption, or when Shopify fails", async () => {
    const { customer, member, code, redemption } = await issuedCode();
    expect(await cancelRedemption(OTHER_SHOP, redemption.id)).toEqual({
      ok: false,
      reason: "not_found",
    });

    shopify.failNext(503);
    await expect(cancelRedemption(SHOP, redemption.id)).rejects.toThrow(/HTTP 503/);
    expect((await db.redemption.findUniqueOrThrow({ where: { id: redemption.id } })).status).toBe("issued");
    expect(await balanceOf(member.id)).toBe(500);

    await deliver("orders/paid", paidOrderPayload({ customer, discountCodes: [{ code, amount: "5.00" }] }));
    const earned = await balanceOf(member.id);
    expect(await cancelRedemption(SHOP, redemption.id)).toEqual({
      ok: false,
      reason: "not_cancellable",
      status: "used",
    });
    expect(await balanceOf(member.id)).toBe(earned);
    await expectLedgerExact();
  });
});

describe("shop isolation", () => {
  it("the same customer id in two shops: separate members, rewards, codes and usage", async () => {
    const customer = customerPayload();
    const a = await memberWith(1000, SHOP, customer);
    const b = await memberWith(1000, OTHER_SHOP, customer);
    const rewardA = await createReward({ kind: "amount_off", name: "A $5", pointsCost: 500, amount: "5" }, SHOP);
    const rewardB = await createReward({ kind: "free_shipping", name: "B ship", pointsCost: 300 }, OTHER_SHOP);

    // Shop B's storefront cannot redeem shop A's reward, even for the "same" shopper.
    expect((await redeem(b.customerId, { rewardId: rewardA, requestId: newRequestId() }, OTHER_SHOP)).status).toBe(404);
    const requestId = newRequestId();
    const inA = await redeem(a.customerId, { rewardId: rewardA, requestId }, SHOP);
    // The same requestId in another shop is another request.
    const inB = await redeem(b.customerId, { rewardId: rewardB, requestId }, OTHER_SHOP);
    expect(inA.status).toBe(200);
    expect(inB.status).toBe(200);
    expect(shopify.requestsFor("DiscountCodeBasicCreate")[0]?.shop).toBe(SHOP);
    expect(shopify.requestsFor("DiscountCodeFreeShippingCreate")[0]?.shop).toBe(OTHER_SHOP);
    expect(await balanceOf(a.member.id)).toBe(500);
    expect(await balanceOf(b.member.id)).toBe(700);

    const viewB = await (await proxyGet({ shop: OTHER_SHOP, loggedInCustomerId: b.customerId })).json();
    expect(viewB.codes.map((c: { code: string }) => c.code)).toEqual([(inB.body as RedeemSuccess).code]);
    expect(viewB.program.rewards.map((r: { id: string }) => r.id)).toEqual([rewardB]);

    // Shop B's order carrying shop A's code does not use A's code.
    const codeA = (inA.body as RedeemSuccess).code ?? "";
    await deliver(
      "orders/paid",
      paidOrderPayload({
        customer,
        discountCodes: [{ code: codeA, amount: "5" }],
      }),
      { shop: OTHER_SHOP }
    );
    expect((await db.redemption.findFirstOrThrow({ where: { code: codeA } })).status).toBe("issued");

    // shop/redact removes shop A with its rewards and redemptions; shop B keeps everything.
    await deliver("shop/redact", { shop_id: 1, shop_domain: SHOP }, { shop: SHOP });
    expect(await db.reward.count()).toBe(1);
    expect(await db.redemption.count()).toBe(1);
    expect((await db.redemption.findFirstOrThrow()).shopId).toBe(await shopId(OTHER_SHOP));
    await expectLedgerExact();
  });
});

describe("recovery of redemptions a request left pending", () => {
  /** Every pending row counts as stale (a second ahead, so rows written this millisecond count too). */
  const STALE_NOW = () => ({
    olderThanMs: 0,
    now: new Date(Date.now() + 1000),
  });

  /** The state a request leaves when it stops after step 1 (and step 2 if `debited`). */
  async function stoppedRedemption(debited: boolean) {
    const ctx = await memberWith(1000);
    const rewardId = await createReward({
      kind: "amount_off",
      name: "$5",
      pointsCost: 400,
      amount: "5",
      codeExpiresInDays: 7,
    });
    const redemption = await db.redemption.create({
      data: {
        shopId: ctx.member.shopId,
        memberId: ctx.member.id,
        rewardId,
        requestId: newRequestId(),
        kind: "amount_off",
        rewardName: "$5",
        pointsSpent: 400,
        amount: "5",
        status: "pending",
        code: "KS-RECOVERYTEST",
      },
    });
    if (debited) {
      await runOnce(db, (tx) =>
        appendDebit(
          tx,
          {
            shopId: redemption.shopId,
            memberId: ctx.member.id,
            kind: "redemption",
            delta: 400,
            idempotencyKey: `redeem:${redemption.id}`,
            description: "Redeemed: $5",
          },
          { requireFull: true }
        )
      );
    }
    return { ...ctx, redemption };
  }

  it("leaves recent pending redemptions alone (a live request may still finish them)", async () => {
    await stoppedRedemption(true);
    expect(await recoverStaleRedemptions()).toMatchObject({ checked: 0 });
  });

  it("code found in Shopify: recorded as issued, the points stay spent", async () => {
    const { member, customer, redemption } = await stoppedRedemption(true);
    const endsAt = new Date(Date.now() + 7 * 86_400_000);
    const discountGid = await createLoyaltyCode(await offlineAccess(SHOP), {
      code: "KS-RECOVERYTEST",
      title: "Keepsake: $5",
      customerGid: customer.admin_graphql_api_id,
      value: { type: "amount", amount: "5" },
      startsAt: new Date(),
      endsAt,
      minimumSubtotal: null,
      combinesWith: {
        orderDiscounts: false,
        productDiscounts: false,
        shippingDiscounts: false,
      },
    });
    expect(await recoverStaleRedemptions(STALE_NOW())).toEqual({
      checked: 1,
      issued: 1,
      restored: 0,
      failedBeforeDebit: 0,
      retryLater: 0,
    });
    expect(await db.redemption.findUniqueOrThrow({ where: { id: redemption.id } })).toMatchObject({
      status: "issued",
      discountGid,
      expiresAt: endsAt,
    });
    expect(await balanceOf(member.id)).toBe(600);
    await expectLedgerExact();
  });

  it("no code in Shopify: points restored, failed; not debited: failed, nothing to restore", async () => {
    const debited = await stoppedRedemption(true);
    expect(await recoverStaleRedemptions(STALE_NOW())).toMatchObject({
      checked: 1,
      restored: 1,
    });
    expect(
      await db.redemption.findUniqueOrThrow({
        where: { id: debited.redemption.id },
      })
    ).toMatchObject({ status: "failed", errorCode: "shopify_unavailable" });
    expect(await balanceOf(debited.member.id)).toBe(1000);
    // Twice is harmless.
    expect(await recoverStaleRedemptions(STALE_NOW())).toMatchObject({
      checked: 0,
    });

    await resetDatabase(db);
    await installShop(SHOP);
    const notDebited = await stoppedRedemption(false);
    expect(await recoverStaleRedemptions(STALE_NOW())).toMatchObject({
      checked: 1,
      failedBeforeDebit: 1,
    });
    expect(
      (
        await db.redemption.findUniqueOrThrow({
          where: { id: notDebited.redemption.id },
        })
      ).status
    ).toBe("failed");
    expect(await balanceOf(notDebited.member.id)).toBe(1000);
    expect(shopify.requestsFor("DiscountCodeByCode")).toHaveLength(1);
    await expectLedgerExact();
  });

  it("Shopify unreachable: left pending for the next run", async () => {
    const { member, redemption } = await stoppedRedemption(true);
    shopify.failNext(503);
    expect(await recoverStaleRedemptions(STALE_NOW())).toMatchObject({
      checked: 1,
      retryLater: 1,
    });
    expect((await db.redemption.findUniqueOrThrow({ where: { id: redemption.id } })).status).toBe("pending");
    expect(await balanceOf(member.id)).toBe(600);
  });

  it("a Shopify answer arriving after recovery gave up: the late code is deleted, the points stay restored", async () => {
    const { member, customerId } = await memberWith(1000);
    const rewardId = await createReward({
      kind: "amount_off",
      name: "$5",
      pointsCost: 400,
      amount: "5",
    });
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    shopify.onMutation("discountCodeBasicCreate", async () => {
      await held; // a very slow Shopify: the code exists only once it answers
      return {
        codeDiscountNode: { id: "gid://shopify/DiscountCodeNode/777" },
        userErrors: [],
      };
    });
    shopify.onMutation("discountCodeDelete", (args) => ({
      deletedCodeDiscountId: args.id,
      userErrors: [],
    }));
    const redeeming = redeemReward(SHOP, customerId, {
      rewardId,
      requestId: newRequestId(),
    });
    await expect
      .poll(() =>
        db.ledgerEntry.count({
          where: { memberId: member.id, kind: "redemption" },
        })
      )
      .toBe(1);
    expect(await recoverStaleRedemptions(STALE_NOW())).toMatchObject({
      checked: 1,
      restored: 1,
    });
    release();
    expect(await redeeming).toMatchObject({
      ok: false,
      code: "shopify_unavailable",
    });
    expect(shopify.requestsFor("DiscountCodeDelete").map((r) => r.variables)).toEqual([
      { id: "gid://shopify/DiscountCodeNode/777" },
    ]);
    expect(await balanceOf(member.id)).toBe(1000);
    await expectLedgerExact();
  });
});

describe("reward definitions and pledges", () => {
  it("createReward stores a valid definition and refuses a bad one, storing nothing", async () => {
    const refused = await createRewardDefinition(SHOP, { kind: "amount_off", name: "", pointsCost: 0 });
    expect(refused).toEqual({
      ok: false,
      issues: expect.arrayContaining([expect.stringMatching(/^name/), expect.stringMatching(/^pointsCost/)]),
    });
    expect(
      await createRewardDefinition("nowhere.myshopify.com", { kind: "free_shipping", name: "x", pointsCost: 1 })
    ).toMatchObject({ ok: false });
    expect(await db.reward.count()).toBe(0);
    const created = await createRewardDefinition(SHOP, { kind: "free_shipping", name: "Ship", pointsCost: 100 });
    expect(created).toMatchObject({ ok: true });
    expect(await db.reward.findMany()).toMatchObject([
      { kind: "free_shipping", shopId: await shopId(SHOP), combinesWithOrderDiscounts: false },
    ]);
  });

  it("a paused program redeems nothing: 409 reward_inactive", async () => {
    const { member, customerId } = await memberWith(1000);
    const rewardId = await createReward({ kind: "free_shipping", name: "Ship", pointsCost: 100 });
    await db.shop.update({ where: { domain: SHOP }, data: { programEnabled: false } });
    const { status, body } = await redeem(customerId, { rewardId, requestId: newRequestId() });
    expect(status).toBe(409);
    expect((body as StorefrontError).error.code).toBe("reward_inactive");
    expect(await balanceOf(member.id)).toBe(1000);
  });

  it("donation totals per cause, without cancelled pledges", async () => {
    const trees = await createReward({
      kind: "donation",
      name: "Plant a tree",
      pointsCost: 100,
      donationCause: "Trees",
    });
    const water = await createReward({ kind: "donation", name: "Clean water", pointsCost: 50, donationCause: "Water" });
    const a = await memberWith(1000);
    const b = await memberWith(1000);
    for (const [customerId, rewardId] of [
      [a.customerId, trees],
      [b.customerId, trees],
      [a.customerId, water],
      [b.customerId, water],
    ] as const) {
      expect((await redeem(customerId, { rewardId, requestId: newRequestId() })).status).toBe(200);
    }
    const cancelled = await db.redemption.findFirstOrThrow({ where: { rewardId: water, memberId: b.member.id } });
    expect(await cancelRedemption(SHOP, cancelled.id, "staff-1")).toMatchObject({ ok: true, refunded: 50 });
    expect(await donationTotals(SHOP)).toEqual([
      { rewardId: trees, name: "Plant a tree", cause: "Trees", points: 200, pledges: 2 },
      { rewardId: water, name: "Clean water", cause: "Water", points: 50, pledges: 1 },
    ]);
    expect(await donationTotals(OTHER_SHOP)).toEqual([]);
    expect(shopify.requests).toHaveLength(0);
    await expectLedgerExact();
  });
});

describe("rewards given for free (grantRewardCode: tier entry, birthday, referral rewards)", () => {
  it("issues one customer-locked code per grant key, spends no points, and shows it to the member", async () => {
    const { member, customerId } = await memberWith(0);
    const rewardId = await createReward({ kind: "amount_off", name: "$5 gift", pointsCost: 500, amount: "5.00", codeExpiresInDays: 30 });
    const first = await grantRewardCode(member.shopId, member.id, rewardId, `birthday:${member.id}:2026`, { reason: "birthday" });
    const again = await grantRewardCode(member.shopId, member.id, rewardId, `birthday:${member.id}:2026`, { reason: "birthday" });
    expect(first).toMatchObject({ ok: true, status: "issued" });
    expect(again).toEqual(first);
    expect(shopify.requestsFor("DiscountCodeBasicCreate")).toHaveLength(1);
    const input = shopify.requestsFor("DiscountCodeBasicCreate")[0]?.variables.basicCodeDiscount as Record<string, unknown>;
    expect(input).toMatchObject({ context: { customers: { add: [member.customerGid] } }, usageLimit: 1 });
    expect(await balanceOf(member.id)).toBe(0);
    expect(await db.ledgerEntry.count({ where: { memberId: member.id } })).toBe(0);
    const view = (await (await proxyGet({ shop: SHOP, loggedInCustomerId: customerId })).json()) as { codes: { code: string }[] };
    expect(view.codes.map((c) => c.code)).toEqual([first.ok ? first.code : ""]);
  });

  it("retries a grant Shopify refused, and refuses kinds with no fixed value", async () => {
    const { member } = await memberWith(0);
    const rewardId = await createReward({ kind: "free_shipping", name: "Free shipping", pointsCost: 300 });
    shopify.failNext(503);
    const failed = await grantRewardCode(member.shopId, member.id, rewardId, "tier-entry:x:gold", { reason: "tier" });
    expect(failed).toMatchObject({ ok: false, reason: "shopify_unavailable" });
    const retried = await grantRewardCode(member.shopId, member.id, rewardId, "tier-entry:x:gold", { reason: "tier" });
    expect(retried).toMatchObject({ ok: true, status: "issued" });
    expect(await db.redemption.count({ where: { memberId: member.id } })).toBe(1);

    const donation = await createReward({ kind: "donation", name: "Plant a tree", pointsCost: 100, donationCause: "Trees" });
    expect(await grantRewardCode(member.shopId, member.id, donation, "k:1", { reason: "x" })).toMatchObject({
      ok: false,
      reason: "reward_not_grantable",
    });
    const elsewhere = await createReward({ kind: "free_shipping", name: "Other", pointsCost: 1 }, OTHER_SHOP);
    expect(await grantRewardCode(member.shopId, member.id, elsewhere, "k:2", { reason: "x" })).toMatchObject({
      ok: false,
      reason: "reward_not_found",
    });
  });
});
