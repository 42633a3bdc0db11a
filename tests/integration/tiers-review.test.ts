/**
 * The daily tier review (app/jobs/tier-review.server.ts) with a controlled clock: retention with the
 * ended period's progress, to_qualifying vs one_level, grace days then confirmation (or cancellation
 * when the member requalifies), only due members read, keyset batches, and a rerun that does nothing.
 */
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import type { ShopJobContext } from "~/jobs/job-types";
import { dailyJobs } from "~/jobs/registry.server";
import { REVIEW_BATCH_FACTOR, tierReviewJob } from "~/jobs/tier-review.server";
import { logger } from "~/logger.server";
import { startOfLocalDay } from "~/loyalty/schedule";
import { installShop } from "../support/app";
import { resetDatabase } from "../support/database";

const SHOP = "test-shop.myshopify.com";
const ZONE = "Asia/Seoul";
let shop = { id: "", domain: SHOP, ianaTimezone: ZONE };
let customers = 0;

beforeEach(async () => {
  await resetDatabase(db);
  const row = await installShop(SHOP);
  shop = { id: row.id, domain: SHOP, ianaTimezone: ZONE };
  await db.shop.update({ where: { id: row.id }, data: { ianaTimezone: ZONE, tiersEnabled: true } });
  await db.tier.createMany({
    data: [
      ["bronze", 0, "0"],
      ["silver", 1, "100"],
      ["gold", 2, "300"],
      ["platinum", 3, "1000"],
    ].map(([handle, position, thresholdValue]) => ({
      shopId: row.id,
      handle: String(handle),
      name: String(handle),
      position: Number(position),
      thresholdKind: "points_earned",
      thresholdValue: String(thresholdValue),
      qualificationPeriod: "calendar_year",
    })),
  });
});

async function member(tier: string, fields: { since?: string; reviewOn?: string | null; pendingHandle?: string; pendingOn?: string } = {}) {
  customers += 1;
  return db.member.create({
    data: {
      shopId: shop.id,
      customerGid: `gid://shopify/Customer/${9000 + customers}`,
      tierHandle: tier,
      tierSince: fields.since ?? "2025-03-01",
      tierReviewOn: fields.reviewOn === undefined ? "2026-01-01" : fields.reviewOn,
      tierPendingHandle: fields.pendingHandle ?? null,
      tierPendingOn: fields.pendingOn ?? null,
    },
  });
}

let orders = 0;
/** An order paid on a shop-local day, earning `points` base points (× 2 awarded: the multiplier does not count). */
async function paid(customerGid: string, day: string, points: number, refunded = "0") {
  orders += 1;
  await db.orderRecord.create({
    data: {
      shopId: shop.id,
      orderGid: `gid://shopify/Order/${orders}`,
      customerGid,
      paidAt: new Date(startOfLocalDay(day, ZONE).getTime() + 3_600_000),
      eligibleAmount: `${points}.00`,
      refundedAmount: refunded,
      pointsAwarded: points * 2,
      rule: JSON.stringify({ earnRate: "1", basePoints: points, tierMultiplier: "2" }),
    },
  });
}

function context(day: string): ShopJobContext {
  return { db, shop, day, now: new Date(`${day}T03:00:00Z`), log: logger };
}

/** Runs the whole day like the scheduler: batches until nextCursor is null. */
async function runDay(day: string, batchSize = 2) {
  let cursor: string | null = null;
  let processed = 0;
  let written = 0;
  for (let guard = 0; guard < 100; guard += 1) {
    const result = await tierReviewJob.runBatch(context(day), cursor, batchSize);
    processed += result.processed;
    written += result.written;
    cursor = result.nextCursor;
    if (cursor === null) return { processed, written };
  }
  throw new Error("the job never finished");
}

const state = (id: string) =>
  db.member.findUniqueOrThrow({
    where: { id },
    select: { tierHandle: true, tierSince: true, tierReviewOn: true, tierPendingHandle: true, tierPendingOn: true },
  });

describe("tier review job", () => {
  it("is registered as a daily job", () => {
    expect(dailyJobs.map((job) => job.name)).toContain("tier-review");
  });

  it("keeps qualified members, downgrades the others to the qualifying tier, and a rerun does nothing", async () => {
    const keeps = await member("gold");
    await paid(keeps.customerGid, "2025-06-01", 200);
    await paid(keeps.customerGid, "2025-12-31", 150); // Dec 31 in Seoul: still 2025
    const drops = await member("platinum");
    await paid(drops.customerGid, "2025-05-01", 320);
    await paid(drops.customerGid, "2026-01-01", 900); // the new year does not count for 2025
    const refunded = await member("gold");
    await paid(refunded.customerGid, "2025-04-01", 400, "300.00"); // 100 left after the refund
    const notDue = await member("gold", { reviewOn: "2027-01-01" });

    expect(await runDay("2025-12-31")).toEqual({ processed: 0, written: 0 });
    expect(await runDay("2026-01-01")).toEqual({ processed: 3, written: 2 });
    expect(await state(keeps.id)).toMatchObject({ tierHandle: "gold", tierSince: "2025-03-01", tierReviewOn: "2027-01-01" });
    expect(await state(drops.id)).toMatchObject({ tierHandle: "gold", tierSince: "2026-01-01", tierReviewOn: "2027-01-01" });
    expect(await state(refunded.id)).toMatchObject({ tierHandle: "silver", tierReviewOn: "2027-01-01" });
    expect(await state(notDue.id)).toMatchObject({ tierHandle: "gold", tierReviewOn: "2027-01-01" });
    const changes = await db.tierChange.findMany({ where: { shopId: shop.id }, orderBy: { toHandle: "asc" } });
    expect(changes.map((c) => [c.memberId, c.fromHandle, c.toHandle, c.reason, c.idempotencyKey])).toEqual([
      [drops.id, "platinum", "gold", "retention_downgrade", `review:${drops.id}:2025-12-31`],
      [refunded.id, "gold", "silver", "retention_downgrade", `review:${refunded.id}:2025-12-31`],
    ]);
    // The tag and metafields follow through the outbox.
    expect(await db.shopifyOutbox.count({ where: { shopId: shop.id, kind: "customer_tier" } })).toBe(2);

    expect(await runDay("2026-01-01")).toEqual({ processed: 0, written: 0 });
    expect(await db.tierChange.count()).toBe(2);
  });

  it("one_level moves down one visible tier; to_qualifying to the tier the progress reaches", async () => {
    const a = await member("platinum");
    await db.shop.update({ where: { id: shop.id }, data: { tierDowngrade: "one_level" } });
    expect(await runDay("2026-01-01")).toMatchObject({ written: 1 });
    expect((await state(a.id)).tierHandle).toBe("gold");

    await db.shop.update({ where: { id: shop.id }, data: { tierDowngrade: "to_qualifying" } });
    const b = await member("platinum", { reviewOn: "2026-01-02" });
    await runDay("2026-01-02");
    expect((await state(b.id)).tierHandle).toBe("bronze");
    expect((await state(b.id)).tierReviewOn).toBeNull(); // the base tier is never reviewed
  });

  it("with grace days: records the pending downgrade, applies it on its day, cancels it if the member requalified", async () => {
    await db.shop.update({ where: { id: shop.id }, data: { tierGraceDays: 7 } });
    const lapses = await member("gold");
    const recovers = await member("gold");
    expect(await runDay("2026-01-01")).toEqual({ processed: 2, written: 2 });
    expect(await state(lapses.id)).toMatchObject({ tierHandle: "gold", tierPendingHandle: "bronze", tierPendingOn: "2026-01-08", tierReviewOn: "2027-01-01" });
    expect(await db.tierChange.count()).toBe(0);

    await paid(recovers.customerGid, "2026-01-05", 350); // requalifies for gold in the new period
    await paid(lapses.customerGid, "2026-01-05", 120); // silver: the downgrade stops there
    expect(await runDay("2026-01-07")).toEqual({ processed: 0, written: 0 });
    expect(await runDay("2026-01-08")).toMatchObject({ processed: 2, written: 1 });
    expect(await state(lapses.id)).toMatchObject({ tierHandle: "silver", tierPendingHandle: null, tierPendingOn: null, tierSince: "2026-01-08" });
    expect(await state(recovers.id)).toMatchObject({ tierHandle: "gold", tierPendingHandle: null, tierPendingOn: null, tierReviewOn: "2027-01-01" });
    expect(await db.tierChange.findMany({ select: { memberId: true, toHandle: true, idempotencyKey: true } })).toEqual([
      { memberId: lapses.id, toHandle: "silver", idempotencyKey: `review:${lapses.id}:2026-01-08` },
    ]);
    expect(await runDay("2026-01-08")).toEqual({ processed: 0, written: 0 });
  });

  it("rolling 12 months: reviewed on the anniversary of entering the tier", async () => {
    await db.tier.updateMany({ where: { shopId: shop.id }, data: { qualificationPeriod: "rolling_12_months" } });
    const a = await member("silver", { since: "2025-02-10", reviewOn: "2026-02-10" });
    await paid(a.customerGid, "2025-02-09", 500); // before the window (2025-02-10 .. 2026-02-09)
    await paid(a.customerGid, "2026-02-09", 110);
    await runDay("2026-02-10");
    expect(await state(a.id)).toMatchObject({ tierHandle: "silver", tierReviewOn: "2027-02-10" });
  });

  it("does nothing while tiers are off", async () => {
    await member("gold");
    await db.shop.update({ where: { id: shop.id }, data: { tiersEnabled: false } });
    expect(await runDay("2026-01-01")).toEqual({ processed: 0, written: 0 });
  });

  it("takes a scheduler-size batch REVIEW_BATCH_FACTOR times larger (Jan 1), with the same decisions", async () => {
    // 450 silver members due on Jan 1; every other one earned 150 in 2025 and keeps silver.
    await db.member.createMany({
      data: Array.from({ length: 450 }, (_, i) => ({
        id: `bulk${String(i).padStart(4, "0")}`,
        shopId: shop.id,
        customerGid: `gid://shopify/Customer/${500_000 + i}`,
        tierHandle: "silver",
        tierSince: "2025-03-01",
        tierReviewOn: "2026-01-01",
      })),
    });
    for (let i = 0; i < 450; i += 2) await paid(`gid://shopify/Customer/${500_000 + i}`, "2025-06-01", 150);
    // An explicit small batch (tests walking the drain loop) is taken as it is; the scheduler's are larger.
    const small = await tierReviewJob.runBatch(context("2026-01-01"), null, 7);
    expect(small).toEqual({ processed: 7, written: 3, nextCursor: "bulk0006" });
    const large = await tierReviewJob.runBatch(context("2026-01-01"), small.nextCursor, 100);
    expect(large).toEqual({ processed: 100 * REVIEW_BATCH_FACTOR, written: 200, nextCursor: "bulk0406" });
    const last = await tierReviewJob.runBatch(context("2026-01-01"), large.nextCursor, 100);
    expect(last).toEqual({ processed: 43, written: 22, nextCursor: null });
    const rows = await db.member.findMany({ where: { shopId: shop.id }, select: { id: true, tierHandle: true, tierReviewOn: true } });
    const kept = rows.filter((row) => Number(row.id.slice(4)) % 2 === 0);
    const dropped = rows.filter((row) => Number(row.id.slice(4)) % 2 === 1);
    expect([kept.length, dropped.length]).toEqual([225, 225]);
    expect(kept.every((row) => row.tierHandle === "silver" && row.tierReviewOn === "2027-01-01")).toBe(true);
    expect(dropped.every((row) => row.tierHandle === "bronze" && row.tierReviewOn === null)).toBe(true);
    expect(await db.tierChange.count({ where: { shopId: shop.id, reason: "retention_downgrade" } })).toBe(225);
    expect(await runDay("2026-01-01")).toEqual({ processed: 0, written: 0 });
  });
});
