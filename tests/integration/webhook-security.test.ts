import { afterAll, beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { drainInbox } from "~/jobs/webhook-inbox.server";
import { APP_SECRET, installShop } from "../support/app";
import { resetDatabase } from "../support/database";
import { customerPayload, paidOrderPayload } from "../support/shopify/payloads";
import { remixRouteDoor, startIngressDoor, type WebhookDoor } from "../support/webhook-doors";
import {
  COMPLIANCE_TOPICS,
  signedWebhookRequest,
  type SignedWebhookRequestOptions,
  SUBSCRIBED_TOPICS,
  webhookHmac,
  type WebhookTopic,
} from "../support/shopify/webhooks";

const SHOP = "test-shop.myshopify.com";
const ALL_TOPICS: WebhookTopic[] = [...SUBSCRIBED_TOPICS, ...COMPLIANCE_TOPICS];

beforeEach(async () => {
  await resetDatabase(db);
  await installShop(SHOP);
});

async function nothingCredited() {
  expect(await db.ledgerEntry.count()).toBe(0);
  expect(await db.member.count()).toBe(0);
}

const ingress = await startIngressDoor();
afterAll(() => ingress.close());

describe.each<WebhookDoor>([remixRouteDoor, ingress])("webhook authentication through the $name", (door) => {
  const callAction = door.send;
  async function deliver(
    topic: WebhookTopic,
    body: unknown,
    options: Partial<Omit<SignedWebhookRequestOptions, "topic" | "body">> = {},
  ): Promise<Response> {
    const request = signedWebhookRequest({ topic, body, shop: SHOP, secret: APP_SECRET(), ...options });
    const response = await door.send(topic, request);
    await drainInbox();
    return response;
  }

  it.each(ALL_TOPICS)("%s answers 401 to a forged HMAC and changes nothing", async (topic) => {
    const response = await deliver(topic, paidOrderPayload({ customer: customerPayload() }), {
      secret: "not-the-app-secret",
    });
    expect(response.status).toBe(401);
    await nothingCredited();
    expect(await db.shop.count()).toBe(1);
    expect(await db.session.count()).toBe(1);
  });

  it("answers 400 when a Shopify header is missing", async () => {
    for (const name of ["X-Shopify-Topic", "X-Shopify-Shop-Domain", "X-Shopify-API-Version", "X-Shopify-Webhook-Id"]) {
      const request = signedWebhookRequest({
        topic: "orders/paid",
        shop: SHOP,
        body: paidOrderPayload({ customer: customerPayload() }),
        secret: process.env.SHOPIFY_API_SECRET!,
      });
      request.headers.delete(name);
      expect((await callAction("orders/paid", request)).status, name).toBe(400);
    }
    await nothingCredited();
  });

  it("answers 405 to anything but POST", async () => {
    const request = new Request("https://keepsake.test/webhooks/orders/paid", { method: "GET" });
    expect((await callAction("orders/paid", request)).status).toBe(405);
  });

  it("rejects a signed but malformed JSON body, records it as failed, and keeps serving", async () => {
    const body = '{"admin_graphql_api_id": "gid://shopify/Order/1", ';
    const response = await deliver("orders/paid", body, { webhookId: "broken-json" });
    expect(response.status).toBe(400);
    expect(await db.webhookDelivery.findFirstOrThrow({ where: { webhookId: "broken-json" } })).toMatchObject({
      status: "failed",
      error: "malformed JSON body",
    });
    await nothingCredited();
    const customer = customerPayload();
    expect((await deliver("orders/paid", paidOrderPayload({ customer }))).status).toBe(200);
    expect(await db.ledgerEntry.count()).toBe(1);
  });

  it("records a payload it cannot read as failed (422) without crediting anything", async () => {
    const response = await deliver("orders/paid", { id: 1, line_items: "nope" }, { webhookId: "bad-shape" });
    expect(response.status).toBe(422);
    const delivery = await db.webhookDelivery.findFirstOrThrow({ where: { webhookId: "bad-shape" } });
    expect(delivery.status).toBe("failed");
    expect(delivery.error).toMatch(/invalid payload/);
    await nothingCredited();
  });

  it("refuses a huge body with 413 before reading it", async () => {
    const huge = JSON.stringify({ padding: "x".repeat(3_000_000) });
    const request = new Request("https://keepsake.test/webhooks/orders/paid", {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "Content-Length": String(huge.length),
        "X-Shopify-Topic": "orders/paid",
        "X-Shopify-Hmac-Sha256": webhookHmac(huge, process.env.SHOPIFY_API_SECRET!),
        "X-Shopify-Shop-Domain": SHOP,
        "X-Shopify-API-Version": "2026-07",
        "X-Shopify-Webhook-Id": "huge",
      },
      body: huge,
    });
    expect((await callAction("orders/paid", request)).status).toBe(413);
    await nothingCredited();
  });
});
