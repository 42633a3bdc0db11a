/**
 * The VIP tiers page (/app/tiers) through session-token auth: the default ladder when a shop has
 * none, a valid save (rows, settings, audit with the staff user, storefront program sync), errors
 * next to each bad field with nothing changed, hidden tiers with a segment rule (ADR 012 addendum),
 * catalog entry rewards, refunds that demote, amount-spent and orders-count ladders, a removed tier's members left to the placement run
 * (tests/integration/tier-placement.test.ts), shop isolation, and a saved multiplier applying to the
 * next order only.
 */
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import type { TierForm } from "~/loyalty/services/tiers-admin.server";
import { action, loader } from "~/routes/app.tiers";
import { deliver, installShop, memberOf } from "../support/app";
import { adminAction, adminLoader } from "../support/admin-route";
import { resetDatabase } from "../support/database";
import { sessionToken } from "../support/session-token";
import { customerPayload, paidOrderPayload } from "../support/shopify/payloads";

const SHOP_A = "shop-a.myshopify.com";
const SHOP_B = "shop-b.myshopify.com";

function tier(handle: string, thresholdValue: string, earnMultiplier = "1", extra: Partial<TierForm> = {}): TierForm {
  return {
    handle,
    name: handle[0]?.toUpperCase() + handle.slice(1),
    thresholdKind: "points_earned",
    thresholdValue,
    qualificationPeriod: "calendar_year",
    earnMultiplier,
    entryRewardKind: "none",
    entryRewardPoints: "",
    entryRewardId: "",
    perks: "",
    hidden: false,
    assignSegment: "",
    ...extra,
  };
}

function form(tiers: TierForm[], settings: Record<string, string> = {}) {
  return {
    tiersEnabled: "true",
    tierDowngrade: "one_level",
    tierGraceDays: "14",
    tierRefundsDemote: "false",
    tiers: JSON.stringify(tiers),
    ...settings,
  };
}

const LADDER = [
  tier("bronze", "0"),
  tier("silver", "500", "1.25", { entryRewardKind: "points", entryRewardPoints: "100", perks: "Free shipping" }),
  tier("gold", "1500", "1.5"),
];

beforeEach(async () => {
  await resetDatabase(db);
  await installShop(SHOP_A, { earnRate: "1", signupBonusPoints: 0 });
  await installShop(SHOP_B);
});

describe("VIP tiers page", () => {
  it("offers the default Bronze / Silver / Gold ladder while the shop has none", async () => {
    const page = await adminLoader(loader, "/app/tiers", SHOP_A);
    expect(page.status).toBe(200);
    expect(page.body.settings).toMatchObject({ tiersEnabled: false, tierDowngrade: "to_qualifying", tierGraceDays: "0", tierRefundsDemote: false });
    expect(page.body.settings.tiers.map((t: TierForm) => [t.handle, t.thresholdValue, t.earnMultiplier])).toEqual([
      ["bronze", "0", "1"],
      ["silver", "500", "1.25"],
      ["gold", "1500", "1.5"],
    ]);
    expect(await db.tier.count()).toBe(0);
  });

  it("saves the ladder and settings for the token's shop, with an audit entry and the program sync", async () => {
    const saved = await adminAction(action, "/app/tiers", SHOP_A, form(LADDER), { token: await sessionToken(SHOP_A, { sub: "777" }) });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ ok: true, settings: { tiersEnabled: true, tierDowngrade: "one_level", tierGraceDays: "14" } });
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } });
    expect(shop).toMatchObject({ tiersEnabled: true, tierDowngrade: "one_level", tierGraceDays: 14, tierRefundsDemote: false });
    const rows = await db.tier.findMany({ where: { shopId: shop.id }, orderBy: { position: "asc" } });
    expect(rows.map((row) => [row.handle, row.position, row.earnMultiplier, row.entryRewardPoints, row.perks])).toEqual([
      ["bronze", 0, "1", null, ""],
      ["silver", 1, "1.25", 100, "Free shipping"],
      ["gold", 2, "1.5", null, ""],
    ]);
    const audit = await db.auditLog.findMany({ where: { shopId: shop.id } });
    expect(audit).toMatchObject([{ action: "tiers.update", staffId: "777", subjectType: "shop" }]);
    expect(JSON.parse(audit[0]?.before ?? "{}")).toMatchObject({ tiersEnabled: false });
    expect(JSON.parse(audit[0]?.after ?? "{}")).toMatchObject({ tiersEnabled: true, tiers: [{ handle: "bronze" }, { handle: "silver" }, { handle: "gold" }] });
    expect(await db.shopifyOutbox.count({ where: { shopId: shop.id, kind: "program" } })).toBe(1);
    expect((await adminLoader(loader, "/app/tiers", SHOP_A)).body.changes).toMatchObject([{ staffId: "777" }]);

    // Shop B saw nothing.
    const b = await adminLoader(loader, "/app/tiers", SHOP_B);
    expect(b.body.settings.tiersEnabled).toBe(false);
    expect(b.body.changes).toEqual([]);
    expect(await db.tier.count({ where: { shop: { domain: SHOP_B } } })).toBe(0);
  });

  it("answers errors next to each bad field and changes nothing", async () => {
    const bad = await adminAction(
      action,
      "/app/tiers",
      SHOP_A,
      form([
        tier("bronze", "10"),
        tier("Silver!", "500", "0.5"),
        tier("gold", "400", "1.5", { entryRewardKind: "points", entryRewardPoints: "0" }),
      ]),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.ok).toBe(false);
    expect(Object.keys(bad.body.errors).sort()).toEqual([
      "tiers.0.thresholdValue",
      "tiers.1.earnMultiplier",
      "tiers.1.handle",
      "tiers.2.entryRewardPoints",
      "tiers.2.thresholdValue",
    ]);
    const badSettings = await adminAction(action, "/app/tiers", SHOP_A, form(LADDER, { tierGraceDays: "-1", tierDowngrade: "sideways" }));
    expect(badSettings.status).toBe(400);
    expect(Object.keys(badSettings.body.errors).sort()).toEqual(["tierDowngrade", "tierGraceDays"]);
    const mixed = await adminAction(action, "/app/tiers", SHOP_A, form([tier("bronze", "0"), tier("silver", "5", "1", { thresholdKind: "orders_count" })]));
    expect(mixed.body.errors).toHaveProperty(["tiers.1.thresholdKind"]);
    const unknownReward = await adminAction(action, "/app/tiers", SHOP_A, form([tier("bronze", "0"), tier("silver", "5", "1", { entryRewardKind: "reward", entryRewardId: "nope" })]));
    expect(unknownReward.body.errors).toEqual({ "tiers.1.entryRewardId": "This reward does not exist in this shop" });
    expect(await db.tier.count()).toBe(0);
    expect(await db.auditLog.count()).toBe(0);
    expect((await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } })).tiersEnabled).toBe(false);
  });

  it("removing a tier with members queues their re-placement (one run owing both saves); a saved multiplier applies to the next order only", async () => {
    expect((await adminAction(action, "/app/tiers", SHOP_A, form(LADDER))).status).toBe(200);
    const customer = customerPayload();
    await deliver("customers/create", customer, { shop: SHOP_A });
    await deliver("orders/paid", paidOrderPayload({ customer, lines: [{ title: "Lamp", price: "600.00", quantity: 1 }] }), { shop: SHOP_A });
    const member = await memberOf(SHOP_A, customer.admin_graphql_api_id);
    expect(member?.tierHandle).toBe("silver");

    const removing = await adminAction(action, "/app/tiers", SHOP_A, form([tier("bronze", "0"), tier("gold", "1500", "1.5")]));
    expect(removing.status).toBe(200);
    expect(await db.tier.count({ where: { shop: { domain: SHOP_A } } })).toBe(2);
    const queued = await db.jobRun.findMany({ where: { shop: { domain: SHOP_A }, job: "tier-placement", status: { not: "done" } } });
    // Owes this save and the first one (tiers turned on), not run yet: everyone placed; bronze members'
    // next tier is now gold (their progress text changes).
    expect(queued.map((run) => JSON.parse(run.payload ?? "null"))).toEqual([{ place: true, sync: ["bronze"] }]);
    expect((await adminLoader(loader, "/app/tiers", SHOP_A)).body.placement).toEqual({ processed: 0, total: 1 });

    const doubled = [LADDER[0], { ...(LADDER[1] as TierForm), earnMultiplier: "2" }, LADDER[2]] as TierForm[];
    expect((await adminAction(action, "/app/tiers", SHOP_A, form(doubled))).status).toBe(200);
    // Silver is back before the run: the new run owes both saves, the first one is closed.
    const runs = await db.jobRun.findMany({ where: { shop: { domain: SHOP_A }, job: "tier-placement" }, orderBy: { startedAt: "asc" } });
    expect(runs.map((run) => [run.status, run.error])).toEqual([
      ["done", "superseded by a later save"],
      ["done", "superseded by a later save"],
      ["queued", null],
    ]);
    const first = await db.ledgerEntry.findFirstOrThrow({ where: { kind: "order_earn", memberId: member?.id } });
    expect(first.delta).toBe(600);
    await deliver("orders/paid", paidOrderPayload({ customer, lines: [{ title: "Cup", price: "10.00", quantity: 1 }] }), { shop: SHOP_A });
    const latest = await db.ledgerEntry.findMany({ where: { kind: "order_earn", memberId: member?.id }, orderBy: { createdAt: "asc" } });
    expect(latest.map((entry) => entry.delta)).toEqual([600, 20]);
  });

  it("saves a hidden tier assigned by segment (audited), with a catalog entry reward and refunds that demote", async () => {
    const { createReward } = await import("~/loyalty/services/redemptions.server");
    const reward = await createReward(SHOP_A, { kind: "amount_off", name: "$5 welcome back", pointsCost: 500, amount: "5.00" });
    if (!reward.ok) throw new Error(reward.issues.join("; "));
    const ladder = [
      tier("bronze", "0"),
      tier("silver", "500", "1.25"),
      tier("comeback", "700", "1.25", { hidden: true, assignSegment: "at_risk", entryRewardKind: "reward", entryRewardId: reward.id }),
      tier("insider", "1000", "1.5", { hidden: true }),
      tier("gold", "1500", "1.5"),
    ];
    const saved = await adminAction(action, "/app/tiers", SHOP_A, form(ladder, { tierRefundsDemote: "true" }), { token: await sessionToken(SHOP_A, { sub: "778" }) });
    expect(saved.status).toBe(200);
    expect(saved.body.settings).toMatchObject({ tierRefundsDemote: true });
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } });
    expect(shop.tierRefundsDemote).toBe(true);
    const rows = await db.tier.findMany({ where: { shopId: shop.id }, orderBy: { position: "asc" } });
    expect(rows.map((row) => [row.handle, row.hidden, row.assignSegment, row.entryRewardId])).toEqual([
      ["bronze", false, null, null],
      ["silver", false, null, null],
      ["comeback", true, "at_risk", reward.id],
      ["insider", true, null, null],
      ["gold", false, null, null],
    ]);
    const page = await adminLoader(loader, "/app/tiers", SHOP_A);
    expect(page.body.settings.tiers[2]).toMatchObject({ handle: "comeback", hidden: true, assignSegment: "at_risk", entryRewardKind: "reward", entryRewardId: reward.id });
    expect(page.body.settings.tiers[3]).toMatchObject({ handle: "insider", hidden: true, assignSegment: "" });

    // Changing the rule is audited with the other tier fields.
    const churned = ladder.map((t) => (t.handle === "comeback" ? { ...t, assignSegment: "churned" } : t));
    expect((await adminAction(action, "/app/tiers", SHOP_A, form(churned, { tierRefundsDemote: "true" }), { token: await sessionToken(SHOP_A, { sub: "779" }) })).status).toBe(200);
    const audit = await db.auditLog.findMany({ where: { shopId: shop.id, action: "tiers.update" }, orderBy: { createdAt: "asc" } });
    expect(audit.map((row) => row.staffId)).toEqual(["778", "779"]);
    const before = JSON.parse(audit[1]?.before ?? "{}") as { tiers: TierForm[] };
    const after = JSON.parse(audit[1]?.after ?? "{}") as { tiers: TierForm[] };
    expect(before.tiers[2]).toMatchObject({ handle: "comeback", assignSegment: "at_risk" });
    expect(after.tiers[2]).toMatchObject({ handle: "comeback", assignSegment: "churned" });
    expect((await db.tier.findFirstOrThrow({ where: { shopId: shop.id, handle: "comeback" } })).assignSegment).toBe("churned");
  });

  it("refuses a segment rule on a visible tier, an unknown segment and one segment on two tiers, next to the field, changing nothing", async () => {
    const visible = await adminAction(action, "/app/tiers", SHOP_A, form([tier("bronze", "0"), tier("silver", "500", "1", { assignSegment: "at_risk" })]));
    expect(visible.status).toBe(400);
    expect(visible.body.errors).toEqual({ "tiers.1.assignSegment": "only a hidden tier can be assigned by segment" });
    const unknown = await adminAction(action, "/app/tiers", SHOP_A, form([tier("bronze", "0"), tier("vip", "500", "1", { hidden: true, assignSegment: "whales" })]));
    expect(unknown.body.errors).toEqual({ "tiers.1.assignSegment": "is not a segment Keepsake computes" });
    const twice = await adminAction(
      action,
      "/app/tiers",
      SHOP_A,
      form([tier("bronze", "0"), tier("a", "500", "1", { hidden: true, assignSegment: "loyal" }), tier("b", "900", "1", { hidden: true, assignSegment: "loyal" })]),
    );
    expect(twice.body.errors).toEqual({ "tiers.2.assignSegment": "another hidden tier already assigns this segment" });
    expect(await db.tier.count()).toBe(0);
    expect(await db.auditLog.count()).toBe(0);
  });

  it("saves amount-spent and orders-count ladders", async () => {
    const amounts = [
      tier("bronze", "0", "1", { thresholdKind: "amount_spent" }),
      tier("silver", "250.00", "1.25", { thresholdKind: "amount_spent" }),
      tier("gold", "1000.50", "1.5", { thresholdKind: "amount_spent" }),
    ];
    expect((await adminAction(action, "/app/tiers", SHOP_A, form(amounts))).status).toBe(200);
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } });
    const rows = () => db.tier.findMany({ where: { shopId: shop.id }, orderBy: { position: "asc" }, select: { handle: true, thresholdKind: true, thresholdValue: true } });
    expect(await rows()).toEqual([
      { handle: "bronze", thresholdKind: "amount_spent", thresholdValue: "0" },
      { handle: "silver", thresholdKind: "amount_spent", thresholdValue: "250.00" },
      { handle: "gold", thresholdKind: "amount_spent", thresholdValue: "1000.50" },
    ]);
    const orders = [
      tier("bronze", "0", "1", { thresholdKind: "orders_count", qualificationPeriod: "rolling_12_months" }),
      tier("silver", "5", "1.25", { thresholdKind: "orders_count", qualificationPeriod: "rolling_12_months" }),
      tier("gold", "12", "1.5", { thresholdKind: "orders_count", qualificationPeriod: "rolling_12_months" }),
    ];
    expect((await adminAction(action, "/app/tiers", SHOP_A, form(orders))).status).toBe(200);
    expect(await rows()).toEqual([
      { handle: "bronze", thresholdKind: "orders_count", thresholdValue: "0" },
      { handle: "silver", thresholdKind: "orders_count", thresholdValue: "5" },
      { handle: "gold", thresholdKind: "orders_count", thresholdValue: "12" },
    ]);
    // An amount is not an order count.
    const fractional = await adminAction(action, "/app/tiers", SHOP_A, form([orders[0] as TierForm, { ...(orders[1] as TierForm), thresholdValue: "2.5" }]));
    expect(fractional.body.errors).toEqual({ "tiers.1.thresholdValue": "is not a valid orders_count threshold" });
  });

  it("reschedules reviews when the qualification period changes", async () => {
    expect((await adminAction(action, "/app/tiers", SHOP_A, form(LADDER))).status).toBe(200);
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } });
    const gold = await db.member.create({
      data: { shopId: shop.id, customerGid: "gid://shopify/Customer/1", tierHandle: "gold", tierSince: "2025-03-10", tierReviewOn: "2026-01-01" },
    });
    const lifetime = LADDER.map((t) => ({ ...t, qualificationPeriod: "lifetime" as const }));
    expect((await adminAction(action, "/app/tiers", SHOP_A, form(lifetime))).status).toBe(200);
    expect((await db.member.findUniqueOrThrow({ where: { id: gold.id } })).tierReviewOn).toBeNull();
  });
});
