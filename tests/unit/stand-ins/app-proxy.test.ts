import "@shopify/shopify-api/adapters/web-api";
import { ApiVersion, LogSeverity, shopifyApi } from "@shopify/shopify-api";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import vectors from "../../support/fixtures/app-proxy-test-vectors.json";
import {
  appProxyMessage,
  appProxyParamsFromSearch,
  appProxySignature,
  signedAppProxyRequest,
} from "../../support/shopify/app-proxy";

const DOCS_TIMESTAMP_MS = 1317327555000;

function libraryWithSecret(secret: string) {
  return shopifyApi({
    apiKey: "keepsake-test-key",
    apiSecretKey: secret,
    hostName: "keepsake.test",
    apiVersion: ApiVersion.July26,
    isEmbeddedApp: true,
    logger: { level: LogSeverity.Error },
  });
}

describe("app proxy signature", () => {
  beforeEach(() => {
    // The library rejects timestamps more than 90 s from now; the docs' vectors are from 2011.
    vi.useFakeTimers();
    vi.setSystemTime(DOCS_TIMESTAMP_MS);
  });
  afterEach(() => vi.useRealTimers());

  it.each(vectors.vectors)("reproduces Shopify's documented vector: $name", async (vector) => {
    const params = appProxyParamsFromSearch(new URLSearchParams(vector.forwarded_query));
    expect(appProxyMessage(params)).toBe(vector.message);
    expect(appProxySignature(params, vectors.secret)).toBe(vector.signature);

    const signed = new URLSearchParams(vector.forwarded_query);
    signed.append("signature", vector.signature);
    const shopify = libraryWithSecret(vectors.secret);
    await expect(shopify.utils.validateHmac(signed, { signator: "appProxy" })).resolves.toBe(true);
  });

  it("signs forwarded requests the library accepts, including an anonymous visitor", async () => {
    const shopify = libraryWithSecret("proxy-secret");
    for (const loggedInCustomerId of ["7000000000000000001", ""]) {
      const request = signedAppProxyRequest({
        shop: "test-shop.myshopify.com",
        loggedInCustomerId,
        path: "/member",
        query: { view: "summary", tag: ["a", "b"] },
        secret: "proxy-secret",
      });
      const url = new URL(request.url);
      expect(url.origin + url.pathname).toBe("https://keepsake.test/proxy/member");
      expect(url.searchParams.get("logged_in_customer_id")).toBe(loggedInCustomerId);
      expect(url.searchParams.get("path_prefix")).toBe("/apps/keepsake");
      expect(url.searchParams.get("timestamp")).toBe(String(DOCS_TIMESTAMP_MS / 1000));
      expect(request.headers.has("cookie")).toBe(false);
      await expect(shopify.utils.validateHmac(url.searchParams, { signator: "appProxy" })).resolves.toBe(true);

      url.searchParams.set("logged_in_customer_id", "1");
      await expect(shopify.utils.validateHmac(url.searchParams, { signator: "appProxy" })).resolves.toBe(false);
    }
  });

  it("forwards POST bodies and strips cookies", async () => {
    const request = signedAppProxyRequest({
      shop: "test-shop.myshopify.com",
      loggedInCustomerId: "1",
      path: "/redeem",
      method: "POST",
      body: { rewardId: "r1" },
      headers: { Cookie: "session=abc" },
      secret: "s",
      timestamp: new Date(DOCS_TIMESTAMP_MS),
    });
    expect(request.method).toBe("POST");
    expect(request.headers.get("cookie")).toBeNull();
    expect(await request.json()).toEqual({ rewardId: "r1" });
  });
});
