/**
 * `npm run demo`: Keepsake embedded in a local imitation of the Shopify admin, with a seeded demo shop, offline.
 * Why this shape: docs/decisions/004-offline-demo.md.
 *
 *   1. builds the app if build/ is missing or older than app/ (under flock: others may build concurrently);
 *   2. recreates prisma/demo.sqlite (`prisma migrate deploy`) and installs the demo shop (Shop row + offline session);
 *   3. starts the Shopify stand-in (scripts/demo/shopify-stand-in.ts) on 127.0.0.1:<shopify-port>;
 *   4. starts the built app (server.mjs, KEEPSAKE_DEMO=1) on 127.0.0.1:<port> and seeds it with signed webhooks
 *      (prisma/seed.ts), so the demo data is made by the production code paths;
 *   5. prints the URLs and runs until Ctrl-C.
 *
 * Flags: --port <n> (app, default 3000), --shopify-port <n> (stand-in, default 3001), --db <file> (default
 * prisma/demo.sqlite), --no-build, --check (verify the dashboard, a webhook round trip and the storefront preview, print "demo ok", exit).
 * Environment: KEEPSAKE_DEMO_PORT, KEEPSAKE_DEMO_SHOPIFY_PORT.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DEMO_API_KEY, DEMO_API_SECRET } from "../app/env.server";
import {
  buildSeedPlan,
  DEMO_ACCESS_TOKEN,
  DEMO_PRODUCTS,
  DEMO_SCOPES,
  DEMO_SHOP,
  installDemoShop,
} from "../prisma/seed";
import { build, buildIsStale } from "./build-if-stale";
import { startShopifyStandIn, type ShopifyStandIn } from "./demo/shopify-stand-in";
import { ensureDemoRewards, STOREFRONT_PREVIEW_ENTRY, STOREFRONT_PREVIEW_PRODUCT_PATH } from "./demo/storefront-preview";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** authenticate.admin answers bots (curl, HeadlessChrome) with 410: HTTP checks speak as a browser. */
export const BROWSER_UA =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/150.0.0.0 Safari/537.36";

const { values: flags } = parseArgs({
  options: {
    port: { type: "string" },
    "shopify-port": { type: "string" },
    db: { type: "string" },
    "no-build": { type: "boolean", default: false },
    check: { type: "boolean", default: false },
    quiet: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
  strict: true,
});

if (flags.help) {
  console.log(`npm run demo -- [--port 3000] [--shopify-port 3001] [--db prisma/demo.sqlite] [--no-build] [--check]`);
  process.exit(0);
}

function portOf(value: string | undefined, fallback: number, name: string): number {
  const port = Number(value ?? fallback);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    console.error(`demo: ${name} must be a TCP port, got ${value}`);
    process.exit(2);
  }
  return port;
}

const appPort = portOf(flags.port ?? process.env.KEEPSAKE_DEMO_PORT, 3000, "--port");
const shopifyPort = portOf(flags["shopify-port"] ?? process.env.KEEPSAKE_DEMO_SHOPIFY_PORT, 3001, "--shopify-port");
const dbFile = path.resolve(ROOT, flags.db ?? "prisma/demo.sqlite");
const databaseUrl = `file:${dbFile}`;
const appUrl = `http://localhost:${appPort}`;
const appDirect = `http://127.0.0.1:${appPort}`;
/**
 * The stand-in listens on 127.0.0.1 but is named "localhost", like the app: the admin frame and the app in its
 * iframe are then the same site (ports don't count), so a browser that blocks third-party storage (Remix reads
 * sessionStorage) still runs the embedded app. Node's fetch falls back from ::1 to 127.0.0.1 by itself.
 */
const shopifyOrigin = `http://localhost:${shopifyPort}`;

const say = (message: string) => {
  if (!flags.quiet || flags.check) console.log(message);
};
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

// ---------------------------------------------------------------------------------------------------------------
// 1. build

// ---------------------------------------------------------------------------------------------------------------
// 2. database

const SERVER_BUNDLE = path.join(ROOT, "build/server/index.js");

function migrate(): void {
  for (const suffix of ["", "-journal", "-wal", "-shm"]) rmSync(`${dbFile}${suffix}`, { force: true });
  const prismaCli = createRequire(import.meta.url).resolve("prisma/build/index.js");
  const result = spawnSync(process.execPath, [prismaCli, "migrate", "deploy"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: "utf8",
  });
  if (result.status !== 0) {
    console.error(result.stdout, result.stderr);
    throw new Error(`prisma migrate deploy failed (exit ${result.status})`);
  }
}

async function install(): Promise<void> {
  const { createPrismaClient } = await import("../app/db.server");
  const prisma = createPrismaClient(databaseUrl);
  try {
    await installDemoShop(prisma);
    await ensureDemoRewards(prisma, DEMO_SHOP); // something to redeem in the storefront preview
  } finally {
    await prisma.$disconnect();
  }
}

/** Resolves once the app's inbox worker has applied (or given up on) that delivery. */
async function whenApplied(webhookId: string, timeoutMs = 15_000): Promise<void> {
  const { createPrismaClient } = await import("../app/db.server");
  const prisma = createPrismaClient(databaseUrl);
  const started = Date.now();
  try {
    for (;;) {
      const row = await prisma.webhookDelivery.findFirst({ where: { webhookId }, select: { status: true } });
      if (row && row.status !== "received") return;
      if (Date.now() - started > timeoutMs) throw new Error(`webhook ${webhookId} not applied after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } finally {
    await prisma.$disconnect();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 3./4. servers

let app: ChildProcess | undefined;
let standIn: ShopifyStandIn | undefined;
let stopping = false;

function startApp(): ChildProcess {
  // The production server (npm start), run with node directly so we hold its PID.
  const child = spawn(process.execPath, [path.join(ROOT, "server.mjs"), SERVER_BUNDLE], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: "production",
      KEEPSAKE_DEMO: "1",
      SHOPIFY_API_KEY: DEMO_API_KEY,
      SHOPIFY_API_SECRET: DEMO_API_SECRET,
      SHOPIFY_APP_URL: appUrl,
      SHOPIFY_ADMIN_API_ORIGIN: shopifyOrigin,
      SCOPES: DEMO_SCOPES,
      DATABASE_URL: databaseUrl,
      HOST: "127.0.0.1",
      PORT: String(appPort),
      LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Keep the server output to failures only, and never print a session token.
  const prefix = (chunk: Buffer) =>
    chunk
      .toString("utf8")
      .split("\n")
      .filter((line) => line.trim() !== "" && !/^(GET|HEAD|POST|OPTIONS) \S+ [23]\d\d /.test(line))
      .map((line) => line.replace(/id_token=[\w.-]+/g, "id_token=…"))
      .map((line) => `[app] ${line}\n`)
      .join("");
  child.stdout?.on("data", (chunk: Buffer) => {
    if (!flags.quiet) process.stdout.write(prefix(chunk));
  });
  child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(prefix(chunk)));
  child.on("exit", (code, signal) => {
    if (stopping) return;
    console.error(`demo: the app stopped unexpectedly (${signal ?? `exit ${code}`})`);
    void shutdown(1);
  });
  return child;
}

async function waitForApp(timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`${appDirect}/`, { redirect: "manual", signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the app did not answer on ${appDirect} within ${timeoutMs / 1000} s`);
    if (app?.exitCode !== null) throw new Error("the app exited during start-up");
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

async function seed(shopify: ShopifyStandIn): Promise<void> {
  const plan = buildSeedPlan();
  shopify.customers.push(...plan.customers);
  shopify.orders.push(...[...plan.orders].reverse());
  for (const event of plan.events) {
    const result = await shopify.deliver(event);
    if (result.status !== 200) throw new Error(`seeding: ${event.topic} (${event.label}) answered ${result.status}`);
  }
  say(`• seeded ${DEMO_SHOP}: ${plan.customers.length} customers, ${plan.orders.length} orders, ${plan.events.length} signed webhooks (${elapsed()})`);
}

// ---------------------------------------------------------------------------------------------------------------
// --check

async function dashboardHtml(shopify: ShopifyStandIn): Promise<string> {
  const url = new URL(shopify.embeddedAppUrl("/app"));
  const response = await fetch(`${appDirect}${url.pathname}${url.search}`, {
    headers: { "User-Agent": BROWSER_UA, Accept: "text/html" },
    redirect: "manual",
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`dashboard answered HTTP ${response.status}: ${text.slice(0, 300)}`);
  return text;
}

async function check(shopify: ShopifyStandIn): Promise<void> {
  const root = await fetch(`${appDirect}/`, { redirect: "manual", headers: { "User-Agent": BROWSER_UA } });
  await root.arrayBuffer();
  const location = root.headers.get("location");
  if (root.status !== 302 || location !== `${shopifyOrigin}/admin`) {
    throw new Error(`/ should redirect to ${shopifyOrigin}/admin, got ${root.status} ${location}`);
  }
  const admin = await fetch(`${shopifyOrigin}/admin`);
  const adminText = await admin.text();
  if (admin.status !== 200 || !adminText.includes("app-iframe")) throw new Error(`the admin frame answered ${admin.status}`);
  const script = await fetch(`${shopifyOrigin}/cdn/app-bridge.js`);
  if (script.status !== 200 || !(await script.text()).includes("window.shopify")) throw new Error("no App Bridge stand-in");

  const before = await dashboardHtml(shopify);
  for (const needle of ["Program status", "Members", `${shopifyOrigin}/cdn/app-bridge.js`]) {
    if (!before.includes(needle)) throw new Error(`the dashboard does not show ${JSON.stringify(needle)}`);
  }
  const placed = await fetch(`${shopifyOrigin}/store/orders`, {
    method: "POST",
    headers: { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ customer: String(shopify.customers[0]!.id), qty0: "3", source: "web" }).toString(),
  });
  const result = (await placed.json()) as { ok: boolean; order: { name: string } | null; deliveries: unknown[] };
  if (!result.ok || !result.order) throw new Error(`placing an order failed: ${JSON.stringify(result)}`);
  const after = await dashboardHtml(shopify);
  if (!after.includes(result.order.name)) throw new Error(`the dashboard does not show ${result.order.name} after orders/paid`);
  // The storefront preview renders the real extension and its app proxy reaches the app (signed).
  const storefront = await fetch(`${shopifyOrigin}${STOREFRONT_PREVIEW_PRODUCT_PATH}`);
  if (storefront.status !== 200 || !(await storefront.text()).includes('id="keepsake-launcher"')) {
    throw new Error(`the storefront preview answered ${storefront.status} without the launcher`);
  }
  const member = await fetch(`${shopifyOrigin}/apps/keepsake/member`);
  const memberBody = (await member.json()) as { enrolled?: boolean };
  if (member.status !== 200 || memberBody.enrolled !== false) throw new Error(`the storefront's app proxy answered ${member.status}`);
  say(`• checked: / → admin frame, dashboard, App Bridge stand-in, orders/paid ${result.order.name} round trip, storefront preview and its app proxy (${elapsed()})`);
}

// ---------------------------------------------------------------------------------------------------------------

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    const child = app;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    await standIn?.close().catch(() => undefined);
  }
  process.exit(code);
}

async function main(): Promise<void> {
  process.on("SIGINT", () => void shutdown(flags.check ? 130 : 0));
  process.on("SIGTERM", () => void shutdown(flags.check ? 143 : 0));

  if (flags["no-build"]) {
    if (!existsSync(SERVER_BUNDLE)) throw new Error("--no-build, but build/server/index.js does not exist: run npm run build");
  } else if (buildIsStale()) {
    say("• building the app (remix vite:build)…");
    build({ quiet: flags.quiet });
  } else {
    say("• build/ is up to date");
  }
  migrate();
  await install();
  say(`• database ${path.relative(ROOT, dbFile) || dbFile} migrated, ${DEMO_SHOP} installed (${elapsed()})`);

  standIn = await startShopifyStandIn({
    port: shopifyPort,
    appUrl,
    webhookUrl: appDirect,
    shop: DEMO_SHOP,
    apiKey: DEMO_API_KEY,
    secret: DEMO_API_SECRET,
    accessToken: DEMO_ACCESS_TOKEN,
    products: DEMO_PRODUCTS,
    whenApplied,
  });
  app = startApp();
  await waitForApp();
  await seed(standIn);

  if (flags.check) {
    await check(standIn);
    console.log("demo ok");
    await shutdown(0);
  }

  console.log(`
  Keepsake demo is running (offline: a local stand-in plays Shopify)

    Shopify admin with Keepsake   ${appUrl}/   (→ ${shopifyOrigin}/admin)
    Demo store (orders, refunds)  ${shopifyOrigin}/store
    Storefront preview (widget)   ${shopifyOrigin}${STOREFRONT_PREVIEW_ENTRY}
    App (embedded)                ${appUrl}/app
    Admin GraphQL stand-in        ${shopifyOrigin}/admin/api/2026-07/graphql.json
    Database                      ${dbFile}

  Press Ctrl-C to stop.
`);
}

main().catch((error: unknown) => {
  console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
  void shutdown(1);
});
