/**
 * VIP tiers through signed webhooks (issue 4, ADR 011/012): the base tier on sign-up, immediate
 * promotion on orders/paid (skipped tiers' entry rewards once, points and catalog codes), the tier
 * multiplier frozen on the earn entry with exact reversals, refunds that do not demote mid-period
 * (and do with tierRefundsDemote), excluded members, and the customer tag + tier metafields through
 * the outbox in the Admin API stand-in.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { findBalanceMismatches } from "~/loyalty/ledger.server";
import { createReward } from "~/loyalty/services/redemptions.server";
import { deliver, drainOutbox, entriesOf, installShop, memberOf } from "../support/app";
import { resetDatabase } from "../support/database";
import { createAdminApiStandIn, installAdminApiFetch, type AdminApiFetchHandle, type AdminApiStandIn } from "../support/shopify/admin-graphql";
import { customerPayload, paidOrderPayload, refundPayload, type CustomerPayload } from "../support/shopify/payloads";

const SHOP = "test-shop.myshopify.com";
const OTHER = "other-shop.myshopify.com";

let shopId = "";
let shopify: AdminApiStandIn;
let handle: AdminApiFetchHandle | undefined;

interface LadderOptions {
  goldRewardId?: string | null;
  refundsDemote?: boolean;
}

async function ladder(id: string, options: LadderOptions = {}) {
  await db.tier.createMany({
    data: [
      { shopId: id, handle: "bronze", name: "Bronze", position: 0, thresholdKind: "points_earned", thresholdValue: "0", qualificationPeriod: "calendar_year", earnMultiplier: "1", perks: "Members' newsletter" },
      { shopId: id, handle: "silver", name: "Silver", position: 1, thresholdKind: "points_earned", thresholdValue: "100", qualificationPeriod: "calendar_year", earnMultiplier: "1.5", entryRewardPoints: 20, perks: "Free shipping" },
      { shopId: id, handle: "vip", name: "Secret VIP", position: 2, thresholdKind: "points_earned", thresholdValue: "200", qualificationPeriod: "calendar_year", earnMultiplier: "3", entryRewardPoints: 999, hidden: true },
      { shopId: id, handle: "gold", name: "Gold", position: 3, thresholdKind: "points_earned", thresholdValue: "300", qualificationPeriod: "calendar_year", earnMultiplier: "2", entryRewardPoints: options.goldRewardId ? null : 50, entryRewardId: options.goldRewardId ?? null, perks: "Early access" },
    ],
  });
  await db.shop.update({ where: { id }, data: { tiersEnabled: true, tierRefundsDemote: options.refundsDemote ?? false } });
}

beforeEach(async () => {
  await resetDatabase(db);
  shopId = (await installShop(SHOP, { earnRate: "1", signupBonusPoints: 0 })).id;
  await installShop(OTHER, { earnRate: "1" });
  shopify = createAdminApiStandIn({ throttle: false });
  handle = installAdminApiFetch(shopify, { passthrough: false });
});

afterEach(() => handle?.restore());

async function join(customer: CustomerPayload = customerPayload(), shop = SHOP) {
  expect((await deliver("customers/create", customer, { shop })).status).toBe(200);
  const member = await memberOf(shop, customer.admin_graphql_api_id);
  if (!member) throw new Error("not enrolled");
  return { customer, member };
}

function order(customer: CustomerPayload, price: string, quantity = 1) {
  return paidOrderPayload({ customer, lines: [{ title: "Vase", price, quantity }] });
}

async function tierOf(memberId: string) {
  return (await db.member.findUniqueOrThrow({ where: { id: memberId } })).tierHandle;
}

async function expectLedgerExact() {
  expect((await findBalanceMismatches(db)).mismatches).toEqual([]);
}

describe("promotion", () => {
  it("puts a new member in the base tier, and nothing happens while tiers are off", async () => {
    const off = await join();
    expect(off.member.tierHandle).toBeNull();
    await ladder(shopId);
    const { member } = await join();
    expect(await tierOf(member.id)).toBe("bronze");
    const changes = await db.tierChange.findMany({ where: { memberId: member.id } });
    expect(changes).toMatchObject([{ fromHandle: null, toHandle: "bronze", reason: "promotion", shopId }]);
    const stored = await db.member.findUniqueOrThrow({ where: { id: member.id } });
    expect(stored.tierReviewOn).toBeNull(); // the base tier is never reviewed
    expect(await tierOf(off.member.id)).toBeNull(); // members are not moved by switching tiers on
  });

  it("promotes at once on orders/paid, skipping tiers: each visible crossed tier's entry reward once, hidden tiers never", async () => {
    await ladder(shopId);
    const { customer, member } = await join();
    const paid = order(customer, "350.00");
    expect((await deliver("orders/paid", paid)).status).toBe(200);
    expect(await tierOf(member.id)).toBe("gold");
    const entries = await entriesOf(SHOP, customer.admin_graphql_api_id);
    expect(entries.map((entry) => [entry.kind, entry.delta, entry.idempotencyKey])).toEqual([
      ["order_earn", 350, `order:${paid.admin_graphql_api_id}:earn`], // bronze multiplier 1 at payment
      ["tier_entry_reward", 20, `tier-entry:${member.id}:silver`],
      ["tier_entry_reward", 50, `tier-entry:${member.id}:gold`],
    ]);
    const changes = await db.tierChange.findMany({ where: { memberId: member.id }, orderBy: { createdAt: "asc" } });
    expect(changes.map((change) => [change.fromHandle, change.toHandle, change.reason])).toEqual([
      [null, "bronze", "promotion"],
      ["bronze", "gold", "promotion"],
    ]);
    const stored = await db.member.findUniqueOrThrow({ where: { id: member.id } });
    expect(stored.tierSince).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(stored.tierReviewOn).toBe(`${Number(stored.tierSince?.slice(0, 4)) + 1}-01-01`);

    // The same webhook again, and another order: no second promotion, no second reward.
    expect((await deliver("orders/paid", paid)).status).toBe(200);
    expect((await deliver("orders/paid", order(customer, "10.00"))).status).toBe(200);
    const after = await entriesOf(SHOP, customer.admin_graphql_api_id);
    expect(after.filter((entry) => entry.kind === "tier_entry_reward")).toHaveLength(2);
    expect(await db.tierChange.count({ where: { memberId: member.id } })).toBe(2);
    expect(after.at(-1)).toMatchObject({ kind: "order_earn", delta: 20 }); // gold × 2 from now on
    await expectLedgerExact();
  });

  it("never gives an entry reward twice, even after a demotion and a new promotion", async () => {
    await ladder(shopId, { refundsDemote: true });
    const { customer, member } = await join();
    const first = order(customer, "150.00");
    await deliver("orders/paid", first);
    expect(await tierOf(member.id)).toBe("silver");
    await deliver("refunds/create", refundPayload(first, { lines: [{ lineIndex: 0, quantity: 1 }] }));
    expect(await tierOf(member.id)).toBe("bronze");
    await deliver("orders/paid", order(customer, "150.00"));
    expect(await tierOf(member.id)).toBe("silver");
    const rewards = (await entriesOf(SHOP, customer.admin_graphql_api_id)).filter((entry) => entry.kind === "tier_entry_reward");
    expect(rewards).toHaveLength(1);
    expect((await db.tierChange.findMany({ where: { memberId: member.id }, orderBy: { createdAt: "asc" } })).map((c) => c.reason)).toEqual([
      "promotion",
      "promotion",
      "refund_demotion",
      "promotion",
    ]);
    await expectLedgerExact();
  });

  it("issues a catalog entry reward as a free code once (after the promotion commits)", async () => {
    const reward = await createReward(SHOP, { kind: "amount_off", name: "$10 Gold gift", pointsCost: 1000, amount: "10.00" });
    if (!reward.ok) throw new Error(reward.issues.join("; "));
    await ladder(shopId, { goldRewardId: reward.id });
    const { customer, member } = await join();
    const paid = order(customer, "400.00");
    await deliver("orders/paid", paid);
    await deliver("orders/paid", paid);
    expect(await tierOf(member.id)).toBe("gold");
    const grants = await db.redemption.findMany({ where: { memberId: member.id } });
    expect(grants).toMatchObject([{ status: "issued", pointsSpent: 0, requestId: `grant:tier-entry:${member.id}:gold` }]);
    expect(shopify.requestsFor("DiscountCodeBasicCreate")).toHaveLength(1);
  });

  it("excluded members earn nothing and are not promoted", async () => {
    await ladder(shopId);
    const { customer, member } = await join();
    await db.member.update({ where: { id: member.id }, data: { excludedAt: new Date() } });
    await deliver("orders/paid", order(customer, "500.00"));
    expect(await entriesOf(SHOP, customer.admin_graphql_api_id)).toEqual([]);
    expect(await tierOf(member.id)).toBe("bronze");
    const record = await db.orderRecord.findFirstOrThrow({ where: { shopId, customerGid: customer.admin_graphql_api_id } });
    expect(record).toMatchObject({ pointsAwarded: 0, skipReason: "member_excluded" });
  });
});

describe("multiplier and refunds", () => {
  it("freezes the tier multiplier on the earn entry; partial refunds reverse exactly what was awarded", async () => {
    await ladder(shopId);
    const { customer, member } = await join();
    await deliver("orders/paid", order(customer, "300.00")); // → gold
    const paid = order(customer, "25.00", 3); // 75 base × 2 = 150
    await deliver("orders/paid", paid);
    const earn = await db.ledgerEntry.findFirstOrThrow({ where: { shopId, idempotencyKey: `order:${paid.admin_graphql_api_id}:earn` } });
    expect(earn.delta).toBe(150);
    expect(JSON.parse(earn.rule ?? "{}")).toMatchObject({ basePoints: 75, tierHandle: "gold", tierMultiplier: "2", earnRate: "1" });
    // A later change of the multiplier does not touch what was earned, nor what a refund takes back.
    await db.tier.update({ where: { shopId_handle: { shopId, handle: "gold" } }, data: { earnMultiplier: "3" } });
    await deliver("refunds/create", refundPayload(paid, { lines: [{ lineIndex: 0, quantity: 1 }] }));
    await deliver("refunds/create", refundPayload(paid, { lines: [{ lineIndex: 0, quantity: 2 }] }));
    const reversals = (await entriesOf(SHOP, customer.admin_graphql_api_id)).filter((entry) => entry.orderGid === paid.admin_graphql_api_id && entry.kind === "refund_reversal");
    expect(reversals.map((entry) => entry.delta)).toEqual([-50, -100]);
    expect(await tierOf(member.id)).toBe("gold"); // refunds never demote mid-period by default
    await expectLedgerExact();
  });

  it("a full refund leaves the tier alone by default (the review sees it)", async () => {
    await ladder(shopId);
    const { customer, member } = await join();
    const paid = order(customer, "150.00");
    await deliver("orders/paid", paid);
    expect(await tierOf(member.id)).toBe("silver");
    await deliver("refunds/create", refundPayload(paid, { lines: [{ lineIndex: 0, quantity: 1 }] }));
    expect(await tierOf(member.id)).toBe("silver");
    expect(await db.tierChange.count({ where: { memberId: member.id, reason: "refund_demotion" } })).toBe(0);
  });
});

describe("Shopify: tier tag and metafields through the outbox", () => {
  it("tags the customer keepsake-tier-<handle>, removes the other tier tags and writes the tier metafields", async () => {
    await ladder(shopId);
    const { customer } = await join();
    await deliver("orders/paid", order(customer, "120.00"));
    const outbox = await db.shopifyOutbox.findMany({ where: { shopId, kind: "customer_tier" } });
    expect(outbox).toHaveLength(1); // collapsed: one row per member
    await drainOutbox();
    const added = shopify.requestsFor("TagsAdd");
    expect(added.at(-1)?.variables).toEqual({ id: customer.admin_graphql_api_id, tags: ["keepsake-tier-silver"] });
    const removed = shopify.requestsFor("TagsRemove");
    expect(removed.at(-1)?.variables).toEqual({
      id: customer.admin_graphql_api_id,
      tags: ["keepsake-tier-bronze", "keepsake-tier-vip", "keepsake-tier-gold"],
    });
    const metafields = shopify
      .requestsFor("MetafieldsSet")
      .flatMap((request) => request.variables.metafields as { ownerId: string; key: string; value: string }[])
      .filter((field) => field.key === "tier" || field.key === "tier_progress");
    expect(metafields.find((field) => field.key === "tier")).toMatchObject({ ownerId: customer.admin_graphql_api_id, value: "Silver" });
    const progress = JSON.parse(metafields.find((field) => field.key === "tier_progress")?.value ?? "{}") as Record<string, unknown>;
    expect(progress).toMatchObject({ tier: "silver", pointsEarned: 120, next: { tier: "gold", remaining: "180" } });
    expect(await db.shopifyOutbox.count({ where: { shopId, kind: "customer_tier", status: "done" } })).toBe(1);
  });

  it("retries the tier sync when Shopify refuses the tag (ADR 009 backoff)", async () => {
    await ladder(shopId);
    await join();
    shopify.failNext(503);
    await drainOutbox();
    const row = await db.shopifyOutbox.findFirstOrThrow({ where: { shopId, kind: "customer_tier" } });
    expect(row).toMatchObject({ status: "pending", tries: 1 });
    expect(row.lastError).toBeTruthy();
  });
});
