/**
 * The birthday pop-up app embed in headless Chromium: the real extension rendered by the fixture storefront,
 * whose app proxy signs each request and hands it to the real routes on this file's test database.
 * Invite → save, the gift (points and a code), the frequency cap and "never twice in one visit", keyboard,
 * Korean, guests, axe-core. Nothing leaves the machine.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import db from "~/db.server";
import { localDateOf } from "~/loyalty/schedule";
import { birthdayShopById, issueBirthdayReward } from "~/loyalty/services/birthdays.server";
import { createReward } from "~/loyalty/services/redemptions.server";
import type { MemberResponse } from "~/loyalty/storefront-contract";
import { APP_SECRET, deliver, installShop } from "../support/app";
import { launchOfflineChromium, requireChromium } from "../support/chromium";
import { resetDatabase } from "../support/database";
import { createAdminApiStandIn, installAdminApiFetch, type AdminApiFetchHandle } from "../support/shopify/admin-graphql";
import { signedAppProxyRequest } from "../support/shopify/app-proxy";
import { customerPayload } from "../support/shopify/payloads";
import { forwardInProcess } from "../support/storefront/forward-in-process";
import { FIXTURE_PRODUCT, FIXTURE_SHOP } from "../../scripts/storefront/fixtures";
import { startStorefront, type Storefront } from "../../scripts/storefront/server";
import type { FixtureCustomer } from "../../scripts/storefront/render";

const SHOP = FIXTURE_SHOP.domain;
const APP_URL = "https://keepsake.test";
const PRODUCT_PATH = `/products/${FIXTURE_PRODUCT.handle}`;
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

requireChromium();

let storefront: Storefront;
let context: BrowserContext;
let workDir: string;
let adminFetch: AdminApiFetchHandle;
const customers: FixtureCustomer[] = [];

async function member(firstName: string): Promise<FixtureCustomer & { gid: string }> {
  const customer = customerPayload({ firstName, email: `${firstName.toLowerCase()}@example.com` });
  await deliver("customers/create", customer);
  const fixture: FixtureCustomer = { id: String(customer.id), firstName, email: customer.email ?? "", balance: null };
  customers.push(fixture);
  return { ...fixture, gid: customer.admin_graphql_api_id };
}

/** Gives the member today's birthday and this year's gift, as the daily job would have. */
async function celebrateToday(customer: { gid: string }) {
  const today = localDateOf(new Date(), "UTC");
  const [year, month, day] = today.split("-").map(Number) as [number, number, number];
  const row = await db.member.update({
    where: { shopId_customerGid: { shopId: (await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).id, customerGid: customer.gid } },
    data: { birthdayMonth: month, birthdayDay: day, birthdaySetAt: new Date("2025-01-01T00:00:00Z"), birthdayFirstYear: year },
  });
  const shop = await birthdayShopById(row.shopId);
  if (!shop) throw new Error("no shop");
  expect(await issueBirthdayReward(shop, row, year)).toBe("issued");
}

interface VisitOptions {
  clearCap?: boolean;
  /** Another fixture storefront (another origin, so its own frequency cap), e.g. one with other embed settings. */
  on?: Storefront;
  /** The browser's clock at the visit (Date.now and new Date only; timers keep running). */
  at?: Date;
  /** Holds the pop-up's GET /apps/keepsake/birthday until `release()`. */
  hold?: boolean;
}

/** A new tab (fresh sessionStorage) with the browser's frequency cap cleared, then the page. */
async function visit(
  urlPath: string,
  customer: FixtureCustomer | null,
  options: VisitOptions = {},
): Promise<{ page: Page; errors: string[]; requests: string[]; release: () => void }> {
  const shop = options.on ?? storefront;
  shop.logIn(customer?.id ?? null);
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("request", (request) => requests.push(new URL(request.url()).pathname));
  let release = () => {};
  if (options.hold) {
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route("**/apps/keepsake/birthday", async (route) => {
      await held;
      await route.fallback();
    });
  }
  if (options.at) await page.clock.setFixedTime(options.at);
  if (options.clearCap !== false) {
    await page.goto(`${shop.url}/?embed=0`);
    await page.evaluate(() => localStorage.clear());
    requests.length = 0;
  }
  await page.goto(`${shop.url}${urlPath}`);
  return { page, errors, requests, release };
}

const BIRTHDAY_CSS = "/keepsake-birthday.css";
const stylesheetLinked = (page: Page) => page.evaluate((css) => [...document.querySelectorAll("link")].some((l) => l.href.endsWith(css)), BIRTHDAY_CSS);

/** The fixture storefront with the birthday pop-up embed on, with the merchant's embed settings (theme editor). */
function startFixture(settings?: Record<string, unknown>): Promise<Storefront> {
  return startStorefront({
    shop: FIXTURE_SHOP,
    products: [FIXTURE_PRODUCT],
    customers,
    appData: async () => {
      const response = await forwardInProcess(signedAppProxyRequest({ shop: SHOP, loggedInCustomerId: "", path: "/member", secret: APP_SECRET(), appUrl: APP_URL }));
      return { earnRate: "1", program: ((await response.json()) as MemberResponse).program };
    },
    forward: forwardInProcess,
    secret: APP_SECRET(),
    appUrl: APP_URL,
    embeds: [{ block: "birthday-popup", settings }],
  });
}

async function seriousAxeViolations(page: Page) {
  await page.evaluate(() => Promise.all(document.getAnimations().map((animation) => animation.finished)));
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ content: AXE_SOURCE });
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: string, options: object) => Promise<{ violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: unknown }> }> }> } }).axe;
    return axe.run("#keepsake-birthday", { resultTypes: ["violations"] });
  });
  return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
}

/** Waits until the pop-up script has asked the proxy (or decided not to) and any dialog is up. */
async function settled(page: Page) {
  await page.waitForFunction(() => sessionStorage.getItem("keepsake:birthday:visit") !== null || Number(localStorage.getItem("keepsake:birthday:next") || 0) > Date.now(), undefined, { timeout: 15_000 });
  await page.waitForTimeout(300);
}

describe("birthday pop-up (app embed) in Chromium", () => {
  let ada: FixtureCustomer & { gid: string };
  let grace: FixtureCustomer & { gid: string };
  let linus: FixtureCustomer & { gid: string };
  let joan: FixtureCustomer & { gid: string };

  beforeAll(async () => {
    adminFetch = installAdminApiFetch(createAdminApiStandIn(), { passthrough: true });
    await resetDatabase(db);
    await installShop(SHOP, { signupBonusPoints: 0, earnRate: "1" });
    await db.shop.update({ where: { domain: SHOP }, data: { birthdayEnabled: true, birthdayRewardPoints: 250 } });
    ada = await member("Ada");
    grace = await member("Grace");
    linus = await member("Linus");
    joan = await member("Joan");
    workDir = mkdtempSync(path.join(tmpdir(), "keepsake-birthday-e2e-"));
    storefront = await startFixture();
    context = await launchOfflineChromium(path.join(workDir, "profile"), { viewport: { width: 1280, height: 860 }, permissions: ["clipboard-read", "clipboard-write"] });
  });

  afterAll(async () => {
    await context?.close();
    await storefront?.close();
    adminFetch?.restore();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it("invites a member without a birthday, explaining the rules; the form saves it, and the styles load only when it shows", async () => {
    const { page, errors, requests, release } = await visit(PRODUCT_PATH, ada, { hold: true });
    // The page is loaded and the pop-up has asked the proxy: until the answer, no stylesheet is requested or linked.
    await page.waitForRequest((request) => request.url().endsWith("/apps/keepsake/birthday"));
    await page.waitForTimeout(500);
    expect(requests.filter((p) => p.endsWith(BIRTHDAY_CSS))).toEqual([]);
    await expect(stylesheetLinked(page)).resolves.toBe(false);
    release();
    const dialog = page.getByRole("dialog", { name: "When's your birthday?" });
    await dialog.waitFor();
    await expect(dialog.textContent()).resolves.toContain("250 points");
    expect(requests.filter((p) => p.endsWith(BIRTHDAY_CSS))).toHaveLength(1);
    await expect(stylesheetLinked(page)).resolves.toBe(true);
    await expect(dialog.locator("[data-keepsake-birthday-rules]").textContent()).resolves.toBe(
      "Birthdays entered less than 30 days before the date get their gift from next year. You can change your birthday once every 365 days.",
    );
    expect(await seriousAxeViolations(page)).toEqual([]);
    await dialog.getByRole("button", { name: "Save my birthday" }).click();
    await expect(dialog.getByRole("alert").textContent()).resolves.toContain("Choose a month and a day");
    await dialog.getByLabel("Month").selectOption("7");
    await dialog.getByLabel("Day").selectOption("19");
    await dialog.getByLabel("Year (optional)").fill("1990");
    await dialog.getByRole("button", { name: "Save my birthday" }).click();
    await dialog.getByText(/Your birthday gift comes every year, starting in \d{4}/).waitFor();
    const row = await db.member.findFirstOrThrow({ where: { customerGid: ada.gid } });
    expect(row).toMatchObject({ birthdayMonth: 7, birthdayDay: 19, birthdayYear: 1990 });
    expect(errors).toEqual([]);
    // Nothing to show now (a birthday, not in its window): asked, answered "none", and no stylesheet at all.
    const later = await visit("/", ada);
    await later.page.waitForResponse((response) => response.url().endsWith("/apps/keepsake/birthday"));
    await settled(later.page);
    await expect(later.page.getByRole("dialog").count()).resolves.toBe(0);
    expect(later.requests.filter((p) => p.endsWith(BIRTHDAY_CSS))).toEqual([]);
    await expect(stylesheetLinked(later.page)).resolves.toBe(false);
  });

  it("is frequency-capped per browser and never shown twice in one visit", async () => {
    const first = await visit(PRODUCT_PATH, grace);
    await first.page.getByRole("dialog").waitFor();
    await first.page.keyboard.press("Escape");
    await expect(first.page.getByRole("dialog").count()).resolves.toBe(0);
    // A new visit (new tab) within the cap: nothing, and the proxy is not even asked.
    const second = await visit("/", grace, { clearCap: false });
    const asked: string[] = [];
    second.page.on("request", (request) => asked.push(new URL(request.url()).pathname));
    await second.page.reload();
    await second.page.waitForTimeout(2500);
    await expect(second.page.getByRole("dialog").count()).resolves.toBe(0);
    expect(asked.filter((p) => p.endsWith("/apps/keepsake/birthday"))).toEqual([]);
    const cap = await second.page.evaluate(() => Number(localStorage.getItem("keepsake:birthday:next")));
    expect(cap - Date.now()).toBeGreaterThan(13 * 86_400_000);
    expect(cap - Date.now()).toBeLessThanOrEqual(14 * 86_400_000);
    // The same visit as the first, even with the cap cleared: never twice.
    await first.page.evaluate(() => localStorage.clear());
    await first.page.goto(`${storefront.url}/`);
    await settled(first.page);
    await expect(first.page.getByRole("dialog").count()).resolves.toBe(0);
    // A new visit once the cap has passed: shown again.
    const third = await visit("/", grace);
    await third.page.getByRole("dialog").waitFor();
  });

  it("follows the merchant's frequency (1 day in the embed settings): hidden a day less a minute later, shown again after a day", async () => {
    const daily = await startFixture({ frequency_days: 1 });
    try {
      const cora = await member("Cora");
      const first = await visit("/", cora, { on: daily });
      await first.page.getByRole("dialog").waitFor();
      await first.page.keyboard.press("Escape");
      const shownAt = Date.now();
      const cap = await first.page.evaluate(() => Number(localStorage.getItem("keepsake:birthday:next")));
      expect(cap - shownAt).toBeGreaterThan(86_400_000 - 60_000);
      expect(cap - shownAt).toBeLessThanOrEqual(86_400_000);
      // The browser's clock a day less a minute later (new tab, a new visit): nothing, and the proxy is not asked.
      const early = await visit("/", cora, { on: daily, clearCap: false, at: new Date(shownAt + 86_400_000 - 60_000) });
      await settled(early.page);
      await early.page.waitForTimeout(2000);
      await expect(early.page.getByRole("dialog").count()).resolves.toBe(0);
      expect(early.requests.filter((p) => p.endsWith("/apps/keepsake/birthday"))).toEqual([]);
      // A day and a minute later: shown again (with 14 days, the default, it would still be hidden).
      const next = await visit("/", cora, { on: daily, clearCap: false, at: new Date(shownAt + 86_400_000 + 60_000) });
      await next.page.getByRole("dialog", { name: "When's your birthday?" }).waitFor();
    } finally {
      await daily.close();
    }
  });

  it("is keyboard-operable: focus moves in, Tab stays inside, Esc closes and focus returns to where the shopper was", async () => {
    const { page, release } = await visit("/", linus, { hold: true });
    // The shopper is on a link of the page when the pop-up opens.
    const shopLink = page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Shop" });
    await shopLink.focus();
    await shopLink.evaluate((link) => link.setAttribute("data-was-focused", ""));
    release();
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    await expect(page.evaluate(() => document.activeElement?.closest("[role=dialog]") !== null)).resolves.toBe(true);
    for (let i = 0; i < 12; i += 1) {
      await page.keyboard.press(i % 3 === 0 ? "Shift+Tab" : "Tab");
      await expect(page.evaluate(() => document.activeElement?.closest("[role=dialog]") !== null)).resolves.toBe(true);
    }
    await page.keyboard.press("Escape");
    await expect(dialog.count()).resolves.toBe(0);
    await expect(page.evaluate(() => document.activeElement?.hasAttribute("data-was-focused") ?? false)).resolves.toBe(true);
  });

  it("shows a member in their birthday window their gift (points), and a catalog gift with its code", async () => {
    await celebrateToday(joan);
    const { page } = await visit("/", joan);
    const dialog = page.getByRole("dialog", { name: "Happy birthday!" });
    await dialog.waitFor();
    await expect(dialog.textContent()).resolves.toContain("We've added 250 points to your account.");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await dialog.getByRole("button", { name: "Close" }).click();

    const reward = await createReward(SHOP, { kind: "amount_off", name: "$10 birthday treat", pointsCost: 1000, amount: "10.00" });
    if (!reward.ok) throw new Error(reward.issues.join("; "));
    await db.shop.update({ where: { domain: SHOP }, data: { birthdayRewardId: reward.id } });
    const rose = await member("Rose");
    await celebrateToday(rose);
    const code = (await db.redemption.findFirstOrThrow({ where: { member: { customerGid: rose.gid } } })).code;
    const second = await visit("/", rose);
    const gift = second.page.getByRole("dialog", { name: "Happy birthday!" });
    await gift.waitFor();
    await expect(gift.textContent()).resolves.toContain("Your birthday gift: $10 birthday treat");
    await expect(gift.locator("[data-keepsake-birthday-code]").textContent()).resolves.toBe(code);
    await gift.getByRole("link", { name: "Apply to cart" }).click();
    await second.page.getByTestId("cart-discount").waitFor();
    await expect(second.page.getByTestId("cart-discount").textContent()).resolves.toContain(code ?? "missing");
    await db.shop.update({ where: { domain: SHOP }, data: { birthdayRewardId: null } });
  });

  it("speaks Korean on the ko storefront", async () => {
    const hana = await member("Hana");
    const { page } = await visit("/ko/", hana);
    const dialog = page.getByRole("dialog", { name: "생일이 언제인가요?" });
    await dialog.waitFor();
    await expect(dialog.getByRole("button", { name: "생일 저장" }).count()).resolves.toBe(1);
    await expect(dialog.getByLabel("월").count()).resolves.toBe(1);
    await expect(dialog.locator("[data-keepsake-birthday-rules]").textContent()).resolves.toBe(
      "생일 30일 전보다 늦게 등록하면 선물은 다음 해부터 드려요. 생일은 365일에 한 번 바꿀 수 있어요.",
    );
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it("explains the rules with the merchant's values, leaving out a rule set to 0", async () => {
    await db.shop.update({ where: { domain: SHOP }, data: { birthdayMinLeadDays: 0, birthdayChangeCooldownDays: 90 } });
    try {
      const { page } = await visit("/", await member("Ines"));
      const dialog = page.getByRole("dialog", { name: "When's your birthday?" });
      await dialog.waitFor();
      await expect(dialog.locator("[data-keepsake-birthday-rules]").textContent()).resolves.toBe("You can change your birthday once every 90 days.");
      await db.shop.update({ where: { domain: SHOP }, data: { birthdayMinLeadDays: 12, birthdayChangeCooldownDays: 0 } });
      const other = await visit("/", await member("Otto"));
      const invite = other.page.getByRole("dialog", { name: "When's your birthday?" });
      await invite.waitFor();
      await expect(invite.locator("[data-keepsake-birthday-rules]").textContent()).resolves.toBe(
        "Birthdays entered less than 12 days before the date get their gift from next year.",
      );
      await expect(invite.textContent()).resolves.not.toMatch(/\b0 days/);
      await db.shop.update({ where: { domain: SHOP }, data: { birthdayMinLeadDays: 0 } });
      const none = await visit("/", await member("Pia"));
      await none.page.getByRole("dialog", { name: "When's your birthday?" }).waitFor();
      await expect(none.page.locator("[data-keepsake-birthday-rules]").count()).resolves.toBe(0);
    } finally {
      await db.shop.update({ where: { domain: SHOP }, data: { birthdayMinLeadDays: 30, birthdayChangeCooldownDays: 365 } });
    }
  });

  it("shows guests nothing unless the merchant invites them to join", async () => {
    const quiet = await visit("/", null);
    await settled(quiet.page);
    await expect(quiet.page.getByRole("dialog").count()).resolves.toBe(0);
    await db.shop.update({ where: { domain: SHOP }, data: { birthdayPopupGuests: true } });
    const invited = await visit("/", null);
    const dialog = invited.page.getByRole("dialog", { name: "A gift on your birthday" });
    await dialog.waitFor();
    await expect(dialog.getByRole("link", { name: "Join now" }).getAttribute("href")).resolves.toBe("/account/register");
    expect(await seriousAxeViolations(invited.page)).toEqual([]);
  });
});
