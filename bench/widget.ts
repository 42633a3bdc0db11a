/**
 * npm run bench:widget [-- --runs 3 --requests 500 --no-lighthouse]
 *
 * What the storefront widget costs a shop (docs/decisions/008-storefront-widget.md):
 *  1. gzipped sizes of the extension's assets against the budgets (boot 8 KB, panel 20 KB, CSS 6 KB);
 *  2. Lighthouse performance score of the fixture product page with and without the launcher embed: the median
 *     of `--runs` alternating runs each (Debian's Chromium, offline flags; Shopify allows the app to cost at
 *     most 10 points, we aim at ≤ 1);
 *  3. p50/p95/p99 of GET /apps/keepsake/member, signed like Shopify and answered in-process by the real route
 *     on a fresh migrated SQLite database (a member with history and three rewards).
 *
 * stdout: ONE JSON object; logs on stderr. Exit 0 whether or not the budgets are met (benchmarks report);
 * 2 if the bench itself could not run.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { FIXTURE_PRODUCT, FIXTURE_SHOP } from "../scripts/storefront/fixtures";
import { EXTENSION_DIR } from "../scripts/storefront/render";
import { startStorefront, type AppForwarder } from "../scripts/storefront/server";
import { CHROMIUM_OFFLINE_FLAGS, CHROMIUM_PATH } from "../tests/support/chromium";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CHROMIUM = CHROMIUM_PATH;
const SECRET = "bench-widget-secret";
const APP_URL = "https://keepsake.bench";
const BUDGETS_KB = { boot: 8, panel: 20, css: 6 } as const;
const CHROME_FLAGS = ["--headless=new", ...CHROMIUM_OFFLINE_FLAGS].join(" ");

const log = (...parts: unknown[]) => console.error("[bench:widget]", ...parts);

const { values: flags } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    requests: { type: "string", default: "500" },
    "no-lighthouse": { type: "boolean", default: false },
  },
  strict: true,
});
const runs = Math.max(1, Number(flags.runs));
const requests = Math.max(10, Number(flags.requests));

function sizes() {
  const gz = (file: string) => gzipSync(readFileSync(path.join(EXTENSION_DIR, "assets", file)), { level: 9 }).length;
  const entry = (file: string, budgetKb: number) => {
    const bytes = gz(file);
    return { file, gzipBytes: bytes, budgetBytes: budgetKb * 1024, pass: bytes <= budgetKb * 1024 };
  };
  return {
    boot: entry("keepsake-boot.js", BUDGETS_KB.boot),
    panel: entry("keepsake-panel.js", BUDGETS_KB.panel),
    css: entry("keepsake.css", BUDGETS_KB.css),
    // Not budgeted by the issue; the product-page block's script, reported for completeness.
    productBlock: { file: "keepsake-product.js", gzipBytes: gz("keepsake-product.js") },
    // The birthday pop-up embed (ADR 015): its script under the boot budget, its CSS (loaded only when it shows) under the CSS one.
    birthdayPopup: entry("keepsake-birthday.js", BUDGETS_KB.boot),
    birthdayCss: entry("keepsake-birthday.css", BUDGETS_KB.css),
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? NaN) : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
};
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};
const round = (value: number, digits = 2) => Number(value.toFixed(digits));

interface LighthouseRun {
  score: number;
  lcpMs: number;
  tbtMs: number;
  cls: number;
  bytes: number;
}

function lighthouse(url: string): Promise<LighthouseRun> {
  const cli = path.join(ROOT, "node_modules/lighthouse/cli/index.js");
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [cli, url, "--only-categories=performance", "--output=json", "--output-path=stdout", "--quiet", `--chrome-flags=${CHROME_FLAGS}`],
      { env: { ...process.env, CHROME_PATH: CHROMIUM }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")));
    child.once("exit", (code) => {
      try {
        const report = JSON.parse(out) as {
          categories: { performance: { score: number | null } };
          audits: Record<string, { numericValue?: number }>;
          runtimeError?: { message: string };
        };
        if (report.runtimeError) throw new Error(report.runtimeError.message);
        const score = report.categories.performance.score;
        if (score === null) throw new Error("no performance score");
        resolve({
          score: Math.round(score * 100),
          lcpMs: Math.round(report.audits["largest-contentful-paint"]?.numericValue ?? NaN),
          tbtMs: Math.round(report.audits["total-blocking-time"]?.numericValue ?? NaN),
          cls: round(report.audits["cumulative-layout-shift"]?.numericValue ?? NaN, 4),
          bytes: Math.round(report.audits["total-byte-weight"]?.numericValue ?? NaN),
        });
      } catch (error) {
        reject(new Error(`lighthouse ${url} failed (exit ${code}): ${error instanceof Error ? error.message : String(error)}\n${err.slice(-2000)}`));
      }
    });
  });
}

/** A fresh migrated SQLite database with one shop, one member with history, three rewards; env set for the app. */
async function prepareApp(dir: string) {
  const databaseUrl = `file:${path.join(dir, "bench.sqlite")}`;
  const migrated = spawnSync(process.execPath, [path.join(ROOT, "node_modules/prisma/build/index.js"), "migrate", "deploy"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: "utf8",
  });
  if (migrated.status !== 0) throw new Error(`prisma migrate deploy failed:\n${migrated.stdout}\n${migrated.stderr}`);
  Object.assign(process.env, {
    DATABASE_URL: databaseUrl,
    SHOPIFY_API_KEY: "bench-widget-key",
    SHOPIFY_API_SECRET: SECRET,
    SHOPIFY_APP_URL: APP_URL,
    SCOPES: "read_orders,write_customers,write_discounts",
    LOG_LEVEL: "silent",
    NODE_ENV: "test",
  });
  // Imported only now: the app reads its environment when its modules load.
  const { default: db } = await import("../app/db.server");
  const { deliver, installShop } = await import("../tests/support/app");
  const { createReward } = await import("../app/loyalty/services/redemptions.server");
  const { customerPayload, paidOrderPayload } = await import("../tests/support/shopify/payloads");
  await installShop(FIXTURE_SHOP.domain, { signupBonusPoints: 50, earnRate: "1" });
  for (const input of [
    { kind: "amount_off", name: "$5 off", pointsCost: 100, amount: "5.00" },
    { kind: "free_shipping", name: "Free shipping", pointsCost: 300 },
    { kind: "sliding_scale", name: "Points off", sliding: { pointsPerStep: 100, amountPerStep: "1.00", minPoints: 100, maxPoints: 1000 } },
  ] as const) {
    const created = await createReward(FIXTURE_SHOP.domain, input);
    if (!created.ok) throw new Error(created.issues.join("; "));
  }
  const customer = customerPayload({ firstName: "Ada", email: "ada@example.com" });
  await deliver("customers/create", customer, { secret: SECRET, shop: FIXTURE_SHOP.domain });
  for (let order = 0; order < 20; order++) {
    await deliver("orders/paid", paidOrderPayload({ customer, lines: [{ title: "Mug", price: "18.00", quantity: 1 }] }), {
      secret: SECRET,
      shop: FIXTURE_SHOP.domain,
    });
  }
  const forward: AppForwarder = async (request) => {
    const name = new URL(request.url).pathname.replace(/^\/proxy\//, "");
    if (!/^[a-z]+$/.test(name)) return new Response("Not Found", { status: 404 });
    const route = (await import(`../app/routes/proxy.${name}.tsx`)) as {
      loader?: (args: { request: Request; params: object; context: object }) => Promise<Response>;
    };
    if (!route.loader) return new Response(null, { status: 405 });
    return route.loader({ request, params: {}, context: {} });
  };
  return { db, forward, customerId: String(customer.id) };
}

async function proxyLatency(forward: AppForwarder, customerId: string) {
  const { appProxyUrl } = await import("../tests/support/shopify/app-proxy");
  const timings: number[] = [];
  let failures = 0;
  for (let i = 0; i < requests + 20; i++) {
    const url = appProxyUrl({ shop: FIXTURE_SHOP.domain, loggedInCustomerId: customerId, path: "/member", query: { limit: "5" }, secret: SECRET, appUrl: APP_URL });
    const started = performance.now();
    const response = await forward(new Request(url));
    await response.arrayBuffer();
    const elapsed = performance.now() - started;
    if (response.status !== 200) failures += 1;
    if (i >= 20) timings.push(elapsed); // the first 20 warm up module loading and the connection
  }
  return {
    requests,
    failures,
    p50Ms: round(percentile(timings, 50)),
    p95Ms: round(percentile(timings, 95)),
    p99Ms: round(percentile(timings, 99)),
  };
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), "keepsake-bench-widget-"));
  try {
    const assetSizes = sizes();
    log("sizes", JSON.stringify(assetSizes));
    const app = await prepareApp(dir);
    const proxy = await proxyLatency(app.forward, app.customerId);
    log("proxy", JSON.stringify(proxy));

    let lighthouseResult: Record<string, unknown> = { skipped: "--no-lighthouse" };
    if (!flags["no-lighthouse"]) {
      if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (set CHROME_PATH)`);
      const storefront = await startStorefront({
        shop: FIXTURE_SHOP,
        products: [FIXTURE_PRODUCT],
        customers: [],
        appData: () => ({ earnRate: "1", program: null }),
        forward: app.forward,
        secret: SECRET,
        appUrl: APP_URL,
      });
      try {
        const page = `${storefront.url}/products/${FIXTURE_PRODUCT.handle}`;
        const withEmbed: LighthouseRun[] = [];
        const withoutEmbed: LighthouseRun[] = [];
        for (let run = 0; run < runs; run++) {
          // Alternate, so drift in machine load hits both sides alike.
          withoutEmbed.push(await lighthouse(`${page}?embed=0`));
          withEmbed.push(await lighthouse(page));
          log(`lighthouse run ${run + 1}/${runs}: without ${withoutEmbed.at(-1)?.score}, with ${withEmbed.at(-1)?.score}`);
        }
        const summary = (list: LighthouseRun[]) => ({
          scores: list.map((r) => r.score),
          medianScore: median(list.map((r) => r.score)),
          medianLcpMs: median(list.map((r) => r.lcpMs)),
          medianTbtMs: median(list.map((r) => r.tbtMs)),
          medianCls: median(list.map((r) => r.cls)),
          medianBytes: median(list.map((r) => r.bytes)),
        });
        const without = summary(withoutEmbed);
        const withIt = summary(withEmbed);
        const delta = without.medianScore - withIt.medianScore;
        lighthouseResult = {
          page: "/products/keepsake-mug (guest, mobile emulation, Lighthouse defaults)",
          runsEach: runs,
          withoutEmbed: without,
          withEmbed: withIt,
          scoreDrop: delta,
          shopifyLimit: 10,
          aim: 1,
          pass: delta <= 1,
        };
      } finally {
        await storefront.close();
      }
    }
    await app.db.$disconnect();
    const budgetsPass = assetSizes.boot.pass && assetSizes.panel.pass && assetSizes.css.pass && assetSizes.birthdayPopup.pass && assetSizes.birthdayCss.pass;
    console.log(JSON.stringify({ bench: "widget", sizes: assetSizes, budgetsPass, lighthouse: lighthouseResult, proxyMember: proxy }, null, 2));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench:widget could not run: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  process.exit(2);
});
