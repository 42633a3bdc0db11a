/**
 * Every settings page in the offline demo's admin frame (the real built app behind the Shopify
 * stand-in), driven by headless Chromium: each opens from the Settings index, shows its title, and has
 * no serious or critical axe-core findings. Also: a navigation shows the page skeleton, not the stale page.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Frame } from "playwright-core";
import { navigateAdmin, openAdminFrame, seriousAxeViolationsIn } from "../support/admin-frame";
import { requireChromium } from "../support/chromium";
import { startDemoInBrowser } from "../support/demo-process";

requireChromium();

/** The page's title (Polaris Page h1) once the navigation's skeleton is gone. */
async function waitForTitle(frame: Frame, title: string): Promise<void> {
  await frame.getByTestId("page-skeleton").waitFor({ state: "detached", timeout: 20_000 });
  await frame.getByRole("heading", { level: 1, name: title, exact: true }).waitFor({ timeout: 20_000 });
}

describe("settings pages in the demo's admin frame", () => {
  let appPort: number;
  let context: BrowserContext;
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ appPort, context, close } = await startDemoInBrowser("settings-pages-e2e", { width: 1280, height: 900 }));
  });

  afterAll(() => close?.());

  it("opens each settings page from the Settings index with its title and no serious or critical axe findings", async () => {
    const { page, frame, errors } = await openAdminFrame(context, appPort);
    await navigateAdmin(page, "Settings");
    await waitForTitle(frame, "Settings");
    await frame.getByRole("link", { name: "Open: VIP tiers" }).waitFor();
    expect(await seriousAxeViolationsIn(frame), "/app/settings").toEqual([]);

    const sections: [card: string, title: string][] = [
      ["VIP tiers", "VIP tiers"],
      ["Bonus campaigns", "Bonus campaigns"],
      ["Points expiry", "Points expiry"],
      ["Birthdays", "Birthdays"],
      ["Ways to earn", "Ways to earn"],
      ["Referrals", "Referrals"],
      ["Storefront widget", "Storefront widget"],
    ];
    for (const [card, title] of sections) {
      await navigateAdmin(page, "Settings");
      await frame.getByRole("link", { name: `Open: ${card}` }).click();
      await waitForTitle(frame, title);
      expect(await seriousAxeViolationsIn(frame), title).toEqual([]);

      if (card === "Bonus campaigns") {
        await frame.getByRole("link", { name: "Create campaign" }).first().click();
        await waitForTitle(frame, "New campaign");
        await frame.getByLabel("Name").waitFor();
        expect(await seriousAxeViolationsIn(frame), "New campaign").toEqual([]);
      }
    }
    expect(errors).toEqual([]);
  });

  it("shows the page skeleton, not the stale page, while a navigation loads", async () => {
    const { page, frame, errors } = await openAdminFrame(context, appPort);
    // Remix single fetch loads the next page's data from <path>.data; hold it back for a while.
    await page.route("**/app/members.data*", async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await route.continue();
    });
    await navigateAdmin(page, "Members");
    const skeleton = frame.getByTestId("page-skeleton");
    await skeleton.waitFor({ timeout: 10_000 });
    await expect(skeleton.getByRole("heading", { level: 1, name: "Members" }).count()).resolves.toBe(1);
    await expect(frame.getByText("Program status").count()).resolves.toBe(0); // the dashboard is gone
    await skeleton.waitFor({ state: "detached", timeout: 20_000 });
    await frame.getByTestId("member-balance").first().waitFor();
    await page.unroute("**/app/members.data*");
    expect(errors).toEqual([]);
  });
});
