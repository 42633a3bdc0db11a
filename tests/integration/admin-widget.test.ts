/**
 * The Storefront widget page: a session token is required, and each part of the theme extension is
 * linked into the theme editor of the shop the token names (app embeds activated, app blocks added).
 */
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { loader } from "~/routes/app.widget";
import { adminLoader } from "../support/admin-route";
import { installShop } from "../support/app";
import { resetDatabase } from "../support/database";

const SHOP = "widget-a.myshopify.com";
const OTHER = "widget-b.myshopify.com";

beforeEach(async () => {
  await resetDatabase(db);
  await installShop(SHOP);
  await installShop(OTHER);
});

describe("storefront widget page", () => {
  it("links every block of the theme extension into this shop's theme editor", async () => {
    const apiKey = process.env.SHOPIFY_API_KEY;
    const { status, body } = await adminLoader(loader, "/app/widget", SHOP);
    expect(status).toBe(200);
    expect(body).toEqual({
      launcherUrl: `https://${SHOP}/admin/themes/current/editor?context=apps&activateAppId=${apiKey}/launcher`,
      birthdayPopupUrl: `https://${SHOP}/admin/themes/current/editor?context=apps&activateAppId=${apiKey}/birthday-popup`,
      productBlockUrl: `https://${SHOP}/admin/themes/current/editor?template=product&addAppBlockId=${apiKey}/product-points&target=newAppsSection`,
      rewardsPageBlockUrl: `https://${SHOP}/admin/themes/current/editor?template=page&addAppBlockId=${apiKey}/rewards-page&target=newAppsSection`,
      storefrontUrl: `https://${SHOP}/`,
      languages: ["English", "한국어", "日本語", "Français", "Deutsch", "Español"],
    });
    const other = await adminLoader(loader, "/app/widget", OTHER);
    expect((other.body as { launcherUrl: string }).launcherUrl).toContain(`https://${OTHER}/`);
  });

  it("names blocks that exist in the theme extension", async () => {
    const { readdirSync } = await import("node:fs");
    const blocks = readdirSync("extensions/keepsake-theme/blocks").map((file) => file.replace(/\.liquid$/, ""));
    const { body } = await adminLoader(loader, "/app/widget", SHOP);
    const page = body as Record<string, string>;
    for (const url of [page.launcherUrl, page.birthdayPopupUrl, page.productBlockUrl, page.rewardsPageBlockUrl]) {
      const handle = /(?:activateAppId|addAppBlockId)=[^/]+\/([a-z-]+)/.exec(url ?? "")?.[1];
      expect(blocks).toContain(handle);
    }
  });

  it("refuses a request without a session token", async () => {
    const anonymous = await loader({ request: new Request("http://localhost/app/widget"), params: {}, context: {} }).catch((thrown: unknown) => thrown);
    expect(anonymous).toBeInstanceOf(Response);
    expect((anonymous as Response).status).not.toBe(200);
  });
});
