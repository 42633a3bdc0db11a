/**
 * GET /apps/keepsake/member shows the bonus campaigns running now that this shopper can get: for
 * everyone, or for the member's tier; a used once-per-member campaign disappears; archived, ended,
 * upcoming and other shops' campaigns never show. Absent (not an empty list) when none runs.
 */
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { addDays, localDateOf, localDateTimeOf, zonedTimeToInstant } from "~/loyalty/schedule";
import { deliver, installShop, proxyGet } from "../support/app";
import { resetDatabase } from "../support/database";
import { customerPayload, paidOrderPayload } from "../support/shopify/payloads";

const SHOP = "test-shop.myshopify.com";
const ZONE = "Asia/Tokyo";
let shopId = "";

/** Shop-local wall time `hours` from now (Tokyo has no DST, so hours add exactly). */
const wall = (hours: number) => localDateTimeOf(new Date(Date.now() + hours * 3_600_000), ZONE).slice(0, 16);

beforeEach(async () => {
  await resetDatabase(db);
  const shop = await installShop(SHOP);
  shopId = (await db.shop.update({ where: { id: shop.id }, data: { ianaTimezone: ZONE } })).id;
});

async function campaign(name: string, fields: Partial<{ startsAt: string; endsAt: string; kind: string; value: string; targetTiers: string; oncePerMember: boolean; archivedAt: Date; shopId: string }> = {}) {
  return db.campaign.create({
    data: { shopId, name, startsAt: wall(-24), endsAt: wall(48), kind: "multiplier", value: "2", ...fields },
  });
}

async function programOf(customerId: string) {
  const response = await proxyGet({ shop: SHOP, loggedInCustomerId: customerId });
  expect(response.status).toBe(200);
  return (await response.json()).program;
}

describe("running campaigns in GET member", () => {
  it("lists what this shopper can get now, with the last shop-local day", async () => {
    const other = await installShop("other-shop.myshopify.com");
    const doubleRow = await campaign("Double points");
    await campaign("Gold weekend", { kind: "fixed_bonus", value: "200", targetTiers: '["gold"]' });
    await campaign("Welcome back", { kind: "fixed_bonus", value: "50", oncePerMember: true });
    await campaign("Archived", { archivedAt: new Date() });
    await campaign("Ended", { startsAt: wall(-48), endsAt: wall(-1) });
    await campaign("Upcoming", { startsAt: wall(1), endsAt: wall(5) });
    await campaign("Theirs", { shopId: other.id });

    const guest = await programOf("");
    expect(guest.campaigns.map((c: { name: string }) => c.name).sort()).toEqual(["Double points", "Welcome back"]);
    const double = guest.campaigns.find((c: { name: string }) => c.name === "Double points");
    const ends = zonedTimeToInstant(doubleRow.endsAt, ZONE);
    expect(double).toEqual({
      name: "Double points",
      kind: "multiplier",
      value: "2",
      minimumOrderAmount: null,
      endsAt: ends.toISOString(),
      lastDay: localDateOf(new Date(ends.getTime() - 1), ZONE),
    });

    const customer = customerPayload();
    await deliver("customers/create", customer);
    await db.member.updateMany({ where: { customerGid: customer.admin_graphql_api_id }, data: { tierHandle: "gold" } });
    const gold = await programOf(String(customer.id));
    expect(gold.campaigns.map((c: { name: string }) => c.name).sort()).toEqual(["Double points", "Gold weekend", "Welcome back"]);

    // An order takes the best one (Gold weekend, 200); then Welcome back is still unused.
    await deliver("orders/paid", paidOrderPayload({ customer, lines: [{ title: "Cup", price: "10.00" }] }));
    await deliver("orders/paid", paidOrderPayload({ customer, lines: [{ title: "Cup", price: "10.00" }] }));
    // Both orders: 200 (gold, not once-per-member) beats 50 and ×2 (10) each time.
    expect(await db.campaignUse.count()).toBe(0);
    await db.member.updateMany({ where: { customerGid: customer.admin_graphql_api_id }, data: { tierHandle: null } });
    await deliver("orders/paid", paidOrderPayload({ customer, lines: [{ title: "Cup", price: "10.00" }] }));
    expect(await db.campaignUse.count()).toBe(1);
    const after = await programOf(String(customer.id));
    expect(after.campaigns.map((c: { name: string }) => c.name)).toEqual(["Double points"]);
  });

  it("no running campaign, or the program paused: no campaigns key at all", async () => {
    expect(await programOf("")).not.toHaveProperty("campaigns");
    await campaign("Double points");
    await db.shop.update({ where: { id: shopId }, data: { programEnabled: false } });
    expect(await programOf("")).not.toHaveProperty("campaigns");
  });

  it("a campaign ending at local midnight runs through the day before", async () => {
    const today = localDateOf(new Date(), ZONE);
    await campaign("Through tomorrow", { endsAt: `${addDays(today, 2)}T00:00` });
    const [shown] = (await programOf("")).campaigns;
    expect(shown.lastDay).toBe(addDays(today, 1));
  });
});
