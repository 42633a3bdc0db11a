import "@shopify/shopify-api/adapters/web-api";
import { ApiVersion, LogSeverity, shopifyApi } from "@shopify/shopify-api";
import { beforeEach, describe, expect, it } from "vitest";
import { parseShopifyJson, toShopifyJson } from "../../support/shopify/json";
import {
  cancelledOrderPayload,
  customerPayload,
  customersRedactPayload,
  paidOrderPayload,
  refundedOrderPayload,
  refundPayload,
  resetShopifyIds,
} from "../../support/shopify/payloads";
import { signedWebhookRequest, webhookHeaders, webhookHmac } from "../../support/shopify/webhooks";

const SECRET = "keepsake-test-secret";
const SHOP = "test-shop.myshopify.com";

const shopify = shopifyApi({
  apiKey: "keepsake-test-key",
  apiSecretKey: SECRET,
  hostName: "keepsake.test",
  apiVersion: ApiVersion.July26,
  isEmbeddedApp: true,
  logger: { level: LogSeverity.Error },
});

beforeEach(() => resetShopifyIds());

describe("webhook deliveries", () => {
  it("are accepted by @shopify/shopify-api's webhooks.validate", async () => {
    const order = paidOrderPayload();
    const request = signedWebhookRequest({ topic: "orders/paid", shop: SHOP, body: order, secret: SECRET });
    const rawBody = await request.clone().text();

    const result = await shopify.webhooks.validate({ rawBody, rawRequest: request });

    expect(result).toMatchObject({
      valid: true,
      topic: "ORDERS_PAID",
      domain: SHOP,
      apiVersion: "2026-07",
      webhookId: request.headers.get("X-Shopify-Webhook-Id"),
    });
    expect(new URL(request.url).pathname).toBe("/webhooks/orders/paid");
    expect(request.method).toBe("POST");
  });

  it("are rejected by the library when signed with another secret or when the body changes", async () => {
    const body = toShopifyJson(customerPayload());
    const wrongSecret = signedWebhookRequest({ topic: "customers/update", shop: SHOP, body, secret: "other" });
    expect(await shopify.webhooks.validate({ rawBody: body, rawRequest: wrongSecret })).toMatchObject({
      valid: false,
      reason: "invalid_hmac",
    });
    const right = signedWebhookRequest({ topic: "customers/update", shop: SHOP, body, secret: SECRET });
    expect(await shopify.webhooks.validate({ rawBody: `${body} `, rawRequest: right })).toMatchObject({ valid: false });
  });

  it("carry exactly Shopify's headers, with a fresh webhook id per delivery and a shared event id on demand", () => {
    const headers = webhookHeaders({
      topic: "customers/redact",
      shop: SHOP,
      body: "{}",
      secret: SECRET,
      eventId: "59d6d79c-595f-4e7e-bc6f-72f5c3d0c66f",
      triggeredAt: new Date("2025-07-10T16:15:47Z"),
    });
    expect(Object.keys(headers).sort()).toEqual([
      "Content-Type",
      "X-Shopify-API-Version",
      "X-Shopify-Event-Id",
      "X-Shopify-Hmac-Sha256",
      "X-Shopify-Shop-Domain",
      "X-Shopify-Topic",
      "X-Shopify-Triggered-At",
      "X-Shopify-Webhook-Id",
    ]);
    expect(headers["X-Shopify-Triggered-At"]).toBe("2025-07-10T16:15:47.000000Z");
    expect(headers["X-Shopify-Hmac-Sha256"]).toBe(webhookHmac("{}", SECRET));
    const again = webhookHeaders({ topic: "customers/redact", shop: SHOP, body: "{}", secret: SECRET });
    expect(again["X-Shopify-Webhook-Id"]).not.toBe(headers["X-Shopify-Webhook-Id"]);
    expect(headers["X-Shopify-Webhook-Id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("send a string body byte-for-byte", async () => {
    const raw = '{"id": 820982911946154508 ,"note":"caf\u00e9"}';
    const request = signedWebhookRequest({ topic: "orders/create", shop: SHOP, body: raw, secret: SECRET });
    expect(await request.text()).toBe(raw);
    expect(request.headers.get("X-Shopify-Hmac-Sha256")).toBe(webhookHmac(Buffer.from(raw, "utf8"), SECRET));
  });
});

describe("big Shopify ids", () => {
  it("are written as bare integer literals that JSON.parse would round", () => {
    const order = paidOrderPayload();
    const text = toShopifyJson(order);
    const digits = order.id.toString();

    expect(order.id > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(text).toContain(`"id":${digits},`);
    expect(text).toContain(`"admin_graphql_api_id":"gid://shopify/Order/${digits}"`);
    const naive = JSON.parse(text) as { id: number; line_items: { id: number }[] };
    expect(String(naive.id)).not.toBe(digits); // the trap the app must avoid
    expect((parseShopifyJson(text) as { id: bigint }).id).toBe(order.id);
  });

  it("refunds carry the order's numeric id but no order gid", () => {
    const order = paidOrderPayload();
    const text = toShopifyJson(refundPayload(order, { lines: [{ lineIndex: 0, quantity: 1 }] }));
    expect(text).toContain(`"order_id":${order.id},`);
    expect(text).not.toContain(`gid://shopify/Order/`);
  });
});

describe("payload builders", () => {
  it("build a paid order whose totals add up in both currencies", () => {
    const order = paidOrderPayload({
      lines: [
        { title: "Mug", price: "25.00", quantity: 2, discount: "5.00", tax: "3.60" },
        { title: "Gift card", price: "50.00", giftCard: true },
      ],
      shipping: "10.00",
      tip: "3.00",
      presentmentCurrency: "CAD",
      exchangeRate: "1.5",
    });
    expect(order).toMatchObject({
      financial_status: "paid",
      test: false,
      cancelled_at: null,
      currency: "USD",
      presentment_currency: "CAD",
      total_line_items_price: "100.00",
      total_discounts: "5.00",
      subtotal_price: "95.00",
      total_tax: "3.60",
      total_tip_received: "3.00",
      total_price: "111.60", // 95 + 3.60 + 10 + 3
      total_price_set: {
        shop_money: { amount: "111.60", currency_code: "USD" },
        presentment_money: { amount: "167.40", currency_code: "CAD" },
      },
    });
    const [mug, giftCard] = order.line_items;
    expect(mug?.discount_allocations[0]?.amount_set.presentment_money).toEqual({ amount: "7.50", currency_code: "CAD" });
    expect(mug?.admin_graphql_api_id).toBe(`gid://shopify/LineItem/${mug?.id}`);
    expect(giftCard).toMatchObject({ gift_card: true, taxable: false, requires_shipping: false, discount_allocations: [] });
    expect(order.discount_applications).toHaveLength(1);
  });

  it("spread a discount code across non-gift-card lines and support guest checkouts", () => {
    const order = paidOrderPayload({
      customer: null,
      email: "guest@example.com",
      lines: [
        { title: "A", price: "30.00" },
        { title: "B", price: "10.00" },
        { title: "Gift card", price: "25.00", giftCard: true },
      ],
      discountCodes: [{ code: "SAVE10", amount: "10.00" }],
    });
    expect(order.customer).toBeNull();
    expect(order.email).toBe("guest@example.com");
    expect(order.line_items.map((line) => line.total_discount)).toEqual(["7.50", "2.50", "0.00"]);
    expect(order.discount_codes).toEqual([{ code: "SAVE10", amount: "10.00", type: "fixed_amount" }]);
    expect(order.total_price).toBe("55.00");
  });

  it("follow a partial refund and a cancellation through the order's current_* fields", () => {
    const order = paidOrderPayload({ lines: [{ title: "Mug", price: "20.00", quantity: 2, tax: "4.00" }] });
    const refund = refundPayload(order, { lines: [{ lineIndex: 0, quantity: 1 }] });
    expect(refund.refund_line_items[0]).toMatchObject({ quantity: 1, subtotal: 20, total_tax: 2 });
    expect(refund.refund_line_items[0]?.line_item.admin_graphql_api_id).toBe(order.line_items[0]?.admin_graphql_api_id);
    expect(refund.transactions[0]?.amount).toBe("22.00");

    const updated = refundedOrderPayload(order, refund);
    expect(updated).toMatchObject({ financial_status: "partially_refunded", current_total_price: "22.00", total_price: "44.00" });
    expect(updated.line_items[0]?.current_quantity).toBe(1);

    const cancelled = cancelledOrderPayload(updated, "customer");
    expect(cancelled).toMatchObject({ financial_status: "refunded", cancel_reason: "customer", current_total_price: "0.00" });
    expect(cancelled.cancelled_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$/);
    expect(cancelled.refunds).toHaveLength(2);
  });

  it("build customer payloads without the fields removed in 2025-01, and compliance payloads", () => {
    const customer = customerPayload({ email: "ada@example.com" });
    expect(customer).not.toHaveProperty("tags");
    expect(customer).not.toHaveProperty("email_marketing_consent");
    expect(customer.admin_graphql_api_id).toBe(`gid://shopify/Customer/${customer.id}`);
    const redact = customersRedactPayload({ customer, orderIds: [5_000_000_000_000_000_999n] });
    expect(toShopifyJson(redact)).toContain('"orders_to_redact":[5000000000000000999]');
    expect(redact.customer).toEqual({ id: customer.id, email: "ada@example.com", phone: null });
  });
});
