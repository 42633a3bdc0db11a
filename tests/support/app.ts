/**
 * Drives the real app in integration tests: signed webhooks and app-proxy requests go through the
 * route modules' own `action`/`loader` (authentication included) against the worker's database.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { drainShopifyOutbox, type OutboxReport } from "~/jobs/shopify-outbox.server";
import { drainInbox } from "~/jobs/webhook-inbox.server";
import { signedWebhookRequest, type SignedWebhookRequestOptions, type WebhookTopic } from "./shopify/webhooks";
import { installShopRecords, type ProgramSettings } from "./install-shop";
import { signedAppProxyRequest, type SignedAppProxyRequestOptions } from "./shopify/app-proxy";

export const APP_SECRET = () => process.env.SHOPIFY_API_SECRET ?? "test-api-secret";

type Action = (args: ActionFunctionArgs) => Promise<Response>;
type Loader = (args: LoaderFunctionArgs) => Promise<Response>;

const ROUTES: Record<WebhookTopic, () => Promise<{ action: Action }>> = {
  "orders/paid": () => import("~/routes/webhooks.orders.paid"),
  "orders/cancelled": () => import("~/routes/webhooks.orders.cancelled"),
  "refunds/create": () => import("~/routes/webhooks.refunds.create"),
  "customers/create": () => import("~/routes/webhooks.customers.create"),
  "customers/update": () => import("~/routes/webhooks.customers.update"),
  "customers/delete": () => import("~/routes/webhooks.customers.delete"),
  "app/uninstalled": () => import("~/routes/webhooks.app.uninstalled"),
  "app/scopes_update": () => import("~/routes/webhooks.app.scopes_update"),
  "customers/data_request": () => import("~/routes/webhooks.customers.data_request"),
  "customers/redact": () => import("~/routes/webhooks.customers.redact"),
  "shop/redact": () => import("~/routes/webhooks.shop.redact"),
} as Record<WebhookTopic, () => Promise<{ action: Action }>>;

export async function callAction(topic: WebhookTopic, request: Request): Promise<Response> {
  const load = ROUTES[topic];
  if (!load) throw new Error(`no route for ${topic}`);
  const { action } = await load();
  try {
    return await action({ request, params: {}, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown; // Remix turns thrown responses into the answer
    throw thrown;
  }
}

export type DeliverOptions = Omit<SignedWebhookRequestOptions, "topic" | "body" | "secret" | "shop"> & {
  shop?: string;
  secret?: string;
};

/** Delivers `body` as Shopify would (signed with the app secret) to the topic's route. */
export async function deliver(topic: WebhookTopic, body: unknown, options: DeliverOptions = {}): Promise<Response> {
  const request = signedWebhookRequest({
    topic,
    body,
    shop: options.shop ?? "test-shop.myshopify.com",
    secret: options.secret ?? APP_SECRET(),
    ...options,
  });
  const response = await callAction(topic, request);
  // The route answers once the delivery is stored; the inbox worker applies it right after.
  // Tests look at the outcome, so wait for that pass (the real worker, not a stand-in).
  await drainInbox();
  return response;
}

export async function proxyGet(
  options: Omit<SignedAppProxyRequestOptions, "secret" | "path"> & { path?: string; secret?: string },
): Promise<Response> {
  const { loader } = (await import("~/routes/proxy.member")) as { loader: Loader };
  const request = signedAppProxyRequest({ path: "/member", secret: APP_SECRET(), ...options });
  try {
    return await loader({ request, params: {}, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

/** A signed app-proxy POST (storefront `/apps/keepsake/<path>`) to the route's `action`. */
export async function proxyPost(
  options: Omit<SignedAppProxyRequestOptions, "secret" | "path" | "method"> & { path?: string; secret?: string },
): Promise<Response> {
  const path = options.path ?? "/redeem";
  const routes: Record<string, () => Promise<unknown>> = { "/redeem": () => import("~/routes/proxy.redeem") };
  const load = routes[path];
  if (!load) throw new Error(`no proxy action for ${path}`);
  const { action } = (await load()) as { action: Action };
  const request = signedAppProxyRequest({ secret: APP_SECRET(), ...options, path, method: "POST" });
  try {
    return await action({ request, params: {}, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

/** A shop as it is after install: its row and its offline session (so the library needs no network). */
export async function installShop(domain = "test-shop.myshopify.com", settings: Partial<ProgramSettings> = {}) {
  return installShopRecords(db, domain, { settings });
}

export async function memberOf(domain: string, customerGid: string) {
  return db.member.findFirst({ where: { customerGid, shop: { domain } } });
}

export async function entriesOf(domain: string, customerGid: string) {
  return db.ledgerEntry.findMany({
    where: { shop: { domain }, member: { customerGid } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
}

/**
 * Sends what the Shopify outbox holds that is due, through the real worker's pass (the server runs it
 * on a timer; tests call it when they want to look at what reached the Shopify stand-in).
 */
export function drainOutbox(): Promise<OutboxReport> {
  return drainShopifyOutbox();
}
