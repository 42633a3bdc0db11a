/**
 * Tier settings changes reach the members (ADR 012 addendum "Program changes"): a save on /app/tiers
 * queues a `tier-placement` run; the scheduler runs it with a controlled clock. Tiers turned on with
 * existing qualifying members (placed, tags/metafields queued, entry rewards once), a rerun that
 * does nothing, a rename that resyncs only the members whose text changed, tiers off (members
 * cleared, tags and metafields removed), a removed tier's members moved, a lowered threshold
 * promoting (a raised one demoting nobody), a crash mid-run resumed without doubles, a shop left with
 * tiered members while tiers are off healed by its daily review, the tier review kept out while the
 * placement holds the shop's lock, and another shop untouched.
 */
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { queuedJobs } from "~/jobs/registry.server";
import { runDueJobs } from "~/jobs/scheduler.server";
import { acquireShopLock, TIERS_LOCK } from "~/jobs/shop-lock.server";
import { segmentRefreshJob } from "~/jobs/segment-refresh.server";
import { runTierPlacementBatch, tierPlacementJob } from "~/jobs/tier-placement.server";
import { tierReviewJob } from "~/jobs/tier-review.server";
import { logger } from "~/logger.server";
import { DEFAULT_LADDER, type TierForm } from "~/loyalty/tier-form";
import { TIER_PLACEMENT_JOB } from "~/loyalty/services/tier-placement.server";
import { tierSyncOf } from "~/loyalty/services/tiers.server";
import { action, loader } from "~/routes/app.tiers";
import { deliver, installShop, memberOf } from "../support/app";
import { adminAction, adminLoader } from "../support/admin-route";
import { resetDatabase } from "../support/database";
import { customerPayload, paidOrderPayload } from "../support/shopify/payloads";

const SHOP_A = "place-a.myshopify.com";
const SHOP_B = "place-b.myshopify.com";
/** The scheduler's clock: mid-June, the orders below are in this calendar year. */
const NOW = new Date("2026-06-15T12:00:00Z");

function tier(handle: string, thresholdValue: string, extra: Partial<TierForm> = {}): TierForm {
  return {
    ...(DEFAULT_LADDER[0] as TierForm),
    handle,
    name: handle[0]?.toUpperCase() + handle.slice(1),
    thresholdKind: "points_earned",
    thresholdValue,
    qualificationPeriod: "calendar_year",
    earnMultiplier: "1",
    entryRewardKind: "none",
    entryRewardPoints: "",
    entryRewardId: "",
    perks: "",
    hidden: false,
    ...extra,
  };
}

const LADDER = [
  tier("bronze", "0"),
  tier("silver", "500", { entryRewardKind: "points", entryRewardPoints: "100" }),
  tier("gold", "1500", { entryRewardKind: "points", entryRewardPoints: "250" }),
];

function form(tiers: TierForm[], enabled = true) {
  return { tiersEnabled: String(enabled), tierDowngrade: "to_qualifying", tierGraceDays: "0", tierRefundsDemote: "false", tiers: JSON.stringify(tiers) };
}

async function save(shop: string, tiers: TierForm[], enabled = true) {
  const answer = await adminAction(action, "/app/tiers", shop, form(tiers, enabled));
  expect(answer.status).toBe(200);
}

/** One customer who spent `amount` (= points at earn rate 1) on June 1st, while tiers were off. */
async function customerWhoSpent(shop: string, amount: string) {
  const customer = customerPayload();
  await deliver("customers/create", customer, { shop });
  if (amount !== "0") {
    await deliver("orders/paid", paidOrderPayload({ customer, processedAt: "2026-06-01T10:00:00Z", lines: [{ title: "Lamp", price: amount, quantity: 1 }] }), { shop });
  }
  const member = await memberOf(shop, customer.admin_graphql_api_id);
  if (!member) throw new Error("no member");
  return member;
}

const runPlacements = (now = NOW, owner = "scheduler-a") => runDueJobs({ now, owner, jobs: [], queued: queuedJobs, batchSize: 2 });
const tierOfMember = async (id: string) => (await db.member.findUniqueOrThrow({ where: { id } })).tierHandle;
const entryRewards = (shop: string) =>
  db.ledgerEntry.findMany({ where: { shop: { domain: shop }, kind: "tier_entry_reward" }, orderBy: { idempotencyKey: "asc" }, select: { memberId: true, delta: true, idempotencyKey: true } });
const tierSyncs = async (shop: string) =>
  (await db.shopifyOutbox.findMany({ where: { shop: { domain: shop }, kind: "customer_tier", status: "pending" } })).map((row) => JSON.parse(row.payload).memberId as string).sort();
const forgetSyncs = () => db.shopifyOutbox.updateMany({ where: { kind: "customer_tier" }, data: { status: "done" } });

let members: { none: string; silver: string; gold: string };

beforeEach(async () => {
  await resetDatabase(db);
  await installShop(SHOP_A, { earnRate: "1", signupBonusPoints: 0 });
  await installShop(SHOP_B, { earnRate: "1", signupBonusPoints: 0 });
  members = {
    none: (await customerWhoSpent(SHOP_A, "0")).id,
    silver: (await customerWhoSpent(SHOP_A, "600.00")).id,
    gold: (await customerWhoSpent(SHOP_A, "2000.00")).id,
  };
});

/** Tiers on for shop A and placed: bronze / silver / gold; the outbox forgotten. */
async function placed() {
  await save(SHOP_A, LADDER);
  await runPlacements();
  await forgetSyncs();
}

describe("tier placement after a tier settings save", () => {
  it("turning tiers on places existing members (tags and metafields queued, entry rewards once); a rerun does nothing; another shop is untouched", async () => {
    const other = await customerWhoSpent(SHOP_B, "2000.00");
    expect(await tierOfMember(members.gold)).toBeNull();

    await save(SHOP_A, LADDER);
    const shopA = await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } });
    expect(await db.jobRun.findMany({ where: { shopId: shopA.id, job: TIER_PLACEMENT_JOB } })).toMatchObject([
      { status: "queued", payload: JSON.stringify({ place: true, sync: [] }) },
    ]);
    expect((await adminLoader(loader, "/app/tiers", SHOP_A)).body.placement).toEqual({ processed: 0, total: 3 });

    const reports = await runPlacements();
    expect(reports).toMatchObject([{ job: TIER_PLACEMENT_JOB, shopId: shopA.id, outcome: "resumed", processed: 3 }]);
    expect([await tierOfMember(members.none), await tierOfMember(members.silver), await tierOfMember(members.gold)]).toEqual(["bronze", "silver", "gold"]);
    const changes = await db.tierChange.findMany({ where: { shopId: shopA.id }, orderBy: { toHandle: "asc" } });
    expect(changes.map((change) => [change.memberId, change.fromHandle, change.toHandle, change.reason])).toEqual([
      [members.none, null, "bronze", "program_change"],
      [members.gold, null, "gold", "program_change"],
      [members.silver, null, "silver", "program_change"],
    ]);
    expect(await entryRewards(SHOP_A)).toEqual(
      [
        { memberId: members.gold, delta: 250, idempotencyKey: `tier-entry:${members.gold}:gold` },
        { memberId: members.gold, delta: 100, idempotencyKey: `tier-entry:${members.gold}:silver` },
        { memberId: members.silver, delta: 100, idempotencyKey: `tier-entry:${members.silver}:silver` },
      ].sort((a, b) => a.idempotencyKey.localeCompare(b.idempotencyKey)),
    );
    expect(await tierSyncs(SHOP_A)).toEqual([members.none, members.silver, members.gold].sort());
    const sync = await tierSyncOf(shopA.id, members.gold, NOW);
    expect(sync).toMatchObject({ tag: "keepsake-tier-gold", removeTags: ["keepsake-tier-bronze", "keepsake-tier-silver"], name: "Gold" });
    expect((await adminLoader(loader, "/app/tiers", SHOP_A)).body.placement).toBeNull();
    expect(await db.jobRun.findFirstOrThrow({ where: { shopId: shopA.id, job: TIER_PLACEMENT_JOB } })).toMatchObject({ status: "done", processed: 3, written: 6 });

    // A rerun (another pass, another instance) does nothing; saving the same settings owes nothing.
    expect(await runPlacements(new Date(NOW.getTime() + 60_000), "scheduler-b")).toEqual([]);
    await save(SHOP_A, LADDER);
    expect(await db.jobRun.count({ where: { job: TIER_PLACEMENT_JOB } })).toBe(1);
    expect(await db.tierChange.count()).toBe(3);
    expect(await entryRewards(SHOP_A)).toHaveLength(3);

    // Shop B: no tiers, no run, no change.
    expect(await tierOfMember(other.id)).toBeNull();
    expect(await db.jobRun.count({ where: { shop: { domain: SHOP_B } } })).toBe(0);
    expect(await tierSyncs(SHOP_B)).toEqual([]);
  });

  it("a rename resyncs the renamed tier's members and those whose progress names it, nobody else, and moves nobody", async () => {
    await placed();
    const renamed = [LADDER[0]!, LADDER[1]!, tier("gold", "1500", { name: "Or", entryRewardKind: "points", entryRewardPoints: "250" })];
    await save(SHOP_A, renamed);
    await runPlacements();
    expect(await tierSyncs(SHOP_A)).toEqual([members.silver, members.gold].sort());
    const shopA = await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } });
    expect(await tierSyncOf(shopA.id, members.gold, NOW)).toMatchObject({ name: "Or" });
    expect(await tierSyncOf(shopA.id, members.silver, NOW)).toMatchObject({ progress: { next: { tier: "gold", name: "Or" } } });
    expect(await db.tierChange.count()).toBe(3);

    // Perks only: nothing owed, no run.
    await save(SHOP_A, renamed.map((item) => ({ ...item, perks: "Early access" })));
    expect(await db.jobRun.count({ where: { job: TIER_PLACEMENT_JOB, status: { not: "done" } } })).toBe(0);
  });

  it("tiers off clears every member's tier and queues the removal of tags and metafields; on again re-places without a second entry reward", async () => {
    await placed();
    await save(SHOP_A, LADDER, false);
    await runPlacements();
    const shopA = await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } });
    const cleared = await db.member.findMany({ where: { shopId: shopA.id } });
    expect(cleared.map((member) => [member.tierHandle, member.tierSince, member.tierReviewOn])).toEqual([
      [null, null, null],
      [null, null, null],
      [null, null, null],
    ]);
    expect(await tierSyncs(SHOP_A)).toEqual([members.none, members.silver, members.gold].sort());
    expect(await tierSyncOf(shopA.id, members.gold, NOW)).toEqual({
      customerGid: expect.any(String),
      tag: null,
      removeTags: ["keepsake-tier-bronze", "keepsake-tier-silver", "keepsake-tier-gold"],
      name: null,
      progress: null,
    });

    await forgetSyncs();
    await save(SHOP_A, LADDER, true);
    await runPlacements();
    expect([await tierOfMember(members.none), await tierOfMember(members.silver), await tierOfMember(members.gold)]).toEqual(["bronze", "silver", "gold"]);
    expect(await tierSyncs(SHOP_A)).toEqual([members.none, members.silver, members.gold].sort());
    expect(await entryRewards(SHOP_A)).toHaveLength(3);
  });

  it("a removed tier's members move to the highest remaining tier they qualify for and lose its tag", async () => {
    await placed();
    const rich = await customerWhoSpent(SHOP_A, "1200.00");
    await save(SHOP_A, LADDER);
    await runPlacements();
    expect(await tierOfMember(rich.id)).toBe("silver");
    await forgetSyncs();

    const withoutSilver = [LADDER[0]!, tier("gold", "1000", { entryRewardKind: "points", entryRewardPoints: "250" })];
    await save(SHOP_A, withoutSilver);
    await runPlacements();
    expect(await tierOfMember(members.silver)).toBe("bronze");
    expect(await tierOfMember(rich.id)).toBe("gold");
    expect(await tierOfMember(members.gold)).toBe("gold");
    const shopA = await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } });
    expect(await tierSyncOf(shopA.id, members.silver, NOW)).toMatchObject({ tag: "keepsake-tier-bronze", removeTags: ["keepsake-tier-gold", "keepsake-tier-silver"] });
    const moves = await db.tierChange.findMany({ where: { reason: "program_change", fromHandle: "silver" }, orderBy: { toHandle: "asc" } });
    expect(moves.map((move) => [move.memberId, move.toHandle])).toEqual([
      [members.silver, "bronze"],
      [rich.id, "gold"],
    ]);
    // The gold entry reward for the member who entered gold, once; the rest already had theirs.
    expect((await entryRewards(SHOP_A)).filter((entry) => entry.memberId === rich.id).map((entry) => entry.delta).sort()).toEqual([100, 250]);
  });

  it("a lowered threshold promotes who now qualifies; a raised one demotes nobody (the review will)", async () => {
    await placed();
    const lowered = [LADDER[0]!, LADDER[1]!, tier("gold", "550", { entryRewardKind: "points", entryRewardPoints: "250" })];
    await save(SHOP_A, lowered);
    await runPlacements();
    expect(await tierOfMember(members.silver)).toBe("gold");
    expect((await entryRewards(SHOP_A)).filter((entry) => entry.memberId === members.silver).map((entry) => entry.delta).sort()).toEqual([100, 250]);

    const raised = [LADDER[0]!, tier("silver", "5000"), tier("gold", "9000")];
    await save(SHOP_A, raised);
    await runPlacements();
    expect([await tierOfMember(members.silver), await tierOfMember(members.gold)]).toEqual(["gold", "gold"]);
    expect(await db.tierChange.count({ where: { toHandle: { not: "gold" }, fromHandle: { not: null } } })).toBe(0);
  });

  it("a run that crashed mid-way resumes after its last batch and writes nothing twice", async () => {
    for (let i = 0; i < 4; i += 1) await customerWhoSpent(SHOP_A, "700.00");
    await save(SHOP_A, LADDER);
    const shopA = await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } });
    const run = await db.jobRun.findFirstOrThrow({ where: { shopId: shopA.id, job: TIER_PLACEMENT_JOB } });
    // The first runner placed a batch of 3, committed it, and died before recording its cursor.
    const context = { db, shop: { id: shopA.id, domain: SHOP_A, ianaTimezone: shopA.ianaTimezone }, day: run.periodKey, now: NOW, log: logger };
    expect(await runTierPlacementBatch(context, null, 3)).toMatchObject({ processed: 3 });
    await db.jobRun.update({ where: { id: run.id }, data: { status: "running", leaseOwner: "crashed", leaseUntil: new Date(NOW.getTime() + 60_000) } });
    expect(await runPlacements()).toMatchObject([{ job: TIER_PLACEMENT_JOB, outcome: "busy" }]);

    const later = new Date(NOW.getTime() + 10 * 60_000);
    expect(await runPlacements(later)).toMatchObject([{ job: TIER_PLACEMENT_JOB, outcome: "resumed", processed: 7 }]);
    expect(await db.tierChange.count({ where: { shopId: shopA.id } })).toBe(7);
    expect(new Set((await db.tierChange.findMany()).map((change) => change.memberId)).size).toBe(7);
    const rewards = await entryRewards(SHOP_A);
    expect(rewards).toHaveLength(7); // 5 silver members (100) and the gold one (100 + 250)
    expect(rewards.reduce((sum, entry) => sum + entry.delta, 0)).toBe(5 * 100 + 100 + 250);
    expect(await db.member.count({ where: { shopId: shopA.id, tierHandle: null } })).toBe(0);
  });

  it("a shop that turned tiers off before saves re-placed members is healed by its daily tier review, once", async () => {
    const shopA = await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } });
    // As the old save left it: tiers off, the ladder kept, members still holding their tiers.
    await save(SHOP_A, LADDER);
    await runPlacements();
    await db.jobRun.deleteMany({ where: { job: TIER_PLACEMENT_JOB } });
    await db.shop.update({ where: { id: shopA.id }, data: { tiersEnabled: false } });
    await forgetSyncs();

    const pass = (now: Date) => runDueJobs({ now, owner: "a", jobs: [tierReviewJob], queued: queuedJobs, batchSize: 2 });
    const first = await pass(NOW);
    expect(first.filter((report) => report.shopId === shopA.id).map((report) => [report.job, report.outcome])).toEqual([
      ["tier-review", "ran"],
      [TIER_PLACEMENT_JOB, "resumed"],
    ]);
    expect(await db.member.count({ where: { shopId: shopA.id, tierHandle: { not: null } } })).toBe(0);
    expect(await tierSyncs(SHOP_A)).toEqual([members.none, members.silver, members.gold].sort());
    // The next day: nothing left to clear, nothing queued.
    const next = await pass(new Date(NOW.getTime() + 86_400_000));
    expect(next.filter((report) => report.shopId === shopA.id).map((report) => report.job)).toEqual(["tier-review"]);
    expect(await db.jobRun.count({ where: { job: TIER_PLACEMENT_JOB } })).toBe(1);
  });

  it("never runs while the shop's tier review holds the tiers lock, and the review and the segment refresh wait for a placement the same way", async () => {
    await save(SHOP_A, LADDER);
    const shopA = await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } });
    const lock = { db, clock: () => NOW, leaseMs: 5 * 60_000 };
    expect(await acquireShopLock(lock, shopA.id, TIERS_LOCK, "review-elsewhere")).toBe(true);
    expect(await runPlacements()).toMatchObject([{ outcome: "busy" }]);
    expect(await tierOfMember(members.gold)).toBeNull();

    expect(await acquireShopLock({ ...lock, clock: () => new Date(NOW.getTime() + 6 * 60_000) }, shopA.id, TIERS_LOCK, "placement-elsewhere")).toBe(true);
    // The segment refresh moves hidden tiers by rule: it waits for the lock too.
    const review = await runDueJobs({ now: new Date(NOW.getTime() + 6 * 60_000), owner: "a", jobs: [tierReviewJob, segmentRefreshJob] });
    expect(review.filter((report) => report.shopId === shopA.id).map((report) => [report.job, report.outcome])).toEqual([
      ["tier-review", "busy"],
      ["segment-refresh", "busy"],
    ]);

    // Once the lease runs out the placement runs, and releases the lock at its end.
    expect(await runPlacements(new Date(NOW.getTime() + 12 * 60_000))).toMatchObject([{ outcome: "resumed" }]);
    expect(await tierOfMember(members.gold)).toBe("gold");
    expect(await db.jobRun.findFirstOrThrow({ where: { shopId: shopA.id, job: `lock:${TIERS_LOCK}` } })).toMatchObject({ leaseOwner: null, status: "done" });
    expect(tierPlacementJob.exclusive).toBe(TIERS_LOCK);
    expect(tierReviewJob.exclusive).toBe(TIERS_LOCK);
    expect(segmentRefreshJob.exclusive).toBe(TIERS_LOCK);
  });
});
