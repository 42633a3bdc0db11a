/**
 * Webhook deliveries exactly as Shopify sends them (2026-07 webhook reference, "Headers" section).
 *
 * - POST, `Content-Type: application/json`, body = the payload's JSON text (ids > 2^53 as bare integers).
 * - `X-Shopify-Hmac-Sha256` = base64(HMAC-SHA256(app client secret, raw body bytes)) — computed over the exact
 *   bytes sent, so a test that passes a string body gets that string signed byte-for-byte.
 * - `X-Shopify-Webhook-Id` is unique per delivery, but a retry re-sends the SAME id and the SAME original body:
 *   pass `webhookId` explicitly to model a retry/duplicate. `X-Shopify-Event-Id` is shared by every delivery caused
 *   by one merchant action (e.g. orders/create + orders/paid of one checkout).
 * - Each topic is delivered to its own uri from shopify.app.toml; this project's convention is
 *   `/webhooks/<topic>` with the topic's slash kept as a path separator ("orders/paid" → "/webhooks/orders/paid").
 */
import { createHmac, randomUUID } from "node:crypto";
import { toShopifyJson } from "./json";

export const DEFAULT_APP_URL = "https://keepsake.test";
export const DEFAULT_WEBHOOK_API_VERSION = "2026-07";

/** Topics Keepsake subscribes to, plus anything else Shopify may send (kept open: string). */
export type WebhookTopic =
  | "orders/create"
  | "orders/paid"
  | "orders/updated"
  | "orders/cancelled"
  | "refunds/create"
  | "customers/create"
  | "customers/update"
  | "customers/delete"
  | "customers/data_request"
  | "customers/redact"
  | "shop/redact"
  | "app/uninstalled"
  | "app/scopes_update"
  | (string & {});

/** The topics shopify.app.toml subscribes Keepsake to (tests/unit/app-config.test.ts checks the toml). */
export const SUBSCRIBED_TOPICS = [
  "orders/paid",
  "orders/cancelled",
  "refunds/create",
  "customers/create",
  "customers/update",
  "customers/delete",
  "app/uninstalled",
  "app/scopes_update",
] as const;

/** The mandatory compliance topics (toml `compliance_topics`). */
export const COMPLIANCE_TOPICS = ["customers/data_request", "customers/redact", "shop/redact"] as const;

export interface WebhookHeaderOptions {
  topic: WebhookTopic;
  /** `{shop}.myshopify.com` */
  shop: string;
  /** A string is signed and sent byte-for-byte; anything else is serialised with `toShopifyJson`. */
  body: unknown;
  /** The app's client secret (SHOPIFY_API_SECRET). */
  secret: string;
  /** Defaults to a fresh uuid: a new delivery. Reuse one to model Shopify's retry of the same delivery. */
  webhookId?: string;
  /** Defaults to a fresh uuid. Share one across topics to model one merchant action. */
  eventId?: string;
  apiVersion?: string;
  /** Defaults to now. Shopify's format has microseconds: 2025-07-10T16:15:47.000000Z */
  triggeredAt?: Date | string;
  /** Optional `X-Shopify-Name` (the subscription's `name`), only sent when given. */
  subscriptionName?: string;
}

/** The body text that will be sent (and signed). */
export function webhookBodyText(body: unknown): string {
  return typeof body === "string" ? body : toShopifyJson(body);
}

/** base64(HMAC-SHA256(secret, raw body bytes)) — Shopify's `X-Shopify-Hmac-Sha256`. */
export function webhookHmac(rawBody: string | Uint8Array, secret: string): string {
  return createHmac("sha256", secret).update(rawBody).digest("base64");
}

/** `2025-07-10T16:15:47.000000Z`: ISO-8601 UTC with microseconds, as in Shopify's docs example. */
export function formatTriggeredAt(at: Date): string {
  return at.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export function webhookHeaders(options: WebhookHeaderOptions): Record<string, string> {
  const rawBody = webhookBodyText(options.body);
  const triggeredAt =
    typeof options.triggeredAt === "string" ? options.triggeredAt : formatTriggeredAt(options.triggeredAt ?? new Date());
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "X-Shopify-Topic": options.topic,
    "X-Shopify-Hmac-Sha256": webhookHmac(rawBody, options.secret),
    "X-Shopify-Shop-Domain": options.shop,
    "X-Shopify-API-Version": options.apiVersion ?? DEFAULT_WEBHOOK_API_VERSION,
    "X-Shopify-Webhook-Id": options.webhookId ?? randomUUID(),
    "X-Shopify-Event-Id": options.eventId ?? randomUUID(),
    "X-Shopify-Triggered-At": triggeredAt,
  };
  if (options.subscriptionName !== undefined) headers["X-Shopify-Name"] = options.subscriptionName;
  return headers;
}

/** "orders/paid" → "/webhooks/orders/paid" (this app's shopify.app.toml convention). */
export function webhookPath(topic: WebhookTopic): string {
  return `/webhooks/${topic}`;
}

export interface SignedWebhookRequestOptions extends WebhookHeaderOptions {
  /** Full URL to post to; defaults to `${appUrl}${webhookPath(topic)}`. */
  url?: string;
  appUrl?: string;
  /** Extra/overriding headers, e.g. to drop or corrupt one in a negative test. */
  headers?: Record<string, string>;
}

/** A WHATWG Request shaped like Shopify's delivery, for calling a route's `action` directly. */
export function signedWebhookRequest(options: SignedWebhookRequestOptions): Request {
  const rawBody = webhookBodyText(options.body);
  const url = options.url ?? `${options.appUrl ?? DEFAULT_APP_URL}${webhookPath(options.topic)}`;
  const headers = new Headers(webhookHeaders({ ...options, body: rawBody }));
  for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
  return new Request(url, { method: "POST", headers, body: rawBody });
}

/**
 * Delivers a webhook over HTTP to a running server (demo, e2e, benchmarks) and returns the Response.
 * Shopify counts any 2xx as success, anything else (3xx included) as a failure to retry; it gives up after ~5 s,
 * so `timeoutMs` defaults to 5000 to surface slow handlers the way Shopify would.
 */
export async function sendWebhook(
  baseUrl: string,
  options: Omit<SignedWebhookRequestOptions, "url" | "appUrl"> & { timeoutMs?: number },
): Promise<Response> {
  const rawBody = webhookBodyText(options.body);
  const headers = new Headers(webhookHeaders({ ...options, body: rawBody }));
  for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
  return fetch(`${baseUrl.replace(/\/+$/, "")}${webhookPath(options.topic)}`, {
    method: "POST",
    headers,
    body: rawBody,
    redirect: "manual",
    signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
  });
}
