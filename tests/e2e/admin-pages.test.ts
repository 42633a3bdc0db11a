/**
 * The admin pages in the offline demo's admin frame (the real built app behind the Shopify stand-in,
 * App Bridge stand-in included), driven by headless Chromium: the points rate changed through the
 * contextual save bar (a bad value first: its error shows next to the field) with the toast after
 * saving; members filtered by search; a member's points adjusted, the new balance shown.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type BrowserContext, type Frame, type Page } from "playwright-core";
import { freePort } from "../support/free-port";

const ROOT = path.resolve(import.meta.dirname, "../..");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const DEMO = ["--import", "tsx", path.join(ROOT, "scripts/demo.ts")];
const BROWSER_UA =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/150.0.0.0 Safari/537.36";
const BUILT = path.join(ROOT, "build/server/index.js");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function startDemo(args: string[], timeoutMs: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...DEMO, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo did not start in time:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (/Keepsake demo is running/.test(output)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`demo exited (${code}) before it was ready:\n${output}`));
    });
  });
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

// No silent skip: without Chromium the browser suite fails and says how to get it.
if (!existsSync(CHROMIUM)) {
  throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
}

describe("admin pages in the demo's admin frame", () => {
  let workDir: string;
  let appPort: number;
  let demo: ChildProcess | undefined;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    // These pages must be in the build the demo serves: rebuild when app/ changed since the last build.
    if (!existsSync(BUILT) || statSync(BUILT).mtimeMs < newestMtime(path.join(ROOT, "app"))) {
      const built = spawnSync("flock", ["/tmp/keepsake-build.lock", "npx", "remix", "vite:build"], { cwd: ROOT, encoding: "utf8" });
      if (built.status !== 0) throw new Error(`build failed:\n${built.stdout}\n${built.stderr}`);
    }
    workDir = mkdtempSync(path.join(tmpdir(), "keepsake-admin-e2e-"));
    appPort = await freePort();
    const shopifyPort = await freePort();
    demo = await startDemo(
      ["--no-build", "--quiet", "--port", String(appPort), "--shopify-port", String(shopifyPort), "--db", path.join(workDir, "demo.sqlite")],
      120_000,
    );
    context = await chromium.launchPersistentContext(path.join(workDir, "profile"), {
      executablePath: CHROMIUM,
      headless: true,
      userAgent: BROWSER_UA, // authenticate.admin answers HeadlessChrome (a bot UA) with 410
      viewport: { width: 1280, height: 900 },
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    // Nothing leaves the machine: anything not on loopback is aborted.
    await context.route(
      (url) => !["localhost", "127.0.0.1", "[::1]"].includes(url.hostname),
      (route) => route.abort(),
    );
  });

  afterAll(async () => {
    await context?.close();
    await stop(demo);
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  async function openAdmin(): Promise<{ page: Page; frame: Frame; errors: string[] }> {
    const page = await context!.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`http://localhost:${appPort}/`);
    const iframe = page.locator("iframe#app-iframe");
    await iframe.waitFor();
    const frame = await (await iframe.elementHandle())!.contentFrame();
    if (!frame) throw new Error("no app frame");
    await frame.getByText("Program status").waitFor({ timeout: 20_000 });
    return { page, frame, errors };
  }

  /** The app's NavMenu, as the admin frame shows it (mirrored by the App Bridge stand-in). */
  async function navigate(page: Page, label: string) {
    await page.locator("#app-nav a.nav-item.sub", { hasText: label }).click();
  }

  it("changes the points rate with the save bar (error next to the field, then a toast)", async () => {
    const { page, frame, errors } = await openAdmin();
    await expect(page.locator("#app-nav a.nav-item.sub").allTextContents()).resolves.toEqual(["Program", "Rewards", "Members"]);
    await navigate(page, "Program");
    const rate = frame.getByLabel(/Points per 1/);
    await rate.waitFor();
    const saveBar = page.locator("#savebar");
    await expect(saveBar.isVisible()).resolves.toBe(false);

    await rate.fill("0");
    await saveBar.locator("button", { hasText: "Save" }).click();
    await frame.getByText("Must be more than 0").waitFor();
    await expect(saveBar.isVisible()).resolves.toBe(true); // unsaved changes stay, and so does the bar

    await rate.fill("2.5");
    await saveBar.locator("button", { hasText: "Save" }).click();
    await page.locator("#toasts .toast", { hasText: "Program saved" }).waitFor();
    await saveBar.waitFor({ state: "hidden" });
    await expect(frame.getByText("Must be more than 0").count()).resolves.toBe(0);

    // The dashboard reads the saved rate.
    await page.locator("#app-home").click();
    await frame.getByText(/earn 2\.5 point\(s\) per 1/).waitFor();
    expect(errors).toEqual([]);
  });

  it("sets up a reward with the save bar and its live preview, then finds it in the catalog", async () => {
    const { page, frame, errors } = await openAdmin();
    await navigate(page, "Rewards");
    await frame.getByRole("link", { name: "Create reward" }).first().click();
    await frame.getByLabel("Type").selectOption("sliding_scale");
    await frame.getByLabel("Name").fill("Thank-you points off");
    await frame.getByLabel("Points per step").fill("100");
    await frame.getByLabel(/Amount per step/).fill("1.00");
    await frame.getByLabel("Minimum points").fill("100");
    await frame.getByLabel("Maximum points").fill("1000");
    const preview = frame.getByTestId("reward-preview");
    await expect(preview.textContent()).resolves.toContain("Thank-you points off");
    await expect(preview.textContent()).resolves.toMatch(/1\.00 \w+ off per 100 points \(100–1000 points\)/);

    const saveBar = page.locator("#savebar");
    await saveBar.waitFor();
    await saveBar.locator("button", { hasText: "Save" }).click();
    await page.locator("#toasts .toast", { hasText: "Reward created" }).waitFor();
    await saveBar.waitFor({ state: "hidden" });

    await navigate(page, "Rewards");
    await frame.locator("tr", { hasText: "Thank-you points off" }).waitFor();
    await expect(frame.locator("tr", { hasText: "Thank-you points off" }).textContent()).resolves.toContain("Sliding scale");
    expect(errors).toEqual([]);
  });

  it("filters members by search, then adjusts one member's points and shows the new balance", async () => {
    const { page, frame, errors } = await openAdmin();
    await navigate(page, "Members");
    const rows = frame.locator("tbody tr");
    await rows.first().waitFor();
    expect(await rows.count()).toBeGreaterThan(1);

    await frame.getByPlaceholder("Search by name or email").fill("turing");
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(1);
    await expect(rows.first().textContent()).resolves.toContain("Alan Turing");

    await rows.first().getByRole("link", { name: "Alan Turing" }).click();
    const balance = frame.locator("#member-balance");
    await balance.waitFor();
    const before = Number((await balance.textContent())?.replace(/\D/g, ""));

    await frame.getByLabel(/^Points/).fill("25");
    await frame.getByLabel("Reason").fill("Goodwill: late parcel");
    await frame.getByRole("button", { name: "Adjust points" }).click();
    await page.locator("#toasts .toast", { hasText: `Balance is now ${before + 25} points` }).waitFor();
    await expect.poll(async () => Number((await balance.textContent())?.replace(/\D/g, "")), { timeout: 10_000 }).toBe(before + 25);
    await frame.locator("tr", { hasText: "Adjusted by staff: Goodwill: late parcel" }).first().waitFor();

    // Below zero is refused, with the reason next to the field.
    await frame.getByLabel(/^Points/).fill(String(-(before + 1000)));
    await frame.getByLabel("Reason").fill("Too much");
    await frame.getByRole("button", { name: "Adjust points" }).click();
    await frame.getByText(/cannot go below zero/).first().waitFor();
    await expect.poll(async () => Number((await balance.textContent())?.replace(/\D/g, ""))).toBe(before + 25);
    await page.screenshot({ path: "/tmp/keepsake-admin-member.png" });
    expect(errors).toEqual([]);
  });
});
