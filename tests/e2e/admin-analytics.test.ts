/**
 * The dashboard's onboarding checklist and the analytics page in the offline demo's admin frame (the
 * real built app behind the Shopify stand-in), driven by headless Chromium, plus axe-core on the
 * dashboard, analytics, program, rewards and members pages: no serious or critical findings.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext } from "playwright-core";
import { navigateAdmin as navigate, openAdminFrame, seriousAxeViolationsIn as seriousAxeViolations } from "../support/admin-frame";
import { requireChromium } from "../support/chromium";
import { startDemoInBrowser } from "../support/demo-process";

requireChromium();

describe("dashboard onboarding and analytics in the demo's admin frame", () => {
  let appPort: number;
  let context: BrowserContext;
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ appPort, context, close } = await startDemoInBrowser("analytics-e2e", { width: 1280, height: 900 }));
  });

  afterAll(() => close?.());

  const openAdmin = () => openAdminFrame(context, appPort);

  it("shows the onboarding checklist with the theme editor deep link, and marks the app embed step done", async () => {
    const { page, frame, errors } = await openAdmin();
    await frame.getByText("Set up Keepsake").waitFor();
    const progress = frame.getByTestId("onboarding-progress");
    const before = Number(/(\d+) of 5/.exec((await progress.textContent()) ?? "")?.[1]);
    expect(before).toBeGreaterThanOrEqual(1); // the demo's program is on

    const embed = frame.getByTestId("onboarding-app_embed");
    const link = embed.getByRole("link", { name: "Open theme editor" });
    await expect(link.getAttribute("href")).resolves.toMatch(
      /^https:\/\/[^/]+\/admin\/themes\/current\/editor\?context=apps&activateAppId=[^/]+\/launcher$/,
    );
    await embed.getByRole("button", { name: "Mark as done" }).click();
    await page.locator("#toasts .toast", { hasText: "Step marked as done" }).waitFor();
    await expect.poll(async () => (await progress.textContent()) ?? "").toContain(`${before + 1} of 5`);
    await embed.getByText("Done").waitFor();
    await expect(embed.getByRole("button", { name: "Mark as done" }).count()).resolves.toBe(0);

    expect(await seriousAxeViolations(frame)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("shows the analytics KPIs and charts, switches ranges, and puts a bad custom range's error next to its field", async () => {
    const { page, frame, errors } = await openAdmin();
    await navigate(page, "Analytics");
    await frame.getByTestId("kpi-points-issued").waitFor();
    await expect(frame.getByTestId("range-summary").textContent()).resolves.toMatch(/compared with/);
    const issued = Number(((await frame.getByTestId("kpi-points-issued").textContent()) ?? "").replace(/\D/g, ""));
    expect(issued).toBeGreaterThan(0); // the demo's members earned points
    await expect(frame.getByTestId("kpi-liability").textContent()).resolves.toMatch(/\d/);
    // Polaris Viz draws its charts after hydration, inert; a hidden table carries the figures.
    await frame.getByTestId("chart-points").locator("svg").first().waitFor({ timeout: 15_000 });
    await frame.getByTestId("chart-revenue").locator("svg").first().waitFor();
    await expect(frame.getByTestId("chart-points").getAttribute("inert")).resolves.toBe("");
    await expect(frame.getByRole("table", { name: "Points per day" }).locator("tbody tr").count()).resolves.toBe(30);
    expect(await seriousAxeViolations(frame)).toEqual([]);

    const summary = frame.getByTestId("range-summary");
    const thirty = await summary.textContent();
    await frame.getByLabel("Period").selectOption("last_7_days");
    await expect.poll(() => summary.textContent(), { timeout: 10_000 }).not.toBe(thirty);

    await frame.getByLabel("Period").selectOption("custom");
    await frame.getByLabel("From").fill("2026-03-10");
    await frame.getByLabel("To").fill("2026-03-01");
    await frame.getByRole("button", { name: "Apply" }).click();
    await frame.getByText("The start date must be on or before the end date").waitFor();
    const from = frame.getByLabel("From");
    await expect(from.getAttribute("aria-invalid")).resolves.toBe("true");
    expect(await seriousAxeViolations(frame)).toEqual([]);
    await page.screenshot({ path: "/tmp/keepsake-admin-analytics.png" });
    expect(errors).toEqual([]);
  });

  it("has no serious or critical axe findings on the program, rewards and members pages", async () => {
    const { page, frame, errors } = await openAdmin();
    const pages: [string, () => Promise<void>][] = [
      ["Program", () => frame.getByLabel(/Points per 1/).waitFor()],
      ["Rewards", () => frame.getByRole("link", { name: "Create reward" }).first().waitFor()],
      ["Members", () => frame.getByPlaceholder(/^Search by/).waitFor()],
    ];
    for (const [label, ready] of pages) {
      await navigate(page, label);
      await ready();
      expect(await seriousAxeViolations(frame), label).toEqual([]);
    }
    expect(errors).toEqual([]);
  });
});
