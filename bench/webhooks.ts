/**
 * npm run bench:webhooks [-- --quick | --deliveries N --customers M --concurrency C --duplicates R --rate D]
 *
 * Load test of the orders/paid webhook path on the BUILT app (server.mjs, NODE_ENV=production) and
 * an exact check of the ledger it leaves behind. Why and what the figures mean:
 * docs/decisions/005-webhook-throughput.md.
 *
 *  1. builds the app if build/ is missing or older than app/ (under flock: others build too);
 *  2. creates and migrates a fresh SQLite database in a temp dir, installs one shop (Shop row and
 *     offline session, as tests/support/app.ts `installShop` does);
 *  3. starts the server (node holding the PID, so its RSS can be read from /proc);
 *  4. pre-generates twice N signed orders/paid deliveries for M customers; a share of them are
 *     Shopify retries (same body, same X-Shopify-Webhook-Id) and a few a second delivery of an order
 *     under a new webhook id, interleaved at random after their original;
 *  5. latency: sends the first N at the target rate D (default 1,000/s; open loop, as Shopify sends,
 *     over at most C keep-alive connections), timing each acknowledgement from when it was due;
 *     waits for the inbox to be applied;
 *  6. capacity: sends the other N as fast as C connections go (closed loop);
 *     after each run, redelivers whatever got a non-2xx answer (as Shopify would), untimed;
 *  7. verifies the ledger from the database file: one order_earn per order, each balance = the sum
 *     of its entries = the points computed here from the payloads.
 *
 * stdout: ONE JSON object. Logs: stderr. Exit 0 whether or not the targets are met (benchmarks
 * report), 1 if the ledger is wrong, 2 if the bench itself could not run.
 *
 * --profile DIR   runs the server with --cpu-prof and writes its .cpuprofile into DIR.
 * --keep          keeps the temp dir (database, server log) and prints where it is.
 * --db-dir DIR    puts the temp dir under DIR (default: the OS temp dir).
 * --build-dir DIR serves another build (e.g. an experiment's); implies no build step.
 * BENCH_DUMP=FILE writes the at-rate run's latencies (ms, in sending order) as JSON, to see when
 *                 slow answers happened.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "@prisma/client";
import Database from "better-sqlite3";
import {
  customerPayload,
  paidOrderPayload,
  resetShopifyIds,
  type CustomerPayload,
  type DiscountCodeInput,
  type OrderLineInput,
  type OrderPayload,
} from "../tests/support/shopify/payloads";
import { webhookBodyText, webhookHeaders, webhookPath } from "../tests/support/shopify/webhooks";
import { installShopRecords } from "../tests/support/install-shop";
import { buildIfStale } from "../scripts/build-if-stale";
import { freePort } from "../tests/support/free-port";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SHOP = "bench-shop.myshopify.com";
const SECRET = "bench-secret";
const API_KEY = "bench-key";
const TOPIC = "orders/paid";
const TARGETS = { deliveriesPerSecond: 1000, p99Ms: 50 } as const;
/** Shopify gives up on a delivery after ~5 s and retries it later. */
const SHOPIFY_TIMEOUT_MS = 5000;
/** Of the duplicate sends, this share is a new delivery (new webhook id) of an already-sent order. */
const NEW_ID_SHARE = 0.1;

const log = (...parts: unknown[]) => console.error("[bench]", ...parts);

/** Deliveries stored but not yet applied by the app's inbox worker. */
function pendingInbox(databaseFile: string): number {
  const sqlite = new Database(databaseFile, { readonly: true });
  try {
    const row = sqlite.prepare(`SELECT COUNT(*) AS n FROM "WebhookDelivery" WHERE status = 'received'`).get() as { n: number | bigint };
    return Number(row.n);
  } finally {
    sqlite.close();
  }
}

/** The app answers once a delivery is stored and applies it right after: wait for that. */
async function waitForInbox(databaseFile: string, timeoutMs = 600_000): Promise<number> {
  const started = performance.now();
  while (pendingInbox(databaseFile) > 0) {
    if (performance.now() - started > timeoutMs) throw new Error("the inbox did not drain in time");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return (performance.now() - started) / 1000;
}

// ---------------------------------------------------------------------------------------------
// options

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    deliveries: { type: "string" },
    customers: { type: "string" },
    concurrency: { type: "string", default: "64" },
    rate: { type: "string" },
    duplicates: { type: "string", default: "0.2" },
    warmup: { type: "string" },
    seed: { type: "string", default: "20261122" },
    profile: { type: "string" },
    keep: { type: "boolean", default: false },
    "db-dir": { type: "string" },
    "build-dir": { type: "string" },
  },
  strict: true,
});

function intFlag(value: string | undefined, fallback: number, name: string, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got ${value}`);
  return n;
}

const options = {
  deliveries: intFlag(flags.deliveries, flags.quick ? 500 : 5000, "deliveries"),
  customers: intFlag(flags.customers, flags.quick ? 50 : 500, "customers"),
  concurrency: intFlag(flags.concurrency, 64, "concurrency"),
  /** Offered load of the latency run (deliveries per second, open loop). */
  rate: intFlag(flags.rate, TARGETS.deliveriesPerSecond, "rate"),
  duplicates: Number(flags.duplicates),
  // Enough for V8 to have optimised the receiving path: a server that has run a while, as in production.
  warmup: intFlag(flags.warmup, flags.quick ? 200 : 600, "warmup", 0),
  seed: intFlag(flags.seed, 20261122, "seed", 0),
};
if (!(options.duplicates >= 0 && options.duplicates < 1)) throw new Error("--duplicates must be in [0, 1)");

// ---------------------------------------------------------------------------------------------
// deterministic randomness (mulberry32), so two runs send the same traffic

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(options.seed);
const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const cents = (n: number) => `${Math.floor(n / 100)}.${String(n % 100).padStart(2, "0")}`;

// ---------------------------------------------------------------------------------------------
// build, database, server

/**
 * The generated Prisma client is shared through node_modules: if someone last ran
 * `prisma generate --schema prisma/postgres/schema.prisma`, neither this bench nor the server can
 * open SQLite. Say so plainly instead of failing inside the server.
 */
function checkGeneratedClient(): void {
  const schema = path.join(ROOT, "node_modules/.prisma/client/schema.prisma");
  if (!existsSync(schema)) return;
  const provider = /provider\s*=\s*"(\w+)"/.exec(readFileSync(schema, "utf8").split("datasource")[1] ?? "")?.[1];
  if (provider && provider !== "sqlite") {
    throw new Error(`the generated Prisma client is for ${provider}; run \`npx prisma generate\` (SQLite) first`);
  }
}

function migrate(databaseUrl: string): void {
  const result = spawnSync("npx", ["prisma", "migrate", "deploy"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`prisma migrate deploy failed:\n${result.stdout}\n${result.stderr}`);
}

/** The shop as it is after install (the same rows as the tests and the demo). */
async function installShop(databaseUrl: string): Promise<void> {
  const prisma = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: databaseUrl }) });
  try {
    await installShopRecords(prisma, SHOP, { accessToken: `shpat_bench_${SHOP}` });
  } finally {
    await prisma.$disconnect();
  }
}

interface Server {
  child: ChildProcess;
  pid: number;
  baseUrl: string;
  output: () => string;
}

async function startServer(work: string, databaseUrl: string, buildDir: string, profileDir?: string): Promise<Server> {
  const port = await freePort();
  // SIGTERM → exit(0): a clean exit, so --cpu-prof gets written.
  const preload = path.join(work, "exit-on-sigterm.cjs");
  writeFileSync(preload, "process.on('SIGTERM', () => process.exit(0));\n");
  const nodeArgs = ["--require", preload];
  if (profileDir) nodeArgs.push("--cpu-prof", `--cpu-prof-dir=${path.resolve(profileDir)}`);
  // The production server (npm start), run with node directly so the bench holds its PID.
  const serverScript = path.join(ROOT, "server.mjs");
  const child = spawn(process.execPath, [...nodeArgs, serverScript, path.join(buildDir, "server/index.js")], {
    cwd: path.dirname(buildDir),
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(port),
      SHOPIFY_API_KEY: API_KEY,
      SHOPIFY_API_SECRET: SECRET,
      SHOPIFY_APP_URL: `http://127.0.0.1:${port}`,
      SCOPES: "read_orders,write_customers,write_discounts",
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: "error",
      // For instrumented runs (e.g. a --require preload that counts SQL statements).
      ...(process.env.BENCH_SERVER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS } : {}),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Keep only the tail of the server output, for failures.
  let tail = "";
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  if (!child.pid) throw new Error("server did not start");
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${tail}`);
    try {
      const res = await fetch(`${baseUrl}${webhookPath(TOPIC)}`, { method: "GET" });
      await res.arrayBuffer();
      break; // any answer (405 for a GET) means it is listening
    } catch {
      if (Date.now() > deadline) throw new Error(`server not listening after 30 s:\n${tail}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return { child, pid: child.pid, baseUrl, output: () => tail };
}

async function stopServer(server: Server): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once("exit", resolve));
  server.child.kill("SIGTERM");
  const timer = setTimeout(() => server.child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

/** kB from /proc/<pid>/status (VmHWM = peak resident set, VmRSS = current). */
function procStatusKb(pid: number, field: "VmHWM" | "VmRSS"): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system) the process has used, from /proc/<pid>/stat. */
function procCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

// ---------------------------------------------------------------------------------------------
// traffic

interface Delivery {
  orderGid: string;
  body: string;
  headers: Record<string, string>;
  kind: "first" | "redelivery" | "new-id";
}

interface OrderPlan {
  orderGid: string;
  customerGid: string | null;
  points: number;
}

const toCents = (amount: string) => Math.round(Number(amount) * 100);

/**
 * The points an order should earn, from the payload alone (shop rules: 1 point per 1 unit of shop
 * currency, floor, no minimum): Σ over non-gift-card lines of price × quantity − the line's discount
 * allocations − its tax when prices include tax, each line at least 0. Integer cents throughout.
 */
export function expectedPoints(order: OrderPayload): number {
  if (!order.customer) return 0; // a guest checkout earns nothing until claimed
  let eligible = 0;
  for (const line of order.line_items) {
    if (line.gift_card || line.quantity <= 0) continue;
    const gross = toCents(line.price_set.shop_money.amount) * line.quantity;
    const discount = line.discount_allocations.reduce((sum, a) => sum + toCents(a.amount_set.shop_money.amount), 0);
    const tax = order.taxes_included
      ? line.tax_lines.reduce((sum, t) => sum + toCents(t.price_set.shop_money.amount), 0)
      : 0;
    eligible += Math.max(0, gross - discount - tax);
  }
  return Math.floor(eligible / 100);
}

function randomOrder(customers: CustomerPayload[]): OrderPayload {
  const lineCount = between(1, 4);
  const taxesIncluded = random() < 0.2;
  const lines: OrderLineInput[] = [];
  for (let i = 0; i < lineCount; i += 1) {
    const price = between(100, 15_000);
    const quantity = between(1, 3);
    const line: OrderLineInput = { title: `Item ${i + 1}`, price: cents(price), quantity };
    if (random() < 0.08) line.giftCard = true;
    if (random() < 0.3) line.tax = cents(Math.floor((price * quantity) / 10));
    lines.push(line);
  }
  const merchandise = lines
    .filter((line) => !line.giftCard)
    .reduce((sum, line) => sum + toCents(line.price) * (line.quantity ?? 1), 0);
  const discountCodes: DiscountCodeInput[] = [];
  if (merchandise > 0 && random() < 0.3) {
    discountCodes.push({ code: "BENCH", amount: cents(between(1, Math.floor(merchandise / 4))) });
  }
  if (random() < 0.1) discountCodes.push({ code: "FREESHIP", amount: "5.00", type: "shipping" });
  const multiCurrency = random() < 0.1;
  return paidOrderPayload({
    shopDomain: SHOP,
    customer: random() < 0.05 ? null : pick(customers),
    lines,
    discountCodes,
    taxesIncluded,
    shipping: "5.00",
    ...(random() < 0.1 ? { tip: "3.00" } : {}),
    ...(multiCurrency ? { presentmentCurrency: "EUR", exchangeRate: "0.92" } : {}),
  });
}

function signed(body: string, webhookId?: string): Record<string, string> {
  return webhookHeaders({ topic: TOPIC, shop: SHOP, body, secret: SECRET, ...(webhookId ? { webhookId } : {}) });
}

/** `unique` first deliveries plus `duplicates` repeats, each repeat placed after its original. */
function planTraffic(unique: number, duplicates: number, customers: CustomerPayload[]) {
  const orders: OrderPlan[] = [];
  const slots: { key: number; delivery: Delivery }[] = [];
  const firsts: Delivery[] = [];
  for (let i = 0; i < unique; i += 1) {
    const payload = randomOrder(customers);
    const body = webhookBodyText(payload);
    const delivery: Delivery = { orderGid: payload.admin_graphql_api_id, body, headers: signed(body), kind: "first" };
    orders.push({
      orderGid: payload.admin_graphql_api_id,
      customerGid: payload.customer?.admin_graphql_api_id ?? null,
      points: expectedPoints(payload),
    });
    firsts.push(delivery);
    slots.push({ key: i / unique, delivery });
  }
  for (let d = 0; d < duplicates; d += 1) {
    const index = Math.floor(random() * unique);
    const original = firsts[index] as Delivery;
    const newId = random() < NEW_ID_SHARE;
    const delivery: Delivery = newId
      ? { orderGid: original.orderGid, body: original.body, headers: signed(original.body, randomUUID()), kind: "new-id" }
      : { ...original, kind: "redelivery" }; // Shopify's retry: same body, same headers, same webhook id
    const after = index / unique;
    slots.push({ key: after + random() * (1 - after) + 1e-9, delivery });
  }
  slots.sort((a, b) => a.key - b.key);
  return { orders, deliveries: slots.map((slot) => slot.delivery) };
}

interface SendResult {
  ok: boolean;
  status: number; // 0: network error or timeout
  ms: number;
}

/**
 * Keep-alive connections, as Shopify holds them. node:http rather than fetch: fetch costs the load
 * generator ~1.3 ms of CPU per request on the same two cores the server uses.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function send(baseUrl: string, delivery: Delivery): Promise<SendResult> {
  const started = performance.now();
  const url = new URL(webhookPath(TOPIC), baseUrl);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (status: number) => {
      if (settled) return;
      settled = true;
      resolve({ ok: status >= 200 && status < 300, status, ms: performance.now() - started });
    };
    const request = http.request(
      {
        hostname: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        agent,
        headers: { ...delivery.headers, "Content-Length": String(Buffer.byteLength(delivery.body)) },
        timeout: SHOPIFY_TIMEOUT_MS,
      },
      (response) => {
        response.resume();
        response.on("end", () => settle(response.statusCode ?? 0));
        response.on("error", () => settle(0));
      },
    );
    request.on("timeout", () => request.destroy(new Error("timeout")));
    request.on("error", () => settle(0));
    request.end(delivery.body);
  });
}

/** Sends every delivery in order over `concurrency` workers; results[i] is deliveries[i]'s. */
async function sendAll(baseUrl: string, deliveries: Delivery[], concurrency: number): Promise<SendResult[]> {
  const results: SendResult[] = new Array<SendResult>(deliveries.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next;
      next += 1;
      if (i >= deliveries.length) return;
      results[i] = await send(baseUrl, deliveries[i] as Delivery);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, deliveries.length) }, worker));
  return results;
}

/**
 * Open loop, as Shopify sends: delivery i is due at start + i/rate whether or not earlier ones were
 * answered, over at most `concurrency` connections. Latency counts from when a delivery was due, so
 * time spent waiting for a free connection (the server falling behind) is in the figure.
 */
async function sendAtRate(
  baseUrl: string,
  deliveries: Delivery[],
  rate: number,
  concurrency: number,
): Promise<SendResult[]> {
  const results: SendResult[] = new Array<SendResult>(deliveries.length);
  const waitingForConnection: (() => void)[] = [];
  let inFlight = 0;
  const launch = async (i: number, dueAt: number) => {
    if (inFlight >= concurrency) await new Promise<void>((resolve) => waitingForConnection.push(resolve));
    inFlight += 1;
    const result = await send(baseUrl, deliveries[i] as Delivery);
    inFlight -= 1;
    waitingForConnection.shift()?.();
    results[i] = { ...result, ms: performance.now() - dueAt };
  };
  const started = performance.now();
  const pending: Promise<void>[] = [];
  const dueAt = (i: number) => started + (i * 1000) / rate;
  for (let i = 0; i < deliveries.length; ) {
    // Timers wake up a millisecond or more late: launch everything due by now, then sleep.
    const now = performance.now();
    while (i < deliveries.length && dueAt(i) <= now) {
      pending.push(launch(i, dueAt(i)));
      i += 1;
    }
    if (i < deliveries.length) await new Promise((resolve) => setTimeout(resolve, Math.max(0, dueAt(i) - now)));
  }
  await Promise.all(pending);
  return results;
}

function latencySummary(results: SendResult[]) {
  const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
  return {
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
    max: round(latencies[latencies.length - 1] ?? 0),
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

// ---------------------------------------------------------------------------------------------
// verification, straight from the database file (no app code involved)

interface Verification {
  ordersChecked: number;
  membersChecked: number;
  doublesFound: number;
  missingAwards: number;
  wrongAwards: number;
  unexpectedAwards: number;
  balanceMismatches: number;
  expectedMismatches: number;
  deliveriesNotProcessed: number;
  expectedPointsMatch: boolean;
}

function verifyLedger(databaseFile: string, orders: OrderPlan[]): Verification {
  const sqlite = new Database(databaseFile, { readonly: true });
  try {
    const earnRows = sqlite
      .prepare(
        `SELECT e.orderGid AS orderGid, e.idempotencyKey AS key, e.delta AS delta, m.customerGid AS customerGid
         FROM LedgerEntry e JOIN Member m ON m.id = e.memberId WHERE e.kind = 'order_earn'`,
      )
      .all() as { orderGid: string | null; key: string; delta: number; customerGid: string }[];
    const earnsByOrder = new Map<string, typeof earnRows>();
    for (const row of earnRows) {
      const list = earnsByOrder.get(row.orderGid ?? row.key) ?? [];
      list.push(row);
      earnsByOrder.set(row.orderGid ?? row.key, list);
    }
    let doublesFound = 0;
    let missingAwards = 0;
    let wrongAwards = 0;
    const expectedByCustomer = new Map<string, number>();
    const planned = new Set<string>();
    for (const order of orders) {
      planned.add(order.orderGid);
      if (order.customerGid) {
        expectedByCustomer.set(order.customerGid, (expectedByCustomer.get(order.customerGid) ?? 0) + order.points);
      }
      const earns = earnsByOrder.get(order.orderGid) ?? [];
      if (earns.length > 1) doublesFound += 1;
      if (order.points === 0) {
        if (earns.length > 0) wrongAwards += 1;
        continue;
      }
      const earn = earns[0];
      if (!earn) {
        missingAwards += 1;
        continue;
      }
      if (
        earn.key !== `order:${order.orderGid}:earn` ||
        earn.delta !== order.points ||
        earn.customerGid !== order.customerGid
      ) {
        wrongAwards += 1;
      }
    }
    const unexpectedAwards = [...earnsByOrder.keys()].filter((gid) => !planned.has(gid)).length;

    const members = sqlite
      .prepare(
        `SELECT m.customerGid AS customerGid, m.balance AS balance,
                COALESCE((SELECT SUM(delta) FROM LedgerEntry e WHERE e.memberId = m.id), 0) AS ledgerSum
         FROM Member m`,
      )
      .all() as { customerGid: string; balance: number; ledgerSum: number }[];
    let balanceMismatches = 0;
    let expectedMismatches = 0;
    const seen = new Set<string>();
    for (const member of members) {
      seen.add(member.customerGid);
      if (member.balance !== member.ledgerSum) balanceMismatches += 1;
      if (member.balance !== (expectedByCustomer.get(member.customerGid) ?? 0)) expectedMismatches += 1;
    }
    // A customer who should hold points but has no member row at all.
    for (const [customerGid, points] of expectedByCustomer) {
      if (!seen.has(customerGid) && points > 0) expectedMismatches += 1;
    }
    const { notProcessed } = sqlite
      .prepare(`SELECT COUNT(*) AS notProcessed FROM WebhookDelivery WHERE status <> 'processed'`)
      .get() as { notProcessed: number };
    return {
      ordersChecked: orders.length,
      membersChecked: members.length,
      doublesFound,
      missingAwards,
      wrongAwards,
      unexpectedAwards,
      balanceMismatches,
      expectedMismatches,
      deliveriesNotProcessed: notProcessed,
      expectedPointsMatch:
        missingAwards === 0 && wrongAwards === 0 && unexpectedAwards === 0 && expectedMismatches === 0,
    };
  } finally {
    sqlite.close();
  }
}

function sqliteSettings(databaseFile: string): { journalMode: string; synchronous: number } {
  const sqlite = new Database(databaseFile, { readonly: true });
  try {
    return {
      journalMode: String(sqlite.pragma("journal_mode", { simple: true })),
      synchronous: Number(sqlite.pragma("synchronous", { simple: true })),
    };
  } finally {
    sqlite.close();
  }
}

// ---------------------------------------------------------------------------------------------
// main

function countStatuses(results: SendResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of results) counts[String(r.status)] = (counts[String(r.status)] ?? 0) + 1;
  return counts;
}

/** What Shopify does next: deliver the failures again (not timed). */
async function redeliverFailures(baseUrl: string, deliveries: Delivery[], results: SendResult[]) {
  const failedIndexes = results.flatMap((r, i) => (r.ok ? [] : [i]));
  let attempts = 0;
  let stillFailing = 0;
  for (const i of failedIndexes) {
    let ok = false;
    for (let attempt = 0; attempt < 3 && !ok; attempt += 1) {
      attempts += 1;
      ok = (await send(baseUrl, deliveries[i] as Delivery)).ok;
    }
    if (!ok) stillFailing += 1;
  }
  if (failedIndexes.length > 0) log(`redelivered ${failedIndexes.length} failures (${stillFailing} still failing)`);
  return { failed: failedIndexes.length, attempts, stillFailing };
}

async function main(): Promise<number> {
  const buildDir = flags["build-dir"] ? path.resolve(flags["build-dir"]) : path.join(ROOT, "build");
  checkGeneratedClient();
  if (!flags["build-dir"]) buildIfStale({ log });

  const work = mkdtempSync(path.join(flags["db-dir"] ? path.resolve(flags["db-dir"]) : tmpdir(), "keepsake-bench-"));
  const databaseFile = path.join(work, "bench.sqlite");
  const databaseUrl = `file:${databaseFile}`;
  let server: Server | undefined;
  try {
    log(`database ${databaseFile}`);
    migrate(databaseUrl);
    await installShop(databaseUrl);

    resetShopifyIds();
    const customers = Array.from({ length: options.customers }, () => customerPayload());
    const duplicateCount = Math.round(options.deliveries * options.duplicates);
    const uniqueOrders = options.deliveries - duplicateCount;
    const generating = performance.now();
    const warm = planTraffic(options.warmup, 0, customers);
    // Two runs, each with its own orders: one at the target rate (latency), one flat out (capacity).
    const atRate = planTraffic(uniqueOrders, duplicateCount, customers);
    const plan = planTraffic(uniqueOrders, duplicateCount, customers);
    const kinds = { redelivery: 0, "new-id": 0 };
    for (const d of [...atRate.deliveries, ...plan.deliveries]) if (d.kind !== "first") kinds[d.kind] += 1;
    log(
      `2 × ${plan.deliveries.length} deliveries (${uniqueOrders} orders each, ${kinds.redelivery} redeliveries,`,
      `${kinds["new-id"]} new-id repeats in all) for ${options.customers} customers, generated in`,
      `${Math.round(performance.now() - generating)} ms`,
    );

    server = await startServer(work, databaseUrl, buildDir, flags.profile);
    log(`server pid ${server.pid} at ${server.baseUrl}`);
    const srv = server;
    let polledRssKb = 0;
    const poller = setInterval(() => {
      polledRssKb = Math.max(polledRssKb, procStatusKb(srv.pid, "VmRSS"));
    }, 100);

    if (warm.deliveries.length > 0) {
      const warmResults = await sendAll(server.baseUrl, warm.deliveries, Math.min(options.concurrency, 8));
      const failed = warmResults.filter((r) => !r.ok);
      if (failed.length > 0) {
        throw new Error(`warm-up failed: statuses ${failed.map((r) => r.status).join(",")}\n${server.output()}`);
      }
      // Applied too, so both the receiving and the applying code are warm before anything is timed.
      const warmDrainSeconds = await waitForInbox(databaseFile);
      log(`warm-up: ${warm.deliveries.length} deliveries, applied ${warmDrainSeconds.toFixed(1)} s after`);
    }

    // 1. Latency at the target rate (open loop, as Shopify sends).
    const rateCpuBefore = procCpuSeconds(server.pid);
    const rateStarted = performance.now();
    const rateResults = await sendAtRate(server.baseUrl, atRate.deliveries, options.rate, options.concurrency);
    const rateSeconds = (performance.now() - rateStarted) / 1000;
    const rateServerCpuSeconds = procCpuSeconds(server.pid) - rateCpuBefore;
    const rateStatusCounts = countStatuses(rateResults);
    if (process.env.BENCH_DUMP) writeFileSync(process.env.BENCH_DUMP, JSON.stringify(rateResults.map((r) => Math.round(r.ms))));
    log(`at ${options.rate}/s: sent in ${rateSeconds.toFixed(2)} s; statuses ${JSON.stringify(rateStatusCounts)}`);
    const rateRetries = await redeliverFailures(server.baseUrl, atRate.deliveries, rateResults);
    const rateDrainSeconds = await waitForInbox(databaseFile);
    log(`inbox drained ${rateDrainSeconds.toFixed(1)} s after the last answer`);

    // 2. Capacity: as fast as `concurrency` connections go (closed loop).
    const cpuBefore = procCpuSeconds(server.pid);
    const clientCpuBefore = process.cpuUsage();
    const started = performance.now();
    const results = await sendAll(server.baseUrl, plan.deliveries, options.concurrency);
    const seconds = (performance.now() - started) / 1000;
    const serverCpuSeconds = procCpuSeconds(server.pid) - cpuBefore;
    const clientCpu = process.cpuUsage(clientCpuBefore);
    clearInterval(poller);
    const peakRssKb = Math.max(polledRssKb, procStatusKb(server.pid, "VmHWM"));
    const statusCounts = countStatuses(results);
    log(`flat out: sent in ${seconds.toFixed(2)} s; statuses ${JSON.stringify(statusCounts)}`);
    const capacityRetries = await redeliverFailures(server.baseUrl, plan.deliveries, results);

    const drainSeconds = await waitForInbox(databaseFile);
    const appliedPerSecond = round(plan.deliveries.length / (seconds + drainSeconds), 1);
    log(`inbox drained ${drainSeconds.toFixed(1)} s after the last answer`);
    const { journalMode, synchronous } = sqliteSettings(databaseFile);
    await stopServer(server);
    const verification = verifyLedger(databaseFile, [...warm.orders, ...atRate.orders, ...plan.orders]);

    const ackLatencyMs = latencySummary(rateResults);
    const capacityLatencyMs = latencySummary(results);
    const deliveriesPerSecond = round(plan.deliveries.length / seconds, 1);
    const achievedRate = round(atRate.deliveries.length / rateSeconds, 1);
    const non2xx = rateRetries.failed + capacityRetries.failed;
    const report = {
      deliveries: plan.deliveries.length,
      uniqueOrders,
      customers: options.customers,
      concurrency: options.concurrency,
      duplicateRate: options.duplicates,
      // Capacity: deliveries answered per second flat out over `concurrency` connections.
      deliveriesPerSecond,
      // Ack latency at the target rate (open loop: `atTargetRate`). Flat out, latency is only queueing
      // (`concurrency` / rate, Little's law) and is reported under `capacity`.
      ackLatencyMs,
      atTargetRate: {
        offeredPerSecond: options.rate,
        achievedPerSecond: achievedRate,
        seconds: round(rateSeconds, 3),
        ackLatencyMs,
        statusCounts: rateStatusCounts,
        drainSecondsAfterLastAnswer: round(rateDrainSeconds, 1),
        serverCpuPerDeliveryMs: round((rateServerCpuSeconds * 1000) / atRate.deliveries.length, 3),
      },
      capacity: { seconds: round(seconds, 3), deliveriesPerSecond, ackLatencyMs: capacityLatencyMs, statusCounts },
      // Answering and applying are separate (docs/decisions/006-webhook-inbox.md): this is the rate
      // at which deliveries were applied to the ledger, from the first send to an empty inbox.
      appliedPerSecond,
      drainSecondsAfterLastAnswer: round(drainSeconds, 1),
      non2xx,
      doublesFound: verification.doublesFound,
      balanceMismatches: verification.balanceMismatches,
      expectedPointsMatch: verification.expectedPointsMatch,
      peakRssMb: round(peakRssKb / 1024, 1),
      node: process.version,
      cpus: cpus().length,
      targets: TARGETS,
      meetsTargets:
        deliveriesPerSecond >= TARGETS.deliveriesPerSecond &&
        achievedRate >= TARGETS.deliveriesPerSecond * 0.98 &&
        ackLatencyMs.p99 <= TARGETS.p99Ms &&
        non2xx === 0,
      details: {
        redeliveries: kinds.redelivery,
        newIdRepeats: kinds["new-id"],
        warmupDeliveries: warm.deliveries.length,
        redeliveredAfterRun: rateRetries.failed + capacityRetries.failed,
        redeliveryAttempts: rateRetries.attempts + capacityRetries.attempts,
        stillFailing: rateRetries.stillFailing + capacityRetries.stillFailing,
        serverCpuSeconds: round(serverCpuSeconds),
        serverCpuPerDeliveryMs: round((serverCpuSeconds * 1000) / plan.deliveries.length, 3),
        clientCpuSeconds: round((clientCpu.user + clientCpu.system) / 1e6),
        sqlite: { journalMode, synchronous },
        verification,
        buildDir: path.relative(ROOT, buildDir) || buildDir,
      },
    };
    console.log(JSON.stringify(report, null, 2));
    const ledgerWrong =
      verification.doublesFound > 0 ||
      verification.balanceMismatches > 0 ||
      !verification.expectedPointsMatch;
    if (ledgerWrong) log("LEDGER WRONG: see details.verification");
    return ledgerWrong ? 1 : 0;
  } finally {
    if (server) await stopServer(server);
    if (flags.keep) log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 2;
  },
);
