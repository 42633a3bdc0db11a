/**
 * `npm run demo` end to end: the real built app behind the Shopify stand-in, driven by headless Chromium.
 * Proves that / lands on the admin frame with the embedded dashboard (program status, members, seeded activity),
 * that an order placed in the demo store appears in the dashboard, and that refunding it reverses its points.
 * Runs on free ports and a temporary database, so it never meets a demo someone runs on 3000/3001.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Frame, Page } from "playwright-core";
import { requireChromium } from "../support/chromium";
import { freePort } from "../support/free-port";
import { DEMO, ROOT, startDemoInBrowser } from "../support/demo-process";

requireChromium();

describe("npm run demo", () => {
  let appPort: number;
  let shopifyPort: number;
  let workDir: string;
  let context: BrowserContext;
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ appPort, shopifyPort, workDir, context, close } = await startDemoInBrowser("demo-e2e", { width: 1280, height: 860 }));
  });

  afterAll(() => close?.());

  async function appFrame(page: Page): Promise<Frame> {
    const iframe = page.locator("iframe#app-iframe");
    await iframe.waitFor();
    const frame = await (await iframe.elementHandle())!.contentFrame();
    if (!frame) throw new Error("no app frame");
    await frame.getByText("Program status").waitFor({ timeout: 20_000 });
    return frame;
  }

  async function placeOrder(page: Page, quantity: number): Promise<string> {
    await page.goto(`http://localhost:${shopifyPort}/store`);
    await page.locator("#customer").selectOption({ label: "Alan Turing — alan.turing@example.com" });
    await page.locator('input[name="qty0"]').fill("0");
    await page.locator('input[name="qty2"]').fill(String(quantity));
    await page.getByRole("button", { name: "Pay and send orders/paid" }).click();
    const result = page.getByTestId("store-result");
    await expect(result.textContent()).resolves.toContain("HTTP 200");
    const name = /Order (#\d+) placed/.exec((await result.textContent()) ?? "")?.[1];
    if (!name) throw new Error(`no order name in ${await result.textContent()}`);
    return name;
  }

  it("lands on the admin frame with the embedded dashboard, then shows a new order and its refund", async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));

    await page.goto(`http://localhost:${appPort}/`);
    expect(new URL(page.url()).pathname).toBe("/admin");
    expect(new URL(page.url()).port).toBe(String(shopifyPort));
    let frame = await appFrame(page);

    // The embedded dashboard, rendered by the real app with the seed made by webhooks.
    // The Members card (the app's NavMenu, hidden inside the frame, has a "Members" link too).
    await expect(frame.locator("h3", { hasText: "Members" }).isVisible()).resolves.toBe(true);
    const members = frame.locator("h3", { hasText: "Members" }).locator("xpath=following-sibling::p");
    expect(Number((await members.textContent())?.replace(/\D/g, ""))).toBeGreaterThanOrEqual(12);
    await expect(frame.locator("table").textContent()).resolves.toMatch(/Margaret Hamilton|Ada Lovelace/);
    // App Bridge stand-in: window.shopify exists in the app, ui-title-bar/ui-nav-menu are mirrored to the admin.
    await expect(frame.evaluate(() => typeof (window as unknown as { shopify?: { idToken?: unknown } }).shopify?.idToken)).resolves.toBe("function");
    await page.locator("#app-title", { hasText: "Keepsake" }).waitFor();
    await page.screenshot({ path: "/tmp/keepsake-demo.png" });

    // An order from the demo store → orders/paid → a new activity row.
    const orderName = await placeOrder(page, 2); // 2 × 68.00 = 136 points
    await page.getByTestId("back-to-admin").click();
    frame = await appFrame(page);
    const row = frame.locator("tr", { hasText: orderName });
    await row.first().waitFor();
    await expect(row.first().textContent()).resolves.toContain("+136");

    // Refund it in full → refunds/create → the points are reversed.
    await page.goto(`http://localhost:${shopifyPort}/store`);
    await page.locator(`tr[data-order="${orderName}"]`).getByRole("button", { name: "Refund all" }).click();
    await expect(page.getByTestId("store-result").textContent()).resolves.toContain("HTTP 200");
    await page.getByTestId("back-to-admin").click();
    frame = await appFrame(page);
    await expect(frame.locator("tr", { hasText: "-136" }).first().textContent()).resolves.toContain("Alan Turing");

    expect(errors).toEqual([]);
  });

  it("--check starts everything, verifies the dashboard and a webhook round trip, and exits 0", async () => {
    const [port, shopify] = [await freePort(), await freePort()];
    const result = spawnSync(
      process.execPath,
      [...DEMO, "--check", "--no-build", "--port", String(port), "--shopify-port", String(shopify), "--db", path.join(workDir, "check.sqlite")],
      { cwd: ROOT, encoding: "utf8", timeout: 120_000 },
    );
    expect(result.stdout + result.stderr).toContain("demo ok");
    expect(result.status).toBe(0);
  }, 130_000);
});
