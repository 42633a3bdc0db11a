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

    // The demo's scheduler runs it within a minute; the page polls and the notice goes.
    await notice.waitFor({ state: "detached", timeout: 90_000 });
    expect(errors).toEqual([]);
  }, 180_000);
});
