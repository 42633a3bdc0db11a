/**
 * The admin pages in the offline demo's admin frame (the real built app behind the Shopify stand-in,
 * App Bridge stand-in included), driven by headless Chromium: the points rate changed through the
 * contextual save bar (a bad value first: its error shows next to the field) with the toast after
 * saving; members filtered by search; a member's points adjusted, the new balance shown.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Frame, Page } from "playwright-core";
import { requireChromium } from "../support/chromium";
import { startDemoInBrowser } from "../support/demo-process";

requireChromium();

describe("admin pages in the demo's admin frame", () => {
  let appPort: number;
  let context: BrowserContext;
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ appPort, context, close } = await startDemoInBrowser("admin-e2e", { width: 1280, height: 900 }));
  });

  afterAll(() => close?.());

  async function openAdmin(): Promise<{ page: Page; frame: Frame; errors: string[] }> {
    const page = await context.newPage();
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
    await expect(page.locator("#app-nav a.nav-item.sub").allTextContents()).resolves.toEqual(["Program", "Rewards", "Members", "Analytics", "Settings"]);
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
    // Wait for the members page itself: the dashboard's tables also have rows until the navigation lands.
    const search = frame.getByPlaceholder("Search by name or email");
    await search.waitFor();
    const rows = frame.locator("tbody tr");
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBeGreaterThan(1);

    await search.fill("turing");
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
