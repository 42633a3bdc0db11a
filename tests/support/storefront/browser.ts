/**
 * What the storefront's Chromium suites share: a page of the fixture storefront opened as a guest or a
 * customer (page errors and console errors collected), and axe-core's serious and critical findings.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { BrowserContext, Page } from "playwright-core";
import type { FixtureCustomer } from "../../../scripts/storefront/render";
import type { Storefront } from "../../../scripts/storefront/server";

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/**
 * Opens `urlPath` with `customer` logged in (null: a guest). `errors` collects page errors and console
 * errors, except the browser's own "Failed to load resource … status of 4xx" lines, which an answered
 * error (a refused claim, a 409) prints although the page handles it.
 */
export async function openStorefrontPage(
  context: BrowserContext,
  storefront: Storefront,
  urlPath: string,
  customer: FixtureCustomer | null,
): Promise<{ page: Page; errors: string[] }> {
  storefront.logIn(customer?.id ?? null);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error" && !/status of 4\d\d/.test(message.text())) errors.push(message.text());
  });
  await page.goto(`${storefront.url}${urlPath}`);
  return { page, errors };
}

/** axe-core's serious and critical findings inside `selector` (the open panel by default). */
export async function seriousAxeViolations(page: Page, selector = "#keepsake-panel"): Promise<string[]> {
  // Mid-animation axe measures half-transparent text: a contrast failure no shopper sees.
  await page.evaluate(() => Promise.all(document.getAnimations().map((animation) => animation.finished)));
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ content: AXE_SOURCE });
  const result = await page.evaluate(async (scope) => {
    const axe = (window as unknown as { axe: { run: (context: string, options: object) => Promise<{ violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: unknown }> }> }> } }).axe;
    return axe.run(scope, { resultTypes: ["violations"] });
  }, selector);
  return result.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id} (${violation.impact}): ${JSON.stringify(violation.nodes.map((node) => node.target))}`);
}
