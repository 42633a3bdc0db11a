/**
 * The embedded admin in Korean (Shopify opens the app with the staff member's language as `?locale=`,
 * app/routes/app.tsx reads it), in the offline demo driven by headless Chromium: every main admin page
 * shows no English interface text — a heuristic over the frame's visible text and its labels that
 * ignores data (names, emails, codes, order numbers, currency codes, product and brand names) — and a
 * validation error from the server shows in Korean next to its field. The same heuristic run on the
 * English admin must find English, so it cannot pass by finding nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Frame, Page } from "playwright-core";
import { requireChromium } from "../support/chromium";
import { startDemoInBrowser } from "../support/demo-process";

requireChromium();

/** The admin pages a staff member opens, with the Korean title each must show. */
const PAGES: [path: string, title: string][] = [
  ["/app", "대시보드"],
  ["/app/program", "프로그램"],
  ["/app/rewards", "리워드"],
  ["/app/rewards/new", "새 리워드"],
  ["/app/members", "회원"],
  ["/app/analytics", "분석"],
  ["/app/settings", "설정"],
  ["/app/tiers", "VIP 등급"],
  ["/app/campaigns", "보너스 캠페인"],
  ["/app/campaigns/new", "새 캠페인"],
  ["/app/expiry", "포인트 소멸"],
  ["/app/birthdays", "생일"],
  ["/app/earn", "적립 방법"],
  ["/app/referrals", "추천"],
  ["/app/segments", "세그먼트"],
  ["/app/import", "가져오기 및 내보내기"],
  ["/app/widget", "스토어 위젯"],
  ["/app/audit", "감사 로그"],
];

/**
 * Latin words that are data or names in any language: brands and formats, the demo store's own data
 * (customers, products, rewards, tiers) and placeholders of technical fields.
 */
const NOT_UI = [
  /“[^”]*”|"[^"]*"/g, // quoted literals: what to type, keys, examples
  /\bAda Lovelace\b/g, // the example person of the members search help
  /\bX-[\w-]+/g, // HTTP header names (before the brand names inside them)
  /\S+@\S+/g, // emails
  /\b(?:https?|gid):\/\/\S+/g, // links and Shopify ids
  /#\d+/g, // order numbers
  /\b[A-Z]{2,}-[A-Z0-9-]+\b/g, // reward and referral codes (KS-…, KR-…)
  /\b[A-Z]{2,5}\b/g, // currency codes and acronyms (USD, POS, CSV, VIP, RFM, ID, JSON, GID, API, ASCII)
  /\b(?:Keepsake|Shopify|Polaris|Smile\.io|LoyaltyLion|Flow|ProductVariant|Customer|Instagram|Facebook|TikTok|Twitter|Pinterest|YouTube|X)\b/g,
  /\b(?:YYYY-MM-DD|yyyy-mm-dd|customer_id|kp_ref|keepsake-\S+)/g,
  /\b(?:Bronze|Silver|Gold)\b/g, // the demo ladder's tier names (merchant data)
  /\b[A-Z][a-z]+\/[A-Za-z_]+\b/g, // the shop's time zone (America/Toronto)
  /\b[a-z]+(?:_[a-z]+)+\b/g, // field and column names (customer_id, event_id, points_balance)
  /\.csv\b/g,
  /\b(?:README|curl|base64|email|English|Français|Deutsch|Español)\b/g, // file and tool names; languages in their own names
];

/** The frame's visible text nodes and labels that still hold Latin words after data is taken out. */
async function englishLeftovers(frame: Frame, data: readonly string[]): Promise<string[]> {
  const texts = await frame.evaluate(() => {
    const out: string[] = [];
    const visible = (element: Element) =>
      (element as HTMLElement & { checkVisibility?: () => boolean }).checkVisibility?.() ?? true;
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || ["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE"].includes(parent.tagName) || !visible(parent)) continue;
      const text = node.textContent?.trim();
      if (text) out.push(text);
    }
    for (const element of document.body.querySelectorAll("[aria-label], [title], [placeholder], [alt]")) {
      if (!visible(element)) continue;
      for (const name of ["aria-label", "title", "placeholder", "alt"]) {
        const value = element.getAttribute(name)?.trim();
        if (value) out.push(value);
      }
    }
    for (const input of document.body.querySelectorAll<HTMLInputElement>("input[type=submit], input[type=button]")) out.push(input.value);
    return out;
  });
  const leftovers = new Set<string>();
  for (const text of texts) {
    let rest = text;
    for (const item of data) rest = rest.split(item).join(" ");
    for (const pattern of NOT_UI) rest = rest.replace(pattern, " ");
    if (/[A-Za-z]{2,}/.test(rest)) leftovers.add(text);
  }
  return [...leftovers];
}

describe("the admin in Korean", () => {
  let appPort: number;
  let context: BrowserContext;
  let close: (() => Promise<void>) | undefined;
  let adminOrigin: string | undefined;

  beforeAll(async () => {
    ({ appPort, context, close } = await startDemoInBrowser("admin-korean-e2e", { width: 1280, height: 900 }));
  });

  afterAll(() => close?.());

  /**
   * Opens `path` in the demo's admin frame as Shopify would for a staff member whose admin language is
   * `locale`: the stand-in's admin (`/admin?locale=`) puts it in the app's URL with a fresh session token.
   */
  async function openAdmin(page: Page, path: string, locale: "ko" | "en"): Promise<Frame> {
    if (!adminOrigin) {
      await page.goto(`http://localhost:${appPort}/`); // the app's root redirects to the stand-in's admin
      adminOrigin = new URL(page.url()).origin;
    }
    await page.goto(`${adminOrigin}/admin?${new URLSearchParams({ locale, path })}`);
    const iframe = page.locator("iframe#app-iframe");
    await iframe.waitFor();
    expect(new URL((await iframe.getAttribute("src"))!).searchParams.get("locale")).toBe(locale);
    const frame = await (await iframe.elementHandle())!.contentFrame();
    if (!frame) throw new Error("no app frame");
    return frame;
  }

  async function waitForTitle(frame: Frame, title: string): Promise<void> {
    await frame.getByRole("heading", { level: 1, name: title, exact: true }).waitFor({ timeout: 15_000 });
    await frame.getByTestId("page-skeleton").waitFor({ state: "detached", timeout: 20_000 });
  }

  /** The demo's own data on a list page (member or reward names), which stays as the merchant wrote it. */
  async function linkTexts(frame: Frame, href: string): Promise<string[]> {
    return (await frame.locator(`a[href*="${href}"]`).allTextContents()).map((text) => text.trim()).filter(Boolean);
  }

  it("finds the English of the English admin (the heuristic can fail)", async () => {
    const page = await context.newPage();
    const frame = await openAdmin(page, "/app", "en");
    await waitForTitle(frame, "Dashboard");
    const leftovers = await englishLeftovers(frame, []);
    expect(leftovers).toContain("Program status");
    expect(leftovers).toContain("Points outstanding");
    await page.close();
  });

  it("shows every main admin page without English interface text", async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));

    // The demo's data — member and reward names — as the lists show them.
    let frame = await openAdmin(page, "/app/members", "ko");
    await waitForTitle(frame, "회원");
    await frame.getByTestId("member-balance").first().waitFor();
    const names = await linkTexts(frame, "/app/members/");
    expect(names.length).toBeGreaterThan(0);
    const firstMember = await frame.locator('a[href*="/app/members/"]').first().getAttribute("href");
    frame = await openAdmin(page, "/app/rewards", "ko");
    await waitForTitle(frame, "리워드");
    const rewardNames = await linkTexts(frame, "/app/rewards/");
    expect(rewardNames.length).toBeGreaterThan(0);
    const data = [...names, ...rewardNames].sort((a, b) => b.length - a.length);

    const found: Record<string, string[]> = {};
    const pageErrors: Record<string, string[]> = {};
    const pages: [string, string][] = [...PAGES, [new URL(firstMember!, "http://x").pathname, names[0]!]];
    for (const [path, title] of pages) {
      frame = await openAdmin(page, path, "ko");
      const titled = await waitForTitle(frame, title).then(
        () => [],
        () => [`(no heading "${title}")`],
      );
      await frame.waitForLoadState("networkidle");
      const leftovers = await englishLeftovers(frame, data);
      if (titled.length + leftovers.length > 0) found[path] = [...titled, ...leftovers];
      // Uncaught errors of this page (a hydration error means server and browser wrote different text).
      const thrown = errors.splice(0);
      if (thrown.length > 0) pageErrors[path] = [...new Set(thrown)];
    }
    expect(found).toEqual({});
    expect(pageErrors).toEqual({});
  }, 240_000); // 19 pages, each a full load with a fresh session token

  it("shows a validation error from the server and a page's 404 in Korean", async () => {
    const page = await context.newPage();
    const frame = await openAdmin(page, "/app/program", "ko");
    await waitForTitle(frame, "프로그램");
    const rate = frame.getByLabel(/당 포인트/);
    await rate.fill("0");
    await page.locator("#savebar").locator("button", { hasText: "저장" }).click();
    await frame.getByText("0보다 커야 합니다").waitFor(); // the server's "Must be more than 0"
    await expect(frame.getByText("Must be more than 0").count()).resolves.toBe(0);
    await page.locator("#toasts .toast", { hasText: "표시된 항목을 고친 후 다시 저장하세요." }).waitFor();

    await rate.fill("abc");
    await page.locator("#savebar").locator("button", { hasText: "저장" }).click();
    await frame.getByText("1 또는 0.5 같은 숫자를 입력하세요").waitFor();

    // A page's 404 (an unknown reward id) reads in Korean too.
    const missing = await openAdmin(page, "/app/rewards/no-such-reward", "ko");
    await missing.getByRole("alert").filter({ hasText: "찾을 수 없음" }).waitFor();
    await page.close();
  });
});
