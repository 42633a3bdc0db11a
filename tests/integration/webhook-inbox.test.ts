import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { drainInbox } from "~/jobs/webhook-inbox.server";
import { callAction, installShop, memberOf } from "../support/app";
import { resetDatabase } from "../support/database";
import { customerPayload, paidOrderPayload } from "../support/shopify/payloads";
import { signedWebhookRequest, webhookBodyText } from "../support/shopify/webhooks";

const SHOP = "test-shop.myshopify.com";

beforeEach(async () => {
  await resetDatabase(db);
  await installShop(SHOP);
});

function paidRequest(body: unknown, webhookId: string) {
  return signedWebhookRequest({ topic: "orders/paid", shop: SHOP, body, secret: process.env.SHOPIFY_API_SECRET!, webhookId });
}

describe("webhook inbox", () => {
  it("answers once the delivery is stored, then applies it and erases the stored payload", async () => {
    const customer = customerPayload({ email: "kept-only-until-applied@example.com" });
    const order = paidOrderPayload({ customer, lines: [{ title: "Mug", price: "20.00" }] });
    const response = await callAction("orders/paid", paidRequest(order, "inbox-1"));
    expect(response.status).toBe(200);
    // Stored before the answer. The worker may already be applying it (it starts right away).
    const stored = await db.webhookDelivery.findFirstOrThrow({ where: { webhookId: "inbox-1" } });
    expect(stored.payload).toBe(stored.status === "received" ? webhookBodyText(order) : null);

    await drainInbox();
    const applied = await db.webhookDelivery.findFirstOrThrow({ where: { webhookId: "inbox-1" } });
    expect(applied).toMatchObject({ status: "processed", payload: null, tries: 1 });
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(20);
  });

  it("applies what a crashed process stored but never applied, exactly once", async () => {
    const customer = customerPayload();
    const order = paidOrderPayload({ customer, lines: [{ title: "Bowl", price: "15.00" }] });
    // As a process that died right after answering 200 leaves it (its lease long expired):
    await db.webhookDelivery.create({
      data: {
        shopDomain: SHOP,
        webhookId: "left-behind",
        topic: "ORDERS_PAID",
        status: "received",
        payload: webhookBodyText(order),
        tries: 1,
        lockedUntil: new Date(Date.now() - 1000),
      },
    });
    expect(await drainInbox()).toBe(1);
    expect(await drainInbox()).toBe(0);
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(15);
  });

  it("does not touch a row another worker holds a lease on", async () => {
    await db.webhookDelivery.create({
      data: {
        shopDomain: SHOP,
        webhookId: "leased",
        topic: "ORDERS_PAID",
        status: "received",
        payload: webhookBodyText(paidOrderPayload({ customer: customerPayload() })),
        lockedUntil: new Date(Date.now() + 60_000),
      },
    });
    expect(await drainInbox()).toBe(0);
    expect((await db.webhookDelivery.findFirstOrThrow()).status).toBe("received");
  });

  it("retries a failing delivery later and gives up after the last try, erasing its payload", async () => {
    await db.webhookDelivery.create({
      data: { shopDomain: SHOP, webhookId: "broken", topic: "ORDERS_PAID", status: "received", payload: '{"broken' },
    });
    expect(await drainInbox()).toBe(1);
    const retrying = await db.webhookDelivery.findFirstOrThrow({ where: { webhookId: "broken" } });
    expect(retrying).toMatchObject({ status: "received", tries: 1, lockedUntil: null });
    expect(retrying.error).toBeTruthy();
    expect(retrying.availableAt.getTime()).toBeGreaterThan(Date.now());
    expect(await drainInbox()).toBe(0); // not due yet

    await db.webhookDelivery.update({ where: { id: retrying.id }, data: { tries: 7, availableAt: new Date() } });
    expect(await drainInbox()).toBe(1);
    expect(await db.webhookDelivery.findFirstOrThrow({ where: { webhookId: "broken" } })).toMatchObject({
      status: "failed",
      payload: null,
      tries: 8,
    });
    expect(await db.ledgerEntry.count()).toBe(0);
  });

  it("stores many simultaneous deliveries (group-committed), none lost, duplicates counted", async () => {
    const customer = customerPayload();
    const orders = Array.from({ length: 30 }, (_, i) =>
      paidOrderPayload({ customer, lines: [{ title: `Item ${i}`, price: "1.00" }] }),
    );
    const requests = orders.flatMap((order, i) => [paidRequest(order, `group-${i}`), ...(i % 3 === 0 ? [paidRequest(order, `group-${i}`)] : [])]);
    const responses = await Promise.all(requests.map((request) => callAction("orders/paid", request)));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    await drainInbox();
    expect(await db.webhookDelivery.count({ where: { status: "processed" } })).toBe(30);
    expect(await db.webhookDelivery.count({ where: { attempts: 2 } })).toBe(10);
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(30);
  });
});
