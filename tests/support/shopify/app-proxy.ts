/**
 * App-proxy requests as Shopify forwards them (storefront `/apps/<subpath>/...` → the app's proxy URL).
 *
 * Shopify appends `shop`, `logged_in_customer_id` (EMPTY when nobody is logged in — the empty pair is still
 * signed), `path_prefix`, `timestamp` and `signature`; it strips cookies and forwards method and body.
 * signature = hex HMAC-SHA256(secret, sorted `key=value` pairs concatenated with no separator; a repeated key's
 * values joined by ","; `signature` itself excluded). Reproduces both documented vectors
 * (tests/support/fixtures/app-proxy-test-vectors.json).
 */
import { createHmac } from "node:crypto";

export const DEFAULT_APP_URL = "https://keepsake.test";

export type AppProxyParams = Record<string, string | readonly string[]>;

/** The exact string Shopify signs. */
export function appProxyMessage(params: AppProxyParams): string {
  return (
    Object.entries(params)
      .filter(([key]) => key !== "signature")
      // Shopify sorts by key in byte order (Ruby's String#<=>). @shopify/shopify-api sorts with localeCompare; the
      // two agree on the lowercase/underscore keys Shopify adds, but may differ for app keys with upper case or
      // punctuation — avoid such keys in the theme's proxy calls.
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, value]) => `${key}=${typeof value === "string" ? value : value.join(",")}`)
      .join("")
  );
}

export function appProxySignature(params: AppProxyParams, secret: string): string {
  return createHmac("sha256", secret).update(appProxyMessage(params)).digest("hex");
}

/** Groups a URLSearchParams into the signing map (repeated keys → arrays, in order of appearance). */
export function appProxyParamsFromSearch(search: URLSearchParams): Record<string, string | string[]> {
  const params: Record<string, string | string[]> = {};
  for (const [key, value] of search) {
    const existing = params[key];
    params[key] = existing === undefined ? value : [...(typeof existing === "string" ? [existing] : existing), value];
  }
  return params;
}

export interface SignedAppProxyRequestOptions {
  /** `{shop}.myshopify.com` */
  shop: string;
  /** Numeric customer id as a string ("7000000000000000001"), or "" when no customer is logged in. */
  loggedInCustomerId: string;
  /** The part after the proxy subpath, e.g. "/member" for storefront `/apps/keepsake/member`. */
  path: string;
  method?: string;
  /** The storefront request's own query (kept, and signed, as Shopify does). Arrays = repeated keys. */
  query?: Record<string, string | readonly string[]>;
  /** Forwarded as-is; objects are JSON-encoded with Content-Type application/json. */
  body?: string | Record<string, unknown> | URLSearchParams;
  secret: string;
  appUrl?: string;
  /** The app's proxy route prefix (the `url` in shopify.app.toml's [app_proxy]), "/proxy". */
  proxyPath?: string;
  /** `path_prefix` Shopify reports: "/apps/" + subpath. */
  subpathPrefix?: string;
  /** Seconds or a Date; defaults to now (the library rejects more than 90 s of skew). */
  timestamp?: number | Date;
  /** Extra request headers (Shopify forwards most storefront headers but never Cookie). */
  headers?: Record<string, string>;
}

/** The forwarded URL (with signature) Shopify would call. */
export function appProxyUrl(options: SignedAppProxyRequestOptions): URL {
  const timestamp =
    options.timestamp instanceof Date
      ? Math.floor(options.timestamp.getTime() / 1000)
      : (options.timestamp ?? Math.floor(Date.now() / 1000));
  const params: Record<string, string | readonly string[]> = {
    ...options.query,
    shop: options.shop,
    logged_in_customer_id: options.loggedInCustomerId,
    path_prefix: options.subpathPrefix ?? "/apps/keepsake",
    timestamp: String(timestamp),
  };
  const url = new URL(`${options.appUrl ?? DEFAULT_APP_URL}${options.proxyPath ?? "/proxy"}${options.path}`);
  for (const [key, value] of Object.entries(params)) {
    for (const item of typeof value === "string" ? [value] : value) url.searchParams.append(key, item);
  }
  url.searchParams.append("signature", appProxySignature(params, options.secret));
  return url;
}

export function signedAppProxyRequest(options: SignedAppProxyRequestOptions): Request {
  const method = (options.method ?? "GET").toUpperCase();
  const headers = new Headers(options.headers);
  headers.delete("cookie"); // Shopify strips cookies on proxied requests
  let body: string | undefined;
  if (options.body !== undefined && method !== "GET" && method !== "HEAD") {
    if (typeof options.body === "string") {
      body = options.body;
    } else if (options.body instanceof URLSearchParams) {
      body = options.body.toString();
      if (!headers.has("content-type")) headers.set("Content-Type", "application/x-www-form-urlencoded");
    } else {
      body = JSON.stringify(options.body);
      if (!headers.has("content-type")) headers.set("Content-Type", "application/json");
    }
  }
  return new Request(appProxyUrl(options), { method, headers, body });
}
