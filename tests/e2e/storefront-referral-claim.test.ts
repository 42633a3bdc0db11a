/**
 * The referral claim flow in headless Chromium: a friend follows a member's link (`/?kp_ref=CODE`), the
 * app embed keeps the ref for the visit and opens the panel on the friend's offer, the friend enters an
 * email and gets their own single-use code (created in the Admin API stand-in). The member sees their
 * link with a copy button. The real theme app extension is rendered by the fixture storefront, whose app
 * proxy signs each request like Shopify (X-Forwarded-For included) and calls the real route modules.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext } from "playwright-core";
import db from "~/db.server";
import { createReward } from "~/loyalty/services/redemptions.server";
import { ensureReferralCode } from "~/loyalty/services/referrals.server";
import { ReferralSettingsInput, saveReferralSettings } from "~/loyalty/services/referrals-admin.server";
import { APP_SECRET, deliver, installShop, memberOf } from "../support/app";
import { launchOfflineChromium, requireChromium } from "../support/chromium";
import { resetDatabase } from "../support/database";
import { createAdminApiStandIn, installAdminApiFetch, type AdminApiFetchHandle, type AdminApiStandIn } from "../support/shopify/admin-graphql";
import { signedAppProxyRequest } from "../support/shopify/app-proxy";
import { customerPayload } from "../support/shopify/payloads";
import { openStorefrontPage, seriousAxeViolations } from "../support/storefront/browser";
import { forwardInProcess } from "../support/storefront/forward-in-process";
import { FIXTURE_PRODUCT, FIXTURE_SHOP } from "../../scripts/storefront/fixtures";
import { startStorefront, type Storefront } from "../../scripts/storefront/server";
import type { FixtureCustomer } from "../../scripts/storefront/render";
import type { MemberResponse } from "~/loyalty/storefront-contract";

const SHOP = FIXTURE_SHOP.domain;
const APP_URL = "https://keepsake.test";
const PRODUCT_PATH = `/products/${FIXTURE_PRODUCT.handle}`;

requireChromium();

let storefront: Storefront;
let context: BrowserContext;
let workDir: string;
let shopify: AdminApiStandIn;
let adminFetch: AdminApiFetchHandle;
let ada: FixtureCustomer;
let code: string;

async function memberJson(customerId: string): Promise<MemberResponse> {
  const response = await forwardInProcess(signedAppProxyRequest({ shop: SHOP, loggedInCustomerId: customerId, path: "/member", secret: APP_SECRET(), appUrl: APP_URL }));
  return (await response.json()) as MemberResponse;
}

const openPage = (urlPath: string, customer: FixtureCustomer | null) => openStorefrontPage(context, storefront, urlPath, customer);

describe("referral claim in the storefront widget (Chromium)", () => {
  beforeAll(async () => {
    shopify = createAdminApiStandIn();
    adminFetch = installAdminApiFetch(shopify, { passthrough: true });
    await resetDatabase(db);
    await installShop(SHOP, { signupBonusPoints: 50, earnRate: "1" });
    const friendReward = await createReward(SHOP, { kind: "amount_off", name: "$10 off your first order", pointsCost: 1, amount: "10.00" });
    if (!friendReward.ok) throw new Error(friendReward.issues.join("; "));
    // The merchant's settings, through the admin page's own validation and service.
    const settings = ReferralSettingsInput.parse({
      referralsEnabled: "true",
      referrerRewardType: "points",
      referrerRewardPoints: "500",
      referrerRewardId: "",
      friendRewardId: friendReward.id,
      referralPendingDays: "30",
      referralMonthlyCap: "10",
      referralIpClaimsPerDay: "5",
    });
    const saved = await saveReferralSettings(SHOP, settings, null);
    if (!saved.ok) throw new Error(JSON.stringify(saved.errors));

    const customer = customerPayload({ firstName: "Ada", email: "ada@example.com" });
    await deliver("customers/create", customer);
    const member = await memberOf(SHOP, customer.admin_graphql_api_id);
    if (!member) throw new Error("Ada not enrolled");
    code = await ensureReferralCode(member.shopId, member.id);
    ada = { id: String(customer.id), firstName: "Ada", email: "ada@example.com", balance: null };

    workDir = mkdtempSync(path.join(tmpdir(), "keepsake-referral-e2e-"));
    storefront = await startStorefront({
      shop: FIXTURE_SHOP,
      products: [FIXTURE_PRODUCT],
      customers: [ada],
      appData: async () => ({ earnRate: "1", program: (await memberJson("")).program }),
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

  it("a friend's kp_ref link opens the offer; an email gets their own single-use code; the ref is kept for the visit", async () => {
    const { page, errors } = await openPage(`/?kp_ref=${code}`, null);
    const dialog = page.getByRole("dialog", { name: "Rewards" });
    await dialog.waitFor(); // opened by the arrival through the link, no click
    const offer = dialog.getByRole("region", { name: "A gift from your friend" });
    await offer.waitFor();
    await expect(offer.textContent()).resolves.toContain("Your friend sent you $10 off your first order.");
    await expect(page.evaluate(() => sessionStorage.getItem("keepsake.ref"))).resolves.toBe(code);
    expect(await seriousAxeViolations(page)).toEqual([]);

    await offer.getByLabel("Your email").fill("new.friend@example.com");
    await offer.getByRole("button", { name: "Get my code" }).click();
    const friendCode = offer.locator("[data-keepsake-friend-code]");
    await friendCode.waitFor();
    const value = (await friendCode.textContent()) ?? "";
    expect(value).toMatch(/^KR-[A-HJ-NP-Z2-9]{12}$/);
    await expect(offer.textContent()).resolves.toContain("Your code for $10 off your first order:");
    await expect(offer.getByRole("link", { name: "Apply to cart" }).getAttribute("href")).resolves.toBe(`/discount/${value}?redirect=%2Fcart`);
    expect(await seriousAxeViolations(page)).toEqual([]);

    // The code exists in Shopify (any buyer, one use) and the claim is recorded with the hashed network.
    const discount = [...shopify.discounts.values()].find((candidate) => candidate.code === value);
    expect(discount?.input).toMatchObject({ usageLimit: 1, appliesOncePerCustomer: true, context: { all: "ALL" } });
    const referral = await db.referral.findFirstOrThrow({ where: { friendCode: value } });
    expect(referral).toMatchObject({ status: "claimed", friendEmail: "new.friend@example.com" });
    expect(referral.claimIpHash).toMatch(/^[0-9a-f]{64}$/);
    expect(storefront.proxied).toContainEqual({ method: "POST", path: "/apps/keepsake/referral/claim", status: 200 });

    // Another page of the same visit: the ref is still there, the offer shows when the panel opens.
    await page.goto(`${storefront.url}${PRODUCT_PATH}`);
    await expect(page.getByRole("dialog").isVisible()).resolves.toBe(false); // no link in this URL: no auto-open
    await page.locator("#keepsake-launcher").click();
    await page.getByRole("dialog").getByRole("region", { name: "A gift from your friend" }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it("a refused claim says why, next to the field, and keeps the email typed", async () => {
    const { page, errors } = await openPage(`/?kp_ref=${code}`, null);
    const offer = page.getByRole("dialog").getByRole("region", { name: "A gift from your friend" });
    await offer.waitFor();
    const email = offer.getByLabel("Your email");
    await email.fill("ADA@example.com"); // the referrer's own email
    await email.press("Enter");
    const alert = offer.getByRole("alert");
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toBe("You can't use your own referral link.");
    await expect(email.inputValue()).resolves.toBe("ADA@example.com");
    await expect(email.getAttribute("aria-invalid")).resolves.toBe("true");
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect((await db.referral.findMany({ where: { status: "rejected" } })).map((r) => r.rejectReason)).toEqual(["self_referral"]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("the member sees their link with a copy button (and no offer for their own link)", async () => {
    const { page, errors } = await openPage(PRODUCT_PATH, ada);
    await page.locator("#keepsake-launcher").click();
    const section = page.getByRole("dialog").getByRole("region", { name: "Refer a friend" });
    await section.waitFor();
    const link = `https://${SHOP}/?kp_ref=${code}`;
    await expect(section.getByLabel("Your referral link").inputValue()).resolves.toBe(link);
    await expect(section.textContent()).resolves.toContain("Your friends get $10 off your first order.");
    await expect(section.textContent()).resolves.toContain("You get 500 points for each friend's first order.");
    await expect(section.textContent()).resolves.toContain("Friends who claimed: 1");
    await section.getByRole("button", { name: "Copy link" }).click();
    await expect.poll(() => section.locator(".ks-code__status").textContent()).toBe("Copied!");
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(link);
    await expect(page.getByRole("region", { name: "A gift from your friend" }).count()).resolves.toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("in Korean", async () => {
    const { page, errors } = await openPage(`/ko/?kp_ref=${code}`, null);
    const offer = page.getByRole("dialog").getByRole("region", { name: "친구가 보낸 선물" });
    await offer.waitFor();
    await expect(offer.getByRole("button", { name: "코드 받기" }).count()).resolves.toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });
});
