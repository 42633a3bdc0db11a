/**
 * Members at scale in the offline demo's admin frame (the real built app behind the Shopify stand-in),
 * driven by headless Chromium: members filtered with the Polaris filters (points range, kept in the
 * URL, removable), then a CSV with good and bad rows imported from the import page — progress polled
 * to the end, the error count shown, the imported member found in the list with their balance.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Frame } from "playwright-core";
import { navigateAdmin, openAdminFrame, seriousAxeViolationsIn } from "../support/admin-frame";
import { requireChromium } from "../support/chromium";
import { startDemoInBrowser } from "../support/demo-process";

requireChromium();

describe("members list and CSV import in the demo's admin frame", () => {
  let appPort: number;
  let context: BrowserContext;
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ appPort, context, close } = await startDemoInBrowser("admin-members-e2e", { width: 1280, height: 900 }));
  });

  afterAll(() => close?.());

  const openAdmin = () => openAdminFrame(context, appPort);

  const balancesOf = async (frame: Frame) =>
    (await frame.getByTestId("member-balance").allTextContents()).map((text) => Number(text.replace(/\D/g, "")));

  it("filters members by a points range with the Polaris filters, then removes the filter", async () => {
    const { page, frame, errors } = await openAdmin();
    await navigateAdmin(page, "Members");
    await frame.getByTestId("member-balance").first().waitFor();
    const all = await balancesOf(frame);
    expect(all.length).toBeGreaterThan(2);
    const threshold = [...all].sort((a, b) => a - b)[Math.floor(all.length / 2)]!;
    expect(all.some((balance) => balance < threshold)).toBe(true);

    // (Playwright's click waits for the pill bar's transition forever in this frame; a DOM click is what a user's is.)
    await frame.getByRole("button", { name: "Add filter" }).dispatchEvent("click");
    await frame.getByText("Points", { exact: true }).first().dispatchEvent("click");
    const atLeast = frame.getByLabel("At least");
    await atLeast.fill(String(threshold));
    await atLeast.press("Tab");
    await expect.poll(async () => (await balancesOf(frame)).every((balance) => balance >= threshold), { timeout: 10_000 }).toBe(true);
    const filtered = await balancesOf(frame);
    expect(filtered.length).toBe(all.filter((balance) => balance >= threshold).length);
    expect(frame.url()).toContain(`pointsMin=${threshold}`);
    expect(await seriousAxeViolationsIn(frame)).toEqual([]);

    // The applied filter shows as a pill; clearing the filters brings everyone back.
    await page.keyboard.press("Escape");
    await frame.getByText(`At least ${threshold} points`).first().waitFor();
    await frame.getByRole("button", { name: "Clear all" }).click();
    await expect.poll(async () => (await balancesOf(frame)).length, { timeout: 10_000 }).toBe(all.length);
    expect(errors).toEqual([]);
  });

  it("imports a CSV with errors: progress to the end, the error count, the new member in the list", async () => {
    const { page, frame, errors } = await openAdmin();
    await navigateAdmin(page, "Members");
    await frame.getByRole("link", { name: "Import CSV" }).first().click();
    await frame.getByText("Import members and balances").waitFor();
    expect(await seriousAxeViolationsIn(frame)).toEqual([]);

    const dir = mkdtempSync(path.join(tmpdir(), "keepsake-import-e2e-"));
    const file = path.join(dir, "members.csv");
    writeFileSync(
      file,
      [
        "customer_id,email,first_name,last_name,points_balance",
        "880001,hedy.lamarr@example.com,Hedy,Lamarr,345",
        "not-an-id,broken@example.com,Bad,Row,10",
        "880002,katherine.johnson@example.com,Katherine,Johnson,-5",
      ].join("\n"),
    );
    await frame.locator('input[type="file"]').setInputFiles(file);
    await frame.getByText(/members\.csv \(\d+ KB\)/).waitFor();
    await frame.getByRole("button", { name: "Import", exact: true }).click();
    await page.locator("#toasts .toast", { hasText: "Import started" }).waitFor();

    const progress = frame.getByTestId("import-progress").first();
    await expect.poll(async () => progress.textContent(), { timeout: 20_000 }).toContain("3 of 3 rows");
    await expect.poll(async () => progress.textContent(), { timeout: 10_000 }).toContain("1 imported, 0 unchanged, 2 with errors");
    await frame.getByRole("button", { name: "Download error report" }).first().waitFor();

    await navigateAdmin(page, "Members");
    await frame.getByPlaceholder("Search by name or email").fill("lamarr");
    const rows = frame.locator("tbody tr");
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(1);
    await expect(rows.first().textContent()).resolves.toContain("Hedy Lamarr");
    expect(await balancesOf(frame)).toEqual([345]);
    await page.screenshot({ path: "/tmp/keepsake-admin-import.png" });
    expect(errors).toEqual([]);
  });

  it("excludes a member from the program after confirming, then includes them again", async () => {
    const { page, frame, errors } = await openAdmin();
    await navigateAdmin(page, "Members");
    await frame.getByTestId("member-balance").first().waitFor();
    await frame.getByRole("link", { name: "Grace Hopper" }).click();
    await frame.locator("#member-balance").waitFor();
    await frame.getByRole("button", { name: "Exclude from program" }).click();
    await frame.getByRole("dialog").getByRole("button", { name: "Exclude", exact: true }).click();
    await page.locator("#toasts .toast", { hasText: "Member excluded from the program" }).waitFor();
    await expect.poll(async () => frame.locator("#member-exclusion-status").textContent(), { timeout: 10_000 }).toMatch(/^Excluded since/);
    await frame.getByRole("button", { name: "Include again" }).click();
    await page.locator("#toasts .toast", { hasText: "Member included again" }).waitFor();
    await expect.poll(async () => frame.locator("#member-exclusion-status").textContent(), { timeout: 10_000 }).toBe("Takes part in the program.");
    expect(errors).toEqual([]);
  });

  it("shows the segments page with its rules and counts, axe-clean", async () => {
    const { page, frame, errors } = await openAdmin();
    await navigateAdmin(page, "Settings");
    await frame.getByRole("link", { name: "Open: Segments" }).dispatchEvent("click");
    await frame.getByLabel("At risk: no activity for (days)").waitFor();
    await frame.getByText("Members per segment").waitFor();
    expect(await seriousAxeViolationsIn(frame)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
