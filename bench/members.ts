/**
 * npm run bench:members [-- --members N --iterations I --fresh --analyze]
 *
 * The members list at scale (issue 6 target: server p95 ≤ 50 ms for a filtered, sorted page with
 * 1,000,000 members on SQLite; docs/decisions/017-members-at-scale.md).
 *
 *  1. Builds (or reuses) a migrated SQLite file under /tmp/keepsake-members-cache/, keyed by
 *     SEED_VERSION, the migrations and N (kept for the next run; --fresh rebuilds): one shop with N members (plus 5 % as many in a second shop,
 *     so the shop scoping is real), three tiers, every segment, balances 0–5,000, enrolled over three
 *     years, last activity over the last two (10 % never active). Written with better-sqlite3
 *     prepared statements in big transactions with the secondary indexes dropped and rebuilt after.
 *     No ANALYZE: the app never runs it, so the planner sees what production sees (statistics a
 *     previous tool left are dropped; `--analyze` runs a full ANALYZE instead, to compare plans).
 *  2. Opens the file with the app's own Prisma client (DATABASE_URL, as the server does) and calls the
 *     real service the page's loader calls (`listMembersOfShop`) for each query shape: the first page,
 *     then pages further on through the cursors the previous answer gave (as staff clicking Next), and
 *     back. Times each call (warm-up calls not counted).
 *
 * stdout: ONE JSON object with p50/p95/p99/max (wall) and cpuP50/cpuP95 (this process's CPU time,
 * which a machine shared with other work inflates far less) per query shape, and the load average.
 * Logs: stderr. Exit 0 whether or not the target is met (benchmarks report), 2 if the bench could
 * not run.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { dropIndexesForLoad, migrationsKey, prng, setPlannerStatistics, sqliteDateTime } from "./support";
import { memberSearchColumns } from "../app/loyalty/member-search";
import type { MemberListQuery } from "../app/loyalty/members-query";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SEED_VERSION = "v1";
const CACHE_DIR = "/tmp/keepsake-members-cache";
const SHOP_ID = "shop_members_bench";
const OTHER_SHOP_ID = "shop_members_other";
const ZONE = "America/New_York";
const NOW = new Date("2026-11-23T12:00:00Z");
const DAY = 86_400_000;
const TARGET_P95_MS = 50;
const TIERS = ["bronze", "silver", "gold"] as const;
const SEGMENTS = ["new", "active", "loyal", "at_risk", "churned"] as const;
const FIRST = ["Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "John", "Margaret", "Ken", "Lin", "Min", "Ji-woo", "Sofia", "Mateo", "Aiko"];
const LAST = ["Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Allen", "McCarthy", "Hamilton", "Thompson", "Smith", "Kim", "Park", "Garcia", "Rossi", "Tanaka"];

const log = (message: string) => process.stderr.write(`[bench:members] ${message}\n`);

const { values: args } = parseArgs({
  options: {
    members: { type: "string", default: "1000000" },
    iterations: { type: "string", default: "60" },
    fresh: { type: "boolean", default: false },
    analyze: { type: "boolean", default: false },
  },
});
const MEMBERS = Number(args.members);
const ITERATIONS = Number(args.iterations);

function buildDatabase(file: string): void {
  const partial = `${file}.partial`;
  rmSync(partial, { force: true });
  log(`migrating ${partial}`);
  const migrate = spawnSync("npx", ["prisma", "migrate", "deploy"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: `file:${partial}` },
    encoding: "utf8",
  });
  if (migrate.status !== 0) throw new Error(`prisma migrate deploy failed:\n${migrate.stderr}`);
  const sqlite = new Database(partial);
  sqlite.pragma("journal_mode = OFF");
  sqlite.pragma("synchronous = OFF");
  const rebuildIndexes = dropIndexesForLoad(sqlite, ["Member"]);

  const now = sqliteDateTime(NOW.getTime());
  const shop = sqlite.prepare(
    `INSERT INTO "Shop" ("id", "domain", "ianaTimezone", "tiersEnabled", "createdAt", "updatedAt") VALUES (?, ?, ?, 1, ?, ?)`,
  );
  const tier = sqlite.prepare(
    `INSERT INTO "Tier" ("id", "shopId", "handle", "name", "position", "thresholdKind", "thresholdValue", "qualificationPeriod", "createdAt", "updatedAt")
     VALUES (?, ?, ?, ?, ?, 'points_earned', ?, 'lifetime', ?, ?)`,
  );
  const member = sqlite.prepare(
    `INSERT INTO "Member" ("id", "shopId", "customerGid", "email", "firstName", "lastName", "balance", "enrolledAt", "lastActivityAt", "updatedAt", "tierHandle", "segment",
       "searchFirst", "searchLast", "searchEmail", "searchDomain")
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const next = prng(42);
  const idChars = "abcdefghijklmnopqrstuvwxyz0123456789";
  const cuidLike = () => {
    let id = "c";
    for (let i = 0; i < 24; i += 1) id += idChars[Math.floor(next() * 36)];
    return id;
  };
  sqlite.transaction(() => {
    for (const [id, domain] of [
      [SHOP_ID, "members-bench.myshopify.com"],
      [OTHER_SHOP_ID, "members-other.myshopify.com"],
    ] as const) {
      shop.run(id, domain, ZONE, now, now);
      TIERS.forEach((handle, position) => tier.run(`${id}_${handle}`, id, handle, handle[0]!.toUpperCase() + handle.slice(1), position, String(position * 1000), now, now));
    }
  })();
  const insertMany = sqlite.transaction((from: number, to: number, shopId: string) => {
    for (let i = from; i < to; i += 1) {
      const first = FIRST[Math.floor(next() * FIRST.length)]!;
      const last = LAST[Math.floor(next() * LAST.length)]!;
      const enrolled = NOW.getTime() - Math.floor(next() * 3 * 365 * DAY);
      const neverActive = next() < 0.1;
      const active = neverActive ? null : Math.max(enrolled, NOW.getTime() - Math.floor(next() * 2 * 365 * DAY));
      const tierRoll = next();
      const tierHandle = tierRoll < 0.2 ? null : tierRoll < 0.7 ? "bronze" : tierRoll < 0.93 ? "silver" : "gold";
      const email = `${first}.${last}.${i}@example.com`.toLowerCase();
      const search = memberSearchColumns({ firstName: first, lastName: last, email });
      member.run(
        cuidLike(),
        shopId,
        `gid://shopify/Customer/${shopId === SHOP_ID ? i + 1 : 900_000_000 + i}`,
        email,
        first,
        last,
        Math.floor(next() * next() * 5000),
        sqliteDateTime(enrolled),
        active === null ? null : sqliteDateTime(active),
        sqliteDateTime(active ?? enrolled),
        tierHandle,
        SEGMENTS[Math.floor(next() * SEGMENTS.length)]!,
        search.searchFirst,
        search.searchLast,
        search.searchEmail,
        search.searchDomain,
      );
    }
  });
  const started = Date.now();
  const batch = 50_000;
  for (let from = 0; from < MEMBERS; from += batch) {
    insertMany(from, Math.min(MEMBERS, from + batch), SHOP_ID);
    if ((from / batch) % 4 === 0) log(`${Math.min(MEMBERS, from + batch).toLocaleString("en")} members (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  insertMany(0, Math.ceil(MEMBERS * 0.05), OTHER_SHOP_ID);
  log("rebuilding member indexes");
  rebuildIndexes();
  sqlite.pragma("journal_mode = WAL");
  sqlite.close();
  renameSync(partial, file);
  log(`built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round(sorted[Math.max(0, index)]! * 100) / 100;
}

interface Shape {
  name: string;
  query: Partial<MemberListQuery>;
  /** Counted toward the ≤ 50 ms target (a filtered, sorted and/or searched page); false: reported only. */
  target: boolean;
}

const SHAPES: Shape[] = [
  { name: "default: joined desc", query: {}, target: true },
  { name: "tier=gold, balance desc", query: { tier: "gold", sort: "balance", direction: "desc" }, target: true },
  { name: "segment=at_risk, last activity desc", query: { segment: "at_risk", sort: "activity", direction: "desc" }, target: true },
  { name: "segment=loyal, joined asc", query: { segment: "loyal", sort: "joined", direction: "asc" }, target: true },
  { name: "points 1000–3000, joined desc", query: { pointsMin: 1000, pointsMax: 3000 }, target: true },
  { name: "points ≥ 4000, balance desc", query: { pointsMin: 4000, sort: "balance", direction: "desc" }, target: true },
  { name: "active since 2026-10-24, balance desc", query: { activeFrom: "2026-10-24", sort: "balance", direction: "desc" }, target: true },
  { name: "enrolled in 2024, last activity asc", query: { enrolledFrom: "2024-01-01", enrolledTo: "2024-12-31", sort: "activity", direction: "asc" }, target: true },
  {
    name: "tier=silver + points ≥ 500 + active in 2026, balance asc",
    query: { tier: "silver", pointsMin: 500, activeFrom: "2026-01-01", sort: "balance", direction: "asc" },
    target: true,
  },
  // Search (ADR 017 addendum: each word starts a first name, last name, email or domain). Matches at
  // 1,000,000 members: 'hopper' ~62,000 (common: walks the sort's index), 'grace.hopper.12' ~50 and
  // 'ada.lovelace.1' ~410 (rare: read by primary key), 'ada.l' ~7,800 (middling: the sort's index
  // walked with the id set), 1–2 letters (very common), a domain (everyone), two common words whose
  // combination is rarer ('ada lovelace' ~3,900), no match at all.
  { name: "search 'hopper' (last name), joined desc", query: { q: "hopper" }, target: true },
  { name: "search 'grace.hopper.12' (rare email start), joined desc", query: { q: "grace.hopper.12" }, target: true },
  { name: "search 'ada.lovelace.1' (rare email start), balance desc", query: { q: "ada.lovelace.1", sort: "balance", direction: "desc" }, target: true },
  { name: "search 'ada.l' (middling email start), joined desc", query: { q: "ada.l" }, target: true },
  { name: "search 'ada.l' + tier=silver, balance desc", query: { q: "ada.l", tier: "silver", sort: "balance", direction: "desc" }, target: true },
  { name: "search 'grace.hopper.1' + tier=gold, last activity desc", query: { q: "grace.hopper.1", tier: "gold", sort: "activity", direction: "desc" }, target: true },
  { name: "search 'a' (1 letter), joined desc", query: { q: "a" }, target: true },
  { name: "search 'mc' (2 letters), last activity asc", query: { q: "mc", sort: "activity", direction: "asc" }, target: true },
  { name: "search 'zq' (2 letters, no match), joined desc", query: { q: "zq" }, target: true },
  { name: "search 'example.com' (domain: everyone), balance asc", query: { q: "example.com", sort: "balance", direction: "asc" }, target: true },
  { name: "search 'ada lovelace' (two common words), joined desc", query: { q: "ada lovelace" }, target: true },
  { name: "search 'TURING alan' (two words, case), joined asc", query: { q: "TURING alan", sort: "joined", direction: "asc" }, target: true },
];

async function main() {
  mkdirSync(CACHE_DIR, { recursive: true });
  const file = path.join(CACHE_DIR, `members-${SEED_VERSION}-${migrationsKey(ROOT)}-${MEMBERS}.sqlite`);
  if (args.fresh) rmSync(file, { force: true });
  const reused = existsSync(file);
  if (!reused) buildDatabase(file);
  else log(`reusing ${file}`);
  const plannerStatistics = setPlannerStatistics(file, args.analyze);

  process.env.DATABASE_URL = `file:${file}`;
  process.env.NODE_ENV = "production";
  const { listMembersOfShop } = await import("../app/loyalty/services/members-list.server");
  const { parseMemberListQuery, queryToParams } = await import("../app/loyalty/members-query");
  const db = (await import("../app/db.server")).default;

  // A whole email address (looked up exactly): one that exists, taken from the middle of the shop.
  const sqlite = new Database(file, { readonly: true });
  const { email } = sqlite.prepare(`SELECT "email" FROM "Member" WHERE "shopId" = ? AND "customerGid" = ?`).get(SHOP_ID, `gid://shopify/Customer/${Math.floor(MEMBERS / 2)}`) as { email: string };
  sqlite.close();
  const shapes: Shape[] = [...SHAPES, { name: "search a whole email address, joined desc", query: { q: email }, target: true }];
  // Warm up: the first calls of a process compile Prisma's queries and read the file into the page cache.
  for (const shape of shapes.filter((s) => s.target)) {
    for (let i = 0; i < 3; i += 1) await listMembersOfShop(SHOP_ID, ZONE, parseMemberListQuery(queryToParams(shape.query)).query);
  }

  const results: Record<string, unknown>[] = [];
  for (const shape of shapes) {
    const base = parseMemberListQuery(queryToParams(shape.query)).query;
    const times: number[] = [];
    // CPU time of this process per call: on a shared machine wall time also counts waiting for a core.
    const cpuTimes: number[] = [];
    let rows = 0;
    // Walk forward page by page (Next), and every 10th call step back (Previous), then restart.
    let after: string | undefined;
    let before: string | undefined;
    // Shapes outside the target are reported with a few calls only.
    const calls = shape.target ? ITERATIONS : Math.min(ITERATIONS, 5);
    for (let call = -(shape.target ? 5 : 1); call < calls; call += 1) {
      const query: MemberListQuery = { ...base, ...(after ? { after } : {}), ...(before ? { before } : {}) };
      const started = performance.now();
      const cpuBefore = process.cpuUsage();
      const page = await listMembersOfShop(SHOP_ID, ZONE, query);
      const elapsed = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      if (call >= 0) {
        times.push(elapsed);
        cpuTimes.push((cpu.user + cpu.system) / 1000);
        rows += page.members.length;
      }
      if (call % 10 === 9 && page.previousCursor) {
        before = page.previousCursor;
        after = undefined;
      } else if (page.nextCursor && call % 20 !== 19) {
        after = page.nextCursor;
        before = undefined;
      } else {
        after = undefined;
        before = undefined;
      }
    }
    times.sort((a, b) => a - b);
    cpuTimes.sort((a, b) => a - b);
    const result = {
      shape: shape.name,
      target: shape.target,
      calls: times.length,
      avgRows: Math.round(rows / times.length),
      p50: percentile(times, 50),
      p95: percentile(times, 95),
      p99: percentile(times, 99),
      max: percentile(times, 100),
      cpuP50: percentile(cpuTimes, 50),
      cpuP95: percentile(cpuTimes, 95),
    };
    log(JSON.stringify(result));
    results.push(result);
  }
  await db.$disconnect();
  const targeted = results.filter((r) => r.target) as { p95: number; cpuP95: number }[];
  const worstP95 = Math.max(...targeted.map((r) => r.p95));
  process.stdout.write(
    `${JSON.stringify(
      {
        bench: "members",
        members: MEMBERS,
        otherShopMembers: Math.ceil(MEMBERS * 0.05),
        database: reused ? "reused" : "built",
        iterationsPerShape: ITERATIONS,
        targetP95Ms: TARGET_P95_MS,
        plannerStatistics,
        worstTargetP95Ms: worstP95,
        targetMet: worstP95 <= TARGET_P95_MS,
        worstTargetCpuP95Ms: Math.max(...targeted.map((r) => r.cpuP95)),
        loadAverage: os.loadavg().map((load) => Math.round(load * 10) / 10),
        cpus: os.cpus().length,
        shapes: results,
      },
      null,
      2,
    )}\n`,
  );
  process.exit(0);
}

main().catch((error) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(2);
});
