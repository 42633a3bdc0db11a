/**
 * "Shopify" for the offline demo: one node:http server on loopback that plays every part of Shopify the app meets.
 *
 *   GET  /admin                          the admin frame, app in an iframe with a fresh session token (?path=/app/…, ?locale=ko)
 *   GET  /session-token                  a fresh session token (JSON), CORS-allowed for the app origin
 *   GET  /cdn/app-bridge.js              the App Bridge stand-in (scripts/demo/app-bridge-script.ts)
 *   POST /admin/api/2026-07/graphql.json Admin GraphQL, every document validated against the 2026-07 schema
 *                                        (tests/support/shopify/admin-graphql.ts)
 *   GET  /store                          the demo till; POST /store/orders, /store/customers,
 *                                        /store/orders/<id>/refund, /store/orders/<id>/cancel send REAL signed
 *                                        webhooks to the app (`Accept: application/json` → a JSON answer)
 *   GET  /products/…, /pages/rewards,    the storefront preview: the real theme app extension, its app proxy
 *        /account/…, /apps/keepsake/…    /apps/keepsake/* signed and forwarded to the app
 *                                        (scripts/demo/storefront-preview.ts)
 *
 * Loopback only, demo secret only: /session-token hands a valid token to whoever asks, which is what makes the
 * demo "log in" without Shopify, and why app/env.server.ts refuses demo mode with a real secret or a public URL.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdminApiStandIn, type AdminApiStandIn } from "../../tests/support/shopify/admin-graphql";
import {
  cancelledOrderPayload,
  customerPayload,
  paidOrderPayload,
  refundedOrderPayload,
  refundPayload,
  type CustomerPayload,
  type OrderLineInput,
  type OrderPayload,
} from "../../tests/support/shopify/payloads";
import { sendWebhook, type WebhookTopic } from "../../tests/support/shopify/webhooks";
import { APP_BRIDGE_SCRIPT } from "./app-bridge-script";
import { adminPage, appOrigins, storePage, type DeliveryLog } from "./pages";
import { createStorefrontPreview } from "./storefront-preview";
import { adminHostParam, signSessionToken } from "./session-token";

export interface ShopifyStandInOptions {
  /** 0 = any free port. */
  port: number;
  host?: string;
  /** The app as the browser reaches it, e.g. http://localhost:3000 (the iframe's origin). */
  appUrl: string;
  /** Where webhooks are POSTed (default appUrl); 127.0.0.1 avoids a localhost → ::1 detour. */
  webhookUrl?: string;
  shop: string;
  storeName?: string;
  apiKey: string;
  secret: string;
  /** The offline session's token: the only one the Admin API stand-in accepts. */
  accessToken: string;
  products: readonly { title: string; price: string }[];
  /**
   * The app answers a webhook once it is stored and applies it a moment later (its inbox). The
   * store page shows an action's result only after this resolves, as the admin would show it.
   */
  whenApplied?: (webhookId: string) => Promise<void>;
}

export interface Delivery {
  topic: WebhookTopic;
  body: unknown;
  label: string;
}

export interface ShopifyStandIn {
  origin: string;
  adminApi: AdminApiStandIn;
  customers: CustomerPayload[];
  /** Newest first. */
  orders: OrderPayload[];
  log: DeliveryLog[];
  /** Signs and POSTs one webhook to the app; records it in the till's log. */
  deliver(delivery: Delivery): Promise<DeliveryLog>;
  /** The admin frame's iframe URL for `path`, with a fresh session token. */
  /** `locale`: the staff member's admin language Shopify passes as `?locale=` (default en). */
  embeddedAppUrl(path?: string, locale?: string): string;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(response: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string> = {}) {
  response.writeHead(status, { "Cache-Control": "no-store", ...headers });
  response.end(body);
}

const html = (response: ServerResponse, body: string, status = 200) =>
  send(response, status, body, { "Content-Type": "text/html; charset=utf-8" });
const json = (response: ServerResponse, body: unknown, status = 200, headers: Record<string, string> = {}) =>
  send(response, status, JSON.stringify(body), { "Content-Type": "application/json; charset=utf-8", ...headers });

export async function startShopifyStandIn(options: ShopifyStandInOptions): Promise<ShopifyStandIn> {
  const host = options.host ?? "127.0.0.1";
  const storeName = options.storeName ?? "Keepsake Demo";
  const allowedOrigins = appOrigins(options.appUrl);
  const webhookUrl = options.webhookUrl ?? options.appUrl;
  const adminApi = createAdminApiStandIn({
    accessTokens: { [options.shop]: options.accessToken },
    mocks: {
      Shop: () => ({
        name: storeName,
        myshopifyDomain: options.shop,
        currencyCode: "USD",
        ianaTimezone: "America/Toronto",
        timezoneAbbreviation: "EST",
        email: "owner@keepsake-demo.example",
      }),
    },
  });
  const customers: CustomerPayload[] = [];
  const orders: OrderPayload[] = [];
  const log: DeliveryLog[] = [];
  // The app proxy calls the app directly, like webhooks (Shopify's servers, not the shopper's browser).
  const storefront = createStorefrontPreview({
    shop: options.shop,
    storeName,
    appOrigin: webhookUrl,
    secret: options.secret,
    currency: "USD",
    customers: () => customers,
    products: options.products,
  });

  const token = () => signSessionToken({ shop: options.shop, apiKey: options.apiKey, secret: options.secret });
  const embeddedAppUrl = (path = "/app", locale = "en") => {
    const url = new URL(path.startsWith("/app") ? path : "/app", options.appUrl);
    url.searchParams.set("embedded", "1");
    url.searchParams.set("shop", options.shop);
    url.searchParams.set("host", adminHostParam(options.shop));
    url.searchParams.set("locale", locale);
    url.searchParams.set("id_token", token());
    return url.toString();
  };

  async function deliver(delivery: Delivery): Promise<DeliveryLog> {
    let status: number | string;
    const webhookId = randomUUID();
    try {
      const response = await sendWebhook(webhookUrl, {
        topic: delivery.topic,
        body: delivery.body,
        shop: options.shop,
        secret: options.secret,
        webhookId,
      });
      status = response.status;
      await response.arrayBuffer();
      if (status === 200) await options.whenApplied?.(webhookId);
    } catch (error) {
      status = error instanceof Error ? error.message : String(error);
    }
    const entry: DeliveryLog = { at: new Date(), topic: delivery.topic, label: delivery.label, status };
    log.push(entry);
    if (log.length > 200) log.splice(0, log.length - 200);
    return entry;
  }

  const findOrder = (id: string) => {
    const index = orders.findIndex((order) => String(order.id) === id);
    if (index < 0) throw new HttpError(404, `No order ${id} in the demo store`);
    return index;
  };

  /** The till's actions: each returns what happened and the webhooks it sent. */
  async function storeAction(path: string, form: URLSearchParams): Promise<{ text: string; deliveries: DeliveryLog[]; order?: OrderPayload }> {
    if (path === "/store/orders") {
      const lines: OrderLineInput[] = [];
      options.products.forEach((product, index) => {
        const quantity = Number(form.get(`qty${index}`) ?? "0");
        if (Number.isInteger(quantity) && quantity > 0 && quantity < 100) {
          lines.push({ title: product.title, price: product.price, quantity, ...(product.title === "Gift card" ? { giftCard: true } : {}) });
        }
      });
      if (lines.length === 0) throw new HttpError(400, "Pick at least one product");
      const who = form.get("customer") ?? "guest";
      const customer = who === "guest" ? null : customers.find((candidate) => String(candidate.id) === who);
      if (customer === undefined) throw new HttpError(400, `No customer ${who}`);
      const email = customer ? customer.email : (form.get("email") ?? "").trim().toLowerCase() || null;
      const discount = (form.get("discount") ?? "").trim().toUpperCase();
      const discountAmount = /^SAVE(\d{1,2})$/.exec(discount)?.[1];
      const order = paidOrderPayload({
        customer,
        email,
        lines,
        sourceName: form.get("source") === "pos" ? "pos" : "web",
        shipping: form.get("source") === "pos" ? undefined : "7.00",
        shopDomain: options.shop,
        ...(discountAmount ? { discountCodes: [{ code: discount, amount: `${discountAmount}.00` }] } : {}),
      });
      orders.unshift(order);
      const who_ = customer ? `${customer.first_name} ${customer.last_name}` : `guest ${email ?? ""}`;
      const delivery = await deliver({ topic: "orders/paid", body: order, label: `${order.name} paid by ${who_}` });
      return { text: `Order ${order.name} placed ($${order.total_price})`, deliveries: [delivery], order };
    }
    if (path === "/store/customers") {
      const firstName = (form.get("firstName") ?? "").trim();
      const email = (form.get("email") ?? "").trim().toLowerCase();
      if (!firstName || !email) throw new HttpError(400, "A first name and an email are needed");
      const customer = customerPayload({ firstName, lastName: (form.get("lastName") ?? "").trim() || null, email });
      customers.push(customer);
      const delivery = await deliver({ topic: "customers/create", body: customer, label: `${firstName} signed up` });
      return { text: `${firstName} signed up (${email})`, deliveries: [delivery] };
    }
    const match = /^\/store\/orders\/(\d+)\/(refund|cancel)$/.exec(path);
    if (!match) throw new HttpError(404, "Not found");
    const index = findOrder(match[1]!);
    const order = orders[index]!;
    if (order.cancelled_at) throw new HttpError(409, `${order.name} is already cancelled`);
    const remaining = order.line_items.filter((line) => line.current_quantity > 0);
    if (remaining.length === 0) throw new HttpError(409, `${order.name} is already fully refunded`);
    if (match[2] === "refund") {
      const one = form.get("quantity") === "1";
      const refund = refundPayload(order, {
        lines: one
          ? [{ lineItemId: remaining[0]!.id, quantity: 1 }]
          : remaining.map((line) => ({ lineItemId: line.id, quantity: line.current_quantity })),
      });
      const updated = refundedOrderPayload(order, refund);
      orders[index] = updated;
      const what = one ? `1 × ${remaining[0]!.title}` : "everything left";
      const delivery = await deliver({ topic: "refunds/create", body: refund, label: `${order.name} refunded (${what})` });
      return { text: `${order.name} refunded: ${what}`, deliveries: [delivery], order: updated };
    }
    const cancelled = cancelledOrderPayload(order, "customer");
    orders[index] = cancelled;
    const deliveries = [await deliver({ topic: "orders/cancelled", body: cancelled, label: `${order.name} cancelled` })];
    const refund = cancelled.refunds.at(-1);
    if (refund) {
      deliveries.push(await deliver({ topic: "refunds/create", body: refund, label: `${order.name} refunded on cancellation` }));
    }
    return { text: `${order.name} cancelled`, deliveries, order: cancelled };
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", `http://${request.headers.host ?? host}`);
    const method = request.method ?? "GET";
    const origin = request.headers.origin;
    const cors: Record<string, string> =
      origin && allowedOrigins.includes(origin) ? { "Access-Control-Allow-Origin": origin, Vary: "Origin" } : { Vary: "Origin" };

    if (url.pathname.startsWith("/admin/api/")) {
      const body = method === "GET" || method === "HEAD" ? undefined : new Uint8Array(await readBody(request));
      const headers = new Headers();
      for (const [name, value] of Object.entries(request.headers)) {
        if (typeof value === "string") headers.set(name, value);
      }
      const answer = await adminApi.fetch(new Request(url, { method, headers, body }));
      response.writeHead(answer.status, Object.fromEntries(answer.headers));
      response.end(Buffer.from(await answer.arrayBuffer()));
      return;
    }
    if (method === "OPTIONS") {
      return send(response, 204, "", { ...cors, "Access-Control-Allow-Methods": "GET", "Access-Control-Max-Age": "600" });
    }
    if (method === "GET" && (url.pathname === "/" || url.pathname === "/admin/")) {
      return send(response, 302, "", { Location: "/admin" });
    }
    if (method === "GET" && url.pathname === "/admin") {
      const path = url.searchParams.get("path") ?? "/app";
      // /admin?locale=ko opens the app as for a staff member whose admin is in Korean.
      const locale = /^[a-z]{2}(-[A-Z]{2})?$/.test(url.searchParams.get("locale") ?? "") ? url.searchParams.get("locale")! : "en";
      return html(
        response,
        adminPage({ shop: options.shop, storeName, appOrigin: options.appUrl, iframeSrc: embeddedAppUrl(path, locale), appPath: path }),
      );
    }
    if (method === "GET" && url.pathname === "/session-token") {
      const shop = url.searchParams.get("shop");
      if (shop && shop !== options.shop) return json(response, { error: `unknown shop ${shop}` }, 404, cors);
      return json(response, { token: token() }, 200, cors);
    }
    if (method === "GET" && url.pathname === "/cdn/app-bridge.js") {
      return send(response, 200, APP_BRIDGE_SCRIPT, {
        "Content-Type": "text/javascript; charset=utf-8",
        "Access-Control-Allow-Origin": "*",
      });
    }
    if (method === "GET" && url.pathname === "/store") {
      return html(response, storePage({ shop: options.shop, storeName, customers, orders, products: options.products, log }));
    }
    if (method === "POST" && url.pathname.startsWith("/store/")) {
      const wantsJson = (request.headers.accept ?? "").includes("application/json");
      const form = new URLSearchParams((await readBody(request)).toString("utf8"));
      try {
        const result = await storeAction(url.pathname, form);
        const ok = result.deliveries.every((delivery) => delivery.status === 200);
        if (wantsJson) {
          return json(response, {
            ok,
            text: result.text,
            order: result.order ? { id: String(result.order.id), name: result.order.name, gid: result.order.admin_graphql_api_id } : null,
            deliveries: result.deliveries.map(({ topic, status }) => ({ topic, status })),
          });
        }
        return html(
          response,
          storePage({
            shop: options.shop,
            storeName,
            customers,
            orders,
            products: options.products,
            log,
            message: { text: ok ? result.text : `${result.text}, but Keepsake did not accept every webhook`, ok, deliveries: result.deliveries },
          }),
        );
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        if (wantsJson) return json(response, { ok: false, error: error.message }, error.status);
        return html(
          response,
          storePage({ shop: options.shop, storeName, customers, orders, products: options.products, log, message: { text: error.message, ok: false } }),
          error.status,
        );
      }
    }
    if (await storefront.handle(request, response)) return;
    return send(response, 404, "Not found", { "Content-Type": "text/plain; charset=utf-8" });
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      console.error("[shopify stand-in]", error);
      if (!response.headersSent) send(response, 500, String(error instanceof Error ? error.message : error));
      else response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${host}:${port}`,
    adminApi,
    customers,
    orders,
    log,
    deliver,
    embeddedAppUrl,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
