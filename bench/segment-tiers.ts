/**
 * npx tsx bench/segment-tiers.ts [-- --members N --keep]
 *
 * The daily segment refresh with a hidden tier assigned by segment (docs/decisions/012 addendum
 * "Hidden tiers assigned by segment"). Builds a migrated SQLite file under
 * /tmp/keepsake-segment-tiers-bench/ with N members (default 1,000,000; no planner statistics, as
 * production): bronze 60 % / silver 30 % / gold 10 %, last activity recent for most, 90–300 days ago
 * for ~10 % (at risk) and over a year for ~5 % (churned), one paid order each for half of them. The
 * ladder has a hidden "comeback" tier between silver and gold with the rule `at_risk` and a points
 * entry reward. In a child process, through the scheduler (`runDueJobs`, only `segment-refresh`):
 *
 *   baseline  day 1 with the rule removed (the refresh alone, plus the rule's per-batch check);
 *   entry     day 2 with the rule: every at-risk bronze/silver member enters (TierChange, outbox row,
 *             entry points) — the worst day, when a merchant turns the rule on;
 *   steady    day 3, nothing changed: what the rule costs every other day;
 *   rerun     day 3 again (the JobRun is done) and one batch replayed by hand: nothing written.
 *
 * stdout: ONE JSON object. Logs: stderr. Exit 1 if the rerun or the steady day wrote tier changes.
 */
import { copyFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { dropIndexesForLoad, migratedForLoad, migrationsKey, prng, runOnWorkingCopy, sqliteDateTime, setBenchEnv } from "./support";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DIR = "/tmp/keepsake-segment-tiers-bench";
const SHOP_DOMAIN = "segment-tiers-bench.myshopify.com";
const SHOP_ID = "shop_segment_tiers_bench";
const ZONE = "UTC";
const DAYS = ["2026-06-15", "2026-06-16", "2026-06-17"] as const;
const DAY_MS = 86_400_000;
const SEED_VERSION = "v1";
const log = (...parts: unknown[]) => console.error("[bench:segment-tiers]", ...parts);

function generate(file: string, members: number): void {
  const sqlite = migratedForLoad(ROOT, file);
  const day1 = new Date(`${DAYS[0]}T00:00:00Z`).getTime();
  const now = sqliteDateTime(day1);
  sqlite
    .prepare(`INSERT INTO "Shop" (id, domain, ianaTimezone, scopes, tiersEnabled, updatedAt) VALUES (?, ?, ?, 'read_orders,write_customers', 1, ?)`)
    .run(SHOP_ID, SHOP_DOMAIN, ZONE, now);
  const tier = sqlite.prepare(
    `INSERT INTO "Tier" (id, shopId, handle, name, position, thresholdKind, thresholdValue, qualificationPeriod, hidden, assignSegment, entryRewardPoints, updatedAt)
     VALUES (?, ?, ?, ?, ?, 'points_earned', ?, 'calendar_year', ?, ?, ?, ?)`,
  );
  (
    [
      ["bronze", "0", 0, null, null],
      ["silver", "500", 0, null, null],
      ["comeback", "1000", 1, "at_risk", 50],
      ["gold", "1500", 0, null, null],
    ] as const
  ).forEach(([handle, threshold, hidden, segment, points], position) =>
    tier.run(`tier_${handle}`, SHOP_ID, handle, handle, position, threshold, hidden, segment, points, now),
  );
  const rebuildIndexes = dropIndexesForLoad(sqlite, ["Member", "OrderRecord"]);
  const insertMember = sqlite.prepare(
    `INSERT INTO "Member" (id, shopId, customerGid, balance, enrolledAt, lastActivityAt, updatedAt, tierHandle, tierSince, tierReviewOn) VALUES (?, ?, ?, 0, ?, ?, ?, ?, '2026-01-05', ?)`,
  );
  const insertOrder = sqlite.prepare(
    `INSERT INTO "OrderRecord" (id, shopId, orderGid, orderName, customerGid, paidAt, eligibleAmount, pointsAwarded, rule, createdAt, updatedAt)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const random = prng(20260615);
  const write = sqlite.transaction((from: number, to: number) => {
    for (let i = from; i < to; i += 1) {
      const memberId = `m${i.toString(36).padStart(7, "0")}`;
      const customerGid = `gid://shopify/Customer/${8_000_000_000_000 + i}`;
      const r = random();
      const idle = r < 0.1 ? 90 + Math.floor(random() * 210) : r < 0.15 ? 400 + Math.floor(random() * 300) : Math.floor(random() * 60);
      const lastActive = day1 - idle * DAY_MS;
      const t = random();
      const tierHandle = t < 0.6 ? "bronze" : t < 0.9 ? "silver" : "gold";
      insertMember.run(memberId, SHOP_ID, customerGid, sqliteDateTime(day1 - 800 * DAY_MS), sqliteDateTime(lastActive), now, tierHandle, tierHandle === "bronze" ? null : "2027-01-01");
      if (i % 2 === 0) {
        const orderGid = `gid://shopify/Order/${9_000_000_000_000 + i}`;
        const at = sqliteDateTime(lastActive);
        insertOrder.run(`o${memberId}`, SHOP_ID, orderGid, `#${i}`, customerGid, at, "60.00", 60, '{"basePoints":60}', at, at);
      }
    }
  });
  for (let from = 0; from < members; from += 20_000) write(from, Math.min(members, from + 20_000));
  rebuildIndexes();
  sqlite.pragma("journal_mode = DELETE");
  sqlite.close();
}

async function runJob(file: string): Promise<void> {
  setBenchEnv(file);
  const { runDueJobs } = await import("../app/jobs/scheduler.server");
  const { segmentRefreshJob } = await import("../app/jobs/segment-refresh.server");
  const { logger } = await import("../app/logger.server");
  const { default: db } = await import("../app/db.server");
  const jobs = [segmentRefreshJob];
  const at = (day: string) => new Date(`${day}T03:00:00Z`);
  const count = () => db.tierChange.count({ where: { shopId: SHOP_ID } });
  async function day(name: string, date: string) {
    const before = await count();
    const load = loadavg()[0]?.toFixed(2);
    const cpu = process.cpuUsage();
    const started = performance.now();
    const reports = await runDueJobs({ now: at(date), owner: `bench-${name}`, jobs });
    const used = process.cpuUsage(cpu);
    return {
      seconds: Number(((performance.now() - started) / 1000).toFixed(2)),
      cpuSeconds: Number(((used.user + used.system) / 1e6).toFixed(2)),
      loadAverage: Number(load),
      processed: reports.reduce((sum, r) => sum + r.processed, 0),
      outcomes: reports.map((r) => `${r.day}:${r.outcome}`),
      tierChanges: (await count()) - before,
    };
  }
  await db.tier.updateMany({ where: { shopId: SHOP_ID, handle: "comeback" }, data: { assignSegment: null } });
  // The scheduler owes every day since the last done run: mark the days before day 1 done.
  await db.jobRun.create({ data: { shopId: SHOP_ID, job: "segment-refresh", periodKey: "2026-06-14", status: "done" } });
  const baseline = await day("baseline", DAYS[0]);
  await db.tier.updateMany({ where: { shopId: SHOP_ID, handle: "comeback" }, data: { assignSegment: "at_risk" } });
  const entry = await day("entry", DAYS[1]);
  const steady = await day("steady", DAYS[2]);
  const rerun = await day("rerun", DAYS[2]);
  const replay = await segmentRefreshJob.runBatch({ db, shop: { id: SHOP_ID, domain: SHOP_DOMAIN, ianaTimezone: ZONE }, day: DAYS[2], now: at(DAYS[2]), log: logger }, null, 500);
  const byTier = await db.member.groupBy({ by: ["tierHandle"], where: { shopId: SHOP_ID }, _count: { _all: true } });
  process.stdout.write(
    JSON.stringify({
      baseline,
      entry,
      steady,
      rerun: { ...rerun, replayedBatchWritten: replay.written },
      entryRewards: await db.ledgerEntry.count({ where: { shopId: SHOP_ID, kind: "tier_entry_reward" } }),
      outboxRows: await db.shopifyOutbox.count({ where: { shopId: SHOP_ID, kind: "customer_tier" } }),
      tiers: Object.fromEntries(byTier.map((row) => [row.tierHandle ?? "none", row._count._all])),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
  await db.$disconnect();
}

async function main() {
  const { values } = parseArgs({ options: { members: { type: "string" }, keep: { type: "boolean" }, run: { type: "string" } } });
  if (values.run) return runJob(values.run);
  const members = Number(values.members ?? 1_000_000);
  mkdirSync(DIR, { recursive: true });
  const cached = path.join(DIR, `seed-${SEED_VERSION}-${migrationsKey(ROOT)}-${members}.sqlite`);
  if (!existsSync(cached)) {
    const started = performance.now();
    log(`generating ${members} members`);
    generate(`${cached}.tmp`, members);
    copyFileSync(`${cached}.tmp`, cached);
    rmSync(`${cached}.tmp`, { force: true });
    log(`generated in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  const stdout = runOnWorkingCopy({ cached, dir: DIR, root: ROOT, script: fileURLToPath(import.meta.url), keep: values.keep });
  const result = JSON.parse(stdout) as { steady: { tierChanges: number }; rerun: { tierChanges: number; replayedBatchWritten: number } };
  process.stdout.write(`${JSON.stringify({ members, ...result })}\n`);
  if (result.steady.tierChanges > 0 || result.rerun.tierChanges > 0 || result.rerun.replayedBatchWritten > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
