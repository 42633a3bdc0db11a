import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
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

  it("says not enrolled when nobody is logged in or the customer is unknown", async () => {
    const nobody = await proxyGet({ shop: SHOP, loggedInCustomerId: "" });
    expect(await nobody.json()).toEqual({ enrolled: false });
    const stranger = await proxyGet({ shop: SHOP, loggedInCustomerId: "123456789" });
    expect(await stranger.json()).toEqual({ enrolled: false });
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
