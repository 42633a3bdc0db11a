/**
 * The embedded admin of a running demo (tests/support/demo-process.ts) as Chromium sees it: the
 * admin page with the app's iframe, the NavMenu mirrored by the App Bridge stand-in, and axe-core's
 * serious/critical findings on the app frame.
 */
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import type { BrowserContext, Frame, Page } from "playwright-core";

export interface AdminFrame {
  page: Page;
  frame: Frame;
  /** Uncaught errors of the page. */
  errors: string[];
}

/** Opens the demo's admin and waits for the dashboard in the app frame. */
export async function openAdminFrame(context: BrowserContext, appPort: number): Promise<AdminFrame> {
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

/** Clicks the app's NavMenu entry `label`, as the admin frame shows it. */
export async function navigateAdmin(page: Page, label: string): Promise<void> {
  await page.locator("#app-nav a.nav-item.sub", { hasText: label }).click();
}

/** The page's title (Polaris Page h1) once the navigation's skeleton is gone. */
export async function waitForPageTitle(frame: Frame, title: string): Promise<void> {
  await frame.getByTestId("page-skeleton").waitFor({ state: "detached", timeout: 20_000 });
  await frame.getByRole("heading", { level: 1, name: title, exact: true }).waitFor({ timeout: 20_000 });
}

let axeSource: string | undefined;

type AxeResult = { violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: unknown }> }> };

/** axe-core's serious and critical findings on the frame's whole document, once animations settle. */
export async function seriousAxeViolationsIn(frame: Frame): Promise<string[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  // Settle finite animations (a fade-in measured half-way fails contrast); skeleton shimmers loop forever.
  await frame.evaluate(async () => {
    for (let round = 0; round < 10; round += 1) {
      const running = document
        .getAnimations()
        .filter((animation) => animation.playState !== "finished" && Number.isFinite(animation.effect?.getComputedTiming().endTime ?? Infinity));
      if (running.length === 0) return;
      // A cancelled animation (a re-render replaced it) rejects `finished` with an AbortError: it is settled all the same,
      // and whatever replaced it is looked at in the next round.
      await Promise.allSettled(running.map((animation) => animation.finished));
    }
  });
  if (!(await frame.evaluate(() => "axe" in window))) await frame.addScriptTag({ content: axeSource });
  const result = await frame.evaluate(() =>
    (window as unknown as { axe: { run: (context: Document, options: object) => Promise<AxeResult> } }).axe.run(document, { resultTypes: ["violations"] }),
  );
  return result.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id} (${violation.impact}): ${JSON.stringify(violation.nodes.map((node) => node.target))}`);
}
