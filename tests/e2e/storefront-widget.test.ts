/**
 * The storefront widget in headless Chromium: the real theme app extension rendered by the fixture storefront
 * (scripts/storefront/server.ts), whose app proxy signs each request like Shopify and hands it to the real
 * route modules (app/routes/proxy.*.tsx) on this file's migrated test database. Shopify's Admin API is the
 * tests' stand-in (discount codes are created there and validated against the 2026-07 schema).
 * Nothing leaves the machine: every request not on loopback is aborted.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import db from "~/db.server";
import type { RewardInput } from "~/loyalty/rewards";
import { localDateTimeOf } from "~/loyalty/schedule";
import { createReward } from "~/loyalty/services/redemptions.server";
import { EarnActionInput } from "~/loyalty/earn-actions";
import { saveEarnActions } from "~/loyalty/services/earn-actions.server";
import { updateExpirySettings } from "~/loyalty/services/expiry.server";
import { APP_SECRET, deliver, installShop } from "../support/app";
import { launchOfflineChromium, requireChromium } from "../support/chromium";
import { resetDatabase } from "../support/database";
import { createAdminApiStandIn, installAdminApiFetch, type AdminApiFetchHandle, type AdminApiStandIn } from "../support/shopify/admin-graphql";
import { signedAppProxyRequest } from "../support/shopify/app-proxy";
import { customerPayload, paidOrderPayload } from "../support/shopify/payloads";
import { forwardInProcess } from "../support/storefront/forward-in-process";
import { FIXTURE_PRODUCT, FIXTURE_SHOP } from "../../scripts/storefront/fixtures";
import { startStorefront, type Storefront } from "../../scripts/storefront/server";
import type { FixtureCustomer } from "../../scripts/storefront/render";
import type { MemberResponse } from "~/loyalty/storefront-contract";

const SHOP = FIXTURE_SHOP.domain;
const APP_URL = "https://keepsake.test";
const PRODUCT_PATH = `/products/${FIXTURE_PRODUCT.handle}`;
const [SMALL, LARGE] = FIXTURE_PRODUCT.variants as [(typeof FIXTURE_PRODUCT.variants)[0], (typeof FIXTURE_PRODUCT.variants)[0]];
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

requireChromium();

let storefront: Storefront;
let context: BrowserContext;
let workDir: string;
let shopify: AdminApiStandIn;
let adminFetch: AdminApiFetchHandle;
const customers: FixtureCustomer[] = [];
const rewardIds: Record<string, string> = {};

/** A reward as the merchant creates it (the app's service, with its validation). */
async function addReward(input: RewardInput): Promise<string> {
  const created = await createReward(SHOP, input);
  if (!created.ok) throw new Error(`bad reward fixture: ${created.issues.join("; ")}`);
  return created.id;
}

/** A customer account with points from real webhooks: signup bonus + one paid order. */
async function member(firstName: string, orderTotal: string): Promise<FixtureCustomer> {
  const customer = customerPayload({ firstName, email: `${firstName.toLowerCase()}@example.com` });
  await deliver("customers/create", customer);
  await deliver("orders/paid", paidOrderPayload({ customer, lines: [{ title: "Mug", price: orderTotal, quantity: 1 }] }));
  const fixture: FixtureCustomer = { id: String(customer.id), firstName, email: customer.email ?? "", balance: null };
  customers.push(fixture);
  return fixture;
}

async function balanceOf(customer: FixtureCustomer): Promise<number | null> {
  const row = await db.member.findFirst({ where: { customerGid: `gid://shopify/Customer/${customer.id}`, shop: { domain: SHOP } } });
  return row?.balance ?? null;
}

/** What the shopper's browser would get from /apps/keepsake/member, asked directly of the route. */
async function memberJson(customerId: string): Promise<MemberResponse> {
  const response = await forwardInProcess(signedAppProxyRequest({ shop: SHOP, loggedInCustomerId: customerId, path: "/member", secret: APP_SECRET(), appUrl: APP_URL }));
  return (await response.json()) as MemberResponse;
}

async function openPage(urlPath: string, customer: FixtureCustomer | null): Promise<{ page: Page; errors: string[] }> {
  storefront.logIn(customer?.id ?? null);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  await page.goto(`${storefront.url}${urlPath}`);
  return { page, errors };
}

async function openPanel(page: Page) {
  await page.locator("#keepsake-launcher").click();
  const dialog = page.getByRole("dialog");
  await dialog.waitFor();
  // The proxy's answer replaces the first paint: wait until the loading status is gone.
  await dialog.locator(".ks-panel__body [role=status]", { hasText: /Loading|불러오는/ }).waitFor({ state: "detached" });
  return dialog;
}

/** axe-core's serious and critical findings inside `selector` (the open panel, or the closed launcher). */
async function seriousAxeViolations(page: Page, selector = "#keepsake-panel") {
  // Mid-animation (the panel fades in) axe measures half-transparent text: a contrast failure that
  // no shopper sees. Check the panel as it settles.
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

// One story, in order: Ada's balance is 186 until the redeem test spends 100 of it; later tests expect 86.
describe("storefront widget (theme app extension) in Chromium", () => {
  let ada: FixtureCustomer;
  let grace: FixtureCustomer;
  let linus: FixtureCustomer;
  let margaret: FixtureCustomer;

  beforeAll(async () => {
    shopify = createAdminApiStandIn();
    adminFetch = installAdminApiFetch(shopify, { passthrough: true }); // only Admin API calls are answered by it
    await resetDatabase(db);
    await installShop(SHOP, { signupBonusPoints: 50, earnRate: "1" });
    rewardIds.five = await addReward({ kind: "amount_off", name: "$5 off your order", pointsCost: 100, amount: "5.00" });
    rewardIds.fifty = await addReward({ kind: "amount_off", name: "$50 off your order", pointsCost: 5000, amount: "50.00", minimumSubtotal: "100.00" });
    rewardIds.sliding = await addReward({
      kind: "sliding_scale",
      name: "Points off your order",
      sliding: { pointsPerStep: 100, amountPerStep: "1.00", minPoints: 100, maxPoints: 1000 },
    });
    ada = await member("Ada", "136.00"); // 50 + 136 = 186 points
    grace = await member("Grace", "100.00"); // 150 points
    linus = await member("Linus", "136.00"); // 186 points, for the Korean storefront
    margaret = await member("Margaret", "100.00"); // 150 points, for the German storefront

    workDir = mkdtempSync(path.join(tmpdir(), "keepsake-storefront-e2e-"));
    storefront = await startStorefront({
      shop: FIXTURE_SHOP,
      products: [FIXTURE_PRODUCT],
      customers,
      // The app-data metafields as the app publishes them: the earn rate and the program a guest sees.
      appData: async () => ({ earnRate: "1", program: (await memberJson("")).program }),
      balanceOf, // the app-owned balance metafield, as the app's sync writes it
      forward: forwardInProcess,
      secret: APP_SECRET(),
      appUrl: APP_URL,
    });
    context = await launchOfflineChromium(path.join(workDir, "profile"), {
      viewport: { width: 1280, height: 860 },
      permissions: ["clipboard-read", "clipboard-write"],
    });
  });

  afterAll(async () => {
    await context?.close();
    await storefront?.close();
    adminFetch?.restore();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it("guest: the panel loads only on first open, then explains the program with join and sign-in links", async () => {
    const { page, errors } = await openPage(PRODUCT_PATH, null);
    const scripts: string[] = [];
    page.on("request", (request) => scripts.push(new URL(request.url()).pathname));
    await page.waitForLoadState("load");
    expect(scripts.some((url) => url.endsWith("/keepsake-panel.js"))).toBe(false);
    await expect(page.locator("#keepsake-launcher").textContent()).resolves.toContain("Rewards");
    await expect(page.locator("[data-keepsake-balance]").count()).resolves.toBe(0);

    const dialog = await openPanel(page);
    expect(scripts.filter((url) => url.endsWith("/keepsake-panel.js"))).toHaveLength(1);
    await expect(dialog.getAttribute("aria-modal")).resolves.toBe("true");
    await expect(page.getByRole("dialog", { name: "Rewards" }).count()).resolves.toBe(1);
    const text = await dialog.textContent();
    expect(text).toContain("How it works");
    expect(text).toContain("1 point for every $1.00 spent");
    expect(text).toContain("50 points for creating an account");
    expect(text).toContain("$5 off your order");
    expect(text).toContain("On orders of $100.00 or more");
    await expect(dialog.getByRole("link", { name: "Join now" }).getAttribute("href")).resolves.toBe("/account/register");
    await expect(dialog.getByRole("link", { name: "Sign in" }).getAttribute("href")).resolves.toBe("/account/login");
    await expect(dialog.getByRole("button", { name: "Redeem" }).count()).resolves.toBe(0);
    expect(storefront.proxied.at(-1)).toEqual({ method: "GET", path: "/apps/keepsake/member", status: 200 });
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("member: the first paint shows the balance without a request; the panel shows rewards, history and no layout shift", async () => {
    const before = storefront.proxied.length;
    const { page, errors } = await openPage(PRODUCT_PATH, ada);
    await page.waitForLoadState("load");
    await expect(page.locator("[data-keepsake-balance]").textContent()).resolves.toBe("186");
    await expect(page.getByRole("button", { name: "Rewards 186" }).getAttribute("aria-describedby")).resolves.toBe("keepsake-launcher-description");
    await expect(page.locator("#keepsake-launcher-description").textContent()).resolves.toBe("Your balance: 186 points");
    expect(storefront.proxied.length).toBe(before); // first paint came from Liquid
    const layoutShift = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          let total = 0;
          new PerformanceObserver((list) => {
            for (const entry of list.getEntries() as Array<PerformanceEntry & { value: number; hadRecentInput: boolean }>) {
              if (!entry.hadRecentInput) total += entry.value;
            }
          }).observe({ type: "layout-shift", buffered: true });
          setTimeout(() => resolve(total), 300);
        }),
    );
    expect(layoutShift).toBe(0);
    expect(await seriousAxeViolations(page, "#keepsake-root")).toEqual([]); // the closed launcher

    const dialog = await openPanel(page);
    await expect(dialog.locator("[data-keepsake-panel-balance]").textContent()).resolves.toBe("186");
    const five = dialog.locator(`[data-reward-id="${rewardIds.five}"]`);
    await expect(five.getByRole("button", { name: "Redeem" }).count()).resolves.toBe(1);
    await expect(dialog.locator(`[data-reward-id="${rewardIds.fifty}"]`).textContent()).resolves.toContain("4,814 points more to unlock");
    const activity = await dialog.locator(".ks-activity").textContent();
    expect(activity).toContain("Points for an order");
    expect(activity).toContain("+136");
    expect(activity).toContain("Welcome bonus");
    expect(activity).toContain("+50");
    // Sliding scale: a stepper bounded by the balance (186 → at most 100 points, one step).
    const stepper = dialog.locator(`[data-reward-id="${rewardIds.sliding}"] input[type=number]`);
    await expect(stepper.getAttribute("max")).resolves.toBe("100");
    await expect(dialog.locator(`[data-reward-id="${rewardIds.sliding}"]`).textContent()).resolves.toContain("100 points for $1.00 off");
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("redeem: the button is disabled in flight, the code is shown and applies to the cart, the balance drops", async () => {
    const { page, errors } = await openPage(PRODUCT_PATH, ada);
    // Hold the redeem request a moment so the in-flight state can be seen.
    await page.route("**/apps/keepsake/redeem", async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      await route.continue();
    });
    const dialog = await openPanel(page);
    const redeem = dialog.locator(`[data-reward-id="${rewardIds.five}"]`).getByRole("button");
    await redeem.click();
    await expect(redeem.isDisabled()).resolves.toBe(true);
    await expect(redeem.textContent()).resolves.toBe("Redeeming…");

    const code = dialog.locator("[data-keepsake-new-code]");
    await code.waitFor();
    const value = (await code.textContent()) ?? "";
    expect(value).toMatch(/^KS-/);
    await page.screenshot({ path: "/tmp/keepsake-storefront-redeemed.png" });
    await expect(dialog.locator(".ks-notice").textContent()).resolves.toContain("Your code for $5 off your order");
    await expect(dialog.locator("[data-keepsake-panel-balance]").textContent()).resolves.toBe("86");
    await expect(page.locator("[data-keepsake-balance]").textContent()).resolves.toBe("86");
    expect(await balanceOf(ada)).toBe(86);
    expect([...shopify.discounts.values()].map((discount) => discount.code)).toContain(value);
    const post = storefront.proxied.find((entry) => entry.method === "POST");
    expect(post).toEqual({ method: "POST", path: "/apps/keepsake/redeem", status: 200 });

    // The issued code: Copy puts it on the clipboard; "Apply to cart" goes through /discount/CODE.
    const issued = dialog.locator(".ks-code", { hasText: value });
    await issued.getByRole("button", { name: `Copy ${value}` }).click();
    await expect.poll(() => issued.locator(".ks-code__status").textContent()).toBe("Copied!"); // the clipboard is async
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(value);
    await expect(issued.getByRole("link", { name: "Apply to cart" }).getAttribute("href")).resolves.toBe(
      `/discount/${encodeURIComponent(value)}?redirect=%2Fcart`,
    );
    expect(await seriousAxeViolations(page)).toEqual([]);
    await issued.getByRole("link", { name: "Apply to cart" }).click();
    await page.waitForURL(/\/cart\?discount=/);
    await expect(page.getByTestId("cart-discount").textContent()).resolves.toContain(value);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("not enough points: the contract's error code is shown as a translated message, and the panel catches up", async () => {
    const { page, errors } = await openPage(PRODUCT_PATH, grace);
    const dialog = await openPanel(page);
    const five = dialog.locator(`[data-reward-id="${rewardIds.five}"]`);
    await five.getByRole("button", { name: "Redeem" }).waitFor();
    // Meanwhile Grace spends 100 of her 150 points from another device.
    const elsewhere = await forwardInProcess(
      signedAppProxyRequest({
        shop: SHOP,
        loggedInCustomerId: grace.id,
        path: "/redeem",
        method: "POST",
        body: { rewardId: rewardIds.five, requestId: "other-device-0001" },
        secret: APP_SECRET(),
        appUrl: APP_URL,
      }),
    );
    expect(elsewhere.status).toBe(200);
    await five.getByRole("button", { name: "Redeem" }).click();
    const alert = dialog.getByRole("alert");
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toBe("You don't have enough points for this reward yet.");
    // The panel then asks the proxy again (the balance changed elsewhere) and shows what is true now.
    await expect.poll(() => five.textContent()).toContain("50 points more to unlock");
    await expect.poll(() => dialog.locator("[data-keepsake-panel-balance]").textContent()).toBe("50");
    await expect(alert.textContent()).resolves.toBe("You don't have enough points for this reward yet.");
    expect(await balanceOf(grace)).toBe(50);
    expect(errors.filter((error) => !/409/.test(error))).toEqual([]); // the browser logs the 409 itself
    await page.close();
  });

  it("Shopify refuses the code: the saga restores the points and the German storefront says so", async () => {
    const { page, errors } = await openPage(`/de${PRODUCT_PATH}`, margaret);
    const dialog = await openPanel(page);
    shopify.userErrorsNext("discountCodeBasicCreate", [{ field: ["basicCodeDiscount", "startsAt"], message: "Starts at is invalid", code: "INVALID" }]);
    await dialog.locator(`[data-reward-id="${rewardIds.five}"]`).getByRole("button", { name: "Einlösen" }).click();
    const alert = dialog.getByRole("alert");
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toBe(
      "Dein Code kann gerade nicht erstellt werden. Deine Punkte wurden nicht abgebucht; bitte versuche es erneut.",
    );
    await expect(dialog.locator("[data-keepsake-panel-balance]").textContent()).resolves.toBe("150");
    expect(await balanceOf(margaret)).toBe(150);
    expect(storefront.proxied.at(-1)).toEqual({ method: "POST", path: "/apps/keepsake/redeem", status: 502 });
    // The button is back, and a second try (a new request id) succeeds.
    await dialog.locator(`[data-reward-id="${rewardIds.five}"]`).getByRole("button", { name: "Einlösen" }).click();
    await dialog.locator("[data-keepsake-new-code]").waitFor();
    await expect(dialog.locator("[data-keepsake-panel-balance]").textContent()).resolves.toBe("50");
    expect(errors.filter((error) => !/502/.test(error))).toEqual([]); // the browser logs the 502 itself
    await page.close();
  });

  it("keyboard only: Tab reaches the launcher, Enter opens, focus stays in the panel, Esc closes and returns focus", async () => {
    const { page, errors } = await openPage(PRODUCT_PATH, ada);
    await page.emulateMedia({ reducedMotion: "reduce" });
    let onLauncher = false;
    for (let presses = 0; presses < 40 && !onLauncher; presses++) {
      await page.keyboard.press("Tab");
      onLauncher = await page.evaluate(() => document.activeElement?.id === "keepsake-launcher");
    }
    expect(onLauncher).toBe(true);
    const outline = await page.locator("#keepsake-launcher").evaluate((element) => getComputedStyle(element).outlineStyle);
    expect(outline).not.toBe("none"); // visible focus

    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    await dialog.locator("[data-keepsake-panel-balance]").waitFor();
    await dialog.locator(".ks-panel__body [role=status]", { hasText: "Loading" }).waitFor({ state: "detached" });
    const inside = () => page.evaluate(() => Boolean(document.activeElement?.closest("#keepsake-panel")));
    expect(await inside()).toBe(true);
    await expect(page.locator("#keepsake-launcher").getAttribute("aria-expanded")).resolves.toBe("true");
    // Reduced motion: no entrance animation.
    await expect(dialog.evaluate((element) => getComputedStyle(element).animationName)).resolves.toBe("none");

    const controls = "a[href], button:not([disabled]), input:not([disabled])";
    const focusableCount = await dialog.locator(controls).count();
    const visited = new Set<number>();
    for (let presses = 0; presses < focusableCount + 3; presses++) {
      await page.keyboard.press("Tab");
      expect(await inside()).toBe(true);
      visited.add(
        await dialog.evaluate((panel, selector) => Array.from(panel.querySelectorAll(selector)).indexOf(document.activeElement as Element), controls),
      );
    }
    expect(visited.has(-1)).toBe(false);
    expect(visited.size).toBe(focusableCount); // it cycled through every control and wrapped around
    await page.keyboard.press("Shift+Tab");
    expect(await inside()).toBe(true);

    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe("keepsake-launcher");
    await expect(page.locator("#keepsake-launcher").getAttribute("aria-expanded")).resolves.toBe("false");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("Korean storefront: the launcher, the product block and the panel speak Korean", async () => {
    const { page, errors } = await openPage(`/ko${PRODUCT_PATH}`, linus);
    await expect(page.locator("html").getAttribute("lang")).resolves.toBe("ko");
    await expect(page.locator("#keepsake-launcher").textContent()).resolves.toContain("리워드");
    await expect(page.locator("[data-keepsake-points-text]").textContent()).resolves.toBe("이 상품 구매 시 18포인트 적립");
    const dialog = await openPanel(page);
    await expect(page.getByRole("dialog", { name: "리워드" }).count()).resolves.toBe(1);
    const text = await dialog.textContent();
    expect(text).toContain("내 포인트");
    expect(text).toContain("최근 내역");
    expect(text).toContain("주문 적립");
    expect(text).toContain("가입 보너스");
    expect(text).toContain("회원 가입 시 50포인트");
    await expect(dialog.getByRole("button", { name: "닫기" }).count()).resolves.toBe(1);
    // The sliding scale: the stepper's points go in the request; the answer is shown in Korean.
    const sliding = dialog.locator(`[data-reward-id="${rewardIds.sliding}"]`);
    await expect(sliding.getByRole("spinbutton", { name: "사용할 포인트" }).inputValue()).resolves.toBe("100");
    await expect(sliding.textContent()).resolves.toContain("100포인트로 US$1.00 할인");
    await sliding.getByRole("button", { name: "교환하기" }).click();
    await dialog.locator("[data-keepsake-new-code]").waitFor();
    await expect(dialog.locator(".ks-notice").textContent()).resolves.toContain("Points off your order 할인 코드");
    await expect(dialog.locator("[data-keepsake-panel-balance]").textContent()).resolves.toBe("86");
    const redemption = await db.redemption.findFirst({ where: { rewardId: rewardIds.sliding }, select: { pointsSpent: true, amount: true, status: true } });
    expect(redemption).toMatchObject({ pointsSpent: 100, status: "issued" });
    expect(Number(redemption?.amount)).toBe(1); // one step of $1.00
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("product block: points for the selected variant, updated when the shopper picks another", async () => {
    const { page, errors } = await openPage(PRODUCT_PATH, null);
    const points = page.locator("[data-keepsake-points-text]");
    await expect(points.textContent()).resolves.toBe("Earn 18 points with this purchase");
    await page.locator("#product-variant").selectOption(String(LARGE.id));
    await expect.poll(() => points.textContent()).toBe("Earn 68 points with this purchase");
    expect(new URL(page.url()).searchParams.get("variant")).toBe(String(LARGE.id));
    await page.locator("#product-variant").selectOption(String(SMALL.id));
    await expect.poll(() => points.textContent()).toBe("Earn 18 points with this purchase");

    // A link to a variant renders its points on the server already.
    await page.goto(`${storefront.url}${PRODUCT_PATH}?variant=${LARGE.id}`);
    await expect(points.textContent()).resolves.toBe("Earn 68 points with this purchase");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("rewards page: the program without login, and a working 'See my rewards' for members", async () => {
    const guest = await openPage("/pages/rewards", null);
    const section = guest.page.locator(".ks-page");
    await expect(section.textContent()).resolves.toContain("$5 off your order");
    await expect(section.getByRole("link", { name: "Join now" }).getAttribute("href")).resolves.toBe("/account/register");
    await guest.page.close();

    const { page, errors } = await openPage("/pages/rewards", ada);
    await expect(page.locator(".ks-page__balance").textContent()).resolves.toContain("You have 86 points.");
    const open = page.getByRole("button", { name: "See my rewards" });
    await open.click();
    await page.getByRole("dialog").waitFor();
    await page.keyboard.press("Escape");
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe("See my rewards");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("a running bonus campaign is listed under ways to earn, in the shopper's language", async () => {
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    const wall = (hours: number) => localDateTimeOf(new Date(Date.now() + hours * 3_600_000), shop.ianaTimezone).slice(0, 16);
    await db.campaign.create({
      data: { shopId: shop.id, name: "Double points weekend", startsAt: wall(-1), endsAt: wall(48), kind: "multiplier", value: "2" },
    });
    try {
      const { page, errors } = await openPage(`/ko${PRODUCT_PATH}`, linus);
      const dialog = await openPanel(page);
      await expect(dialog.locator(".ks-campaign").textContent()).resolves.toMatch(/^Double points weekend: .+까지 주문 포인트 2배$/);
      expect(await seriousAxeViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await db.campaign.deleteMany({ where: { shopId: shop.id } });
    }
  });
  it("ways to earn: a social action opens its page and awards once (then Done); the birthday form saves the date", async () => {
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    await saveEarnActions(
      shop.id,
      [
        EarnActionInput.parse({ kind: "social_follow", network: "instagram", url: "https://instagram.example/keepsake", label: "Follow us on Instagram", points: 40 }),
        EarnActionInput.parse({ kind: "review", label: "Review a product", points: 25 }),
      ],
      null,
    );
    await db.shop.update({ where: { id: shop.id }, data: { birthdayEnabled: true, birthdayRewardPoints: 300 } });
    try {
      const ida = await member("Ida", "10.00"); // 50 + 10 = 60 points
      const { page, errors } = await openPage(PRODUCT_PATH, ida);
      const dialog = await openPanel(page);
      const text = await dialog.textContent();
      expect(text).toContain("300 points on your birthday");
      expect(text).toContain("Review a product: 25 points");
      // The page opens in a new tab (offline here, so only its request is seen); the points follow.
      const opening = context.waitForEvent("request", (request) => request.url().startsWith("https://instagram.example/keepsake"));
      const popup = context.waitForEvent("page");
      await dialog.getByRole("button", { name: "Follow us on Instagram: Go" }).click();
      await opening;
      await (await popup).close().catch(() => undefined);
      await dialog.getByText("Thanks! 40 points added.").waitFor();
      await expect(page.locator("[data-keepsake-balance]").textContent()).resolves.toBe("100");
      await expect(dialog.locator(".ks-earn-action").first().textContent()).resolves.toContain("Done");

      await dialog.getByRole("button", { name: "Add your birthday" }).click();
      await dialog.getByLabel("Month", { exact: true }).selectOption("2");
      await dialog.getByLabel("Day", { exact: true }).selectOption("29");
      await dialog.getByRole("button", { name: "Save my birthday" }).click();
      await dialog.getByText(/Your birthday gift comes every year/).waitFor();
      await expect(dialog.textContent()).resolves.toContain("Your birthday: February 29");
      const row = await db.member.findFirstOrThrow({ where: { customerGid: `gid://shopify/Customer/${ida.id}` } });
      expect(row).toMatchObject({ birthdayMonth: 2, birthdayDay: 29, birthdayYear: null, balance: 100 });
      expect(await seriousAxeViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await db.earnAction.deleteMany({ where: { shopId: shop.id } });
      await db.shop.update({ where: { id: shop.id }, data: { birthdayEnabled: false } });
    }
  });

  it("birthday in the panel: the shop's rules explained, a change saved, a refused change says when (nothing changed); a rule at 0 unmentioned; Korean", async () => {
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    const rules = (birthdayMinLeadDays: number, birthdayChangeCooldownDays: number) =>
      db.shop.update({ where: { id: shop.id }, data: { birthdayEnabled: true, birthdayRewardPoints: 300, birthdayMinLeadDays, birthdayChangeCooldownDays } });
    const setBirthday = (customer: FixtureCustomer, data: { birthdayMonth?: number; birthdayDay?: number; birthdaySetAt?: Date; birthdayFirstYear?: number }) =>
      db.member.updateMany({ where: { shopId: shop.id, customerGid: `gid://shopify/Customer/${customer.id}` }, data });
    const storedBirthday = async (customer: FixtureCustomer) => {
      const row = await db.member.findFirstOrThrow({ where: { shopId: shop.id, customerGid: `gid://shopify/Customer/${customer.id}` } });
      return [row.birthdayMonth, row.birthdayDay];
    };
    const nextChangeOn = async (customer: FixtureCustomer) => {
      const view = await memberJson(customer.id);
      const on = view.enrolled ? view.birthdayRules?.nextChangeOn : null;
      if (!on) throw new Error("the member response has no next change date");
      return on;
    };
    const longDay = (locale: string, ymd: string) => new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: "UTC" }).format(new Date(`${ymd}T12:00:00Z`));
    await rules(10, 90);
    try {
      const kim = await member("Kim", "10.00");
      await setBirthday(kim, { birthdayMonth: 3, birthdayDay: 14, birthdaySetAt: new Date("2025-01-01T00:00:00Z"), birthdayFirstYear: 2025 });

      // Allowed: "Change" opens the form prefilled, with the rules; the new date is saved and shown.
      const { page, errors } = await openPage(PRODUCT_PATH, kim);
      const dialog = await openPanel(page);
      await expect(dialog.locator("#ks-bday-current").textContent()).resolves.toBe("Your birthday: March 14");
      await dialog.getByRole("button", { name: "Change" }).click();
      const day = dialog.getByLabel("Day", { exact: true });
      await expect(dialog.getByLabel("Month", { exact: true }).inputValue()).resolves.toBe("3");
      await expect(day.inputValue()).resolves.toBe("14");
      await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe("ks-bday-panel-month");
      await expect(dialog.locator("[data-keepsake-birthday-rules]").textContent()).resolves.toBe(
        "Birthdays entered less than 10 days before the date get their gift from next year. You can change your birthday once every 90 days.",
      );
      expect(await seriousAxeViolations(page)).toEqual([]);
      await day.selectOption("15");
      await dialog.getByRole("button", { name: "Save my birthday" }).click();
      await dialog.getByText(/Your birthday gift comes every year/).waitFor();
      await expect(dialog.locator("#ks-bday-current").textContent()).resolves.toBe("Your birthday: March 15");
      expect(await storedBirthday(kim)).toEqual([3, 15]);
      // Now inside the cooldown: the day a change is allowed again, no "Change".
      const again = await nextChangeOn(kim);
      await expect(dialog.locator('[data-key="birthday-next"]').textContent()).resolves.toBe(`You can change it again on ${longDay("en", again)}.`);
      await expect(dialog.getByRole("button", { name: "Change" }).count()).resolves.toBe(0);
      expect(errors).toEqual([]);
      await page.close();

      // Refused: the panel offered a change, but the birthday was changed meanwhile (another tab): the server's
      // refusal is shown under the fields with the date, nothing is saved, and Cancel shows that date.
      await setBirthday(kim, { birthdaySetAt: new Date("2025-01-01T00:00:00Z") });
      const second = await openPage(PRODUCT_PATH, kim);
      const panel = await openPanel(second.page);
      await panel.getByRole("button", { name: "Change" }).click();
      await setBirthday(kim, { birthdaySetAt: new Date() });
      const refusedUntil = await nextChangeOn(kim);
      await panel.getByLabel("Day", { exact: true }).selectOption("20");
      await panel.getByRole("button", { name: "Save my birthday" }).click();
      const refusal = panel.getByRole("alert");
      await refusal.waitFor();
      await expect(refusal.textContent()).resolves.toBe(`You can change your birthday again on ${longDay("en", refusedUntil)}.`);
      await expect(refusal.getAttribute("id")).resolves.toBe("ks-bday-panel-status");
      await expect(panel.getByLabel("Day", { exact: true }).getAttribute("aria-describedby")).resolves.toContain("ks-bday-panel-status");
      expect(await storedBirthday(kim)).toEqual([3, 15]);
      await panel.getByRole("button", { name: "Cancel" }).click();
      await expect(panel.locator('[data-key="birthday-next"]').textContent()).resolves.toBe(`You can change it again on ${longDay("en", refusedUntil)}.`);
      await expect(second.page.evaluate(() => document.activeElement?.getAttribute("data-key"))).resolves.toBe("birthday-next");
      expect(await seriousAxeViolations(second.page)).toEqual([]);
      // Chromium logs the refusal's 409 as a failed resource; nothing else may go wrong.
      expect(second.errors.filter((error) => !error.includes("status of 409"))).toEqual([]);
      await second.page.close();

      // A rule set to 0 is not mentioned (no "0 days"); one left alone reads on its own.
      const lee = await member("Lee", "10.00");
      const rulesShown = async (urlPath: string) => {
        const visit = await openPage(urlPath, lee);
        const form = await openPanel(visit.page);
        await form.getByRole("button", { name: /Add your birthday|생일 등록/ }).click();
        await form.locator("#ks-bday-panel-month").waitFor();
        const shown = await form.locator("[data-keepsake-birthday-rules]").allTextContents();
        expect(await form.textContent()).not.toMatch(/\b0 days/);
        expect(visit.errors).toEqual([]);
        await visit.page.close();
        return shown;
      };
      await rules(0, 1);
      expect(await rulesShown(PRODUCT_PATH)).toEqual(["You can change your birthday once a day."]);
      await rules(0, 0);
      expect(await rulesShown(PRODUCT_PATH)).toEqual([]);

      // Korean: the birthday, the day a change is allowed again, and the rules.
      await rules(10, 90);
      const korean = await openPage(`/ko${PRODUCT_PATH}`, kim);
      const hangul = await openPanel(korean.page);
      await expect(hangul.locator("#ks-bday-current").textContent()).resolves.toBe("내 생일: 3월 15일");
      await expect(hangul.locator('[data-key="birthday-next"]').textContent()).resolves.toBe(`${longDay("ko", refusedUntil)}부터 다시 바꿀 수 있어요.`);
      expect(await seriousAxeViolations(korean.page)).toEqual([]);
      await korean.page.close();
      expect(await rulesShown(`/ko${PRODUCT_PATH}`)).toEqual(["생일 10일 전보다 늦게 등록하면 선물은 다음 해부터 드려요. 생일은 90일에 한 번 바꿀 수 있어요."]);
    } finally {
      await db.shop.update({ where: { id: shop.id }, data: { birthdayEnabled: false, birthdayMinLeadDays: 30, birthdayChangeCooldownDays: 365 } });
    }
  });

  it("points expiring: the panel says how many points expire on which day, in the shopper's language", async () => {
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    await updateExpirySettings(SHOP, { mode: "inactivity", months: 12, reminderDays: [30, 3] });
    try {
      const view = await memberJson(grace.id);
      if (!view.enrolled || !view.expiry) throw new Error("the member response has no expiry notice");
      const { points, expiresOn } = view.expiry;
      const year = expiresOn.slice(0, 4);
      const english = await openPage(PRODUCT_PATH, grace);
      const dialog = await openPanel(english.page);
      const notice = dialog.locator("[data-keepsake-expiry]");
      await expect(notice.textContent()).resolves.toMatch(new RegExp(`^${points} points expire on .*${year}$`));
      expect(await seriousAxeViolations(english.page)).toEqual([]);
      expect(english.errors).toEqual([]);
      await english.page.close();

      const japanese = await openPage(`/ja${PRODUCT_PATH}`, grace);
      const panel = await openPanel(japanese.page);
      await expect(panel.locator("[data-keepsake-expiry]").textContent()).resolves.toMatch(new RegExp(`^${points}ポイントが${year}.*に失効します$`));
      expect(japanese.errors).toEqual([]);
      await japanese.page.close();
    } finally {
      await db.shop.update({ where: { id: shop.id }, data: { expiryMode: "off", expiryEnabledOn: null } });
    }
  });

  it("VIP tier: the panel shows the member's tier, perks and what is left to the next tier, in the shopper's language", async () => {
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    const customerGid = `gid://shopify/Customer/${grace.id}`;
    await db.tier.createMany({
      data: [
        { shopId: shop.id, handle: "bronze", name: "Bronze", position: 0, thresholdKind: "points_earned", thresholdValue: "0", qualificationPeriod: "lifetime", perks: "Members-only sales" },
        { shopId: shop.id, handle: "gold", name: "Gold", position: 1, thresholdKind: "points_earned", thresholdValue: "1000000", qualificationPeriod: "lifetime" },
      ],
    });
    await db.shop.update({ where: { id: shop.id }, data: { tiersEnabled: true } });
    await db.member.updateMany({ where: { shopId: shop.id, customerGid }, data: { tierHandle: "bronze", tierSince: "2026-01-01" } });
    try {
      const view = await memberJson(grace.id);
      if (!view.enrolled || !view.tier?.next) throw new Error("the member response has no tier progress");
      const english = await openPage(PRODUCT_PATH, grace);
      const dialog = await openPanel(english.page);
      const tier = dialog.locator('[data-keepsake-tier="bronze"]');
      await expect(tier.textContent()).resolves.toContain("Bronze member");
      await expect(tier.textContent()).resolves.toContain("Members-only sales");
      await expect(dialog.locator("[data-keepsake-tier-progress]").textContent()).resolves.toMatch(/^Earn [\d,]+ points more to reach Gold$/);
      expect(await seriousAxeViolations(english.page)).toEqual([]);
      expect(english.errors).toEqual([]);
      await english.page.close();

      const japanese = await openPage(`/ja${PRODUCT_PATH}`, grace);
      const panel = await openPanel(japanese.page);
      await expect(panel.locator("[data-keepsake-tier-progress]").textContent()).resolves.toMatch(/^あと.+でGold$/);
      expect(japanese.errors).toEqual([]);
      await japanese.page.close();
    } finally {
      await db.member.updateMany({ where: { shopId: shop.id, customerGid }, data: { tierHandle: null, tierSince: null } });
      await db.shop.update({ where: { id: shop.id }, data: { tiersEnabled: false } });
      await db.tier.deleteMany({ where: { shopId: shop.id } });
    }
  });
});
