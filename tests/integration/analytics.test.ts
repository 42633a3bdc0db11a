/**
 * Analytics (docs/decisions/018): the daily-stats job's rows against the raw ledger and orders
 * (written through signed webhooks on controlled days), idempotent reruns, catch-up, backfill and the
 * refund refresh; the analytics loader with a session token (rows + today live, previous period,
 * shop isolation, date errors next to their field).
 */
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { dailyStatsJob } from "~/jobs/daily-stats.server";
import { runDueJobs, runJobDay } from "~/jobs/scheduler.server";
import { classifyDelta, encodeSketch, sketchOf } from "~/loyalty/analytics";
import { computeDay, dayBounds, rollUpDay } from "~/loyalty/services/analytics.server";
import { addDays, businessDay, startOfLocalDay } from "~/loyalty/schedule";
import { loader } from "~/routes/app.analytics";
import { adminLoader } from "../support/admin-route";
import { deliver, installShop } from "../support/app";
import { resetDatabase } from "../support/database";
import { sessionToken } from "../support/session-token";
import { customerPayload, paidOrderPayload, type CustomerPayload } from "../support/shopify/payloads";

const SHOP_A = "analytics-a.myshopify.com";
const SHOP_B = "analytics-b.myshopify.com";
const ZONE = "America/New_York";

/** Noon in New York on a shop-local day. */
const noon = (day: string) => new Date(startOfLocalDay(day, ZONE).getTime() + 12 * 3_600_000);
/** The shop's today and the days around it. */
const TODAY = () => businessDay(new Date(), ZONE);
const day = (offset: number) => addDays(TODAY(), offset);

/**
 * Runs `work` (signed webhooks, answered now) as if it happened at noon on `localDay`: the rows it
 * wrote get that day's timestamps (orders carry it themselves as processedAt).
 */
async function on(localDay: string, work: () => Promise<void>) {
  const since = new Date();
  await work();
  await db.ledgerEntry.updateMany({ where: { createdAt: { gte: since } }, data: { createdAt: noon(localDay) } });
  await db.member.updateMany({ where: { enrolledAt: { gte: since } }, data: { enrolledAt: noon(localDay) } });
}

async function shopRow(domain: string) {
  return db.shop.findUniqueOrThrow({ where: { domain }, select: { id: true, domain: true, ianaTimezone: true } });
}

async function order(shop: string, customer: CustomerPayload | null, amount: string, at: Date, email?: string) {
  const payload = paidOrderPayload({ customer, lines: [{ title: "Thing", price: amount }], processedAt: at, ...(email ? { email } : {}) });
  await deliver("orders/paid", payload, { shop });
  return payload;
}

/** What the raw ledger says about a day, computed independently of the roll-up. */
async function ledgerDay(shopId: string, day: string) {
  const { start, end } = dayBounds(day, ZONE);
  const entries = await db.ledgerEntry.findMany({ where: { shopId, createdAt: { gte: start, lt: end } } });
  const sums = { issued: 0, redeemed: 0, expired: 0, reversed: 0, net: 0 };
  for (const entry of entries) {
    sums.net += entry.delta;
    const bucket = classifyDelta(entry.kind, entry.delta);
    if (bucket === "issued") sums.issued += entry.delta;
    if (bucket === "reversed") sums.reversed -= entry.delta;
    if (bucket === "redeemed") sums.redeemed -= entry.delta;
    if (bucket === "expired") sums.expired -= entry.delta;
  }
  return { ...sums, active: new Set(entries.map((entry) => entry.memberId)).size };
}

function comparable(row: Record<string, unknown>) {
  const { id: _id, computedAt: _at, ...rest } = row;
  return rest;
}

beforeEach(async () => {
  await resetDatabase(db);
  await installShop(SHOP_A, { signupBonusPoints: 50 });
  await installShop(SHOP_B);
  await db.shop.updateMany({ data: { ianaTimezone: ZONE } });
});

/** Activity in shop A on two days (and some in shop B that must never show in A). */
async function twoDays(first: string, second: string) {
  const ada = customerPayload({ firstName: "Ada" });
  const bob = customerPayload({ firstName: "Bob" });
  await on(first, async () => {
    await deliver("customers/create", ada, { shop: SHOP_A });
    await order(SHOP_A, ada, "100.00", noon(first));
    await order(SHOP_A, null, "40.00", noon(first), "guest@example.com");
    await order(SHOP_B, customerPayload(), "999.00", noon(first));
  });
  await on(second, async () => {
    await order(SHOP_A, ada, "20.50", noon(second));
    await deliver("customers/create", bob, { shop: SHOP_A });
    await order(SHOP_A, bob, "10.00", noon(second));
    await order(SHOP_A, null, "5.25", noon(second), "guest@example.com");
  });
  return { ada, bob };
}

describe("daily-stats roll-up", () => {
  it("backfills every day from the first activity, matching the raw ledger and orders", async () => {
    const [d1, d2, d3] = [day(-6), day(-5), day(-4)];
    await twoDays(d1, d2);
    const shop = await shopRow(SHOP_A);
    const report = await runJobDay(dailyStatsJob, shop, d3, { now: noon(d3) });
    expect(report).toMatchObject({ outcome: "ran", written: 2 });
    const rows = await db.dailyStat.findMany({ where: { shopId: shop.id }, orderBy: { day: "asc" } });
    expect(rows.map((row) => row.day)).toEqual([d1, d2]); // the run's own day is never stored

    for (const row of rows) {
      const raw = await ledgerDay(shop.id, row.day);
      expect(row, row.day).toMatchObject({
        pointsIssued: raw.issued,
        pointsRedeemed: raw.redeemed,
        pointsExpired: raw.expired,
        pointsReversed: raw.reversed,
        netPoints: raw.net,
        activeMembers: raw.active,
      });
    }
    expect(rows[0]).toMatchObject({
      pointsIssued: 150,
      netPoints: 150,
      newMembers: 1,
      activeMembers: 1,
      memberOrders: 1,
      memberRevenue: "100",
      memberRepeatOrders: 0,
      otherOrders: 1,
      otherRevenue: "40",
      otherRepeatOrders: 0,
    });
    expect(rows[1]).toMatchObject({
      pointsIssued: 20 + 50 + 10, // Bob's sign-up bonus
      newMembers: 1,
      activeMembers: 2,
      memberOrders: 2,
      memberRevenue: "30.5",
      memberRepeatOrders: 1,
      otherOrders: 1,
      otherRevenue: "5.25",
      otherRepeatOrders: 1,
    });
    // Running totals continue the day before.
    expect(rows.map((row) => [row.membersToDate, row.pointsOutstanding, row.memberRevenueToDate])).toEqual([
      [1, 150, "100"],
      [2, 230, "130.5"],
    ]);
    // Shop B's order is in shop B's rows only.
    expect(await db.dailyStat.count({ where: { shopId: (await shopRow(SHOP_B)).id } })).toBe(0);
  });

  it("is idempotent: a rerun is a no-op, recomputing a day writes the same row", async () => {
    const [d1, d2, d3] = [day(-6), day(-5), day(-4)];
    await twoDays(d1, d2);
    const shop = await shopRow(SHOP_A);
    await runJobDay(dailyStatsJob, shop, d3, { now: noon(d3) });
    const before = (await db.dailyStat.findMany({ where: { shopId: shop.id }, orderBy: { day: "asc" } })).map(comparable);
    expect((await runJobDay(dailyStatsJob, shop, d3, { now: noon(d3) })).outcome).toBe("already-done");
    await rollUpDay(db, shop, d1);
    await rollUpDay(db, shop, d2);
    const after = (await db.dailyStat.findMany({ where: { shopId: shop.id }, orderBy: { day: "asc" } })).map(comparable);
    expect(after).toEqual(before);
    expect(after).toHaveLength(2);
  });

  it("catches up missed days through the scheduler and re-rolls recent days so a late refund lowers revenue", async () => {
    const [d1, d2, d3] = [day(-6), day(-5), day(-4)];
    const { ada } = await twoDays(d1, d2);
    const shop = await shopRow(SHOP_A);
    await runDueJobs({ now: noon(d3), jobs: [dailyStatsJob] });
    // A refund of Ada's first order is recorded later; the scheduler next runs four days on.
    const first = await db.orderRecord.findFirstOrThrow({ where: { shopId: shop.id, customerGid: ada.admin_graphql_api_id }, orderBy: { paidAt: "asc" } });
    await db.orderRecord.update({ where: { id: first.id }, data: { refundedAmount: "30.00" } });
    const reports = (await runDueJobs({ now: noon(day(0)), jobs: [dailyStatsJob] })).filter((report) => report.shopId === shop.id);
    expect(reports.map((report) => [report.day, report.outcome])).toEqual([
      [day(-3), "ran"],
      [day(-2), "ran"],
      [day(-1), "ran"],
      [day(0), "ran"],
    ]);
    const rows = await db.dailyStat.findMany({ where: { shopId: shop.id }, orderBy: { day: "asc" } });
    expect(rows.map((row) => row.day)).toEqual([d1, d2, d3, day(-3), day(-2), day(-1)]);
    expect(rows[0]?.memberRevenue).toBe("70");
    expect(rows.map((row) => row.memberRevenueToDate)).toEqual(["70", "100.5", "100.5", "100.5", "100.5", "100.5"]);
    expect(rows.slice(2).every((row) => row.netPoints === 0 && row.memberOrders === 0)).toBe(true);
  });
});

describe("a day's orders: member and repeat flags (one statement, ADR 018 addendum 2)", () => {
  it("counts member/other and repeat orders exactly: earlier cancelled orders count, the same instant and unpaid or other shops' orders do not", async () => {
    const d = day(-3);
    const shop = await shopRow(SHOP_A);
    const other = await shopRow(SHOP_B);
    const ada = customerPayload({ firstName: "Ada" });
    const bob = customerPayload({ firstName: "Bob" });
    await on(d, async () => {
      await deliver("customers/create", ada, { shop: SHOP_A });
      await deliver("customers/create", bob, { shop: SHOP_A });
    });
    const gid = (name: string) => `gid://shopify/Customer/${name}-${shop.id}`;
    let n = 0;
    const put = (shopId: string, at: Date | null, amount: string, who: { customerGid?: string; guestEmail?: string }, extra: { refundedAmount?: string; cancelledAt?: Date } = {}) =>
      db.orderRecord.create({
        data: { shopId, orderGid: `gid://shopify/Order/flags-${(n += 1)}`, paidAt: at, eligibleAmount: amount, customerGid: who.customerGid ?? null, guestEmail: who.guestEmail ?? null, ...extra },
      });
    const at = (hour: number, base = d) => new Date(startOfLocalDay(base, ZONE).getTime() + hour * 3_600_000);
    // Ada (member): an earlier order, cancelled, still makes today's two orders repeats.
    await put(shop.id, at(12, day(-10)), "99.00", { customerGid: ada.admin_graphql_api_id }, { cancelledAt: at(13, day(-10)) });
    await put(shop.id, at(9), "10.00", { customerGid: ada.admin_graphql_api_id });
    await put(shop.id, at(10), "11.00", { customerGid: ada.admin_graphql_api_id });
    // Bob (member): two first orders at the same instant (neither is earlier); one partly refunded.
    await put(shop.id, at(11), "50.00", { customerGid: bob.admin_graphql_api_id }, { refundedAmount: "20.00" });
    await put(shop.id, at(11), "5.00", { customerGid: bob.admin_graphql_api_id });
    // Dan (customer, never enrolled): paid yesterday → an "other" repeat.
    await put(shop.id, at(12, day(-4)), "8.00", { customerGid: gid("dan") });
    await put(shop.id, at(12), "1.00", { customerGid: gid("dan") });
    // Guests: g paid before only in shop B (not a repeat here), h paid before in this shop (repeat).
    await put(other.id, at(12, day(-5)), "8.00", { guestEmail: "g@example.com" });
    await put(shop.id, at(13), "2.00", { guestEmail: "g@example.com" });
    await put(shop.id, at(12, day(-6)), "8.00", { guestEmail: "h@example.com" });
    await put(shop.id, at(14), "3.00", { guestEmail: "h@example.com" });
    // Fay ordered before in shop B only; Gus's earlier order was never paid: neither is a repeat.
    await put(other.id, at(12, day(-5)), "8.00", { customerGid: gid("fay") });
    await put(shop.id, at(15), "4.00", { customerGid: gid("fay") });
    await put(shop.id, null, "8.00", { customerGid: gid("gus") });
    await put(shop.id, at(16), "6.00", { customerGid: gid("gus") });
    // No customer and no email; and an order of the day that was cancelled (left out).
    await put(shop.id, at(17), "7.00", {});
    await put(shop.id, at(18), "1000.00", { customerGid: gid("dan") }, { cancelledAt: at(19) });

    const figures = await computeDay(db, shop, d);
    expect(figures).toMatchObject({
      memberOrders: 4,
      memberRepeatOrders: 2,
      memberRevenue: 56_000_000n, // 10 + 11 + (50 − 20) + 5
      otherOrders: 6,
      otherRepeatOrders: 2, // Dan and guest h
      otherRevenue: 23_000_000n, // 1 + 2 + 3 + 4 + 6 + 7
    });
    // The stored row says the same (the job's roll-up is the same computation).
    await rollUpDay(db, shop, d);
    expect(await db.dailyStat.findUniqueOrThrow({ where: { shopId_day: { shopId: shop.id, day: d } } })).toMatchObject({
      memberOrders: 4,
      memberRepeatOrders: 2,
      memberRevenue: "56",
      otherOrders: 6,
      otherRepeatOrders: 2,
      otherRevenue: "23",
    });
    // Membership is read when the day is computed: Dan enrolling later makes his order a member repeat.
    await db.member.create({ data: { shopId: shop.id, customerGid: gid("dan"), enrolledAt: at(20, day(-1)) } });
    expect(await computeDay(db, shop, d)).toMatchObject({ memberOrders: 5, memberRepeatOrders: 3, otherOrders: 5, otherRepeatOrders: 1 });
  });
});

describe("active members estimate", () => {
  /** A stored day whose activity sketch holds `count` members starting at `from`. */
  const storedDay = (shopId: string, localDay: string, from: number, count: number) => {
    const ids = Array.from({ length: count }, (_, i) => `member-${from + i}`);
    return db.dailyStat.create({ data: { shopId, day: localDay, activeMembers: count, activeSketch: encodeSketch(sketchOf(ids)) } });
  };

  it("flags a period whose merged sketch is a HyperLogLog estimate; one day or a small shop is exact", async () => {
    const shop = await shopRow(SHOP_A);
    // Two days of 300 distinct members each: 600 > 512 exact hashes, so the union is an estimate.
    await storedDay(shop.id, day(-2), 0, 300);
    await storedDay(shop.id, day(-1), 300, 300);
    const big = (await adminLoader(loader, `/app/analytics?preset=custom&from=${day(-2)}&to=${day(-1)}`, SHOP_A)).body.report;
    expect(big.activeMembersEstimated).toEqual({ current: true, previous: false });
    expect(Math.abs(big.kpis.activeMembers.current - 600)).toBeLessThanOrEqual(600 * 0.07); // ≈ 3 standard errors
    const oneDay = (await adminLoader(loader, `/app/analytics?preset=custom&from=${day(-1)}&to=${day(-1)}`, SHOP_A)).body.report;
    expect(oneDay.activeMembersEstimated).toEqual({ current: false, previous: false });
    expect(oneDay.kpis.activeMembers).toMatchObject({ current: 300, previous: 300 });

    const small = await shopRow(SHOP_B);
    await storedDay(small.id, day(-2), 0, 20);
    await storedDay(small.id, day(-1), 10, 20);
    const exact = (await adminLoader(loader, `/app/analytics?preset=custom&from=${day(-2)}&to=${day(-1)}`, SHOP_B)).body.report;
    expect(exact.activeMembersEstimated).toEqual({ current: false, previous: false });
    expect(exact.kpis.activeMembers.current).toBe(30);
  });
});

describe("analytics loader (session token)", () => {
  it("answers the range from the rows plus today live, against the previous period, for the signed-in shop only", async () => {
    const [d1, d2, today] = [day(-2), day(-1), day(0)];
    await twoDays(d1, d2);
    const shop = await shopRow(SHOP_A);
    await runJobDay(dailyStatsJob, shop, today, { now: new Date() });
    // Today (not rolled up): one more member order, computed live.
    const carol = customerPayload({ firstName: "Carol" });
    await deliver("customers/create", carol, { shop: SHOP_A });
    await order(SHOP_A, carol, "12.00", new Date());
    await db.reward.create({ data: { shopId: shop.id, kind: "amount_off", name: "$5 off", pointsCost: 500, amount: "5.00" } });

    const answer = await adminLoader(loader, `/app/analytics?preset=custom&from=${d2}&to=${today}`, SHOP_A);
    expect(answer.status).toBe(200);
    const { report } = answer.body;
    expect(report.range).toMatchObject({ from: d2, to: today, previous: { from: day(-3), to: d1 } });
    expect(report.pendingDays).toBe(0);
    expect(report.kpis.pointsIssued).toEqual({ current: 80 + 50 + 12, previous: 150, change: (142 - 150) / 150 });
    expect(report.kpis.newMembers).toMatchObject({ current: 2, previous: 1 });
    expect(report.kpis.activeMembers).toMatchObject({ current: 3, previous: 1 });
    expect(report.kpis.totalMembers).toMatchObject({ current: 3, previous: 1 });
    expect(report.kpis.memberRevenue).toMatchObject({ current: "42.5", previous: "100" });
    expect(report.kpis.otherRevenue).toMatchObject({ current: "5.25", previous: "40" });
    expect(report.kpis.memberRepeatRate.current).toBeCloseTo(1 / 3, 6);
    expect(report.kpis.otherRepeatRate).toMatchObject({ current: 1, previous: 0 });
    // Lifetime: 142.5 of member revenue over 3 members; 292 points outstanding × 5.00 / 500.
    expect(report.kpis.averageLifetimeValue.current).toBe("47.5");
    expect(report.kpis.outstandingPoints.current).toBe(292);
    expect(report.kpis.liability).toMatchObject({ current: "2.92", previous: "1.5", pointValue: { rewardName: "$5 off", amount: "5", points: 500 } });
    expect(report.series.map((point: { day: string; pointsIssued: number }) => [point.day, point.pointsIssued])).toEqual([
      [d2, 80],
      [today, 62],
    ]);
    expect(await db.dailyStat.count({ where: { day: today } })).toBe(0); // today is not stored

    // Shop B: never rolled up yet, so its first day (2 days ago) is owed (yesterday and today are live).
    const path = `/app/analytics?preset=custom&from=${d1}&to=${today}`;
    const owed = await adminLoader(loader, path, SHOP_B);
    expect(owed.status).toBe(200);
    expect(owed.body.report.pendingDays).toBe(1);
    expect(owed.body.report.kpis.memberRevenue.current).toBe("0");
    await runJobDay(dailyStatsJob, await shopRow(SHOP_B), today, { now: new Date() });
    const rolled = (await adminLoader(loader, path, SHOP_B)).body.report;
    expect(rolled.pendingDays).toBe(0);
    expect(rolled.kpis.memberRevenue.current).toBe("999"); // its own order, none of shop A's
    expect(rolled.kpis.otherRevenue.current).toBe("0");
    expect(rolled.kpis.totalMembers.current).toBe(1);
  });

  it("answers a bad range with 400 and the message for its field, and refuses a forged token", async () => {
    const cases: [string, string, RegExp][] = [
      [`preset=custom&from=${day(0)}&to=${day(-3)}`, "from", /on or before/],
      [`preset=custom&from=${day(-3)}&to=${day(1)}`, "to", /future/],
      [`preset=custom&from=March&to=${day(-3)}`, "from", /YYYY-MM-DD/],
      ["preset=forever", "preset", /listed/],
    ];
    for (const [query, field, message] of cases) {
      const answer = await adminLoader(loader, `/app/analytics?${query}`, SHOP_A);
      expect(answer.status, query).toBe(400);
      expect(answer.body.ok).toBe(false);
      expect(answer.body.errors[field], query).toMatch(message);
    }
    const preset = await adminLoader(loader, "/app/analytics?preset=last_7_days", SHOP_A);
    expect(preset.body.report.range).toMatchObject({ from: day(-6), to: day(0) });
    const forged = await adminLoader(loader, "/app/analytics", SHOP_A, { token: `${await sessionToken(SHOP_A)}x` });
    expect(forged.status).toBe(401);
  });
});
