import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { findBalanceMismatches } from "~/loyalty/ledger.server";
import { deliver, entriesOf, installShop, memberOf } from "../support/app";
import { resetDatabase } from "../support/database";
import {
  cancelledOrderPayload,
  customerPayload,
  paidOrderPayload,
  refundPayload,
} from "../support/shopify/payloads";

const SHOP = "test-shop.myshopify.com";

async function expectLedgerExact() {
  const { mismatches } = await findBalanceMismatches(db);
  expect(mismatches).toEqual([]);
}

beforeEach(async () => {
  await resetDatabase(db);
  await installShop(SHOP);
});

describe("orders/paid", () => {
  it("earns points on merchandise after discounts, excluding shipping, tax, tips and gift cards", async () => {
    const customer = customerPayload();
    const order = paidOrderPayload({
      customer,
      lines: [
        { title: "Teapot", price: "40.00", quantity: 2, discount: "10.00", tax: "5.60" },
        { title: "Gift card", price: "50.00", giftCard: true },
      ],
      shipping: "12.00",
      tip: "4.00",
    });
    const response = await deliver("orders/paid", order);
    expect(response.status).toBe(200);
    const member = await memberOf(SHOP, customer.admin_graphql_api_id);
    expect(member?.balance).toBe(70);
    const [entry] = await entriesOf(SHOP, customer.admin_graphql_api_id);
    expect(entry).toMatchObject({
      kind: "order_earn",
      delta: 70,
      orderGid: order.admin_graphql_api_id,
      idempotencyKey: `order:${order.admin_graphql_api_id}:earn`,
    });
    expect(JSON.parse(entry?.rule ?? "{}")).toEqual({
      earnRate: "1",
      rounding: "floor",
      minimumOrderAmount: null,
      currencyCode: "USD",
    });
    await expectLedgerExact();
  });

  it("includes tax-inclusive prices without their tax", async () => {
    const customer = customerPayload();
    await deliver(
      "orders/paid",
      paidOrderPayload({ customer, taxesIncluded: true, lines: [{ title: "Scarf", price: "120.00", tax: "20.00" }] }),
    );
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(100);
  });

  it("earns on the shop currency for multi-currency orders", async () => {
    const customer = customerPayload();
    const order = paidOrderPayload({
      customer,
      shopCurrency: "USD",
      presentmentCurrency: "EUR",
      exchangeRate: "0.9",
      lines: [{ title: "Lamp", price: "100.00" }],
    });
    expect(order.line_items[0]?.price_set.presentment_money.amount).not.toBe(order.line_items[0]?.price_set.shop_money.amount);
    await deliver("orders/paid", order);
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(100);
  });

  it("freezes the rate in force: later setting changes don't move past awards", async () => {
    await installShop(SHOP, { earnRate: "2" });
    const customer = customerPayload();
    const order = paidOrderPayload({ customer, lines: [{ title: "Mug", price: "10.00" }] });
    await deliver("orders/paid", order);
    await installShop(SHOP, { earnRate: "5" });
    await deliver("orders/paid", order); // a redelivery with a new webhook id
    await deliver("refunds/create", refundPayload(order, { lines: [{ lineIndex: 0, quantity: 1 }] }));
    const entries = await entriesOf(SHOP, customer.admin_graphql_api_id);
    expect(entries.map((e) => e.delta)).toEqual([20, -20]);
    await expectLedgerExact();
  });

  it("awards once when the same delivery arrives 5 times at once", async () => {
    const customer = customerPayload();
    const order = paidOrderPayload({ customer, lines: [{ title: "Bowl", price: "30.00" }] });
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => deliver("orders/paid", order, { webhookId: "same-delivery" })),
    );
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect((await entriesOf(SHOP, customer.admin_graphql_api_id)).length).toBe(1);
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(30);
    const delivery = await db.webhookDelivery.findFirstOrThrow({ where: { webhookId: "same-delivery" } });
    expect(delivery).toMatchObject({ status: "processed", attempts: 5 });
    await expectLedgerExact();
  });

  it("awards once when 5 distinct deliveries of the same order arrive at once, and on a retry hours later", async () => {
    const customer = customerPayload();
    const order = paidOrderPayload({ customer, lines: [{ title: "Vase", price: "45.00" }] });
    await Promise.all(Array.from({ length: 5 }, () => deliver("orders/paid", order)));
    await deliver("orders/paid", order, { triggeredAt: new Date(Date.now() - 6 * 3600_000) });
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(45);
    await expectLedgerExact();
  });

  it("ignores test orders unless enabled, and can exclude POS orders", async () => {
    const customer = customerPayload();
    await deliver("orders/paid", paidOrderPayload({ customer, test: true }));
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(0);
    await installShop(SHOP, { includePosOrders: false });
    await deliver("orders/paid", paidOrderPayload({ customer, sourceName: "pos" }));
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(0);
    const skipped = await db.orderRecord.findMany({ orderBy: { createdAt: "asc" } });
    expect(skipped.map((o) => o.skipReason)).toEqual(["test_order", "pos_order"]);
    await installShop(SHOP, { includePosOrders: true });
    await deliver("orders/paid", paidOrderPayload({ customer, sourceName: "pos", lines: [{ title: "Tea", price: "9.00" }] }));
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(9);
  });

  it("gives nothing below the minimum order", async () => {
    await installShop(SHOP, { minimumOrderAmount: "20" });
    const customer = customerPayload();
    await deliver("orders/paid", paidOrderPayload({ customer, lines: [{ title: "Pin", price: "19.99" }] }));
    await deliver("orders/paid", paidOrderPayload({ customer, lines: [{ title: "Cap", price: "20.00" }] }));
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(20);
  });
});

describe("refunds and cancellations", () => {
  it("two partial refunds reverse their shares and add up to the award", async () => {
    const customer = customerPayload();
    const order = paidOrderPayload({ customer, lines: [{ title: "Plate", price: "10.00", quantity: 3 }] });
    await deliver("orders/paid", order);
    await deliver("refunds/create", refundPayload(order, { lines: [{ lineIndex: 0, quantity: 1 }] }));
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(20);
    await deliver("refunds/create", refundPayload(order, { lines: [{ lineIndex: 0, quantity: 2 }] }));
    const entries = await entriesOf(SHOP, customer.admin_graphql_api_id);
    expect(entries.map((e) => [e.kind, e.delta])).toEqual([
      ["order_earn", 30],
      ["refund_reversal", -10],
      ["refund_reversal", -20],
    ]);
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(0);
    await expectLedgerExact();
  });

  it("a refund before the paid webhook is held, then applied once the award exists", async () => {
    const customer = customerPayload();
    const order = paidOrderPayload({ customer, lines: [{ title: "Jug", price: "20.00", quantity: 2 }] });
    const refund = refundPayload(order, { lines: [{ lineIndex: 0, quantity: 1 }] });
    expect((await deliver("refunds/create", refund)).status).toBe(200);
    expect(await db.refundRecord.findFirst({ where: { appliedAt: null } })).not.toBeNull();
    await deliver("orders/paid", order);
    await deliver("refunds/create", refund); // a redelivery changes nothing
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(20);
    expect((await entriesOf(SHOP, customer.admin_graphql_api_id)).map((e) => e.delta)).toEqual([40, -20]);
    await expectLedgerExact();
  });

  it("cancel after a partial refund takes back only what is left", async () => {
    const customer = customerPayload();
    const order = paidOrderPayload({ customer, lines: [{ title: "Cup", price: "15.00", quantity: 4 }] });
    await deliver("orders/paid", order);
    await deliver("refunds/create", refundPayload(order, { lines: [{ lineIndex: 0, quantity: 1 }] }));
    await deliver("orders/cancelled", cancelledOrderPayload(order));
    const entries = await entriesOf(SHOP, customer.admin_graphql_api_id);
    expect(entries.map((e) => [e.kind, e.delta])).toEqual([
      ["order_earn", 60],
      ["refund_reversal", -15],
      ["cancel_reversal", -45],
    ]);
    await deliver("orders/cancelled", cancelledOrderPayload(order));
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(0);
    await expectLedgerExact();
  });

  it("converges to the same balance whatever the arrival order", async () => {
    const customer = customerPayload();
    const order = paidOrderPayload({ customer, lines: [{ title: "Tray", price: "25.00", quantity: 4 }] });
    const refundA = refundPayload(order, { lines: [{ lineIndex: 0, quantity: 1 }] });
    const refundB = refundPayload(order, { lines: [{ lineIndex: 0, quantity: 1 }] });
    const cancel = cancelledOrderPayload(order);
    const sequences = [
      [["orders/paid", order], ["refunds/create", refundA], ["refunds/create", refundB], ["orders/cancelled", cancel]],
      [["orders/cancelled", cancel], ["refunds/create", refundB], ["orders/paid", order], ["refunds/create", refundA]],
      [["refunds/create", refundA], ["orders/cancelled", cancel], ["refunds/create", refundB], ["orders/paid", order]],
    ] as const;
    for (const sequence of sequences) {
      await resetDatabase(db);
      await installShop(SHOP);
      for (const [topic, body] of sequence) expect((await deliver(topic, body)).status).toBe(200);
      const entries = await entriesOf(SHOP, customer.admin_graphql_api_id);
      expect(entries.reduce((sum, e) => sum + e.delta, 0)).toBe(0);
      expect(entries.find((e) => e.kind === "order_earn")?.delta).toBe(100);
      await expectLedgerExact();
    }
  });

  it("a refund of an order that earned nothing changes nothing", async () => {
    const customer = customerPayload();
    const order = paidOrderPayload({ customer, test: true, lines: [{ title: "Sample", price: "10.00" }] });
    await deliver("orders/paid", order);
    expect((await deliver("refunds/create", refundPayload(order))).status).toBe(200);
    expect(await entriesOf(SHOP, customer.admin_graphql_api_id)).toEqual([]);
    expect((await db.refundRecord.findFirstOrThrow()).appliedAt).not.toBeNull();
  });

  it("records what could not be taken back when the points were already spent", async () => {
    const customer = customerPayload();
    const order = paidOrderPayload({ customer, lines: [{ title: "Rug", price: "50.00" }] });
    await deliver("orders/paid", order);
    const member = await memberOf(SHOP, customer.admin_graphql_api_id);
    // Spend 40 of the 50 points through the ledger (as a redemption will).
    const { appendDebit, runOnce } = await import("~/loyalty/ledger.server");
    await runOnce(db, (tx) =>
      appendDebit(tx, {
        shopId: member!.shopId,
        memberId: member!.id,
        kind: "manual_adjustment",
        delta: 40,
        idempotencyKey: "spend-test",
        description: "spent",
      }),
    );
    await deliver("refunds/create", refundPayload(order));
    const reversal = (await entriesOf(SHOP, customer.admin_graphql_api_id)).at(-1);
    expect(reversal).toMatchObject({ kind: "refund_reversal", delta: -10, shortfall: 40 });
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(0);
    await expectLedgerExact();
  });
});

describe("guest checkouts", () => {
  it("are recorded and claimed once when that email becomes a customer", async () => {
    const order = paidOrderPayload({ customer: null, email: "Guest@Example.com", lines: [{ title: "Kettle", price: "35.00" }] });
    await deliver("orders/paid", order);
    expect(await db.ledgerEntry.count()).toBe(0);
    const record = await db.orderRecord.findFirstOrThrow();
    expect(record).toMatchObject({ customerGid: null, guestEmail: "guest@example.com", pointsAwarded: 35 });

    const customer = customerPayload({ email: "guest@example.com" });
    await deliver("customers/create", customer);
    await deliver("customers/create", customer);
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(35);
    const claimed = await db.orderRecord.findFirstOrThrow();
    expect(claimed).toMatchObject({ customerGid: customer.admin_graphql_api_id, guestEmail: null });
    expect(claimed.claimedAt).not.toBeNull();

    // A second customer with the same email later claims nothing.
    const other = customerPayload({ email: "guest@example.com" });
    await deliver("customers/create", other);
    expect((await memberOf(SHOP, other.admin_graphql_api_id))?.balance).toBe(0);
    await expectLedgerExact();
  });
});
