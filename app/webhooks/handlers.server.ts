/**
 * What each webhook topic means for Keepsake: how its payload is read (zod, in app/shopify/payloads)
 * and which service applies it. The route answers Shopify once the delivery is stored; the inbox
 * worker (app/jobs/webhook-inbox.server.ts) applies it with these handlers.
 */
import type { Logger } from "~/logger.server";
import { enrollNewCustomer } from "~/loyalty/services/customers.server";
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
  /** The topic as @shopify/shopify-app-remix reports it ("ORDERS_PAID"). */
  topic: string;
  /** Throws a ZodError when the payload is not what the topic promises. */
  parse: (payload: unknown) => Data;
  apply: (context: WebhookContext, data: Data) => Promise<void>;
}

function handler<Data>(definition: WebhookHandler<Data>): WebhookHandler<Data> {
  return definition;
}

const nothing = () => undefined;

export const ordersPaid = handler({
  topic: "ORDERS_PAID",
  parse: parseOrder,
  apply: async ({ shop }, order) => void (await recordPaidOrder(await shop(), order)),
});

export const ordersCancelled = handler({
  topic: "ORDERS_CANCELLED",
  parse: parseOrder,
  apply: async ({ shop }, order) => void (await recordCancellation(await shop(), order)),
});

export const refundsCreate = handler({
  topic: "REFUNDS_CREATE",
  parse: parseRefund,
  apply: async ({ shop }, refund) => void (await recordRefund(await shop(), refund)),
});

export const customersCreate = handler({
  topic: "CUSTOMERS_CREATE",
  parse: parseCustomer,
  apply: async ({ shop }, customer) => void (await enrollNewCustomer(await shop(), customer)),
});

export const customersUpdate = handler({
  topic: "CUSTOMERS_UPDATE",
  parse: parseCustomer,
  apply: async ({ shop }, customer) => updateMemberProfile(await shop(), customer),
});

export const customersDelete = handler({
  topic: "CUSTOMERS_DELETE",
  parse: parseCustomerDelete,
  apply: async ({ shop }, target) => erasePersonalData(await shop(), target),
});

export const appUninstalled = handler({
  topic: "APP_UNINSTALLED",
  parse: nothing,
  apply: ({ domain }) => markUninstalled(domain),
});

export const appScopesUpdate = handler({
  topic: "APP_SCOPES_UPDATE",
  parse: parseScopesUpdate,
  apply: ({ domain }, { scopes }) => updateScopes(domain, scopes),
});

export const customersDataRequest = handler({
  topic: "CUSTOMERS_DATA_REQUEST",
  parse: parseCustomersDataRequest,
  apply: async ({ shop }, request) => buildDataRequest(await shop(), request),
});

export const customersRedact = handler({
  topic: "CUSTOMERS_REDACT",
  parse: parseCustomersRedact,
  apply: async ({ shop }, target) => erasePersonalData(await shop(), target),
});

export const shopRedact = handler({
  topic: "SHOP_REDACT",
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
