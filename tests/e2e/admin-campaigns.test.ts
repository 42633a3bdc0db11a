/**
 * Bonus campaigns in the offline demo's admin frame (the built app behind the Shopify and App Bridge
 * stand-ins), driven by headless Chromium: from the Settings card to a new campaign set up with the
 * save bar (a bad window first: its error shows next to the field), listed under its status, then
 * archived through the confirmation modal.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Frame, Page } from "playwright-core";
import { requireChromium } from "../support/chromium";
import { startDemoInBrowser } from "../support/demo-process";

requireChromium();

describe("bonus campaigns in the demo's admin frame", () => {
  let appPort: number;
  let context: BrowserContext;
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ appPort, context, close } = await startDemoInBrowser("admin-campaigns-e2e", { width: 1280, height: 900 }));
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

  it("creates a campaign with the save bar, lists it as upcoming, archives it through the modal", async () => {
    const { page, frame, errors } = await openAdmin();
    await page.locator("#app-nav a.nav-item.sub", { hasText: "Settings" }).click();
    await frame.getByRole("link", { name: "Open: Bonus campaigns" }).click();
    await frame.getByText("No bonus campaigns yet").waitFor();
    await frame.getByRole("link", { name: "Create campaign" }).first().click();

    await frame.getByLabel("Name").fill("Double points weekend");
    await frame.getByLabel("Starts").fill("2099-11-28T00:00");
    await frame.getByLabel("Ends (not included)").fill("2099-11-27T00:00");
    await frame.getByLabel("Multiplier").fill("2");
    const saveBar = page.locator("#savebar");
    await saveBar.waitFor();
    await saveBar.locator("button", { hasText: "Save" }).click();
    await frame.getByText("must be after startsAt").waitFor();
    await expect(saveBar.isVisible()).resolves.toBe(true);

    await frame.getByLabel("Ends (not included)").fill("2099-11-30T00:00");
    await frame.getByLabel("Once per member").check();
    await saveBar.locator("button", { hasText: "Save" }).click();
    await page.locator("#toasts .toast", { hasText: "Campaign created" }).waitFor();
    await saveBar.waitFor({ state: "hidden" });

    await frame.getByRole("link", { name: "Bonus campaigns" }).first().click();
    const row = frame.locator("tr", { hasText: "Double points weekend" });
    await row.waitFor();
    await expect(row.textContent()).resolves.toMatch(/2× points.*Upcoming/);

    await row.getByRole("link", { name: "Double points weekend" }).click();
    await frame.getByRole("button", { name: "Archive campaign" }).click();
    const modal = frame.getByRole("dialog", { name: "Archive this campaign?" });
    await modal.waitFor();
    await modal.getByRole("button", { name: "Archive campaign" }).click();
    await page.locator("#toasts .toast", { hasText: "Campaign archived" }).waitFor();
    await frame.getByText("This campaign is archived.").waitFor();
    // The modal closes and the archive card goes: nothing left to archive.
    await expect.poll(() => frame.getByRole("button", { name: "Archive campaign" }).count(), { timeout: 10_000 }).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
