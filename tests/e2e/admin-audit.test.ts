/**
 * The audit log page in the offline demo's admin frame (the real built app behind the Shopify
 * stand-in), driven by headless Chromium: a points-rate change saved on the Program page shows up in
 * the audit log opened from Settings, with its before → after; filtering by change keeps or hides it;
 * a bad date shows its message next to the field; no serious or critical axe findings. A member's
 * points adjusted on the member page appear in that member's log, opened from the member page.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext } from "playwright-core";
import { navigateAdmin, openAdminFrame, seriousAxeViolationsIn, waitForPageTitle } from "../support/admin-frame";
import { requireChromium } from "../support/chromium";
import { startDemoInBrowser } from "../support/demo-process";

requireChromium();

describe("audit log in the demo's admin frame", () => {
  let appPort: number;
  let context: BrowserContext;
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ appPort, context, close } = await startDemoInBrowser("audit-e2e", { width: 1280, height: 900 }));
  });

  afterAll(() => close?.());

  it("shows a points-rate change with its before → after, filters by change, and is axe clean", async () => {
    const { page, frame, errors } = await openAdminFrame(context, appPort);

    // Change the points rate on the Program page.
    await navigateAdmin(page, "Program");
    const rate = frame.getByLabel(/Points per 1/);
    await rate.waitFor();
    const before = await rate.inputValue();
    const after = before === "3" ? "4" : "3";
    await rate.fill(after);
    await page.locator("#savebar").locator("button", { hasText: "Save" }).click();
    await page.locator("#toasts .toast", { hasText: "Program saved" }).waitFor();

    // Open the audit log from Settings.
    await navigateAdmin(page, "Settings");
    await waitForPageTitle(frame, "Settings");
    await frame.getByRole("link", { name: "Open: Audit log" }).click();
    await waitForPageTitle(frame, "Audit log");

    const row = frame.locator("tr", { hasText: "Changed program settings" }).first();
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain("Staff 1");
    const toggle = row.getByRole("button", { name: /Show changes/ });
    await expect(toggle.getAttribute("aria-expanded")).resolves.toBe("false");
    await toggle.click();
    await expect(row.getByRole("button", { name: "Hide changes" }).getAttribute("aria-expanded")).resolves.toBe("true");
    // Only the changed field, before → after.
    const diff = row.getByTestId("audit-diff-row");
    await diff.first().waitFor();
    await expect(diff.count()).resolves.toBe(1);
    await expect(diff.first().getAttribute("aria-label")).resolves.toBe(`Points rate: ${before} → ${after}`);
    await expect(row.getByRole("link", { name: "Program" }).getAttribute("href")).resolves.toContain("/app/program");
    expect(await seriousAxeViolationsIn(frame), "audit log with an open diff").toEqual([]);

    // Filter by change: another change hides it, this change keeps it.
    const change = frame.getByLabel("Change", { exact: true });
    await change.selectOption({ label: "Adjusted points" });
    await frame.getByRole("button", { name: "Apply" }).click();
    await frame.getByText("No entries match these filters.").waitFor();
    await expect(frame.locator("tr", { hasText: "Changed program settings" }).count()).resolves.toBe(0);

    await change.selectOption({ label: "Changed program settings" });
    await frame.getByRole("button", { name: "Apply" }).click();
    await frame.locator("tr", { hasText: "Changed program settings" }).first().waitFor();
    await frame.getByText("Change: Changed program settings").waitFor(); // the applied filter's tag
    await expect(frame.getByText("No entries match these filters.").count()).resolves.toBe(0);

    // A date that does not exist: its message next to the field, nothing listed.
    await frame.getByLabel("From", { exact: true }).fill("2026-02-30");
    await frame.getByRole("button", { name: "Apply" }).click();
    await frame.getByText("Use a date like 2026-01-31").waitFor();
    await expect(frame.getByLabel("From", { exact: true }).getAttribute("aria-invalid")).resolves.toBe("true");
    await expect(frame.locator("tr", { hasText: "Changed program settings" }).count()).resolves.toBe(0);
    expect(await seriousAxeViolationsIn(frame), "audit log with a filter error").toEqual([]);

    expect(errors).toEqual([]);
  });

  it("opens a member's log from the member page, with the adjustment just made", async () => {
    const { page, frame, errors } = await openAdminFrame(context, appPort);
    await navigateAdmin(page, "Members");
    await waitForPageTitle(frame, "Members");
    const rows = frame.locator("tbody tr");
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBeGreaterThan(0);
    const link = rows.first().getByRole("link").first();
    const name = (await link.textContent())?.trim() ?? "";
    await link.click();
    const balance = frame.locator("#member-balance");
    await balance.waitFor();
    const before = Number((await balance.textContent())?.replace(/\D/g, ""));
    await frame.getByLabel(/^Points/).fill("7");
    await frame.getByLabel("Reason").fill("Audit e2e");
    await frame.getByRole("button", { name: "Adjust points" }).click();
    const points = (value: number) => value.toLocaleString("en");
    await page.locator("#toasts .toast", { hasText: `Balance is now ${points(before + 7)} points` }).waitFor();

    await frame.getByRole("link", { name: "View audit log" }).click();
    await waitForPageTitle(frame, "Audit log");
    await frame.getByText(`About: Member ${name}`).waitFor(); // the applied filter names the member
    const entries = frame.locator("tbody tr");
    await expect.poll(() => entries.count(), { timeout: 10_000 }).toBe(1);
    const row = entries.first();
    await expect(row.textContent()).resolves.toContain("Adjusted points");
    await row.getByRole("button", { name: /Show changes/ }).click();
    await expect(row.getByTestId("audit-diff-row").first().getAttribute("aria-label")).resolves.toBe(`Balance: ${points(before)} → ${points(before + 7)}`);
    await row.getByText("Audit e2e").waitFor();
    expect(await seriousAxeViolationsIn(frame), "a member's audit log").toEqual([]);
    expect(errors).toEqual([]);
  });
});
