/**
 * The Tiers page while a save re-places the members (ADR 012 addendum "Program changes"), in the
 * offline demo's admin frame (the real built app, its scheduler running every minute) with headless
 * Chromium: turning tiers on shows "Updating members' tiers…" with its progress; the page refreshes
 * itself and the notice is gone once the demo's scheduler has run the placement. Axe clean.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext } from "playwright-core";
import { navigateAdmin, openAdminFrame, seriousAxeViolationsIn, waitForPageTitle } from "../support/admin-frame";
import { requireChromium } from "../support/chromium";
import { startDemoInBrowser } from "../support/demo-process";

requireChromium();

describe("tier placement notice on the Tiers page", () => {
  let appPort: number;
  let context: BrowserContext;
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ appPort, context, close } = await startDemoInBrowser("tier-placement-e2e", { width: 1280, height: 900 }));
  });

  afterAll(() => close?.());

  it("shows the re-placement under way after tiers are turned on, then clears it once the scheduler ran it", async () => {
    const { page, frame, errors } = await openAdminFrame(context, appPort);
    await navigateAdmin(page, "Settings");
    await frame.getByRole("link", { name: "Open: VIP tiers" }).click();
    await waitForPageTitle(frame, "VIP tiers");
    const notice = frame.getByText("Updating members' tiers…");
    await expect(notice.count()).resolves.toBe(0);

    const enabled = frame.getByLabel("VIP tiers are on");
    if (!(await enabled.isChecked())) await enabled.check();
    else {
      // Already on: renaming the top tier resyncs its members (a run is owed all the same).
      const name = frame.getByLabel("Name", { exact: true }).last();
      await name.fill(`${await name.inputValue()} VIP`);
    }
    await page.locator("#savebar").locator("button", { hasText: "Save" }).click();
    await page.locator("#toasts .toast", { hasText: "Tiers saved" }).waitFor();

    // The loader shows the owed run after the save (the action's revalidation).
    await notice.waitFor({ timeout: 20_000 });
    await frame.getByText(/^[\d,]+ of [\d,]+ members$/).waitFor();
    expect(await seriousAxeViolationsIn(frame), "tiers page with the placement notice").toEqual([]);

    // The demo's scheduler runs it at its next pass (every minute, slower on a loaded CI box); the page polls and the notice goes.
    await notice.waitFor({ state: "detached", timeout: 150_000 });
    expect(errors).toEqual([]);
  }, 240_000);

  it("asks before removing a tier that has members, and removing it stays in the form until saved", async () => {
    const { page, frame, errors } = await openAdminFrame(context, appPort);
    await navigateAdmin(page, "Settings");
    await frame.getByRole("link", { name: "Open: VIP tiers" }).click();
    await waitForPageTitle(frame, "VIP tiers");
    const headings = frame.getByRole("heading", { level: 3, name: /^Tier \d+ · / });
    await headings.first().waitFor();
    // Put the demo's members in tier 2: its threshold down to 1, saved, the placement run by the scheduler.
    await frame.getByLabel("Threshold", { exact: true }).nth(1).fill("1");
    await page.locator("#savebar").locator("button", { hasText: "Save" }).click();
    await page.locator("#toasts .toast", { hasText: "Tiers saved" }).waitFor();
    const notice = frame.getByText("Updating members' tiers…");
    await notice.waitFor({ timeout: 20_000 });
    await notice.waitFor({ state: "detached", timeout: 150_000 });
    await expect.poll(() => headings.nth(1).innerText(), { timeout: 20_000 }).toMatch(/· [1-9][\d,]* members?$/);
    const index = 1;
    const removeButtons = frame.getByRole("button", { name: "Remove tier" });
    const before = await headings.count();

    await removeButtons.nth(index - 1).click();
    const dialog = frame.getByRole("dialog");
    await dialog.getByText(/members are in this tier/).waitFor();
    expect(await seriousAxeViolationsIn(frame), "remove tier confirmation").toEqual([]);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });
    await expect(headings.count()).resolves.toBe(before);
    await expect(page.locator("#savebar").isVisible()).resolves.toBe(false);

    await removeButtons.nth(index - 1).click();
    await frame.getByRole("dialog").getByRole("button", { name: "Remove tier" }).click();
    await expect.poll(() => headings.count()).toBe(before - 1);
    const saveBar = page.locator("#savebar");
    await saveBar.waitFor();
    await saveBar.locator("button", { hasText: "Discard" }).click();
    await expect.poll(() => headings.count()).toBe(before);
    expect(errors).toEqual([]);
  }, 240_000);
});
