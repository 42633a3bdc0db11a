/**
 * The daily job scheduler against the real database (SQLite, and PostgreSQL in CI): catch-up of
 * missed days oldest first, `done` makes reruns no-ops, an ended lease is taken over and resumed
 * after its cursor without writing anything twice, a live lease is left alone, two schedulers
 * started at once never both run the same (job, shop, day), and a job that runs `after` another waits
 * for that one's day, whichever instance runs it. (Several OS processes: scheduler-instances.test.ts.)
 */
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { expiryRemindersJob } from "~/jobs/expiry-reminders.server";
import { expirySweepJob } from "~/jobs/expiry-sweep.server";
import type { ShopJob } from "~/jobs/job-types";
import { dailyJobs } from "~/jobs/registry.server";
import { runDueJobs, runJobDay } from "~/jobs/scheduler.server";
import { findBalanceMismatches } from "~/loyalty/ledger.server";
import { logger } from "~/logger.server";
import { installShop } from "../support/app";
import { resetDatabase } from "../support/database";

const NOW = new Date("2026-06-15T12:00:00Z"); // business day 2026-06-15 in UTC
const EXPIRED_DAY = "2026-06-01";

/** A shop with expiry on (inactivity, enabled long ago) and `count` members whose points expired on 06-01. */
async function shopWithDueMembers(domain: string, count: number) {
  const shop = await installShop(domain);
  await db.shop.update({
    where: { id: shop.id },
    data: { expiryMode: "inactivity", expiryMonths: 12, expiryEnabledOn: "2024-01-01", expiryReminderDays: "[30,3]" },
  });
  for (let i = 0; i < count; i += 1) {
    const member = await db.member.create({
      data: { shopId: shop.id, customerGid: `gid://shopify/Customer/${1000 + i}`, balance: 10 + i, pointsExpireOn: EXPIRED_DAY },
    });
    await db.ledgerEntry.create({
      data: {
        shopId: shop.id,
        memberId: member.id,
        kind: "order_earn",
        delta: 10 + i,
        idempotencyKey: `order:seed-${i}:earn`,
        description: "seed",
        createdAt: new Date("2025-06-01T12:00:00Z"),
      },
    });
  }
  return { id: shop.id, domain, ianaTimezone: "UTC" };
}

/** A job that records the days it ran (a fixture implementing the ShopJob contract). */
function recordingJob(name: string, ran: string[]): ShopJob {
  return {
    name,
    runBatch: async (context) => {
      ran.push(`${context.shop.domain}:${context.day}`);
      return { processed: 1, written: 0, nextCursor: null };
    },
  };
}

/** A job that throws until `heal()` is called. */
function flakyJob(name: string, processed: number) {
  let fail = true;
  const job: ShopJob = {
    name,
    runBatch: async () => {
      if (fail) throw new Error("boom");
      return { processed, written: 0, nextCursor: null };
    },
  };
  return { job, heal: () => (fail = false) };
}

beforeEach(async () => {
  await resetDatabase(db);
});

describe("scheduler", () => {
  it("runs today on the first pass, then catches up missed days oldest first; done days are not run again", async () => {
    await installShop("catch-up.myshopify.com");
    const ran: string[] = [];
    const job = recordingJob("probe", ran);
    await runDueJobs({ now: new Date("2026-03-01T12:00:00Z"), owner: "a", jobs: [job] });
    expect(ran).toEqual(["catch-up.myshopify.com:2026-03-01"]);
    const reports = await runDueJobs({ now: new Date("2026-03-04T12:00:00Z"), owner: "a", jobs: [job] });
    expect(ran.slice(1)).toEqual(["catch-up.myshopify.com:2026-03-02", "catch-up.myshopify.com:2026-03-03", "catch-up.myshopify.com:2026-03-04"]);
    expect(reports.map((r) => r.outcome)).toEqual(["ran", "ran", "ran"]);
    // Same instant again: nothing owed.
    expect(await runDueJobs({ now: new Date("2026-03-04T18:00:00Z"), owner: "b", jobs: [job] })).toEqual([]);
    expect(ran).toHaveLength(4);
    // A done day asked for directly is a no-op.
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: "catch-up.myshopify.com" } });
    const again = await runJobDay(job, { id: shop.id, domain: shop.domain, ianaTimezone: "UTC" }, "2026-03-03", { now: NOW, owner: "c" });
    expect(again.outcome).toBe("already-done");
    expect(ran).toHaveLength(4);
    expect(await db.jobRun.count({ where: { job: "probe", status: "done" } })).toBe(4);
  });

  it("leaves a live lease alone and takes over an ended one", async () => {
    await installShop("lease.myshopify.com");
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: "lease.myshopify.com" } });
    const ran: string[] = [];
    const job = recordingJob("probe", ran);
    await db.jobRun.create({
      data: { shopId: shop.id, job: "probe", periodKey: "2026-06-15", status: "running", leaseOwner: "other", leaseUntil: new Date(NOW.getTime() + 60_000) },
    });
    const busy = await runDueJobs({ now: NOW, owner: "me", jobs: [job] });
    expect(busy).toMatchObject([{ day: "2026-06-15", outcome: "busy" }]);
    expect(ran).toEqual([]);
    // The other runner died: its lease ends, the next pass takes over.
    const later = new Date(NOW.getTime() + 120_000);
    const taken = await runDueJobs({ now: later, owner: "me", jobs: [job] });
    expect(taken).toMatchObject([{ day: "2026-06-15", outcome: "resumed" }]);
    expect(await db.jobRun.findFirstOrThrow({ where: { job: "probe" } })).toMatchObject({ status: "done", leaseOwner: "me", processed: 1 });
  });

  it("retries a failed run after the delay, from where it stopped", async () => {
    await installShop("fail.myshopify.com");
    const { job, heal } = flakyJob("flaky", 2);
    expect(await runDueJobs({ now: NOW, owner: "a", jobs: [job] })).toMatchObject([{ outcome: "failed" }]);
    expect(await db.jobRun.findFirstOrThrow({ where: { job: "flaky" } })).toMatchObject({ status: "failed", error: "boom" });
    heal();
    expect(await runDueJobs({ now: new Date(NOW.getTime() + 60_000), owner: "a", jobs: [job] })).toMatchObject([{ outcome: "busy" }]);
    expect(await runDueJobs({ now: new Date(NOW.getTime() + 11 * 60_000), owner: "a", jobs: [job] })).toMatchObject([{ outcome: "resumed" }]);
    expect(await db.jobRun.findFirstOrThrow({ where: { job: "flaky" } })).toMatchObject({ status: "done", error: null, processed: 2 });
  });

  it("resumes a crashed expiry sweep after its cursor and writes nothing twice", async () => {
    const shop = await shopWithDueMembers("crash.myshopify.com", 5);
    // The first runner did one batch of 2, committed its cursor, then died holding the lease.
    const first = await expirySweepJob.runBatch({ db, shop, day: "2026-06-15", now: NOW, log: logger }, null, 2);
    expect(first).toMatchObject({ processed: 2, written: 2 });
    await db.jobRun.create({
      data: {
        shopId: shop.id,
        job: "expiry-sweep",
        periodKey: "2026-06-15",
        status: "running",
        leaseOwner: "crashed",
        leaseUntil: new Date(NOW.getTime() - 1000),
        cursor: first.nextCursor,
        processed: 2,
        written: 2,
      },
    });
    const reports = await runDueJobs({ now: NOW, owner: "survivor", jobs: [expirySweepJob], batchSize: 2 });
    expect(reports).toMatchObject([{ job: "expiry-sweep", day: "2026-06-15", outcome: "resumed", processed: 3, written: 3 }]);
    expect(await db.jobRun.findFirstOrThrow({ where: { job: "expiry-sweep" } })).toMatchObject({
      status: "done",
      leaseOwner: "survivor",
      processed: 5,
      written: 5,
    });
    const expiries = await db.ledgerEntry.findMany({ where: { shopId: shop.id, kind: "expiry" } });
    expect(expiries).toHaveLength(5);
    expect(new Set(expiries.map((entry) => entry.memberId)).size).toBe(5);
    expect(await db.member.count({ where: { shopId: shop.id, balance: { not: 0 } } })).toBe(0);
    // Each new balance is queued for the storefront metafield (one outbox row per member).
    const synced = await db.shopifyOutbox.findMany({ where: { shopId: shop.id, kind: "customer_balance" } });
    expect(synced).toHaveLength(5);
    expect(synced.map((row) => JSON.parse(row.payload).balance)).toEqual([0, 0, 0, 0, 0]);
    // Replaying the whole day anyway (a batch run twice) writes nothing more.
    const replay = await expirySweepJob.runBatch({ db, shop, day: "2026-06-15", now: NOW, log: logger }, null, 10);
    expect(replay.written).toBe(0);
    expect((await findBalanceMismatches(db)).mismatches).toEqual([]);
  });

  it("two schedulers started at once never both run the same (job, shop, day)", async () => {
    const shops = [];
    for (let i = 0; i < 3; i += 1) shops.push(await shopWithDueMembers(`twin-${i}.myshopify.com`, 6));
    const jobs = [expirySweepJob, expiryRemindersJob];
    const [a, b] = await Promise.all([
      runDueJobs({ now: NOW, owner: "instance-a", jobs, batchSize: 2 }),
      runDueJobs({ now: NOW, owner: "instance-b", jobs, batchSize: 2 }),
    ]);
    const ran = [...(a ?? []), ...(b ?? [])].filter((r) => r.outcome === "ran" || r.outcome === "resumed");
    const keys = ran.map((r) => `${r.job}:${r.shopId}:${r.day}`);
    expect(new Set(keys).size).toBe(keys.length); // nobody ran a triple twice
    const runs = await db.jobRun.findMany();
    expect(runs).toHaveLength(shops.length * jobs.length);
    // Whatever a pass left busy, a later pass finishes; still one row per triple.
    await runDueJobs({ now: new Date(NOW.getTime() + 10 * 60_000), owner: "instance-a", jobs, batchSize: 2 });
    const done = await db.jobRun.findMany({ where: { status: "done" } });
    expect(done).toHaveLength(shops.length * jobs.length);
    const expiries = await db.ledgerEntry.findMany({ where: { kind: "expiry" } });
    expect(expiries).toHaveLength(18);
    expect(new Set(expiries.map((entry) => entry.memberId)).size).toBe(18);
    const sweeps = done.filter((run) => run.job === "expiry-sweep");
    expect(sweeps.reduce((sum, run) => sum + run.written, 0)).toBe(18);
    expect((await findBalanceMismatches(db)).mismatches).toEqual([]);
  });
});

describe("scheduler: job dependencies (after)", () => {
  it("the registry runs a day's expiry reminders after that day's expiry sweep", () => {
    expect(dailyJobs.find((job) => job.name === "expiry-reminders")?.after).toEqual(["expiry-sweep"]);
  });

  it("a job is not claimed while another instance runs its prerequisite's day; a later pass runs it", async () => {
    const shop = await installShop("deps.myshopify.com");
    const ran: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered: () => void = () => undefined;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const first: ShopJob = {
      name: "first",
      runBatch: async (context) => {
        entered();
        await gate;
        ran.push(`first:${context.day}`);
        return { processed: 1, written: 0, nextCursor: null };
      },
    };
    const second: ShopJob = { ...recordingJob("second", ran), after: ["first"] };
    // Instance A is inside `first` for today; instance B's pass finds it busy, so `second` waits.
    const a = runDueJobs({ now: NOW, owner: "instance-a", jobs: [first] });
    await inside;
    const b = await runDueJobs({ now: NOW, owner: "instance-b", jobs: [second, first] });
    expect(b).toMatchObject([
      { job: "first", day: "2026-06-15", outcome: "busy" },
      { job: "second", day: "2026-06-15", outcome: "waiting", processed: 0 },
    ]);
    expect(await db.jobRun.count({ where: { job: "second" } })).toBe(0);
    expect(ran).toEqual([]);
    release();
    expect(await a).toMatchObject([{ job: "first", outcome: "ran" }]);
    const later = await runDueJobs({ now: new Date(NOW.getTime() + 60_000), owner: "instance-b", jobs: [second, first] });
    expect(later).toMatchObject([{ job: "second", day: "2026-06-15", outcome: "ran" }]);
    expect(ran).toEqual(["first:2026-06-15", "deps.myshopify.com:2026-06-15"]);
    const runs = await db.jobRun.findMany({ where: { shopId: shop.id } });
    const firstRun = runs.find((run) => run.job === "first")!;
    const secondRun = runs.find((run) => run.job === "second")!;
    expect(firstRun).toMatchObject({ status: "done", leaseOwner: "instance-a" });
    expect(secondRun).toMatchObject({ status: "done", leaseOwner: "instance-b" });
    expect(secondRun.startedAt.getTime()).toBeGreaterThanOrEqual(firstRun.finishedAt!.getTime());
  });

  it("a failed prerequisite holds its dependant back until the retry succeeds, then both run that day", async () => {
    await installShop("deps-fail.myshopify.com");
    const ran: string[] = [];
    const { job: first, heal } = flakyJob("first", 1);
    const second: ShopJob = { ...recordingJob("second", ran), after: ["first"] };
    const jobs = [first, second];
    expect(await runDueJobs({ now: NOW, owner: "a", jobs })).toMatchObject([
      { job: "first", outcome: "failed" },
      { job: "second", outcome: "waiting" },
    ]);
    heal();
    expect(await runDueJobs({ now: new Date(NOW.getTime() + 60_000), owner: "b", jobs })).toMatchObject([
      { job: "first", outcome: "busy" },
      { job: "second", outcome: "waiting" },
    ]);
    expect(ran).toEqual([]);
    expect(await runDueJobs({ now: new Date(NOW.getTime() + 11 * 60_000), owner: "b", jobs })).toMatchObject([
      { job: "first", outcome: "resumed" },
      { job: "second", outcome: "ran" },
    ]);
    expect(ran).toEqual(["deps-fail.myshopify.com:2026-06-15"]);
  });

  it("a waiting day stops the dependant's later days too: days complete in order", async () => {
    const shop = await installShop("deps-order.myshopify.com");
    const ran: string[] = [];
    const first = recordingJob("first", ran);
    const second: ShopJob = { ...recordingJob("second", ran), after: ["first"] };
    await runDueJobs({ now: new Date("2026-06-13T12:00:00Z"), owner: "a", jobs: [first, second] });
    // Another instance holds `first` for 06-14: `second` waits on 06-14 and does not skip ahead to 06-15.
    await db.jobRun.create({
      data: { shopId: shop.id, job: "first", periodKey: "2026-06-14", status: "running", leaseOwner: "other", leaseUntil: new Date(NOW.getTime() + 60_000) },
    });
    const reports = await runDueJobs({ now: NOW, owner: "a", jobs: [first, second] });
    expect(reports.map((r) => `${r.job}:${r.day}:${r.outcome}`)).toEqual(["first:2026-06-14:busy", "second:2026-06-14:waiting"]);
    expect(await db.jobRun.count({ where: { job: "second", periodKey: { gt: "2026-06-13" } } })).toBe(0);
  });

  it("a prerequisite that will never run a day (it started later) does not hold back the dependant's catch-up", async () => {
    const shop = await installShop("deps-new.myshopify.com");
    const ran: string[] = [];
    const first: ShopJob = {
      name: "first",
      runBatch: async (context) => {
        ran.push(`first:${context.day}`);
        return { processed: 1, written: 0, nextCursor: null };
      },
    };
    const second: ShopJob = { ...recordingJob("second", ran), after: ["first"] };
    // `second` last ran on 06-12; `first` is new: it owes today only.
    await db.jobRun.create({ data: { shopId: shop.id, job: "second", periodKey: "2026-06-12", status: "done", finishedAt: NOW } });
    const reports = await runDueJobs({ now: NOW, owner: "a", jobs: [first, second] });
    expect(reports.map((r) => `${r.job}:${r.day}:${r.outcome}`)).toEqual([
      "second:2026-06-13:ran",
      "second:2026-06-14:ran",
      "first:2026-06-15:ran",
      "second:2026-06-15:ran",
    ]);
    expect(ran).toEqual(["deps-new.myshopify.com:2026-06-13", "deps-new.myshopify.com:2026-06-14", "first:2026-06-15", "deps-new.myshopify.com:2026-06-15"]);
  });
});
