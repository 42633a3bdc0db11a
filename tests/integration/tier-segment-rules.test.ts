/**
 * Hidden tiers assigned by segment (docs/decisions/012 addendum) through the daily segment-refresh
 * job with a controlled clock: a member entering the rule's segment gets the hidden tier (TierChange
 * `segment_rule`, the customer tag through the outbox, the entry reward once), a rerun of the day does
 * nothing, a member leaving the segment goes back to the tier they earned, a staff-assigned hidden
 * tier and a higher earned tier are left alone, a catalog entry reward is issued as a code, and each
 * shop's rule moves only its own members.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import type { JobShop, ShopJobContext } from "~/jobs/job-types";
import { runJobDay } from "~/jobs/scheduler.server";
import { segmentRefreshJob } from "~/jobs/segment-refresh.server";
import { logger } from "~/logger.server";
import { findBalanceMismatches } from "~/loyalty/ledger.server";
import { createReward } from "~/loyalty/services/redemptions.server";
import { drainOutbox, installShop } from "../support/app";
import { resetDatabase } from "../support/database";
import { createAdminApiStandIn, installAdminApiFetch, type AdminApiFetchHandle, type AdminApiStandIn } from "../support/shopify/admin-graphql";

const SHOP_A = "segment-tiers-a.myshopify.com";
const SHOP_B = "segment-tiers-b.myshopify.com";
const DAY_1 = "2026-06-15";
const DAY_2 = "2026-06-16";
const DAY_3 = "2026-06-17";
const at = (day: string) => new Date(`${day}T12:00:00Z`);
const DAY_MS = 86_400_000;

let shopA: JobShop;
let shopB: JobShop;
let shopify: AdminApiStandIn;
let handle: AdminApiFetchHandle | undefined;
let customers = 0;

async function ladder(shopId: string, comeback: { assignSegment?: string | null; entryRewardPoints?: number | null; entryRewardId?: string | null } = {}) {
  const base = { shopId, thresholdKind: "points_earned", qualificationPeriod: "calendar_year" };
  await db.tier.createMany({
    data: [
      { ...base, handle: "bronze", name: "Bronze", position: 0, thresholdValue: "0" },
      { ...base, handle: "silver", name: "Silver", position: 1, thresholdValue: "100", entryRewardPoints: 20 },
      {
        ...base,
        handle: "comeback",
        name: "We miss you",
        position: 2,
        thresholdValue: "200",
        hidden: true,
        assignSegment: comeback.assignSegment === undefined ? "at_risk" : comeback.assignSegment,
        entryRewardPoints: comeback.entryRewardPoints === undefined ? 30 : comeback.entryRewardPoints,
        entryRewardId: comeback.entryRewardId ?? null,
      },
      { ...base, handle: "gold", name: "Gold", position: 3, thresholdValue: "300" },
      { ...base, handle: "secret", name: "Secret", position: 4, thresholdValue: "1000", hidden: true },
    ],
  });
  await db.shop.update({ where: { id: shopId }, data: { tiersEnabled: true, ianaTimezone: "UTC" } });
}

/** A member enrolled long ago whose last activity was `idleDays` before DAY_1 (≥ 90: at risk). */
async function member(shop: JobShop, tierHandle: string | null, idleDays: number) {
  customers += 1;
  return db.member.create({
    data: {
      shopId: shop.id,
      customerGid: `gid://shopify/Customer/${7000 + customers}`,
      firstName: `m${customers}`,
      enrolledAt: new Date(at(DAY_1).getTime() - 400 * DAY_MS),
      lastActivityAt: new Date(at(DAY_1).getTime() - idleDays * DAY_MS),
      tierHandle,
      tierSince: tierHandle ? "2026-01-10" : null,
      tierReviewOn: tierHandle && tierHandle !== "bronze" ? "2027-01-01" : null,
    },
  });
}

const runDay = (shop: JobShop, day: string) => runJobDay(segmentRefreshJob, shop, day, { now: at(day), batchSize: 2 });
const state = (id: string) => db.member.findUniqueOrThrow({ where: { id }, select: { tierHandle: true, segment: true, balance: true, tierReviewOn: true } });
const changes = (memberId: string) =>
  db.tierChange.findMany({ where: { memberId }, orderBy: { createdAt: "asc" }, select: { fromHandle: true, toHandle: true, reason: true, idempotencyKey: true } });
const entryRewards = (memberId: string) => db.ledgerEntry.findMany({ where: { memberId, kind: "tier_entry_reward" }, select: { delta: true, idempotencyKey: true } });

beforeEach(async () => {
  await resetDatabase(db);
  const a = await installShop(SHOP_A);
  const b = await installShop(SHOP_B);
  shopA = { id: a.id, domain: SHOP_A, ianaTimezone: "UTC" };
  shopB = { id: b.id, domain: SHOP_B, ianaTimezone: "UTC" };
  shopify = createAdminApiStandIn({ throttle: false });
  handle = installAdminApiFetch(shopify, { passthrough: false });
});

afterEach(() => handle?.restore());

describe("hidden tiers assigned by segment", () => {
  it("places at-risk members in the hidden tier once, tags them through the outbox, gives the entry reward once and a rerun does nothing", async () => {
    await ladder(shopA.id);
    const quiet = await member(shopA, "bronze", 120);
    const noTier = await member(shopA, null, 200);
    const active = await member(shopA, "silver", 5);

    const first = await runDay(shopA, DAY_1);
    expect(first).toMatchObject({ outcome: "ran", processed: 3 });
    expect(await state(quiet.id)).toMatchObject({ tierHandle: "comeback", segment: "at_risk", balance: 30, tierReviewOn: null });
    expect(await state(noTier.id)).toMatchObject({ tierHandle: "comeback", segment: "at_risk", balance: 30 });
    expect(await state(active.id)).toMatchObject({ tierHandle: "silver", segment: "active", balance: 0 });
    expect(await changes(quiet.id)).toEqual([
      { fromHandle: "bronze", toHandle: "comeback", reason: "segment_rule", idempotencyKey: `segment-rule:${quiet.id}:${DAY_1}` },
    ]);
    expect(await changes(active.id)).toEqual([]);
    expect(await entryRewards(quiet.id)).toEqual([{ delta: 30, idempotencyKey: `tier-entry:${quiet.id}:comeback` }]);
    const outbox = await db.shopifyOutbox.findMany({ where: { shopId: shopA.id, kind: "customer_tier" }, select: { key: true } });
    expect(outbox.map((row) => row.key).sort()).toEqual([`tier:${noTier.id}`, `tier:${quiet.id}`].sort());

    await drainOutbox();
    const added = shopify.requestsFor("TagsAdd").map((request) => request.variables);
    expect(added).toContainEqual({ id: quiet.customerGid, tags: ["keepsake-tier-comeback"] });

    // The same day again: the JobRun is done; replaying its batches by hand writes nothing either.
    expect(await runDay(shopA, DAY_1)).toMatchObject({ outcome: "already-done", written: 0 });
    const context: ShopJobContext = { db, shop: shopA, day: DAY_1, now: at(DAY_1), log: logger };
    expect(await segmentRefreshJob.runBatch(context, null, 500)).toMatchObject({ processed: 3, written: 0 });
    expect(await db.tierChange.count({ where: { shopId: shopA.id } })).toBe(2);
    expect(await db.ledgerEntry.count({ where: { shopId: shopA.id, kind: "tier_entry_reward" } })).toBe(2);
    expect((await findBalanceMismatches(db)).mismatches).toEqual([]);
  });

  it("takes a member who leaves the segment back to the tier they earned, and a second stay gives no second reward", async () => {
    await ladder(shopA.id);
    const quiet = await member(shopA, "bronze", 120);
    await runDay(shopA, DAY_1);
    expect((await state(quiet.id)).tierHandle).toBe("comeback");

    // They come back: activity today and an order worth 150 base points this year → silver by progress.
    await db.member.update({ where: { id: quiet.id }, data: { lastActivityAt: at(DAY_2) } });
    await db.orderRecord.create({
      data: {
        shopId: shopA.id,
        orderGid: "gid://shopify/Order/1",
        customerGid: quiet.customerGid,
        paidAt: at(DAY_2),
        eligibleAmount: "150.00",
        pointsAwarded: 150,
        rule: JSON.stringify({ basePoints: 150 }),
      },
    });
    expect(await runDay(shopA, DAY_2)).toMatchObject({ outcome: "ran" });
    expect(await state(quiet.id)).toMatchObject({ tierHandle: "silver", segment: "active", tierReviewOn: "2027-01-01" });
    expect((await changes(quiet.id)).at(-1)).toEqual({
      fromHandle: "comeback",
      toHandle: "silver",
      reason: "segment_rule",
      idempotencyKey: `segment-rule:${quiet.id}:${DAY_2}`,
    });
    // Silver was crossed on the way back: its entry reward once; the outbox row is queued again.
    expect((await entryRewards(quiet.id)).map((entry) => entry.idempotencyKey).sort()).toEqual(
      [`tier-entry:${quiet.id}:comeback`, `tier-entry:${quiet.id}:silver`].sort(),
    );
    expect(await db.shopifyOutbox.findFirst({ where: { key: `tier:${quiet.id}`, status: "pending" } })).not.toBeNull();

    // Quiet again a while later: back in the hidden tier, no second entry reward.
    await db.member.update({ where: { id: quiet.id }, data: { lastActivityAt: new Date(at(DAY_3).getTime() - 100 * DAY_MS) } });
    await db.orderRecord.deleteMany({ where: { shopId: shopA.id } });
    await runDay(shopA, DAY_3);
    expect((await state(quiet.id)).tierHandle).toBe("comeback");
    expect(await entryRewards(quiet.id)).toHaveLength(2);
  });

  it("goes back to the tier held before when progress reaches less (no demotion mid-period)", async () => {
    await ladder(shopA.id);
    const silver = await member(shopA, "silver", 120);
    await runDay(shopA, DAY_1);
    expect((await state(silver.id)).tierHandle).toBe("comeback");
    await db.member.update({ where: { id: silver.id }, data: { lastActivityAt: at(DAY_2) } });
    await runDay(shopA, DAY_2);
    expect(await state(silver.id)).toMatchObject({ tierHandle: "silver", segment: "active" });
  });

  it("leaves staff-assigned hidden tiers and higher earned tiers alone", async () => {
    await ladder(shopA.id);
    const staffPick = await member(shopA, "comeback", 5); // active, put in the hidden tier by staff
    await db.tierChange.create({
      data: { shopId: shopA.id, memberId: staffPick.id, fromHandle: "bronze", toHandle: "comeback", reason: "manual", staffId: "42", idempotencyKey: "manual:req-1" },
    });
    const gold = await member(shopA, "gold", 150); // at risk, but earned a higher tier
    const secret = await member(shopA, "secret", 150); // at risk, in a higher hidden tier

    await runDay(shopA, DAY_1);
    expect(await state(staffPick.id)).toMatchObject({ tierHandle: "comeback", segment: "active" });
    expect(await state(gold.id)).toMatchObject({ tierHandle: "gold", segment: "at_risk" });
    expect(await state(secret.id)).toMatchObject({ tierHandle: "secret", segment: "at_risk" });
    expect(await db.tierChange.count({ where: { shopId: shopA.id, reason: "segment_rule" } })).toBe(0);
    expect(await db.ledgerEntry.count({ where: { shopId: shopA.id } })).toBe(0);
  });

  it("does nothing while tiers are off or the hidden tier has no rule, and takes rule-placed members back when the rule is removed", async () => {
    await ladder(shopA.id, { assignSegment: null });
    const quiet = await member(shopA, "bronze", 120);
    await runDay(shopA, DAY_1);
    expect((await state(quiet.id)).tierHandle).toBe("bronze");

    await db.tier.updateMany({ where: { shopId: shopA.id, handle: "comeback" }, data: { assignSegment: "at_risk" } });
    await db.shop.update({ where: { id: shopA.id }, data: { tiersEnabled: false } });
    await runDay(shopA, DAY_2);
    expect((await state(quiet.id)).tierHandle).toBe("bronze");

    await db.shop.update({ where: { id: shopA.id }, data: { tiersEnabled: true } });
    await runDay(shopA, DAY_3);
    expect((await state(quiet.id)).tierHandle).toBe("comeback");

    await db.tier.updateMany({ where: { shopId: shopA.id, handle: "comeback" }, data: { assignSegment: null } });
    await runDay(shopA, "2026-06-18");
    expect((await state(quiet.id)).tierHandle).toBe("bronze");
  });

  it("writes the entry points as a per-earning lot (expiry stamped, never member activity), balances exact", async () => {
    await ladder(shopA.id);
    await db.shop.update({ where: { id: shopA.id }, data: { expiryMode: "per_earning", expiryMonths: 12 } });
    const quiet = await member(shopA, "bronze", 120);
    const other = await member(shopA, "silver", 150);
    await db.member.update({ where: { id: other.id }, data: { balance: 0, pointsExpireOn: "2099-01-01" } });
    const before = (await db.member.findUniqueOrThrow({ where: { id: quiet.id } })).lastActivityAt;
    await runDay(shopA, DAY_1);
    const entry = await db.ledgerEntry.findFirstOrThrow({ where: { memberId: quiet.id, kind: "tier_entry_reward" } });
    const expiresOn = entry.expiresOn;
    expect(expiresOn).not.toBeNull();
    const rows = await db.member.findMany({ where: { id: { in: [quiet.id, other.id] } }, select: { id: true, balance: true, pointsExpireOn: true, lastActivityAt: true } });
    expect(rows.find((row) => row.id === quiet.id)).toMatchObject({ balance: 30, pointsExpireOn: expiresOn, lastActivityAt: before });
    // An expiry day later than the lot's is lowered to it (never raised).
    expect(rows.find((row) => row.id === other.id)).toMatchObject({ balance: 30, pointsExpireOn: expiresOn });
    expect(await db.shopifyOutbox.count({ where: { shopId: shopA.id, kind: "customer_balance" } })).toBe(2);
    expect((await findBalanceMismatches(db)).mismatches).toEqual([]);
  });

  it("issues a catalog entry reward as a free code, once", async () => {
    const reward = await createReward(SHOP_A, { kind: "amount_off", name: "$5 welcome back", pointsCost: 500, amount: "5.00" });
    if (!reward.ok) throw new Error(reward.issues.join("; "));
    await ladder(shopA.id, { entryRewardPoints: null, entryRewardId: reward.id });
    const quiet = await member(shopA, "bronze", 120);
    await runDay(shopA, DAY_1);
    const context: ShopJobContext = { db, shop: shopA, day: DAY_1, now: at(DAY_1), log: logger };
    await segmentRefreshJob.runBatch(context, null, 500);
    expect((await state(quiet.id)).tierHandle).toBe("comeback");
    expect(await db.redemption.findMany({ where: { memberId: quiet.id }, select: { status: true, pointsSpent: true, requestId: true } })).toEqual([
      { status: "issued", pointsSpent: 0, requestId: `grant:tier-entry:${quiet.id}:comeback` },
    ]);
    expect(shopify.requestsFor("DiscountCodeBasicCreate")).toHaveLength(1);
  });

  it("moves only the shop's own members", async () => {
    await ladder(shopA.id);
    await ladder(shopB.id);
    const a = await member(shopA, "bronze", 120);
    const b = await member(shopB, "bronze", 120);
    await runDay(shopA, DAY_1);
    expect((await state(a.id)).tierHandle).toBe("comeback");
    expect(await state(b.id)).toMatchObject({ tierHandle: "bronze", segment: null, balance: 0 });
    expect(await db.tierChange.count({ where: { shopId: shopB.id } })).toBe(0);
    await runDay(shopB, DAY_1);
    expect((await state(b.id)).tierHandle).toBe("comeback");
  });
});
