/**
 * npx tsx bench/tier-review.ts [-- --members N --grace D --analyze --keep --placement]
 *
 * The tier review's worst day (docs/decisions/012 Performance): a calendar-year points ladder on
 * January 1st, when every member above the base tier is due at once. Builds a migrated SQLite file
 * under /tmp/keepsake-tier-review-bench/ with N members (default 100,000), all silver or gold and due
 * on 2026-01-01, 10 ledger entries each (a sign-up bonus and 9 paid orders with their OrderRecord
 * over 2025): about half keep their tier, the others move down (to_qualifying). Then, in a child
 * process, runs the real job through the scheduler (`runDueJobs`), then the same day again (must
 * write nothing), and counts what was written.
 *
 * No ANALYZE by default: the app never runs it, so the planner sees what production sees (the file
 * is built without indexes, then they are created). `--analyze` adds the statistics an operator's
 * ANALYZE would leave — taken when everyone is due, so stale as soon as the run drains them — to show
 * the statements keep their plans either way. The cached file's name carries the migrations.
 *
 * `--placement`: the same members, but the shop has just turned tiers on (ADR 012 "Program changes"):
 * nobody has a tier, and the save queued a tier placement. Runs the real `tier-placement` run through
 * the scheduler on 2025-12-31 (the orders' year), then again (must write nothing): every member is
 * placed (TierChange + outbox row each) from the year's progress.
 *
 * stdout: ONE JSON object (with the job's CPU time and the load average before and after). Logs:
 * stderr. Exit 1 if the rerun wrote anything or members are still due (or, with --placement, unplaced).
 */
import { copyFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { dropIndexesForLoad, migratedForLoad, migrationsKey, prng, runOnWorkingCopy, setBenchEnv, sqliteDateTime } from "./support";
import { addDays, startOfLocalDay, type LocalDate } from "../app/loyalty/schedule";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DIR = "/tmp/keepsake-tier-review-bench";
const SHOP_DOMAIN = "tier-bench.myshopify.com";
const SHOP_ID = "shop_tier_bench";
const ZONE = "America/New_York";
const DAY: LocalDate = "2026-01-01";
const YEAR_START: LocalDate = "2025-01-01";
const ENTRIES_PER_MEMBER = 10;
const TIERS = [
  { handle: "bronze", threshold: 0 },
  { handle: "silver", threshold: 500 },
  { handle: "gold", threshold: 1500 },
];
const SEED_VERSION = "v2";

const log = (...parts: unknown[]) => console.error("[bench:tier-review]", ...parts);
const iso = sqliteDateTime;

function generate(file: string, members: number, graceDays: number, analyze: boolean): void {
  const sqlite = migratedForLoad(ROOT, file);
  const now = iso(new Date(`${DAY}T00:00:00Z`));
  sqlite
    .prepare(
      `INSERT INTO "Shop" (id, domain, ianaTimezone, scopes, tiersEnabled, tierGraceDays, updatedAt) VALUES (?, ?, ?, 'read_orders,write_customers', 1, ?, ?)`,
    )
    .run(SHOP_ID, SHOP_DOMAIN, ZONE, graceDays, now);
  const tier = sqlite.prepare(
    `INSERT INTO "Tier" (id, shopId, handle, name, position, thresholdKind, thresholdValue, qualificationPeriod, updatedAt)
     VALUES (?, ?, ?, ?, ?, 'points_earned', ?, 'calendar_year', ?)`,
  );
  TIERS.forEach((t, position) => tier.run(`tier_${t.handle}`, SHOP_ID, t.handle, t.handle, position, String(t.threshold), now));
  const rebuildIndexes = dropIndexesForLoad(sqlite, ["Member", "LedgerEntry", "OrderRecord"]);
  const insertMember = sqlite.prepare(
    `INSERT INTO "Member" (id, shopId, customerGid, balance, enrolledAt, updatedAt, tierHandle, tierSince, tierReviewOn) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertEntry = sqlite.prepare(
    `INSERT INTO "LedgerEntry" (id, shopId, memberId, kind, delta, idempotencyKey, orderGid, rule, description, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertOrder = sqlite.prepare(
    // With the integer twins the orders service writes (orderProgressColumns): amount in micros, base points.
    `INSERT INTO "OrderRecord" (id, shopId, orderGid, orderName, customerGid, paidAt, eligibleAmount, pointsAwarded, rule, createdAt, updatedAt, eligibleMicros, basePoints)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const dayStart = Array.from({ length: 365 }, (_, d) => startOfLocalDay(addDays(YEAR_START, d), ZONE).getTime());
  const random = prng(20260101);
  const write = sqlite.transaction((from: number, to: number) => {
    for (let i = from; i < to; i += 1) {
      const memberId = `m${i.toString(36).padStart(6, "0")}`;
      const customerGid = `gid://shopify/Customer/${8_000_000_000_000 + i}`;
      const gold = random() < 0.5;
      // Gold members earn ~1,000-1,800 (most drop to silver), silver ones ~300-1,000 (some drop to bronze).
      const high = gold ? 190 : 100;
      let balance = 0;
      for (let j = 0; j < ENTRIES_PER_MEMBER; j += 1) {
        const at = iso(new Date((dayStart[Math.floor(random() * 365)] as number) + Math.floor(random() * 82_800) * 1000));
        const entryId = `e${(i * ENTRIES_PER_MEMBER + j).toString(36).padStart(7, "0")}`;
        if (j === 0) {
          insertEntry.run(entryId, SHOP_ID, memberId, "signup_bonus", 25, `signup:${customerGid}`, null, null, "Sign-up bonus", at);
          balance += 25;
          continue;
        }
        const points = 30 + Math.floor(random() * high);
        const orderGid = `gid://shopify/Order/${9_000_000_000_000 + i * ENTRIES_PER_MEMBER + j}`;
        const rule = `{"basePoints":${points},"earnRate":"1"}`;
        insertEntry.run(entryId, SHOP_ID, memberId, "order_earn", points, `order:${orderGid}:earn`, orderGid, rule, "Order", at);
        insertOrder.run(`o${entryId}`, SHOP_ID, orderGid, `#${i}-${j}`, customerGid, at, `${points}.00`, points, rule, at, at, BigInt(points) * 1_000_000n, points);
        balance += points;
      }
      const since = addDays("2023-01-01", Math.floor(random() * 1000));
      insertMember.run(memberId, SHOP_ID, customerGid, balance, now, now, gold ? "gold" : "silver", since, DAY);
    }
  });
  for (let from = 0; from < members; from += 20_000) write(from, Math.min(members, from + 20_000));
  rebuildIndexes();
  if (analyze) sqlite.exec("ANALYZE");
  sqlite.pragma("journal_mode = DELETE");
  sqlite.close();
}

const PLACEMENT_KEY = "change:bench";

/** --placement: tiers just turned on (nobody has a tier yet) and the save's run queued. */
function tiersTurnedOn(file: string): void {
  const sqlite = new Database(file);
  sqlite.exec(`UPDATE "Member" SET "tierHandle" = NULL, "tierSince" = NULL, "tierReviewOn" = NULL`);
  sqlite
    .prepare(`INSERT INTO "JobRun" (id, shopId, job, periodKey, status, payload, startedAt) VALUES ('placement_bench', ?, 'tier-placement', ?, 'queued', ?, ?)`)
    .run(SHOP_ID, PLACEMENT_KEY, JSON.stringify({ place: true, sync: [] }), sqliteDateTime(new Date()));
  sqlite.close();
}


/**
 * The job through the scheduler, then a second pass (another owner: must run nothing), then the
 * job's first batch again by hand (a replay after a crash: must write nothing). The review runs on
 * Jan 1st; the placement on Dec 31st of the orders' year.
 */
async function runJob(placement: boolean): Promise<void> {
  const { runDueJobs } = await import("../app/jobs/scheduler.server");
  const { tierReviewJob } = await import("../app/jobs/tier-review.server");
  const { tierPlacementJob } = await import("../app/jobs/tier-placement.server");
  const { default: db } = await import("../app/db.server");
  const { logger } = await import("../app/logger.server");
  const job = placement ? tierPlacementJob : tierReviewJob;
  const now = placement
    ? new Date(startOfLocalDay("2025-12-31", ZONE).getTime() + 12 * 3_600_000)
    : new Date(startOfLocalDay(DAY, ZONE).getTime() + 3 * 3_600_000);
  const pass = (at: Date, owner: string) => runDueJobs({ now: at, owner, jobs: placement ? [] : [job], queued: placement ? [job] : [] });
  const load = loadavg().map((value) => Number(value.toFixed(2)));
  const cpu = process.cpuUsage();
  const started = performance.now();
  const reports = await pass(now, "bench");
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const rerunStarted = performance.now();
  const rerun = await pass(new Date(now.getTime() + 60_000), "bench-rerun");
  const rerunSeconds = (performance.now() - rerunStarted) / 1000;
  const shop = { id: SHOP_ID, domain: SHOP_DOMAIN, ianaTimezone: ZONE };
  const again = await job.runBatch({ db, shop, day: placement ? PLACEMENT_KEY : DAY, now, log: logger }, null, 500);
  // Placement: a second save that moves nobody (e.g. a threshold lowered below no one's progress):
  // the whole pass reads every member's progress and writes nothing.
  let readOnlyPass: { seconds: number; cpuSeconds: number; written: number } | null = null;
  if (placement) {
    await db.jobRun.create({ data: { shopId: SHOP_ID, job: job.name, periodKey: `${PLACEMENT_KEY}:2`, status: "queued", payload: JSON.stringify({ place: true, sync: [] }) } });
    const readCpu = process.cpuUsage();
    const readStarted = performance.now();
    const read = await pass(new Date(now.getTime() + 120_000), "bench-read");
    const readUsed = process.cpuUsage(readCpu);
    readOnlyPass = {
      seconds: Number(((performance.now() - readStarted) / 1000).toFixed(2)),
      cpuSeconds: Number(((readUsed.user + readUsed.system) / 1e6).toFixed(2)),
      written: read.reduce((sum, r) => sum + r.written, 0),
    };
  }
  const byTier = await db.member.groupBy({ by: ["tierHandle"], where: { shopId: SHOP_ID }, _count: { _all: true } });
  process.stdout.write(
    JSON.stringify({
      job: job.name,
      seconds: Number(seconds.toFixed(2)),
      cpuSeconds: { user: Number((used.user / 1e6).toFixed(2)), system: Number((used.system / 1e6).toFixed(2)) },
      loadAverage: { before: load, after: loadavg().map((value) => Number(value.toFixed(2))) },
      processed: reports.reduce((sum, r) => sum + r.processed, 0),
      written: reports.reduce((sum, r) => sum + r.written, 0),
      outcomes: reports.map((r) => `${r.day}:${r.outcome}`),
      rerun: { seconds: Number(rerunSeconds.toFixed(2)), ran: rerun.filter((r) => r.outcome === "ran" || r.outcome === "resumed").length, batch: again },
      ...(readOnlyPass ? { readOnlyPass } : {}),
      tierChanges: await db.tierChange.count({ where: { shopId: SHOP_ID } }),
      outboxRows: await db.shopifyOutbox.count({ where: { shopId: SHOP_ID, kind: "customer_tier" } }),
      // The review: members still due; the placement: members still without a tier.
      stillDue: await db.member.count({ where: placement ? { shopId: SHOP_ID, tierHandle: null } : { shopId: SHOP_ID, tierReviewOn: { lte: DAY } } }),
      tiers: Object.fromEntries(byTier.map((row) => [row.tierHandle ?? "none", row._count._all])),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
  await db.$disconnect();
}

async function main() {
  const { values } = parseArgs({
    options: {
      members: { type: "string" },
      grace: { type: "string" },
      analyze: { type: "boolean" },
      keep: { type: "boolean" },
      placement: { type: "boolean" },
      run: { type: "string" },
    },
  });
  if (values.run) {
    if (values.placement) tiersTurnedOn(values.run);
    setBenchEnv(values.run);
    return runJob(values.placement ?? false);
  }
  const members = Number(values.members ?? 100_000);
  const grace = Number(values.grace ?? 0);
  mkdirSync(DIR, { recursive: true });
  const analyze = values.analyze ?? false;
  const cached = path.join(DIR, `seed-${SEED_VERSION}-${migrationsKey(ROOT)}-${members}-g${grace}${analyze ? "-analyzed" : ""}.sqlite`);
  if (!existsSync(cached)) {
    const started = performance.now();
    log(`generating ${members} due members × ${ENTRIES_PER_MEMBER} entries`);
    generate(`${cached}.tmp`, members, grace, analyze);
    copyFileSync(`${cached}.tmp`, cached);
    rmSync(`${cached}.tmp`, { force: true });
    log(`generated in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  const stdout = runOnWorkingCopy({
    cached,
    dir: DIR,
    root: ROOT,
    script: fileURLToPath(import.meta.url),
    args: values.placement ? ["--placement"] : [],
    keep: values.keep,
  });
  const result = JSON.parse(stdout) as { stillDue: number; rerun: { ran: number; batch: { written: number } } };
  process.stdout.write(`${JSON.stringify({ members, ledgerEntries: members * ENTRIES_PER_MEMBER, graceDays: grace, analyze, ...result })}\n`);
  if (result.stillDue > 0 || result.rerun.batch.written > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
