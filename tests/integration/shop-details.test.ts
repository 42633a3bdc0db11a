import { afterEach, beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { syncShopDetails } from "~/loyalty/services/shops.server";
import { installShop } from "../support/app";
import { resetDatabase } from "../support/database";
import { createAdminApiStandIn, installAdminApiFetch, type AdminApiFetchHandle } from "../support/shopify/admin-graphql";

const SHOP = "test-shop.myshopify.com";
let handle: AdminApiFetchHandle | undefined;

beforeEach(async () => {
  await resetDatabase(db);
  await installShop(SHOP);
});

afterEach(() => handle?.restore());

describe("shop details after install (Admin GraphQL through graphql-request)", () => {
  it("stores the shop's currency and timezone, sending the offline token", async () => {
    const shopify = createAdminApiStandIn({ mocks: { Shop: () => ({ currencyCode: "EUR", ianaTimezone: "Europe/Paris" }) } });
    handle = installAdminApiFetch(shopify, { passthrough: false });
    expect(await syncShopDetails(SHOP)).toBe(true);
    expect(await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).toMatchObject({
      currencyCode: "EUR",
      ianaTimezone: "Europe/Paris",
    });
    const [request] = shopify.requestsFor("ShopSettings");
    expect(request).toMatchObject({ shop: SHOP, accessToken: `shpat_test_${SHOP}`, apiVersion: "2026-07", errors: [] });
  });

  it("keeps the defaults when Shopify throttles or fails", async () => {
    const shopify = createAdminApiStandIn();
    handle = installAdminApiFetch(shopify, { passthrough: false });
    shopify.throttleNext();
    expect(await syncShopDetails(SHOP)).toBe(false);
    shopify.failNext(502);
    expect(await syncShopDetails(SHOP)).toBe(false);
    expect(await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).toMatchObject({ currencyCode: "USD", ianaTimezone: "UTC" });
  });

  it("reports a shop with no offline session without calling Shopify", async () => {
    const shopify = createAdminApiStandIn();
    handle = installAdminApiFetch(shopify, { passthrough: false });
    await db.session.deleteMany();
    expect(await syncShopDetails(SHOP)).toBe(false);
    expect(shopify.requests).toHaveLength(0);
  });
});
