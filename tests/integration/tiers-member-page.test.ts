/**
 * The member page's VIP tier card and "change tier" action (staff): tier, progress to the next tier
 * and history in the loader; a manual change audited with the staff user, a TierChange `manual` row,
 * idempotent per request id, refused for unknown tiers and other shops' members.
 */
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { action, loader } from "~/routes/app.members.$memberId";
import { deliver, installShop, memberOf } from "../support/app";
import { adminAction, adminLoader } from "../support/admin-route";
import { resetDatabase } from "../support/database";
import { sessionToken } from "../support/session-token";
import { customerPayload, paidOrderPayload } from "../support/shopify/payloads";

const SHOP_A = "shop-a.myshopify.com";
const SHOP_B = "shop-b.myshopify.com";

async function tiersOn(domain: string) {
  const shop = await installShop(domain, { earnRate: "1", signupBonusPoints: 0 });
  await db.tier.createMany({
    data: [
      { shopId: shop.id, handle: "bronze", name: "Bronze", position: 0, thresholdKind: "amount_spent", thresholdValue: "0", qualificationPeriod: "lifetime" },
      { shopId: shop.id, handle: "silver", name: "Silver", position: 1, thresholdKind: "amount_spent", thresholdValue: "100.00", qualificationPeriod: "lifetime", perks: "Free shipping" },
      { shopId: shop.id, handle: "gold", name: "Gold", position: 2, thresholdKind: "amount_spent", thresholdValue: "250.00", qualificationPeriod: "lifetime" },
    ],
  });
  await db.shop.update({ where: { id: shop.id }, data: { tiersEnabled: true } });
  return shop;
}

beforeEach(async () => {
  await resetDatabase(db);
  await tiersOn(SHOP_A);
  await tiersOn(SHOP_B);
});

async function memberWithOrder(domain: string, price: string) {
  const customer = customerPayload();
  await deliver("customers/create", customer, { shop: domain });
  await deliver("orders/paid", paidOrderPayload({ customer, lines: [{ title: "Bowl", price, quantity: 1 }] }), { shop: domain });
  const member = await memberOf(domain, customer.admin_graphql_api_id);
  if (!member) throw new Error("not enrolled");
  return member;
}

describe("member page: VIP tier", () => {
  it("shows the tier, the amount left to the next tier and the history", async () => {
    const member = await memberWithOrder(SHOP_A, "160.00");
    const page = await adminLoader(loader, `/app/members/${member.id}`, SHOP_A, { params: { memberId: member.id } });
    expect(page.status).toBe(200);
    expect(page.body.tiers.view).toMatchObject({
      tier: { handle: "silver", name: "Silver", perks: "Free shipping" },
      next: { tier: "gold", kind: "amount_spent", remaining: "90", threshold: "250", current: "160" },
    });
    expect(page.body.tiers.history.map((item: { from: string | null; to: string }) => [item.from, item.to])).toEqual([
      ["bronze", "silver"],
      [null, "bronze"],
    ]);
  });

  it("changes the tier by hand once per request id, audited, and never for another shop's member", async () => {
    const member = await memberWithOrder(SHOP_A, "20.00");
    const fields = { intent: "change_tier", tierHandle: "gold", requestId: "req-12345678", note: "VIP customer" };
    const token = await sessionToken(SHOP_A, { sub: "31" });
    const first = await adminAction(action, `/app/members/${member.id}`, SHOP_A, fields, { params: { memberId: member.id }, token });
    expect(first).toMatchObject({ status: 200, body: { ok: true, intent: "change_tier", changed: true, tierHandle: "gold" } });
    const again = await adminAction(action, `/app/members/${member.id}`, SHOP_A, fields, { params: { memberId: member.id }, token });
    expect(again.body).toMatchObject({ ok: true, changed: false });
    const manual = await db.tierChange.findMany({ where: { memberId: member.id, reason: "manual" } });
    expect(manual).toMatchObject([{ fromHandle: "bronze", toHandle: "gold", staffId: "31", note: "VIP customer", idempotencyKey: "manual:req-12345678" }]);
    expect(await db.auditLog.findMany({ where: { subjectId: member.id } })).toMatchObject([{ action: "member.change_tier", staffId: "31" }]);
    expect((await db.member.findUniqueOrThrow({ where: { id: member.id } })).tierHandle).toBe("gold");
    expect(await db.shopifyOutbox.count({ where: { kind: "customer_tier", key: `tier:${member.id}` } })).toBe(1);

    const unknown = await adminAction(action, `/app/members/${member.id}`, SHOP_A, { ...fields, tierHandle: "diamond", requestId: "req-87654321" }, { params: { memberId: member.id } });
    expect(unknown).toMatchObject({ status: 400, body: { ok: false, errors: { tierHandle: expect.any(String) } } });
    const noRequest = await adminAction(action, `/app/members/${member.id}`, SHOP_A, { ...fields, requestId: "" }, { params: { memberId: member.id } });
    expect(noRequest.status).toBe(400);
    const otherShop = await adminAction(action, `/app/members/${member.id}`, SHOP_B, { ...fields, tierHandle: "silver", requestId: "req-abcdefgh" }, { params: { memberId: member.id } });
    expect(otherShop.status).toBe(404);
    expect(await db.tierChange.count({ where: { memberId: member.id, reason: "manual" } })).toBe(1);
  });

  it("refuses a manual tier change while tiers are off (the daily review would clear it), changing nothing", async () => {
    const member = await memberWithOrder(SHOP_A, "20.00");
    await db.shop.update({ where: { domain: SHOP_A }, data: { tiersEnabled: false } });
    const fields = { intent: "change_tier", tierHandle: "gold", requestId: "req-off-1234", note: "" };
    const refused = await adminAction(action, `/app/members/${member.id}`, SHOP_A, fields, { params: { memberId: member.id } });
    expect(refused).toMatchObject({ status: 400, body: { ok: false, errors: { tierHandle: "Turn VIP tiers on before changing a member's tier" } } });
    expect(await db.tierChange.count({ where: { memberId: member.id, reason: "manual" } })).toBe(0);
    expect(await db.auditLog.count({ where: { subjectId: member.id } })).toBe(0);
    expect((await db.member.findUniqueOrThrow({ where: { id: member.id } })).tierHandle).toBe("bronze");
  });
});
