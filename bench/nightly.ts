/**
 * npm run bench:nightly [-- --members N --keep --fresh --skip-reminders --analyze]
 *
 * The nightly jobs at scale (issue 4 target: tier review + expiry sweep + expiry reminders ≤ 60 s with
 * 1,000,000 members and 10,000,000 ledger entries on SQLite; docs/decisions/014 and its addendum).
 *
 *  1. Builds (or reuses) a migrated SQLite file under /tmp/keepsake-nightly-cache/, keyed by SEED_VERSION
 *     and the member count: one shop (America/New_York, per-earning expiry after 12 months enabled long
 *     ago, a rolling-12-month points ladder bronze/silver/gold when the tiers job exists), N members with
 *     10 ledger entries each (1 sign-up bonus, then orders with their OrderRecord; a third of the
 *     members also redeem twice) spread over the 12 months before TODAY. Written with better-sqlite3 prepared statements in big
 *     transactions, secondary indexes dropped during the load and rebuilt after (Prisma creates would
 *     take hours). Columns are as the app leaves them: per-lot `expiresOn`, `pointsExpireOn` = the
 *     soonest unexpired lot (FIFO after redemptions), `lastActivityAt`, tier since/review day.
 *     Due today: every lot earned on the first day of the window (TODAY − 12 months, ~1/365 of
 *     all lots, as on any day of a program in steady state) and every tiered member whose 12-month
 *     anniversary in the tier is today.
 *     Migrations added after the file was built are applied to it (`prisma migrate deploy`, under a
 *     lock directory that also covers the copy below), so a new migration does not force a rebuild.
 *  2. Copies it to a working file, drops its planner statistics (production files have none: the app
 *     never runs ANALYZE; `--analyze` keeps them, to compare plans) and, in a child process (so peak RSS is the jobs' own), runs the real
 *     jobs through the scheduler (`runDueJobs`, one JobRun per job): tier review, expiry sweep, then
 *     the reminders in steady state (yesterday's reminders run is recorded as done, so the run selects
 *     by exact lead day; a first run or a settings change looks at the whole window once instead);
 *     then the same day again (must be a no-op); then checks every touched member's balance against
 *     its entries.
 *
 * stdout: ONE JSON object. Logs: stderr. Exit 0 whether or not the target is met; 1 if a balance is
 * wrong; 2 if the bench could not run.
 */
import { spawnSync } from "node:child_process";
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { dropIndexesForLoad, prng, setPlannerStatistics, sqliteDateTime } from "./support";
import type { ShopJob } from "../app/jobs/job-types";
import { addDays, addMonths, startOfLocalDay, type LocalDate } from "../app/loyalty/schedule";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** Bump when the generated data changes shape: the cache key. */
const SEED_VERSION = "v2";
const CACHE_DIR = "/tmp/keepsake-nightly-cache";
const SHOP_DOMAIN = "nightly-bench.myshopify.com";
const SHOP_ID = "shop_nightly";
const ZONE = "America/New_York";
const TODAY: LocalDate = "2026-11-23";
const WINDOW_START = addMonths(TODAY, -12); // lots earned that day expire today
const WINDOW_DAYS = 365;
const ENTRIES_PER_MEMBER = 10;
const REDEEMING_SHARE = 1 / 3;
const TARGET_SECONDS = 60;
const TIERS = [
  { handle: "bronze", name: "Bronze", threshold: 0 },
  { handle: "silver", name: "Silver", threshold: 800 },
  { handle: "gold", name: "Gold", threshold: 1500 },
] as const;

const log = (...parts: unknown[]) => console.error("[bench:nightly]", ...parts);

const iso = sqliteDateTime;
const pad36 = (n: number, width: number) => n.toString(36).padStart(width, "0");

function tiersJobExists(): boolean {
  return existsSync(path.join(ROOT, "app/jobs/tier-review.server.ts"));
}

function migrate(file: string): void {
  const result = spawnSync("npx", ["prisma", "migrate", "deploy", "--schema", "prisma/schema.prisma"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: `file:${file}` },
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`prisma migrate deploy failed:\n${result.stdout}\n${result.stderr}`);
}

interface GenerateReport {
  members: number;
  ledgerEntries: number;
  orders: number;
  expiryDueMembers: number;
  tierReviewsDue: number;
  seconds: number;
}

/** Builds the cached database file (see the header). */
function generate(file: string, memberCount: number, withTiers: boolean): GenerateReport {
  const started = performance.now();
  rmSync(file, { force: true });
  migrate(file);
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = OFF");
  sqlite.pragma("synchronous = OFF");
  sqlite.pragma("cache_size = -1000000");
  sqlite.pragma("temp_store = MEMORY");
  sqlite.pragma("foreign_keys = OFF"); // a member row is written after its entries (its balance is their sum)
  const now = iso(new Date(`${TODAY}T00:00:00Z`));

  sqlite
    .prepare(
      `INSERT INTO "Shop" (id, domain, ianaTimezone, scopes, expiryMode, expiryMonths, expiryEnabledOn, expiryReminderDays, tiersEnabled, updatedAt)
       VALUES (?, ?, ?, 'read_orders,write_customers,write_discounts', 'per_earning', 12, '2024-01-01', '[30,3]', ?, ?)`,
    )
    .run(SHOP_ID, SHOP_DOMAIN, ZONE, withTiers ? 1 : 0, now);
  sqlite
    .prepare(`INSERT INTO "Session" (id, shop, state, isOnline, scope, accessToken) VALUES (?, ?, 'installed', 0, ?, ?)`)
    .run(`offline_${SHOP_DOMAIN}`, SHOP_DOMAIN, "read_orders,write_customers,write_discounts", "shpat_bench");
  if (withTiers) {
    const tier = sqlite.prepare(
      `INSERT INTO "Tier" (id, shopId, handle, name, position, thresholdKind, thresholdValue, qualificationPeriod, updatedAt)
       VALUES (?, ?, ?, ?, ?, 'points_earned', ?, 'rolling_12_months', ?)`,
    );
    TIERS.forEach((t, position) => tier.run(`tier_${t.handle}`, SHOP_ID, t.handle, t.name, position, String(t.threshold), now));
  }

  // Secondary indexes off during the load, rebuilt once at the end.
  const rebuildIndexes = dropIndexesForLoad(sqlite, ["Member", "LedgerEntry", "OrderRecord"]);

  const insertMember = sqlite.prepare(
    `INSERT INTO "Member" (id, shopId, customerGid, email, balance, enrolledAt, updatedAt, lastActivityAt, pointsExpireOn, tierHandle, tierSince, tierReviewOn)
     VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertEntry = sqlite.prepare(
    `INSERT INTO "LedgerEntry" (id, shopId, memberId, kind, delta, idempotencyKey, orderGid, rule, description, expiresOn, createdAt)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertOrder = sqlite.prepare(
    `INSERT INTO "OrderRecord" (id, shopId, orderGid, orderName, customerGid, paidAt, eligibleAmount, pointsAwarded, rule, createdAt, updatedAt)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );

  // Day starts in the shop zone, computed once.
  const dayStart: number[] = [];
  const dayOf: LocalDate[] = [];
  for (let d = 0; d < WINDOW_DAYS; d += 1) {
    dayOf.push(addDays(WINDOW_START, d));
    dayStart.push(startOfLocalDay(dayOf[d] as LocalDate, ZONE).getTime());
  }
  const expiresOfDay = dayOf.map((day) => addMonths(day, 12));

  const random = prng(20261123);
  let entries = 0;
  let orders = 0;
  let expiryDue = 0;
  let tierDue = 0;
  const CHUNK = 20_000;
  const writeChunk = sqlite.transaction((from: number, to: number) => {
    for (let i = from; i < to; i += 1) {
      const memberId = `m${pad36(i, 5)}`;
      const customerGid = `gid://shopify/Customer/${7_000_000_000_000 + i}`;
      const days = Array.from({ length: ENTRIES_PER_MEMBER }, () => Math.floor(random() * WINDOW_DAYS)).sort((a, b) => a - b);
      // A third of the members redeem (twice, never first); the others only earn.
      const redeemAt = new Set<number>();
      if (random() < REDEEMING_SHARE) while (redeemAt.size < 2) redeemAt.add(2 + Math.floor(random() * (ENTRIES_PER_MEMBER - 2)));
      const lots: { day: number; remaining: number }[] = [];
      let balance = 0;
      let earned = 0;
      let lastActivity = 0;
      for (let j = 0; j < ENTRIES_PER_MEMBER; j += 1) {
        const d = days[j] as number;
        const at = dayStart[d] as number;
        const createdAt = iso(new Date(at + Math.floor(random() * 82_800) * 1000));
        lastActivity = Math.max(lastActivity, Date.parse(createdAt));
        const entryId = `e${pad36(i * ENTRIES_PER_MEMBER + j, 7)}`;
        if (j === 0) {
          insertEntry.run(entryId, SHOP_ID, memberId, "signup_bonus", 25, `signup:${customerGid}`, null, null, "Sign-up bonus", expiresOfDay[d], createdAt);
          balance += 25;
          earned += 25;
          lots.push({ day: d, remaining: 25 });
        } else if (redeemAt.has(j) && balance >= 50) {
          const spend = Math.min(balance, 50 * (1 + Math.floor(random() * 4)));
          insertEntry.run(entryId, SHOP_ID, memberId, "redemption", -spend, `redeem:${entryId}`, null, null, "Reward", null, createdAt);
          balance -= spend;
          let left = spend;
          for (const lot of lots) {
            const taken = Math.min(lot.remaining, left);
            lot.remaining -= taken;
            left -= taken;
            if (left === 0) break;
          }
        } else {
          const points = 10 + Math.floor(random() * 190);
          const orderGid = `gid://shopify/Order/${9_000_000_000_000 + i * ENTRIES_PER_MEMBER + j}`;
          const rule = `{"basePoints":${points},"earnRate":"1"}`;
          insertEntry.run(entryId, SHOP_ID, memberId, "order_earn", points, `order:${orderGid}:earn`, orderGid, rule, "Order", expiresOfDay[d], createdAt);
          insertOrder.run(`o${pad36(i * ENTRIES_PER_MEMBER + j, 7)}`, SHOP_ID, orderGid, `#${i}-${j}`, customerGid, createdAt, `${points}.00`, points, rule, createdAt, createdAt);
          orders += 1;
          balance += points;
          earned += points;
          lots.push({ day: d, remaining: points });
        }
        entries += 1;
      }
      const soonest = lots.find((lot) => lot.remaining > 0);
      const pointsExpireOn = soonest ? (expiresOfDay[soonest.day] as string) : null;
      if (soonest?.day === 0) expiryDue += 1;
      // Tier: by points earned in the window; in it since a day up to 3 years back (anniversary reviews).
      let tierHandle: string | null = null;
      let tierSince: string | null = null;
      let tierReviewOn: string | null = null;
      if (withTiers) {
        const rank = TIERS.reduce((best, t, index) => (earned >= t.threshold ? index : best), 0);
        tierHandle = TIERS[rank]?.handle ?? "bronze";
        if (rank > 0) {
          const since = addDays(TODAY, -1 - Math.floor(random() * 3 * 365));
          tierSince = since;
          let review = addMonths(since, 12);
          for (let k = 2; review < TODAY; k += 1) review = addMonths(since, 12 * k);
          tierReviewOn = review;
          if (review === TODAY) tierDue += 1;
        } else {
          tierSince = WINDOW_START;
        }
      }
      insertMember.run(memberId, SHOP_ID, customerGid, balance, iso(new Date(dayStart[days[0] as number] as number)), now, iso(new Date(lastActivity)), pointsExpireOn, tierHandle, tierSince, tierReviewOn);
    }
  });
  for (let from = 0; from < memberCount; from += CHUNK) {
    writeChunk(from, Math.min(memberCount, from + CHUNK));
    if ((from / CHUNK) % 10 === 0) log(`members ${from + CHUNK}/${memberCount} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  log("rebuilding indexes");
  rebuildIndexes();
  log("analyze");
  sqlite.exec("ANALYZE");
  sqlite.pragma("journal_mode = DELETE");
  sqlite.close();
  return {
    members: memberCount,
    ledgerEntries: entries,
    orders,
    expiryDueMembers: expiryDue,
    tierReviewsDue: tierDue,
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  };
}

// ---------------------------------------------------------------------------------------------
// The child: runs the real jobs against the working copy.

async function runJobs(file: string): Promise<void> {
  process.env.DATABASE_URL = `file:${file}`;
  process.env.NODE_ENV ??= "production";
  process.env.LOG_LEVEL ??= "warn";
  process.env.SHOPIFY_API_KEY ??= "bench-key";
  process.env.SHOPIFY_API_SECRET ??= "bench-secret";
  process.env.SHOPIFY_APP_URL ??= "https://keepsake.bench";
  process.env.SCOPES ??= "read_orders,write_customers,write_discounts";
  const { runDueJobs } = await import("../app/jobs/scheduler.server");
  const { expirySweepJob } = await import("../app/jobs/expiry-sweep.server");
  const { expiryRemindersJob } = await import("../app/jobs/expiry-reminders.server");
  const tierModule = tiersJobExists() ? await import("../app/jobs/tier-review.server") : null;
  const { default: db } = await import("../app/db.server");
  const now = new Date(startOfLocalDay(TODAY, ZONE).getTime() + 3 * 3_600_000); // 03:00 in the shop
  const timed = async (job: ShopJob) => {
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const reports = await runDueJobs({ now, owner: "bench", jobs: [job] });
    const seconds = (performance.now() - started) / 1000;
    // CPU time of this process (SQLite runs in it): what the wall time would be on an idle core.
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = Number(((cpu.user + cpu.system) / 1e6).toFixed(2));
    const processed = reports.reduce((sum, r) => sum + r.processed, 0);
    const written = reports.reduce((sum, r) => sum + r.written, 0);
    log(`${job.name}: ${seconds.toFixed(1)} s, ${processed} processed, ${written} written`);
    return { seconds: Number(seconds.toFixed(2)), cpuSeconds, processed, written, outcomes: reports.map((r) => `${r.day}:${r.outcome}`) };
  };
  const tierReview = tierModule ? await timed(tierModule.tierReviewJob) : null;
  const expirySweep = await timed(expirySweepJob);
  const withReminders = process.env.NIGHTLY_REMINDERS !== "0";
  let expiryReminders: Awaited<ReturnType<typeof timed>> | null = null;
  if (withReminders) {
    // Steady state: yesterday's reminders ran (a first run looks at the whole window once).
    const yesterday = addDays(TODAY, -1);
    const startedAt = new Date(startOfLocalDay(yesterday, ZONE).getTime() + 3 * 3_600_000);
    await db.jobRun.create({
      data: { shopId: SHOP_ID, job: expiryRemindersJob.name, periodKey: yesterday, status: "done", startedAt, finishedAt: startedAt },
    });
    expiryReminders = await timed(expiryRemindersJob);
  }
  const rerunStarted = performance.now();
  const rerun = await runDueJobs({ now, owner: "bench-rerun", jobs: [...(tierModule ? [tierModule.tierReviewJob] : []), expirySweepJob, ...(withReminders ? [expiryRemindersJob] : [])] });
  const rerunSeconds = (performance.now() - rerunStarted) / 1000;
  const maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);

  // Every member the sweep touched: cached balance = sum of entries, never negative.
  const wrong = (await db.$queryRawUnsafe(
    `SELECT COUNT(*) AS n FROM "Member" m
     WHERE m.id IN (SELECT memberId FROM "LedgerEntry" WHERE kind = 'expiry')
       AND (m.balance < 0 OR m.balance <> (SELECT SUM(delta) FROM "LedgerEntry" e WHERE e.memberId = m.id))`,
  )) as { n: number | bigint }[];
  const expiryEntries = await db.ledgerEntry.count({ where: { kind: "expiry" } });
  const tierTotal = (tierReview?.seconds ?? 0) + expirySweep.seconds;
  const nightlyTotal = tierTotal + (expiryReminders?.seconds ?? 0);
  const nightlyCpu = (tierReview?.cpuSeconds ?? 0) + expirySweep.cpuSeconds + (expiryReminders?.cpuSeconds ?? 0);
  const reminders = await db.notification.groupBy({ by: ["kind"], where: { shopId: SHOP_ID }, _count: { _all: true } });
  process.stdout.write(
    JSON.stringify({
      tierReview,
      expirySweep,
      expiryReminders,
      tierReviewPlusExpirySweepSeconds: Number(tierTotal.toFixed(2)),
      nightlySeconds: Number(nightlyTotal.toFixed(2)),
      nightlyCpuSeconds: Number(nightlyCpu.toFixed(2)),
      loadAverage: loadavg().map((value) => Number(value.toFixed(2))),
      targetSeconds: TARGET_SECONDS,
      targetMet: nightlyTotal <= TARGET_SECONDS,
      notifications: Object.fromEntries(reminders.map((row) => [row.kind, row._count._all])),
      rerun: { seconds: Number(rerunSeconds.toFixed(2)), ran: rerun.filter((r) => r.outcome === "ran").length },
      expiryEntries,
      balanceMismatches: Number(wrong[0]?.n ?? 0),
      peakRssMb: maxRssMb,
    }),
  );
  await db.$disconnect();
}

/**
 * Statistics for indexes a later migration added: the file was ANALYZEd when built, and SQLite's
 * planner trusts an index without statistics too much (a new (shopId, x, id) index was chosen over
 * the primary key for `id IN (…)`, scanning every member). A few seconds, once per new index.
 */
function analyzeNewIndexes(file: string): void {
  const sqlite = new Database(file);
  try {
    const fresh = sqlite
      .prepare(
        `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN (SELECT tbl FROM sqlite_stat1)
           AND name NOT IN (SELECT idx FROM sqlite_stat1 WHERE idx IS NOT NULL)`,
      )
      .all() as { name: string }[];
    for (const { name } of fresh) sqlite.exec(`ANALYZE "${name}"`);
    if (fresh.length > 0) log(`analyzed ${fresh.length} new indexes`);
  } finally {
    sqlite.close();
  }
}

/** One bench at a time migrates (and copies) the shared cached file. */
async function withCacheLock(work: () => void): Promise<void> {
  const lock = path.join(CACHE_DIR, ".migrate.lock");
  for (let waited = 0; ; waited += 1) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (waited === 0) log(`waiting for ${lock}`);
      if (waited > 3600) throw new Error(`${lock} held for an hour: remove it if no bench is running`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  try {
    work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      members: { type: "string", default: "1000000" },
      run: { type: "string" },
      keep: { type: "boolean", default: false },
      fresh: { type: "boolean", default: false },
      "skip-reminders": { type: "boolean", default: false },
      analyze: { type: "boolean", default: false },
    },
  });
  if (values.run) return runJobs(values.run);

  const members = Number(values.members);
  if (!Number.isSafeInteger(members) || members < 100) throw new Error("--members must be an integer ≥ 100");
  const withTiers = tiersJobExists();
  mkdirSync(CACHE_DIR, { recursive: true });
  const cached = path.join(CACHE_DIR, `nightly-${SEED_VERSION}-${members}-${withTiers ? "tiers" : "notiers"}.sqlite`);
  let generation: GenerateReport | { cached: true; file: string };
  if (values.fresh || !existsSync(cached)) {
    log(`generating ${members} members → ${cached}`);
    const partial = `${cached}.partial`;
    const report = generate(partial, members, withTiers);
    renameSync(partial, cached);
    generation = report;
  } else {
    generation = { cached: true, file: cached };
  }
  const working = path.join(CACHE_DIR, `run-${process.pid}.sqlite`);
  const copyStarted = performance.now();
  await withCacheLock(() => {
    migrate(cached); // migrations added since the file was built (a no-op when none)
    analyzeNewIndexes(cached);
    copyFileSync(cached, working);
  });
  const plannerStatistics = setPlannerStatistics(working, values.analyze);
  // Read it once: a running app's database is in the page cache; a fresh copy may not be.
  const handle = openSync(working, "r");
  const buffer = Buffer.allocUnsafe(16 * 1024 * 1024);
  while (readSync(handle, buffer, 0, buffer.length, null) > 0);
  closeSync(handle);
  const copySeconds = (performance.now() - copyStarted) / 1000;
  log(`working copy ${(statSync(working).size / 1e9).toFixed(2)} GB in ${copySeconds.toFixed(1)} s; running the jobs`);
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--run", working], {
    cwd: ROOT,
    env: { ...process.env, NIGHTLY_REMINDERS: values["skip-reminders"] ? "0" : "1" },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 16 * 1024 * 1024,
  });
  if (!values.keep) for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${working}${suffix}`, { force: true });
  if (child.status !== 0) throw new Error(`job run failed (exit ${child.status})`);
  const jobs = JSON.parse(child.stdout) as { balanceMismatches: number };
  const sqlite = new Database(cached, { readonly: true });
  const count = (sql: string) => Number((sqlite.prepare(sql).get() as { n: number | bigint }).n);
  const dataset = {
    members: count(`SELECT COUNT(*) AS n FROM "Member"`),
    ledgerEntries: count(`SELECT COUNT(*) AS n FROM "LedgerEntry"`),
    orders: count(`SELECT COUNT(*) AS n FROM "OrderRecord"`),
    expiryDueMembers: count(`SELECT COUNT(*) AS n FROM "Member" WHERE pointsExpireOn <= '${TODAY}'`),
    tierReviewsDue: count(`SELECT COUNT(*) AS n FROM "Member" WHERE tierReviewOn <= '${TODAY}'`),
    tiers: withTiers,
    today: TODAY,
    timezone: ZONE,
  };
  sqlite.close();
  process.stdout.write(`${JSON.stringify({ bench: "nightly", seedVersion: SEED_VERSION, dataset, generation, plannerStatistics, ...jobs, workingCopyAndWarmSeconds: Number(copySeconds.toFixed(1)), ...(values.keep ? { kept: working } : {}) }, null, 2)}\n`);
  process.exitCode = jobs.balanceMismatches === 0 ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
