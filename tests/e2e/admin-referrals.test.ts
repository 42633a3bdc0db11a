/**
 * The Referrals settings page in the offline demo's admin frame (headless Chromium): reached from the
 * Settings index, turned on without a friend reward (the error shows next to the field and the save bar
 * stays), then saved with one (toast, the save bar goes).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext } from "playwright-core";
import { requireChromium } from "../support/chromium";
import { startDemoInBrowser } from "../support/demo-process";

requireChromium();

describe("Referrals page in the demo's admin frame", () => {
  let appPort: number;
  let context: BrowserContext;
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ appPort, context, close } = await startDemoInBrowser("admin-referrals-e2e", { width: 1280, height: 900 }));
  });

  afterAll(() => close?.());

  it("turns referrals on with the save bar: error next to the field first, then a toast", async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`http://localhost:${appPort}/`);
    const iframe = page.locator("iframe#app-iframe");
    await iframe.waitFor();
    const frame = await (await iframe.elementHandle())!.contentFrame();
    if (!frame) throw new Error("no app frame");
    await frame.getByText("Program status").waitFor({ timeout: 20_000 });

    await page.locator("#app-nav a.nav-item.sub", { hasText: "Settings" }).click();
    await frame.getByRole("link", { name: "Open: Referrals" }).click();
    const enabled = frame.getByLabel("Referrals are on");
    await enabled.waitFor();
    await expect(enabled.isChecked()).resolves.toBe(false);
    const saveBar = page.locator("#savebar");

    await enabled.check();
    await saveBar.locator("button", { hasText: "Save" }).click();
    await frame.getByText("Choose the friend's reward before turning referrals on").waitFor();
    await expect(saveBar.isVisible()).resolves.toBe(true);

    await frame.getByLabel("Friend's reward").selectOption({ label: "$5 off your order" });
    await frame.getByLabel("Points per referred friend").fill("300");
    await saveBar.locator("button", { hasText: "Save" }).click();
    await page.locator("#toasts .toast", { hasText: "Referral settings saved" }).waitFor();
    await saveBar.waitFor({ state: "hidden" });

    await expect(enabled.isChecked()).resolves.toBe(true);
    await expect(frame.getByText("Choose the friend's reward before turning referrals on").count()).resolves.toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
