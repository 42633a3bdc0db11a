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

  it("turns points expiry on only after staff confirm the new notice period, with errors next to the field", async () => {
    const { page, frame, errors } = await openAdminFrame(context, appPort);
    await navigateAdmin(page, "Settings");
    await frame.getByRole("link", { name: "Open: Points expiry" }).click();
    await waitForTitle(frame, "Points expiry");
    await frame.getByText("Expiry is off.").waitFor();
    const saveBar = page.locator("#savebar");
    const dialog = frame.getByRole("dialog", { name: "Turn on points expiry?" });

    await frame.getByLabel("When points expire").selectOption({ label: "After a period without activity" });
    await frame.getByLabel("Months").fill("0");
    await saveBar.locator("button", { hasText: "Save" }).click();
    await dialog.waitFor();
    expect(await seriousAxeViolationsIn(frame), "expiry confirmation").toEqual([]);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });
    await expect(saveBar.isVisible()).resolves.toBe(true); // nothing was sent
    await expect(frame.getByText("Expiry is off.").count()).resolves.toBe(1);

    await saveBar.locator("button", { hasText: "Save" }).click();
    await dialog.getByRole("button", { name: "Save and start notice period" }).click();
    await frame.getByText("Must be 1 to 120 months").waitFor();
    await expect(frame.getByText("Expiry is off.").count()).resolves.toBe(1);

    await frame.getByLabel("Months").fill("12");
    await saveBar.locator("button", { hasText: "Save" }).click();
    await dialog.getByRole("button", { name: "Save and start notice period" }).click();
    await page.locator("#toasts .toast", { hasText: "Expiry settings saved" }).waitFor();
    await saveBar.waitFor({ state: "hidden" });
    await frame.getByText(/^Expiry counts from /).waitFor();

    // Reminder days alone do not restart the notice period: saved without a confirmation.
    await frame.getByLabel("Remind members this many days before").fill("14, 2");
    await saveBar.locator("button", { hasText: "Save" }).click();
    await page.locator("#toasts .toast", { hasText: "Expiry settings saved" }).nth(0).waitFor();
    await saveBar.waitFor({ state: "hidden" });
    await expect(frame.getByRole("dialog").count()).resolves.toBe(0);
    await navigateAdmin(page, "Settings");
    await frame.getByRole("link", { name: "Open: Points expiry" }).click();
    await waitForTitle(frame, "Points expiry");
    await expect(frame.getByLabel("Remind members this many days before").inputValue()).resolves.toBe("14, 2");
    await expect(frame.getByLabel("Months").inputValue()).resolves.toBe("12");
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
