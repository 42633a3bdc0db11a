import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { deliver, installShop, proxyGet } from "../support/app";
import { resetDatabase } from "../support/database";
import { customerPayload, paidOrderPayload } from "../support/shopify/payloads";

const SHOP_A = "shop-a.myshopify.com";
const SHOP_B = "shop-b.myshopify.com";

beforeEach(async () => {
  await resetDatabase(db);
  await installShop(SHOP_A);
  await installShop(SHOP_B);
});

describe("shop isolation", () => {
  it("a delivery for shop A never touches shop B's member with the same customer id", async () => {
    const customer = customerPayload();
    await deliver("customers/create", customer, { shop: SHOP_B });
    await deliver("orders/paid", paidOrderPayload({ customer, lines: [{ title: "A", price: "10.00" }] }), { shop: SHOP_A });
    const members = await db.member.findMany({ include: { shop: true }, orderBy: { enrolledAt: "asc" } });
    expect(members.map((m) => [m.shop.domain, m.balance])).toEqual([
      [SHOP_B, 0],
      [SHOP_A, 10],
    ]);
    const entries = await db.ledgerEntry.findMany({ include: { shop: true } });
    expect(entries.map((e) => e.shop.domain)).toEqual([SHOP_A]);
  });

  it("the same order id in two shops earns in each, separately", async () => {
    const customer = customerPayload();
    const order = paidOrderPayload({ customer, lines: [{ title: "A", price: "10.00" }] });
    await deliver("orders/paid", order, { shop: SHOP_A });
    await deliver("orders/paid", order, { shop: SHOP_B });
    expect(await db.ledgerEntry.count()).toBe(2);
  });

  it("a proxy request signed for shop A cannot read shop B's member", async () => {
    const customer = customerPayload();
    await deliver("orders/paid", paidOrderPayload({ customer, lines: [{ title: "B", price: "10.00" }] }), { shop: SHOP_B });
    const response = await proxyGet({ shop: SHOP_A, loggedInCustomerId: String(customer.id) });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.enrolled).toBe(false); // guests get the program info, never another shop's member
    expect(body).not.toHaveProperty("balance");
  });
});
