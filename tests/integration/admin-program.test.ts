/**
 * The Program page's loader and action through session-token auth: settings read and written for
 * the token's shop only, zod errors per field with nothing changed, and points already earned keep
 * their frozen rule while the next order uses the new rate.
 */
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { action, loader } from "~/routes/app.program";
import { deliver, entriesOf, installShop } from "../support/app";
import { adminAction, adminLoader } from "../support/admin-route";
import { resetDatabase } from "../support/database";
import { sessionToken } from "../support/session-token";
import { customerPayload, paidOrderPayload } from "../support/shopify/payloads";

const SHOP_A = "shop-a.myshopify.com";
const SHOP_B = "shop-b.myshopify.com";

const VALID = {
  programEnabled: "true",
  earnRate: "2",
  earnRounding: "round",
  minimumOrderAmount: "10.00",
  includePosOrders: "false",
  includeTestOrders: "false",
  signupBonusPoints: "25",
};

beforeEach(async () => {
  await resetDatabase(db);
  await installShop(SHOP_A, { earnRate: "1", signupBonusPoints: 0 });
  await installShop(SHOP_B, { earnRate: "3" });
});

describe("Program page", () => {
  it("loads the settings of the token's shop", async () => {
    const a = await adminLoader(loader, "/app/program", SHOP_A);
    const b = await adminLoader(loader, "/app/program", SHOP_B);
    expect(a).toMatchObject({
      status: 200,
      body: { settings: { earnRate: "1", earnRounding: "floor", programEnabled: true, signupBonusPoints: "0" }, changes: [] },
    });
    expect(b.body.settings.earnRate).toBe("3");
  });

  it("saves valid settings for that shop only, and queues the storefront program sync", async () => {
    const saved = await adminAction(action, "/app/program", SHOP_A, VALID, { token: await sessionToken(SHOP_A, { sub: "4242" }) });
    expect(saved).toMatchObject({
      status: 200,
      body: { ok: true, settings: { earnRate: "2", earnRounding: "round", minimumOrderAmount: "10.00", includePosOrders: false, signupBonusPoints: "25" } },
    });
    const a = await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } });
    expect(a).toMatchObject({ earnRate: "2", earnRounding: "round", minimumOrderAmount: "10.00", includePosOrders: false, signupBonusPoints: 25 });
    expect(await db.shopifyOutbox.count({ where: { shopId: a.id, kind: "program", status: "pending" } })).toBe(1);
    expect((await db.shop.findUniqueOrThrow({ where: { domain: SHOP_B } })).earnRate).toBe("3");

    // The audit log: who (the token's staff user), before and after.
    const audit = await db.auditLog.findMany({ where: { shopId: a.id } });
    expect(audit).toMatchObject([{ action: "program.update", staffId: "4242", subjectType: "shop", subjectId: a.id }]);
    expect(JSON.parse(audit[0]?.before ?? "{}")).toMatchObject({ earnRate: "1", earnRounding: "floor", signupBonusPoints: 0 });
    expect(JSON.parse(audit[0]?.after ?? "{}")).toMatchObject({ earnRate: "2", earnRounding: "round", signupBonusPoints: 25 });
    // The page lists it under recent changes, naming what changed.
    const page = await adminLoader(loader, "/app/program", SHOP_A);
    expect(page.body.changes).toMatchObject([
      { staffId: "4242", changed: ["earnRate", "earnRounding", "minimumOrderAmount", "includePosOrders", "signupBonusPoints"] },
    ]);
    expect((await adminLoader(loader, "/app/program", SHOP_B)).body.changes).toEqual([]);
  });

  it("returns an error next to each bad field and changes nothing", async () => {
    const before = await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } });
    const bad = await adminAction(action, "/app/program", SHOP_A, {
      ...VALID,
      earnRate: "0",
      earnRounding: "sideways",
      minimumOrderAmount: "ten",
      signupBonusPoints: "-5",
    });
    expect(bad.status).toBe(400);
    expect(bad.body.ok).toBe(false);
    expect(Object.keys(bad.body.errors).sort()).toEqual(["earnRate", "earnRounding", "minimumOrderAmount", "signupBonusPoints"]);
    expect(bad.body.errors.earnRate).toMatch(/more than 0/);
    const after = await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } });
    expect(after).toEqual(before);
    expect(await db.shopifyOutbox.count({ where: { shopId: before.id } })).toBe(0);
    expect(await db.auditLog.count()).toBe(0);
  });

  it("an empty minimum order means none", async () => {
    await adminAction(action, "/app/program", SHOP_A, { ...VALID, minimumOrderAmount: "" });
    expect((await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } })).minimumOrderAmount).toBeNull();
  });

  it("applies to future orders only: earned points keep the rate they were earned at", async () => {
    const customer = customerPayload();
    await deliver("customers/create", customer, { shop: SHOP_A });
    await deliver("orders/paid", paidOrderPayload({ customer, lines: [{ title: "Mug", price: "20.00" }] }), { shop: SHOP_A });
    await adminAction(action, "/app/program", SHOP_A, { ...VALID, minimumOrderAmount: "" });
    await deliver("orders/paid", paidOrderPayload({ customer, lines: [{ title: "Mug", price: "20.00" }] }), { shop: SHOP_A });
    const earned = (await entriesOf(SHOP_A, customer.admin_graphql_api_id)).filter((e) => e.kind === "order_earn");
    expect(earned.map((e) => e.delta)).toEqual([20, 40]);
    expect(JSON.parse(earned[0]?.rule ?? "{}")).toMatchObject({ earnRate: "1" });
  });

  it("refuses a request without a valid session token", async () => {
    const forged = await adminAction(action, "/app/program", SHOP_A, VALID, { token: `${await sessionToken(SHOP_A)}x` });
    expect(forged.status).toBe(401);
    expect((await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } })).earnRate).toBe("1");
  });
});
