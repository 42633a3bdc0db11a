/**
 * What each webhook topic means for Keepsake: how its payload is read (zod, in app/shopify/payloads)
 * and which service applies it. The route answers Shopify once the delivery is stored; the inbox
 * worker (app/jobs/webhook-inbox.server.ts) applies it with these handlers.
 */
import type { Logger } from "~/logger.server";
import { enrollNewCustomer } from "~/loyalty/services/customers.server";
import { noteCustomerUpdated } from "~/loyalty/services/earn-actions.server";
import { buildDataRequest, erasePersonalData, updateMemberProfile } from "~/loyalty/services/members.server";
import { recordCancellation, recordPaidOrder, recordRefund } from "~/loyalty/services/orders.server";
import { markUninstalled, redactShop, updateScopes, type ShopRecord } from "~/loyalty/services/shops.server";
import {
  parseCustomer,
  parseCustomerDelete,
  parseCustomersDataRequest,
  parseCustomersRedact,
  parseOrder,
  parseRefund,
  parseScopesUpdate,
} from "~/shopify/payloads";

export interface WebhookContext {
  domain: string;
  /** The shop's row, created on first use. */
  shop: () => Promise<ShopRecord>;
  log: Logger;
}

export interface WebhookHandler<Data = unknown> {
  /** The topic as Shopify names it in X-Shopify-Topic and shopify.app.toml ("orders/paid"). */
  shopifyTopic: string;
  /** The topic as stored on WebhookDelivery rows ("ORDERS_PAID", the form the library reports). */
  topic: string;
  /** Throws a ZodError when the payload is not what the topic promises. */
  parse: (payload: unknown) => Data;
  apply: (context: WebhookContext, data: Data) => Promise<void>;
}

/** "orders/paid" → "ORDERS_PAID": the stored form, kept from the library so older rows still apply. */
export const storedTopic = (shopifyTopic: string) => shopifyTopic.toUpperCase().replace(/\//g, "_");

function handler<Data>(definition: Omit<WebhookHandler<Data>, "topic">): WebhookHandler<Data> {
  return { ...definition, topic: storedTopic(definition.shopifyTopic) };
}

const nothing = () => undefined;

export const ordersPaid = handler({
  shopifyTopic: "orders/paid",
  parse: parseOrder,
  apply: async ({ shop }, order) => void (await recordPaidOrder(await shop(), order)),
});

export const ordersCancelled = handler({
  shopifyTopic: "orders/cancelled",
  parse: parseOrder,
  apply: async ({ shop }, order) => void (await recordCancellation(await shop(), order)),
});

export const refundsCreate = handler({
  shopifyTopic: "refunds/create",
  parse: parseRefund,
  apply: async ({ shop }, refund) => void (await recordRefund(await shop(), refund)),
});

export const customersCreate = handler({
  shopifyTopic: "customers/create",
  parse: parseCustomer,
  apply: async ({ shop }, customer) => {
    const record = await shop();
    await enrollNewCustomer(record, customer);
    // Someone who subscribes while creating their account earns the newsletter points too.
    await noteCustomerUpdated(record.id, customer.customerGid);
  },
});

export const customersUpdate = handler({
  shopifyTopic: "customers/update",
  parse: parseCustomer,
  apply: async ({ shop }, customer) => {
    const record = await shop();
    await updateMemberProfile(record, customer);
    // The payload carries no marketing consent: queue a check when newsletter sign-ups earn points.
    await noteCustomerUpdated(record.id, customer.customerGid);
  },
});

export const customersDelete = handler({
  shopifyTopic: "customers/delete",
  parse: parseCustomerDelete,
  apply: async ({ shop }, target) => erasePersonalData(await shop(), target),
});

export const appUninstalled = handler({
  shopifyTopic: "app/uninstalled",
  parse: nothing,
  apply: ({ domain }) => markUninstalled(domain),
});

export const appScopesUpdate = handler({
  shopifyTopic: "app/scopes_update",
  parse: parseScopesUpdate,
  apply: ({ domain }, { scopes }) => updateScopes(domain, scopes),
});

export const customersDataRequest = handler({
  shopifyTopic: "customers/data_request",
  parse: parseCustomersDataRequest,
  apply: async ({ shop }, request) => buildDataRequest(await shop(), request),
});

export const customersRedact = handler({
  shopifyTopic: "customers/redact",
  parse: parseCustomersRedact,
  apply: async ({ shop }, target) => erasePersonalData(await shop(), target),
});

export const shopRedact = handler({
  shopifyTopic: "shop/redact",
  parse: nothing,
  apply: ({ domain }) => redactShop(domain),
});

export const WEBHOOK_HANDLERS: ReadonlyMap<string, WebhookHandler> = new Map(
  [
    ordersPaid,
    ordersCancelled,
    refundsCreate,
    customersCreate,
    customersUpdate,
    customersDelete,
    appUninstalled,
    appScopesUpdate,
    customersDataRequest,
    customersRedact,
    shopRedact,
  ].map((h) => [h.topic, h as WebhookHandler]),
);

/** Each topic's address: `/webhooks/<topic>` (shopify.app.toml; one route file per topic). */
export const webhookPath = (shopifyTopic: string) => `/webhooks/${shopifyTopic}`;

export const WEBHOOK_HANDLERS_BY_PATH: ReadonlyMap<string, WebhookHandler> = new Map(
  [...WEBHOOK_HANDLERS.values()].map((h) => [webhookPath(h.shopifyTopic), h]),
);
