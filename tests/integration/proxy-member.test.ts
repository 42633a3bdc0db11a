import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { RewardDefinitionSchema, rewardToColumns, type RewardInput } from "~/loyalty/rewards";
import { deliver, installShop, proxyGet } from "../support/app";
import { resetDatabase } from "../support/database";
import { customerPayload, paidOrderPayload, refundPayload } from "../support/shopify/payloads";

const SHOP = "test-shop.myshopify.com";

beforeEach(async () => {
  await resetDatabase(db);
  await installShop(SHOP, { signupBonusPoints: 5 });
});

describe("GET /apps/keepsake/member (app proxy)", () => {
  it("answers the logged-in member's balance and history, newest first", async () => {
    const customer = customerPayload();
    await deliver("customers/create", customer);
    const order = paidOrderPayload({ customer, name: "#2001", lines: [{ title: "Mug", price: "10.00", quantity: 2 }] });
    await deliver("orders/paid", order);
    await deliver("refunds/create", refundPayload(order, { lines: [{ lineIndex: 0, quantity: 1 }] }));

    const response = await proxyGet({ shop: SHOP, loggedInCustomerId: String(customer.id) });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = await response.json();
    expect(body).toMatchObject({ enrolled: true, balance: 15, nextCursor: null });
    expect(body.history.map((h: { kind: string; delta: number }) => [h.kind, h.delta])).toEqual([
      ["refund_reversal", -10],
      ["order_earn", 20],
      ["signup_bonus", 5],
    ]);
    expect(body.history[1].description).toBe("Order #2001");
    expect(Object.keys(body.history[0]).sort()).toEqual(["createdAt", "delta", "description", "kind"]);
  });

  it("paginates with a cursor", async () => {
    const customer = customerPayload();
    await deliver("customers/create", customer);
    for (let i = 0; i < 5; i += 1) {
      await deliver("orders/paid", paidOrderPayload({ customer, lines: [{ title: `Item ${i}`, price: `${i + 1}.00` }] }));
    }
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const response = await proxyGet({
        shop: SHOP,
        loggedInCustomerId: String(customer.id),
        query: { limit: "2", ...(cursor ? { cursor } : {}) },
      });
      const body = await response.json();
      seen.push(...body.history.map((h: { delta: number }) => h.delta));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([5, 4, 3, 2, 1, 5]);
  });

  it("says not enrolled when nobody is logged in or the customer is unknown, with the program for guests", async () => {
    const guestView = {
      enrolled: false,
      program: {
        currency: "USD",
        waysToEarn: [
          { kind: "order", points: 1, description: "1 point per USD 1 spent" },
          { kind: "signup", points: 5, description: "Points for joining" },
        ],
        rewards: [],
      },
    };
    const nobody = await proxyGet({ shop: SHOP, loggedInCustomerId: "" });
    expect(await nobody.json()).toEqual(guestView);
    const stranger = await proxyGet({ shop: SHOP, loggedInCustomerId: "123456789" });
    expect(await stranger.json()).toEqual(guestView);
  });

  it("answers the program: the shop's currency and rate, active rewards (affordable for the member only)", async () => {
    await installShop(SHOP, { signupBonusPoints: 0, earnRate: "2.5" });
    const shop = await db.shop.update({ where: { domain: SHOP }, data: { currencyCode: "EUR" } });
    const reward = (input: RewardInput) =>
      db.reward.create({ data: { shopId: shop.id, ...rewardToColumns(RewardDefinitionSchema.parse(input)) } });
    const cheap = await reward({ kind: "amount_off", name: "€5 off", pointsCost: 20, amount: "5.00", minimumSubtotal: "30.00" });
    const dear = await reward({ kind: "free_shipping", name: "Free shipping", pointsCost: 500 });
    await reward({ kind: "percent_off", name: "Retired", pointsCost: 1, percentage: "10", active: false });
    const scale = await reward({
      kind: "sliding_scale",
      name: "Points for cash",
      sliding: { pointsPerStep: 10, amountPerStep: "1.00", minPoints: 20, maxPoints: 200 },
    });
    const customer = customerPayload();
    await deliver("customers/create", customer);
    await deliver("orders/paid", paidOrderPayload({ customer, lines: [{ title: "Mug", price: "10.00" }] })); // 25 points

    const member = await (await proxyGet({ shop: SHOP, loggedInCustomerId: String(customer.id) })).json();
    expect(member).toMatchObject({ enrolled: true, balance: 25, codes: [] });
    expect(member.program.currency).toBe("EUR");
    expect(member.program.waysToEarn).toEqual([{ kind: "order", points: 2.5, description: "2.5 points per EUR 1 spent" }]);
    expect(member.program.rewards).toEqual([
      { id: scale.id, kind: "sliding_scale", name: "Points for cash", pointsCost: 10, affordable: true, minimumSubtotal: null,
        sliding: { pointsPerStep: 10, amountPerStep: "1.00", minPoints: 20, maxPoints: 200 } },
      { id: cheap.id, kind: "amount_off", name: "€5 off", pointsCost: 20, affordable: true, minimumSubtotal: "30.00", sliding: null },
      { id: dear.id, kind: "free_shipping", name: "Free shipping", pointsCost: 500, affordable: false, minimumSubtotal: null, sliding: null },
    ]);

    const guest = await (await proxyGet({ shop: SHOP, loggedInCustomerId: "" })).json();
    expect(guest.program.rewards.map((r: { affordable: boolean }) => r.affordable)).toEqual([false, false, false]);
  });

  it("rejects a bad signature or a stale timestamp with 400, reading nothing", async () => {
    const customer = customerPayload();
    await deliver("customers/create", customer);
    const forged = await proxyGet({ shop: SHOP, loggedInCustomerId: String(customer.id), secret: "wrong" });
    expect(forged.status).toBe(400);
    const stale = await proxyGet({
      shop: SHOP,
      loggedInCustomerId: String(customer.id),
      timestamp: Math.floor(Date.now() / 1000) - 600,
    });
    expect(stale.status).toBe(400);
    expect(await forged.text()).not.toContain("balance");
  });

  it("rejects invalid paging parameters with a clear JSON error", async () => {
    const response = await proxyGet({ shop: SHOP, loggedInCustomerId: "1", query: { limit: "500" } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "invalid_query" } });
    const badCursor = await proxyGet({ shop: SHOP, loggedInCustomerId: "1", query: { cursor: "garbage" } });
    expect(badCursor.status).toBe(400);
  });
});
