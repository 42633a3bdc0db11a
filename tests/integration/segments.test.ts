/**
 * Segments against the real database: each member's segment computed from paid orders (recency,
 * frequency, spend net of refunds, cancelled orders ignored) and points activity; the settings page's
 * loader/action (errors next to fields and nothing saved, audited save with the staff id, members
 * recomputed with the new rules); counts on the dashboard; shop isolation.
 */
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { segmentRefreshJob } from "~/jobs/segment-refresh.server";
import { logger } from "~/logger.server";
import { refreshSegments } from "~/loyalty/services/segments.server";
import { loader as dashboardLoader } from "~/routes/app._index";
import { action, loader } from "~/routes/app.segments";
import { installShop } from "../support/app";
import { adminAction, adminLoader } from "../support/admin-route";
import { resetDatabase } from "../support/database";
import { sessionToken } from "../support/session-token";

const SHOP_A = "segments-a.myshopify.com";
const SHOP_B = "segments-b.myshopify.com";
const NOW = new Date();
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000);

let counter = 0;
async function member(shop: string, name: string, enrolledDaysAgo: number, orders: { daysAgo: number; amount: string; refunded?: string; cancelled?: boolean }[], activeDaysAgo: number | null = null) {
  const { id: shopId } = await db.shop.findUniqueOrThrow({ where: { domain: shop } });
  counter += 1;
  const customerGid = `gid://shopify/Customer/${counter}`;
  const row = await db.member.create({
    data: {
      shopId,
      customerGid,
      firstName: name,
      enrolledAt: daysAgo(enrolledDaysAgo),
      lastActivityAt: activeDaysAgo === null ? null : daysAgo(activeDaysAgo),
    },
  });
  for (const [index, order] of orders.entries()) {
    await db.orderRecord.create({
      data: {
        shopId,
        orderGid: `gid://shopify/Order/${counter}${index}`,
        customerGid,
        paidAt: daysAgo(order.daysAgo),
        eligibleAmount: order.amount,
        refundedAmount: order.refunded ?? "0",
        cancelledAt: order.cancelled ? daysAgo(order.daysAgo) : null,
      },
    });
  }
  return row.id;
}

const segmentsOf = async (shop: string) => {
  const { id } = await db.shop.findUniqueOrThrow({ where: { domain: shop } });
  const rows = await db.member.findMany({ where: { shopId: id }, select: { firstName: true, segment: true } });
  return Object.fromEntries(rows.map((row) => [row.firstName, row.segment]));
};

const RULES = { newDays: "30", atRiskDays: "90", churnDays: "365", windowDays: "365", loyalMinOrders: "3", loyalMinSpent: "150" };

beforeEach(async () => {
  await resetDatabase(db);
  await installShop(SHOP_A);
  await installShop(SHOP_B);
});

describe("segments", () => {
  it("computes each member's segment from orders and activity", async () => {
    await member(SHOP_A, "fresh", 3, []);
    await member(SHOP_A, "loyal", 400, [
      { daysAgo: 10, amount: "60" },
      { daysAgo: 50, amount: "60" },
      { daysAgo: 100, amount: "60" },
    ]);
    await member(SHOP_A, "refunded", 400, [
      { daysAgo: 10, amount: "60", refunded: "40" },
      { daysAgo: 50, amount: "60" },
      { daysAgo: 100, amount: "60" },
    ]);
    await member(SHOP_A, "cancelled", 400, [
      { daysAgo: 10, amount: "100" },
      { daysAgo: 50, amount: "100" },
      { daysAgo: 100, amount: "100", cancelled: true },
    ]);
    await member(SHOP_A, "quiet", 400, [{ daysAgo: 120, amount: "500" }]);
    await member(SHOP_A, "quietButRedeemed", 400, [{ daysAgo: 120, amount: "500" }], 5);
    await member(SHOP_A, "gone", 800, [{ daysAgo: 400, amount: "500" }]);
    await member(SHOP_B, "fresh", 3, []);

    expect(await refreshSegments((await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } })).id, NOW)).toEqual({ members: 7, changed: 7 });
    expect(await segmentsOf(SHOP_A)).toEqual({
      fresh: "new",
      loyal: "loyal",
      refunded: "active", // 140 net < 150
      cancelled: "active", // 2 orders count
      quiet: "at_risk",
      quietButRedeemed: "active",
      gone: "churned",
    });
    expect(await segmentsOf(SHOP_B)).toEqual({ fresh: null });
    // Nothing changed: nothing written.
    expect(await refreshSegments((await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } })).id, NOW)).toEqual({ members: 7, changed: 0 });
  });

  it("settings: errors next to fields save nothing; a save is audited and recomputes with the new rules", async () => {
    await member(SHOP_A, "twoOrders", 400, [
      { daysAgo: 10, amount: "100" },
      { daysAgo: 20, amount: "100" },
    ]);
    const { id: shopId } = await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } });
    await refreshSegments(shopId, NOW);
    expect(await segmentsOf(SHOP_A)).toEqual({ twoOrders: "active" });

    const bad = await adminAction(action, "/app/segments", SHOP_A, { ...RULES, churnDays: "60", loyalMinSpent: "lots" });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual({ churnDays: "Must be more than the at-risk days", loyalMinSpent: "Enter an amount like 150 or 99.50" });
    expect((await db.shop.findUniqueOrThrow({ where: { id: shopId } })).segmentRules).toBeNull();
    expect(await db.auditLog.count({ where: { action: "segments.update" } })).toBe(0);

    const token = await sessionToken(SHOP_A, { sub: "777" });
    const saved = await adminAction(action, "/app/segments", SHOP_A, { ...RULES, loyalMinOrders: "2" }, { token });
    expect(saved).toMatchObject({ status: 200, body: { ok: true, rules: { loyalMinOrders: 2, loyalMinSpent: "150" } } });
    const audit = await db.auditLog.findMany({ where: { shopId, action: "segments.update" } });
    expect(audit).toMatchObject([{ staffId: "777", subjectType: "shop" }]);
    expect(JSON.parse(audit[0]!.after!)).toMatchObject({ loyalMinOrders: 2, changed: ["loyalMinOrders"] });
    await expect.poll(async () => (await segmentsOf(SHOP_A)).twoOrders, { timeout: 5000 }).toBe("loyal");

    const page = await adminLoader(loader, "/app/segments", SHOP_A);
    expect(page.body).toMatchObject({ rules: { loyalMinOrders: 2 }, counts: { loyal: 1, new: 0 } });
    expect(page.body.changes).toHaveLength(1);
    expect((await adminLoader(loader, "/app/segments", SHOP_B)).body).toMatchObject({ rules: { loyalMinOrders: 3 }, counts: { loyal: 0 }, changes: [] });
  });

  it("shows the counts per segment on the dashboard, for the token's shop only", async () => {
    await member(SHOP_A, "a", 3, []);
    await member(SHOP_A, "b", 400, [{ daysAgo: 200, amount: "10" }]);
    await member(SHOP_B, "c", 3, []);
    for (const shop of [SHOP_A, SHOP_B]) await refreshSegments((await db.shop.findUniqueOrThrow({ where: { domain: shop } })).id, NOW);
    const dashboard = await adminLoader(dashboardLoader, "/app", SHOP_A);
    expect(dashboard.body.segments).toEqual({ new: 1, active: 0, loyal: 0, at_risk: 1, churned: 0, unassigned: 0 });
  });

  it("the daily job moves members on as days pass, in resumable batches, and a rerun writes nothing", async () => {
    for (let i = 0; i < 5; i += 1) await member(SHOP_A, `m${i}`, 20, []);
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } });
    const run = async (now: Date) => {
      let cursor: string | null = null;
      let written = 0;
      let batches = 0;
      do {
        const result = await segmentRefreshJob.runBatch({ db, shop, day: now.toISOString().slice(0, 10), now, log: logger }, cursor, 2);
        written += result.written;
        cursor = result.nextCursor;
        batches += 1;
      } while (cursor);
      return { written, batches };
    };
    expect(await run(NOW)).toEqual({ written: 5, batches: 3 });
    expect(Object.values(await segmentsOf(SHOP_A))).toEqual(Array(5).fill("new"));
    expect((await run(NOW)).written).toBe(0);
    const later = new Date(NOW.getTime() + 15 * 86_400_000); // enrolled 35 days ago by then
    expect((await run(later)).written).toBe(5);
    expect(Object.values(await segmentsOf(SHOP_A))).toEqual(Array(5).fill("active"));
  });
});
