/**
 * GET /apps/keepsake/member with VIP tiers: the member's tier (name, perks, multiplier) and progress
 * to the next visible tier, the visible ladder (hidden tiers never), nothing about tiers while they
 * are off; guests see the ladder.
 */
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { runJobDay } from "~/jobs/scheduler.server";
import { segmentRefreshJob } from "~/jobs/segment-refresh.server";
import { businessDay } from "~/loyalty/schedule";
import type { MemberResponse } from "~/loyalty/storefront-contract";
import { deliver, installShop, proxyGet } from "../support/app";
import { resetDatabase } from "../support/database";
import { customerPayload, paidOrderPayload } from "../support/shopify/payloads";

const SHOP = "test-shop.myshopify.com";
let shopId = "";

beforeEach(async () => {
  await resetDatabase(db);
  shopId = (await installShop(SHOP, { earnRate: "1", signupBonusPoints: 0 })).id;
  await db.tier.createMany({
    data: [
      { shopId, handle: "bronze", name: "Bronze", position: 0, thresholdKind: "amount_spent", thresholdValue: "0", qualificationPeriod: "calendar_year", perks: "Birthday gift" },
      { shopId, handle: "insider", name: "Insider", position: 1, thresholdKind: "amount_spent", thresholdValue: "50.00", qualificationPeriod: "calendar_year", hidden: true },
      { shopId, handle: "gold", name: "Gold", position: 2, thresholdKind: "amount_spent", thresholdValue: "100.00", qualificationPeriod: "calendar_year", earnMultiplier: "1.5", perks: "Free shipping" },
    ],
  });
});

async function memberView(customerId: bigint | string) {
  const response = await proxyGet({ shop: SHOP, loggedInCustomerId: String(customerId) });
  expect(response.status).toBe(200);
  return (await response.json()) as MemberResponse;
}

describe("proxy GET member: VIP tier", () => {
  it("returns the tier, what is left to the next visible tier and the visible ladder", async () => {
    await db.shop.update({ where: { id: shopId }, data: { tiersEnabled: true } });
    const customer = customerPayload();
    await deliver("customers/create", customer);
    await deliver("orders/paid", paidOrderPayload({ customer, lines: [{ title: "Scarf", price: "60.00", quantity: 1 }] }));
    const view = await memberView(customer.id);
    if (!view.enrolled) throw new Error("not enrolled");
    expect(view.tier).toEqual({
      handle: "bronze",
      name: "Bronze",
      perks: "Birthday gift",
      multiplier: "1",
      next: { handle: "gold", name: "Gold", kind: "amount_spent", remaining: "40", threshold: "100", current: "60" },
    });
    expect(view.program.tiers?.map((tier) => tier.handle)).toEqual(["bronze", "gold"]);
    expect(JSON.stringify(view)).not.toContain("Insider");

    const guest = await memberView("");
    expect(guest.enrolled).toBe(false);
    expect(guest.program.tiers).toMatchObject([{ name: "Bronze" }, { name: "Gold", multiplier: "1.5", perks: "Free shipping", threshold: "100.00" }]);
  });

  it("shows a member their own hidden tier (assigned by a segment rule) while the ladder never lists it", async () => {
    await db.shop.update({ where: { id: shopId }, data: { tiersEnabled: true, ianaTimezone: "UTC" } });
    await db.tier.updateMany({ where: { shopId, handle: "insider" }, data: { assignSegment: "at_risk", perks: "A thank-you gift" } });
    const customer = customerPayload();
    await deliver("customers/create", customer);
    const longAgo = new Date(Date.now() - 200 * 86_400_000);
    await db.member.updateMany({ where: { shopId, customerGid: customer.admin_graphql_api_id }, data: { enrolledAt: longAgo, lastActivityAt: longAgo } });
    const now = new Date();
    const shop = { id: shopId, domain: SHOP, ianaTimezone: "UTC" };
    expect(await runJobDay(segmentRefreshJob, shop, businessDay(now, "UTC"), { now })).toMatchObject({ outcome: "ran" });

    const view = await memberView(customer.id);
    if (!view.enrolled) throw new Error("not enrolled");
    expect(view.tier).toMatchObject({
      handle: "insider",
      name: "Insider",
      perks: "A thank-you gift",
      next: { handle: "gold", name: "Gold", remaining: "100", threshold: "100", current: "0" },
    });
    expect(view.program.tiers?.map((tier) => tier.handle)).toEqual(["bronze", "gold"]);
    const guest = await memberView("");
    expect(JSON.stringify(guest)).not.toContain("Insider");
  });

  it("says nothing about tiers while they are off", async () => {
    const customer = customerPayload();
    await deliver("customers/create", customer);
    const view = await memberView(customer.id);
    expect(view).not.toHaveProperty("tier");
    expect(view.program).not.toHaveProperty("tiers");
  });
});
