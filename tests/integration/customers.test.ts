import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { findBalanceMismatches } from "~/loyalty/ledger.server";
import { deliver, entriesOf, installShop, memberOf } from "../support/app";
import { resetDatabase } from "../support/database";
import {
  appScopesUpdatePayload,
  appUninstalledPayload,
  customerDeletePayload,
  customerPayload,
  customersDataRequestPayload,
  customersRedactPayload,
  paidOrderPayload,
  refundPayload,
  shopRedactPayload,
} from "../support/shopify/payloads";

const SHOP = "test-shop.myshopify.com";

beforeEach(async () => {
  await resetDatabase(db);
  await installShop(SHOP);
});

describe("customers/create", () => {
  it("enrolls the customer with the sign-up bonus, once", async () => {
    await installShop(SHOP, { signupBonusPoints: 100 });
    const customer = customerPayload({ email: "Ada@Example.com", firstName: "Ada", lastName: "Lovelace" });
    await deliver("customers/create", customer);
    await deliver("customers/create", customer);
    const member = await memberOf(SHOP, customer.admin_graphql_api_id);
    expect(member).toMatchObject({ email: "ada@example.com", firstName: "Ada", lastName: "Lovelace", balance: 100 });
    const entries = await entriesOf(SHOP, customer.admin_graphql_api_id);
    expect(entries.map((e) => [e.kind, e.delta, e.idempotencyKey])).toEqual([
      ["signup_bonus", 100, `signup:${customer.admin_graphql_api_id}`],
    ]);
  });

  it("enrolls without a bonus when none is set, and a paid order before the create still counts once", async () => {
    await installShop(SHOP, { signupBonusPoints: 25 });
    const customer = customerPayload();
    await deliver("orders/paid", paidOrderPayload({ customer, lines: [{ title: "Mug", price: "12.00" }] }));
    await deliver("customers/create", customer);
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(37);
    await installShop(SHOP, { signupBonusPoints: 0 });
    const plain = customerPayload();
    await deliver("customers/create", plain);
    expect((await memberOf(SHOP, plain.admin_graphql_api_id))?.balance).toBe(0);
  });
});

describe("customers/update and customers/delete", () => {
  it("keeps name and email current", async () => {
    const customer = customerPayload({ email: "old@example.com" });
    await deliver("customers/create", customer);
    await deliver("customers/update", { ...customer, email: "new@example.com", first_name: "Grace" });
    expect(await memberOf(SHOP, customer.admin_graphql_api_id)).toMatchObject({
      email: "new@example.com",
      firstName: "Grace",
    });
  });

  it("delete removes personal data and keeps the ledger totals", async () => {
    const customer = customerPayload();
    await deliver("orders/paid", paidOrderPayload({ customer, lines: [{ title: "Mug", price: "12.00" }] }));
    await deliver("customers/delete", customerDeletePayload(customer.id));
    const member = await memberOf(SHOP, customer.admin_graphql_api_id);
    expect(member).toMatchObject({ email: null, firstName: null, lastName: null, balance: 12 });
    expect(member?.redactedAt).not.toBeNull();
    // An update arriving late does not bring the data back.
    await deliver("customers/update", customer);
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.email).toBeNull();
  });
});

/** Every string column of every row that could hold personal data. */
async function allTextValues(): Promise<string[]> {
  const rows = [
    ...(await db.member.findMany()),
    ...(await db.ledgerEntry.findMany()),
    ...(await db.orderRecord.findMany()),
    ...(await db.refundRecord.findMany()),
    ...(await db.webhookDelivery.findMany()),
    ...(await db.dataRequest.findMany()),
  ];
  return rows.flatMap((row) => Object.values(row).filter((v): v is string => typeof v === "string"));
}

describe("compliance webhooks", () => {
  it("customers/data_request assembles the member's data as a JSON document", async () => {
    const customer = customerPayload({ email: "ada@example.com" });
    const order = paidOrderPayload({ customer, lines: [{ title: "Mug", price: "12.00" }] });
    await deliver("orders/paid", order);
    const request = customersDataRequestPayload({ customer, orderIds: [order.id] });
    expect((await deliver("customers/data_request", request)).status).toBe(200);
    const stored = await db.dataRequest.findFirstOrThrow();
    const document = JSON.parse(stored.document);
    expect(stored.requestId).toBe(String(request.data_request.id));
    expect(document.member).toMatchObject({ email: "ada@example.com", balance: 12 });
    expect(document.member.ledger).toHaveLength(1);
    expect(document.orders[0]).toMatchObject({ orderGid: order.admin_graphql_api_id, pointsAwarded: 12 });
  });

  it("customers/redact leaves no personal data in any column and the ledger still verifies", async () => {
    const customer = customerPayload({ email: "secret.person@example.com", firstName: "Secreta", lastName: "Personne" });
    const order = paidOrderPayload({ customer, lines: [{ title: "Mug", price: "12.00", quantity: 2 }] });
    const guestOrder = paidOrderPayload({ customer: null, email: "secret.person@example.com" });
    await deliver("customers/create", customer);
    await deliver("orders/paid", order);
    await deliver("orders/paid", guestOrder);
    await deliver("refunds/create", refundPayload(order, { lines: [{ lineIndex: 0, quantity: 1 }] }));
    await deliver("customers/data_request", customersDataRequestPayload({ customer }));

    await deliver("customers/redact", customersRedactPayload({ customer, orderIds: [order.id, guestOrder.id] }));

    const values = (await allTextValues()).join("\n").toLowerCase();
    for (const personal of ["secret.person@example.com", "secreta", "personne"]) {
      expect(values).not.toContain(personal);
    }
    expect(await db.dataRequest.count()).toBe(0);
    const member = await memberOf(SHOP, customer.admin_graphql_api_id);
    expect(member?.balance).toBe(12);
    expect((await findBalanceMismatches(db)).mismatches).toEqual([]);
  });

  it("shop/redact deletes every row of that shop and nothing of another", async () => {
    const other = "other-shop.myshopify.com";
    await installShop(other);
    const customer = customerPayload();
    await deliver("orders/paid", paidOrderPayload({ customer }));
    await deliver("orders/paid", paidOrderPayload({ customer: customerPayload(), shopDomain: other }), { shop: other });
    expect((await deliver("shop/redact", shopRedactPayload({ shopDomain: SHOP }))).status).toBe(200);
    expect(await db.shop.findUnique({ where: { domain: SHOP } })).toBeNull();
    expect(await db.session.count({ where: { shop: SHOP } })).toBe(0);
    for (const count of [
      db.member.count({ where: { shop: { domain: SHOP } } }),
      db.webhookDelivery.count({ where: { shopDomain: SHOP } }),
    ]) {
      expect(await count).toBe(0);
    }
    expect(await db.member.count({ where: { shop: { domain: other } } })).toBe(1);
    expect(await db.ledgerEntry.count()).toBe(1);
  });

  it("app/uninstalled drops the sessions and keeps the data; app/scopes_update stores scopes", async () => {
    const customer = customerPayload();
    await deliver("orders/paid", paidOrderPayload({ customer }));
    await deliver("app/scopes_update", appScopesUpdatePayload({ current: ["read_customers", "read_orders", "write_discounts"] }));
    expect((await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).scopes).toBe(
      "read_customers,read_orders,write_discounts",
    );
    expect((await db.session.findFirstOrThrow({ where: { shop: SHOP } })).scope).toBe(
      "read_customers,read_orders,write_discounts",
    );
    expect((await deliver("app/uninstalled", appUninstalledPayload())).status).toBe(200);
    expect(await db.session.count({ where: { shop: SHOP } })).toBe(0);
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    expect(shop.uninstalledAt).not.toBeNull();
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBeGreaterThan(0);
  });
});
