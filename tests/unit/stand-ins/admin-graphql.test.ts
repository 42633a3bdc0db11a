import { afterEach, describe, expect, it } from "vitest";
import {
  ADMIN_GRAPHQL_PATH,
  createAdminApiStandIn,
  installAdminApiFetch,
  startAdminApiServer,
  validateAdminDocument,
  type AdminApiStandIn,
} from "../../support/shopify/admin-graphql";

const SHOP = "test-shop.myshopify.com";
const TOKEN = "shpat_keepsake_test";
const SHOP_SETTINGS = "query ShopSettings { shop { currencyCode ianaTimezone name } }";

async function post(standIn: AdminApiStandIn, query: string, variables: Record<string, unknown> = {}) {
  const response = await standIn.fetch(
    new Request(`https://${SHOP}${ADMIN_GRAPHQL_PATH}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": TOKEN },
      body: JSON.stringify({ query, variables }),
    }),
  );
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

describe("Admin GraphQL schema validation", () => {
  it("accepts documents valid for 2026-07 and rejects unknown fields and syntax errors", () => {
    expect(validateAdminDocument(SHOP_SETTINGS)).toEqual([]);
    const [unknownField] = validateAdminDocument("query { shop { loyaltyPoints } }");
    expect(unknownField?.message).toContain('Cannot query field "loyaltyPoints" on type "Shop"');
    expect(validateAdminDocument("query { shop {")).toHaveLength(1);
  });
});

describe("Admin GraphQL stand-in", () => {
  it("answers a valid query with schema-shaped data, per-test overrides and Shopify's cost extension", async () => {
    const standIn = createAdminApiStandIn({
      mocks: { Shop: () => ({ currencyCode: "EUR", ianaTimezone: "Europe/Paris" }) },
    });
    const { status, body } = await post(standIn, SHOP_SETTINGS);
    expect(status).toBe(200);
    expect(body.data).toEqual({ shop: { currencyCode: "EUR", ianaTimezone: "Europe/Paris", name: "Keepsake Test Shop" } });
    expect(body.extensions).toMatchObject({
      cost: { requestedQueryCost: 1, actualQueryCost: 1, throttleStatus: { maximumAvailable: 2000, restoreRate: 100 } },
    });
    expect(standIn.requests).toMatchObject([
      { shop: SHOP, operationName: "ShopSettings", operationType: "query", accessToken: TOKEN, status: 200 },
    ]);
  });

  it("returns the object asked for by id, and what a test put in the store", async () => {
    const standIn = createAdminApiStandIn();
    const gid = "gid://shopify/Customer/7000000000000000001";
    standIn.store.set("Customer", gid, { firstName: "Ada" });
    const { body } = await post(standIn, "query C($id: ID!) { customer(id: $id) { id firstName } }", { id: gid });
    expect(body.data).toEqual({ customer: { id: gid, firstName: "Ada" } });
  });

  it("answers an invalid document with HTTP 200 and `errors`, as Shopify does", async () => {
    const standIn = createAdminApiStandIn();
    const { status, body } = await post(standIn, "query Broken { shop { loyaltyPoints } }");
    expect(status).toBe(200);
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([expect.objectContaining({ message: expect.stringContaining("loyaltyPoints") })]);
    expect(standIn.requestsFor("Broken")[0]?.errors).toHaveLength(1);
  });

  it("simulates throttling on demand and when the cost bucket runs dry", async () => {
    let clock = 0;
    const standIn = createAdminApiStandIn({ throttle: { maximumAvailable: 50, restoreRate: 10 }, now: () => clock });
    standIn.throttleNext();
    const throttled = await post(standIn, SHOP_SETTINGS);
    expect(throttled.status).toBe(200);
    expect(throttled.body).toMatchObject({
      errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }],
      extensions: { cost: { requestedQueryCost: 1, actualQueryCost: null } },
    });

    const twenty = "query Orders { orders(first: 20) { nodes { id } } }"; // 2 + 20 × 1
    expect((await post(standIn, twenty)).body.data).toBeDefined();
    expect((await post(standIn, twenty)).body.data).toBeDefined();
    expect((await post(standIn, twenty)).body.errors).toMatchObject([{ extensions: { code: "THROTTLED" } }]);
    clock += 2_000; // 20 points restored
    expect((await post(standIn, twenty)).body.data).toBeDefined();
  });

  it("rejects a single query above Shopify's 1000-point limit", async () => {
    const standIn = createAdminApiStandIn();
    const { body } = await post(standIn, "query { orders(first: 250) { nodes { id lineItems(first: 250) { nodes { id } } } } }");
    expect(body.errors).toMatchObject([{ extensions: { code: "MAX_COST_EXCEEDED" } }]);
  });

  it("fails with HTTP 5xx on demand and 401 without a valid access token", async () => {
    const standIn = createAdminApiStandIn({ accessTokens: { [SHOP]: TOKEN } });
    standIn.failNext(502);
    expect((await standIn.fetch(new Request(`https://${SHOP}${ADMIN_GRAPHQL_PATH}`, { method: "POST", body: "{}" }))).status).toBe(502);
    const noToken = await standIn.fetch(
      new Request(`https://${SHOP}${ADMIN_GRAPHQL_PATH}`, { method: "POST", body: JSON.stringify({ query: SHOP_SETTINGS }) }),
    );
    expect(noToken.status).toBe(401);
    expect((await post(standIn, SHOP_SETTINGS)).status).toBe(200);
  });

  it("lets a test answer a mutation, e.g. with userErrors", async () => {
    const standIn = createAdminApiStandIn({
      mutations: {
        tagsAdd: (args) => ({
          node: null,
          userErrors: [{ field: ["id"], message: `Resource ${String(args.id)} not found` }],
        }),
      },
    });
    const { body } = await post(
      standIn,
      "mutation TagMember($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { node { id } userErrors { field message } } }",
      { id: "gid://shopify/Customer/1", tags: ["keepsake-gold"] },
    );
    expect(body.data).toEqual({
      tagsAdd: { node: null, userErrors: [{ field: ["id"], message: "Resource gid://shopify/Customer/1 not found" }] },
    });
    expect(standIn.requestsFor("TagMember")[0]).toMatchObject({
      operationType: "mutation",
      variables: { id: "gid://shopify/Customer/1", tags: ["keepsake-gold"] },
      cost: 10,
    });
    // Without a handler, a mutation succeeds with schema-shaped data and no userErrors.
    const plain = await post(standIn, 'mutation { customerUpdate(input: { id: "gid://shopify/Customer/1", note: "x" }) { userErrors { message } } }');
    expect(plain.body.data).toEqual({ customerUpdate: { userErrors: [] } });
  });
});

describe("serving the stand-in", () => {
  let cleanup: (() => Promise<void> | void) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it("answers @shopify/shopify-api's own GraphQL client through the fetch interceptor", async () => {
    const standIn = createAdminApiStandIn({ mocks: { Shop: () => ({ currencyCode: "JPY" }) } });
    const handle = installAdminApiFetch(standIn, { passthrough: false });
    cleanup = () => handle.restore();
    // The adapter captures globalThis.fetch when imported, so import it after installing the interceptor.
    await import("@shopify/shopify-api/adapters/web-api");
    const { ApiVersion, LogSeverity, Session, shopifyApi } = await import("@shopify/shopify-api");
    const shopify = shopifyApi({
      apiKey: "key",
      apiSecretKey: "secret",
      hostName: "keepsake.test",
      apiVersion: ApiVersion.July26,
      isEmbeddedApp: true,
      logger: { level: LogSeverity.Error },
    });
    const session = new Session({ id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false, accessToken: TOKEN });
    const client = new shopify.clients.Graphql({ session });
    const response = await client.request(SHOP_SETTINGS);
    expect(response.data).toEqual({ shop: { currencyCode: "JPY", ianaTimezone: "America/New_York", name: "Keepsake Test Shop" } });
    expect(standIn.requests[0]).toMatchObject({ shop: SHOP, accessToken: TOKEN, operationName: "ShopSettings" });
  });

  it("serves POST /admin/api/2026-07/graphql.json over HTTP, shop named by X-Keepsake-Shop", async () => {
    const standIn = createAdminApiStandIn();
    const server = await startAdminApiServer(standIn);
    cleanup = () => server.close();
    const response = await fetch(`${server.origin}${ADMIN_GRAPHQL_PATH}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": TOKEN, "X-Keepsake-Shop": SHOP },
      body: JSON.stringify({ query: SHOP_SETTINGS }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: unknown }).data).toMatchObject({ shop: { currencyCode: "USD" } });
    expect(standIn.requests[0]?.shop).toBe(SHOP);
  });
});
