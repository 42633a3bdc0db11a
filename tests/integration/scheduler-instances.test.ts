/**
 * Several app instances as several OS processes (tests/support/scheduler-instance.ts: its own Prisma
 * client and pool, the real registry's jobs slowed so they overlap, an injected clock) against ONE
 * database: PostgreSQL in CI's PostgreSQL leg, the one SQLite file (shared by the processes) in the
 * SQLite leg. Proves, from the JobRun table and from the jobs' effects, that every (job, shop, day)
 * runs once and nothing is applied twice — the effects equal those of one instance running alone —
 * that reminders never start before the same day's sweep is done, and that an instance killed
 * (SIGKILL) between a batch's writes and its cursor is resumed by another once its lease ends, the
 * replayed batch writing nothing. `ledger:verify` stays green.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { dailyJobs } from "~/jobs/registry.server";
import { runDueJobs, type JobDayReport } from "~/jobs/scheduler.server";
import { findBalanceMismatches } from "~/loyalty/ledger.server";
import { queueBalanceSyncs } from "~/loyalty/services/shopify-outbox.server";
import { addDays, addMonths } from "~/loyalty/schedule";
import { installShop } from "../support/app";
import { resetDatabase, testDatabaseProvider } from "../support/database";
import { createAdminApiStandIn, startAdminApiServer } from "../support/shopify/admin-graphql";
import type { InstanceConfig } from "../support/scheduler-instance";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const D1 = "2026-06-15";
/** The instances run D1 and D3: D3's pass catches up D2 first. */
const RUN_DAYS = [D1, addDays(D1, 2)];
const ALL_DAYS = [0, 1, 2].map((k) => addDays(D1, k));
const ZONES = ["UTC", "Asia/Seoul", "America/New_York"];
/**
 * The registry's jobs but the analytics roll-up: its first run backfills the seeded history day by day
 * (two thirds of the runtime), and it only upserts recomputed figures (a replay rewrites the same row,
 * nothing can be counted twice). tests/integration/analytics.test.ts covers it under the scheduler.
 */
const EXCLUDED = ["daily-stats"];
const JOBS = dailyJobs.filter((job) => !EXCLUDED.includes(job.name));
const JOB_NAMES = JOBS.map((job) => job.name);
const COMPLETED = new Set(["ran", "resumed"]);

type InstanceEvent = { owner: string; event: string } & Partial<JobDayReport> & Record<string, unknown>;

interface Instance {
  owner: string;
  child: ChildProcess;
  events: InstanceEvent[];
  ready: Promise<void>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

const started: ChildProcess[] = [];

/** One instance: `node --import tsx` (not the tsx CLI, which would run the script in a grandchild a SIGKILL misses). */
function startInstance(
  config: InstanceConfig,
  onEvent: (instance: Instance, event: InstanceEvent) => void = () => undefined,
  env: Record<string, string> = {},
): Instance {
  const child = spawn(process.execPath, ["--import", "tsx", "tests/support/scheduler-instance.ts"], {
    cwd: ROOT,
    env: { ...process.env, ...env, SCHEDULER_INSTANCE: JSON.stringify(config), LOG_LEVEL: "silent" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  started.push(child);
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const events: InstanceEvent[] = [];
  let readyResolve: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (readyResolve = resolve));
  const instance: Instance = {
    owner: config.owner,
    child,
    events,
    ready,
    exit: new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, stderr }))),
  };
  createInterface({ input: child.stdout! }).on("line", (line) => {
    if (!line.startsWith("{")) return;
    const event = JSON.parse(line) as InstanceEvent;
    events.push(event);
    if (event.event === "ready") readyResolve();
    onEvent(instance, event);
  });
  void instance.exit.then(() => readyResolve());
  return instance;
}

/** Starts the instances together once all have loaded, and waits for them all to exit. */
async function runInstances(instances: Instance[]) {
  await Promise.all(instances.map((instance) => instance.ready));
  for (const instance of instances) instance.child.stdin?.end("go\n");
  return Promise.all(instances.map((instance) => instance.exit));
}

function config(owner: string, epoch: number, overrides: Partial<InstanceConfig> = {}): InstanceConfig {
  return {
    owner,
    epoch,
    days: RUN_DAYS,
    slowBeforeMs: 30,
    slowAfterMs: 30,
    batchSize: 2,
    leaseMs: 4000,
    retryAfterMs: 500,
    pollMs: 100,
    dayTimeoutMs: 40_000,
    exclude: EXCLUDED,
    ...overrides,
  };
}

const reportsOf = (instances: Instance[]) => instances.flatMap((instance) => instance.events.filter((event) => event.event === "report"));
const tripleOf = (report: { job?: string; shopId?: string; day?: string }) => `${report.job}|${report.shopId}|${report.day}`;

/** A shop whose members expire, are reminded and lose their tier over D1…D3. */
async function seedShop(domain: string, ianaTimezone: string) {
  const shop = await installShop(domain);
  await db.shop.update({
    where: { id: shop.id },
    data: {
      ianaTimezone,
      expiryMode: "inactivity",
      expiryMonths: 2, // not 12: the daily-stats job backfills from the first activity, day by day
      expiryEnabledOn: "2024-01-01",
      expiryReminderDays: "[30,3]",
      tiersEnabled: true,
      tierDowngrade: "to_qualifying",
      tierGraceDays: 0,
    },
  });
  await db.tier.createMany({
    data: [
      { shopId: shop.id, handle: "bronze", name: "Bronze", position: 0, thresholdKind: "points_earned", thresholdValue: "0", qualificationPeriod: "calendar_year" },
      { shopId: shop.id, handle: "silver", name: "Silver", position: 1, thresholdKind: "points_earned", thresholdValue: "100", qualificationPeriod: "calendar_year" },
    ],
  });
  let n = 0;
  /** A member whose only activity was a credit 2 months before `expiresOn` (inactivity: expires that day). */
  const expiring = async (expiresOn: string, points: number) => {
    n += 1;
    const lastActive = new Date(`${addMonths(expiresOn, -2)}T12:00:00Z`);
    const member = await db.member.create({
      data: { shopId: shop.id, customerGid: `gid://shopify/Customer/${n}`, balance: points, lastActivityAt: lastActive, pointsExpireOn: expiresOn },
    });
    await db.ledgerEntry.create({
      data: { shopId: shop.id, memberId: member.id, kind: "order_earn", delta: points, idempotencyKey: `seed:${n}`, description: "seed", createdAt: lastActive },
    });
  };
  for (const [k, day] of ALL_DAYS.entries()) {
    await expiring(day, 10 + k);
    await expiring(day, 20 + k);
    await expiring(addDays(day, 3), 30 + k); // 3-day reminder on `day`
    await expiring(addDays(day, 30), 40 + k); // 30-day reminder on `day`
    n += 1;
    await db.member.create({
      data: { shopId: shop.id, customerGid: `gid://shopify/Customer/${n}`, tierHandle: "silver", tierSince: "2025-01-01", tierReviewOn: day },
    });
  }
}

async function seed() {
  for (const [i, zone] of ZONES.entries()) await seedShop(`instances-${i}.myshopify.com`, zone);
}

/**
 * Everything the jobs wrote, with member ids replaced by shop and customer (ids differ between two
 * seedings), sorted: a row written twice shows up twice.
 */
async function effects() {
  const members = await db.member.findMany({ include: { shop: { select: { domain: true } } } });
  const who = new Map(members.map((member) => [member.id, `${member.shop.domain}/${member.customerGid}`]));
  const named = (text: string) => text.replace(/c[a-z0-9]{24}/g, (id) => who.get(id) ?? id);
  const shopDomain = new Map((await db.shop.findMany()).map((shop) => [shop.id, shop.domain]));
  const sorted = (rows: string[]) => rows.sort();
  return {
    ledger: sorted(
      (await db.ledgerEntry.findMany()).map((entry) => `${who.get(entry.memberId)} ${entry.kind} ${entry.delta} ${named(entry.idempotencyKey)}`),
    ),
    notifications: sorted(
      (await db.notification.findMany()).map((row) => `${who.get(row.memberId)} ${row.kind} ${named(row.idempotencyKey)} ${named(row.payload)}`),
    ),
    tierChanges: sorted(
      (await db.tierChange.findMany()).map((row) => `${who.get(row.memberId)} ${row.fromHandle}>${row.toHandle} ${row.reason} ${named(row.idempotencyKey)}`),
    ),
    outbox: sorted((await db.shopifyOutbox.findMany()).map((row) => `${shopDomain.get(row.shopId)} ${row.kind} ${named(row.key)} ${named(row.payload)}`)),
    members: sorted(
      members.map(
        (m) => `${who.get(m.id)} ${m.balance} ${m.tierHandle} ${m.tierReviewOn} ${m.tierPendingOn} ${m.pointsExpireOn} ${m.segment}`,
      ),
    ),
  };
}

/** `npm run ledger:verify` on the test database, as its own process. */
async function ledgerVerify(): Promise<{ code: number | null; report: { ok: boolean; membersChecked: number } }> {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/ledger-verify.ts"], { cwd: ROOT, env: process.env });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  return { code, report: JSON.parse(out.slice(out.indexOf("{"))) };
}

/** Every (shop, day): the reminders' run was claimed no earlier than the sweep's run finished. */
async function expectRemindersAfterSweeps() {
  const runs = await db.jobRun.findMany({ where: { job: { in: ["expiry-sweep", "expiry-reminders"] } } });
  const sweeps = new Map(runs.filter((run) => run.job === "expiry-sweep").map((run) => [`${run.shopId}|${run.periodKey}`, run]));
  const reminders = runs.filter((run) => run.job === "expiry-reminders");
  expect(reminders.length).toBeGreaterThan(0);
  for (const run of reminders) {
    const sweep = sweeps.get(`${run.shopId}|${run.periodKey}`);
    expect(sweep?.status).toBe("done");
    expect(run.startedAt.getTime()).toBeGreaterThanOrEqual(sweep!.finishedAt!.getTime());
  }
}

beforeEach(async () => {
  await resetDatabase(db);
});

afterEach(() => {
  // A test that failed early leaves its instances waiting for "go": end them (only ours, by handle).
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

describe(`scheduler: several instances as OS processes on one ${testDatabaseProvider()} database`, () => {
  it("three instances over three shops and three days: each (job, shop, day) runs once, the effects are one instance's", { timeout: 90_000 }, async () => {
    // The instances load the app while the reference runs; they touch nothing before "go".
    const epoch = Date.now();
    const instances = ["a", "b", "c"].map((owner) => startInstance(config(`instance-${owner}`, epoch)));
    // What one instance alone writes (in this process, no slowing): the reference.
    await seed();
    for (const day of RUN_DAYS) await runDueJobs({ now: new Date(`${day}T12:00:00Z`), owner: "alone", jobs: JOBS });
    const alone = await effects();
    // It did something of every kind the instances could write twice.
    expect(alone.ledger.filter((row) => row.includes(" expiry "))).toHaveLength(3 * 2 * 3);
    expect(alone.notifications.length).toBeGreaterThanOrEqual(3 * 3 * 2);
    expect(alone.tierChanges).toHaveLength(3 * 3);
    expect(alone.outbox.length).toBeGreaterThan(0);

    await resetDatabase(db);
    await seed();
    const exits = await runInstances(instances);
    for (const exit of exits) expect(exit, exit.stderr).toMatchObject({ code: 0 });

    // JobRun: exactly one row per (job, shop, day), all done.
    const runs = await db.jobRun.findMany({ where: { job: { in: JOB_NAMES } } });
    expect(runs).toHaveLength(ZONES.length * JOB_NAMES.length * ALL_DAYS.length);
    expect(runs.every((run) => run.status === "done")).toBe(true);
    expect(new Set(runs.map((run) => run.periodKey))).toEqual(new Set(ALL_DAYS));
    // Each triple completed by exactly one instance, the one the row names.
    const completions = reportsOf(instances).filter((report) => COMPLETED.has(String(report.outcome)));
    const triples = completions.map(tripleOf);
    expect(new Set(triples).size).toBe(triples.length);
    expect(triples.sort()).toEqual(runs.map((run) => tripleOf({ job: run.job, shopId: run.shopId, day: run.periodKey })).sort());
    const ownerOf = new Map(runs.map((run) => [tripleOf({ job: run.job, shopId: run.shopId, day: run.periodKey }), run.leaseOwner]));
    for (const report of completions) expect(ownerOf.get(tripleOf(report))).toBe(report.owner);
    // They really shared the work and met each other.
    expect(new Set(completions.map((report) => report.owner)).size).toBeGreaterThanOrEqual(2);
    expect(reportsOf(instances).some((report) => report.outcome === "busy" || report.outcome === "waiting")).toBe(true);

    // Nothing applied twice: the same entries, notices, tier changes, outbox rows and member states.
    expect(await effects()).toEqual(alone);
    await expectRemindersAfterSweeps();
    expect((await findBalanceMismatches(db)).mismatches).toEqual([]);
    const verify = await ledgerVerify();
    expect(verify.code).toBe(0);
    expect(verify.report).toMatchObject({ ok: true, membersChecked: 3 * 3 * 5 });
  });

  it("an instance killed between a sweep batch's writes and its cursor is resumed by another after the lease; the replay writes nothing", { timeout: 60_000 }, async () => {
    const epoch = Date.now();
    const options = { days: [D1], slowBeforeMs: 0, slowAfterMs: 500, leaseMs: 4000, pollMs: 150 };
    let killed: string | null = null;
    const sweepBatches = new Map<string, number>();
    const onEvent = (instance: Instance, event: InstanceEvent) => {
      if (event.event !== "batch" || event.job !== "expiry-sweep" || killed) return;
      const seen = (sweepBatches.get(instance.owner) ?? 0) + 1;
      sweepBatches.set(instance.owner, seen);
      // Batch 2's expiries are committed, its cursor is not: the runner dies here.
      if (seen === 2) {
        killed = instance.owner;
        instance.child.kill("SIGKILL");
      }
    };
    const instances = ["a", "b"].map((owner) => startInstance(config(`instance-${owner}`, epoch, options), onEvent));
    const shop = await installShop("killed.myshopify.com");
    await db.shop.update({ where: { id: shop.id }, data: { expiryMode: "inactivity", expiryMonths: 2, expiryEnabledOn: "2024-01-01", expiryReminderDays: "[30,3]" } });
    for (let i = 0; i < 7; i += 1) {
      const lastActive = new Date("2026-04-01T12:00:00Z");
      const member = await db.member.create({
        data: { shopId: shop.id, customerGid: `gid://shopify/Customer/${500 + i}`, balance: 10 + i, lastActivityAt: lastActive, pointsExpireOn: "2026-06-01" },
      });
      await db.ledgerEntry.create({
        data: { shopId: shop.id, memberId: member.id, kind: "order_earn", delta: 10 + i, idempotencyKey: `seed:${i}`, description: "seed", createdAt: lastActive },
      });
    }
    const exits = await runInstances(instances);

    expect(killed).not.toBeNull();
    const victim = instances.findIndex((instance) => instance.owner === killed);
    const survivor = instances[1 - victim]!;
    expect(exits[victim]?.signal).toBe("SIGKILL");
    expect(exits[1 - victim], exits[1 - victim]?.stderr).toMatchObject({ code: 0 });
    const survivorReports = reportsOf([survivor]);
    // The victim's two batches expired 4 members (their writes committed); the survivor resumed after
    // batch 1's cursor and found those 4 gone from the due set: it expired the other 3, once.
    expect(survivorReports).toContainEqual(expect.objectContaining({ job: "expiry-sweep", outcome: "resumed", processed: 3, written: 3 }));
    // While the sweep was held (then orphaned), the reminders waited instead of running.
    expect(survivorReports).toContainEqual(expect.objectContaining({ job: "expiry-reminders", outcome: "waiting" }));
    expect(reportsOf(instances).filter((report) => report.job === "expiry-sweep" && COMPLETED.has(String(report.outcome)))).toHaveLength(1);

    // The run counts batch 1 (committed by the victim) and the survivor's 3; batch 2 died uncounted.
    expect(await db.jobRun.findFirstOrThrow({ where: { job: "expiry-sweep" } })).toMatchObject({
      status: "done",
      leaseOwner: survivor.owner,
      processed: 5,
      written: 5,
    });
    const expiries = await db.ledgerEntry.findMany({ where: { kind: "expiry" } });
    expect(expiries).toHaveLength(7);
    expect(new Set(expiries.map((entry) => entry.memberId)).size).toBe(7);
    expect(await db.member.count({ where: { balance: { not: 0 } } })).toBe(0);
    const synced = await db.shopifyOutbox.findMany({ where: { kind: "customer_balance" } });
    expect(synced.map((row) => JSON.parse(row.payload).balance)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(await db.jobRun.count({ where: { periodKey: D1, status: "done", job: { in: JOB_NAMES } } })).toBe(JOB_NAMES.length);
    await expectRemindersAfterSweeps();
    const verify = await ledgerVerify();
    expect(verify.code).toBe(0);
    expect(verify.report).toMatchObject({ ok: true, membersChecked: 7 });
  });
});

describe(`Shopify outbox worker: several instances as OS processes on one ${testDatabaseProvider()} database`, () => {
  it("three instances draining at once send each balance row once, with its value", { timeout: 60_000 }, async () => {
    const shopify = createAdminApiStandIn({ throttle: false, latencyMs: 20 });
    const server = await startAdminApiServer(shopify);
    try {
      const epoch = Date.now();
      const instances = ["a", "b", "c"].map((owner) =>
        startInstance(config(`outbox-${owner}`, epoch, { mode: "outbox", pollMs: 50 }), undefined, { SHOPIFY_ADMIN_API_ORIGIN: server.origin }),
      );
      // 2 shops × 130 members: more rows than one claim takes (100), so the instances contend for the same rows.
      const balances = new Map<string, number>();
      for (const domain of ["outbox-0.myshopify.com", "outbox-1.myshopify.com"]) {
        const shop = await installShop(domain);
        const members = Array.from({ length: 130 }, (_, i) => ({ shopId: shop.id, customerGid: `gid://shopify/Customer/${9000 + i}`, balance: i + 1 }));
        await db.member.createMany({ data: members });
        const rows = await db.member.findMany({ where: { shopId: shop.id }, select: { id: true, customerGid: true, balance: true } });
        await db.ledgerEntry.createMany({
          data: rows.map((m) => ({ shopId: shop.id, memberId: m.id, kind: "manual_adjustment", delta: m.balance, idempotencyKey: `seed:${m.id}`, description: "seed" })),
        });
        await queueBalanceSyncs(db, rows.map((m) => ({ shopId: shop.id, memberId: m.id, customerGid: m.customerGid, balance: m.balance })));
        for (const m of rows) balances.set(`${domain} ${m.customerGid}`, m.balance);
      }
      const exits = await runInstances(instances);
      for (const exit of exits) expect(exit, exit.stderr).toMatchObject({ code: 0 });

      const sent = shopify
        .requestsFor("MetafieldsSet")
        .flatMap((call) => ((call.variables.metafields ?? []) as { ownerId: string }[]).map((input) => `${call.shop} ${input.ownerId}`));
      expect(sent).toHaveLength(260);
      expect(new Set(sent).size).toBe(260);
      for (const [key, balance] of balances) {
        const [domain, customerGid] = key.split(" ") as [string, string];
        expect(shopify.metafield(domain, customerGid, "$app:keepsake", "balance")?.value).toBe(String(balance));
      }
      expect(await db.shopifyOutbox.count({ where: { status: "done" } })).toBe(260);
      const passes = instances.flatMap((instance) => instance.events.filter((event) => event.event === "outbox-pass"));
      expect(passes.reduce((sum, pass) => sum + Number(pass.sent), 0)).toBe(260);
      const senders = instances.filter((instance) => instance.events.some((event) => event.event === "outbox-pass" && Number(event.sent) > 0));
      expect(senders.length).toBeGreaterThanOrEqual(2);
    } finally {
      await server.close();
    }
  });
});
