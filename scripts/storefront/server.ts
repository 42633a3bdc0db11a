/**
 * A fixture Shopify storefront on 127.0.0.1 (node:http) that renders the real theme app extension:
 *
 *   /products/<handle>[?variant=<id>]   product page: theme-like layout, product form, the product-points block
 *   /pages/rewards                      the rewards-page block
 *   /account/login | /account/register | /account | /cart | /discount/<code>   small stand-in pages
 *   /<locale>/…                         the same pages in another locale (ko, ja, fr, de, es), like Shopify's URLs
 *   ?embed=0                            the page without the launcher embed (the Lighthouse baseline)
 *   /cdn/keepsake-theme/assets/<file>   the extension's assets (what asset_url points at)
 *   /apps/keepsake/*                    the app proxy: forwarded like Shopify does (below)
 *
 * The launcher embed is rendered before </body> on every page (app embeds with target "body"); an app block's
 * schema `javascript`/`stylesheet` are put in <head> once, deferred, as Shopify does.
 *
 * App proxy: Shopify strips cookies, adds shop, logged_in_customer_id (the storefront session's customer, ""
 * for guests), path_prefix=/apps/keepsake, timestamp and the HMAC signature, and forwards method and body to
 * <app>/proxy/<rest>. Signing is tests/support/shopify/app-proxy.ts (checked against Shopify's documented
 * vectors). Where the signed request goes is the caller's choice (`forward`): the tests dispatch it in-process to
 * the route modules; the demo sends it over HTTP to the running app (`forwardOverHttp`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { appProxyUrl } from "../../tests/support/shopify/app-proxy";
import {
  createStorefrontRenderer,
  EXTENSION_DIR,
  formatMoney,
  type BlockName,
  type FixtureCustomer,
  type FixtureProduct,
  type FixtureShop,
  type StorefrontContext,
} from "./render";

/** Sends a signed app-proxy request to the app and returns its answer. */
export type AppForwarder = (request: Request) => Promise<Response>;

/** For a running app: the signed URL already points at it (appUrl), so forwarding is a plain fetch. */
export const forwardOverHttp: AppForwarder = (request) => fetch(request);

export type AppData = StorefrontContext["appData"];

export interface StorefrontOptions {
  shop: FixtureShop;
  products: FixtureProduct[];
  /** Customers who can log in; a function when the list grows while the server runs (the demo's sign-ups). */
  customers: FixtureCustomer[] | (() => FixtureCustomer[]);
  /** Numeric id of the customer logged in at start (null: a guest). Change it with `logIn`. */
  loggedInCustomerId?: string | null;
  /** The app-data metafields (earn rate, program), read on every page render. */
  appData: () => Promise<AppData> | AppData;
  /**
   * The customer's app-owned balance metafield, read on every page render; by default the fixture's value.
   * The demo reads it from the app, as the app's metafield sync would have written it.
   */
  balanceOf?: (customer: FixtureCustomer) => Promise<number | null>;
  forward: AppForwarder;
  /** The app's client secret (app-proxy signatures). */
  secret: string;
  /** Where the signed request is addressed: the app's origin (the demo) or any origin (in-process). */
  appUrl: string;
  port?: number;
  host?: string;
  extensionDir?: string;
  /** Block settings for the launcher embed (theme editor values). */
  launcherSettings?: Record<string, unknown>;
  /** Other app embeds the merchant turned on (rendered after the launcher on every page), e.g. the birthday pop-up. */
  embeds?: Array<{ block: BlockName; settings?: Record<string, unknown> }>;
}

export interface StorefrontHandler {
  /** Answers a storefront request; false when the path is not the storefront's (the caller answers it). */
  handle(request: IncomingMessage, response: ServerResponse): Promise<boolean>;
  logIn(customerId: string | null): void;
  /** Every request the proxy forwarded (method, storefront path, status), for assertions. */
  proxied: Array<{ method: string; path: string; status: number }>;
}

export interface Storefront extends Omit<StorefrontHandler, "handle"> {
  url: string;
  port: number;
  close(): Promise<void>;
}

export const ASSET_PREFIX = "/cdn/keepsake-theme/assets/";
const PROXY_PREFIX = "/apps/keepsake";
const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
};

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);

function send(request: IncomingMessage, response: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}) {
  let payload = typeof body === "string" ? Buffer.from(body) : body;
  const compress = /gzip/.test(String(request.headers["accept-encoding"] ?? "")) && payload.length > 512;
  if (compress) payload = gzipSync(payload);
  response.writeHead(status, {
    "Content-Type": type,
    "Content-Length": String(payload.length),
    ...(compress ? { "Content-Encoding": "gzip", Vary: "Accept-Encoding" } : {}),
    ...headers,
  });
  response.end(request.method === "HEAD" ? undefined : payload);
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A theme-like page: header, navigation, main, footer; the app's head assets and the body embed. */
function layout(options: { locale: string; title: string; shopName: string; prefix: string; shopPath: string; head: string[]; main: string; embed: string }): string {
  return `<!doctype html>
<html lang="${escapeHtml(options.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="${escapeHtml(options.shopName)} — fixture storefront for the Keepsake theme app extension">
<title>${escapeHtml(options.title)} – ${escapeHtml(options.shopName)}</title>
<style>
  *{box-sizing:border-box}
  body{margin:0;font:16px/1.5 Georgia,"Times New Roman",serif;color:#1c1c1c;background:#fbfaf7}
  .skip{position:absolute;left:-9999px}.skip:focus{left:12px;top:12px;background:#fff;padding:8px}
  header{display:flex;justify-content:space-between;align-items:center;padding:16px 24px;border-bottom:1px solid #e6e2da}
  header a{color:#1c1c1c;text-decoration:none;margin-left:16px}
  .logo{font-size:22px;font-weight:700;margin:0}
  main{max-width:1100px;margin:0 auto;padding:32px 24px 96px}
  .product{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:40px}
  .product__media svg{width:100%;height:auto;aspect-ratio:1;background:#efe9df;border-radius:12px}
  .price{font-size:22px;margin:8px 0 16px}
  label{display:block;font-weight:700;margin-bottom:4px}
  select,.add{font:inherit;padding:10px 12px;border-radius:8px;border:1px solid #8a8a8a;background:#fff}
  .add{display:block;width:100%;margin-top:12px;background:#1c1c1c;color:#fff;border-color:#1c1c1c;cursor:pointer}
  footer{padding:24px;border-top:1px solid #e6e2da;color:#555;font-size:14px}
  @media (max-width:720px){.product{grid-template-columns:1fr}}
</style>
${options.head.join("\n")}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
  <p class="logo"><a href="${options.prefix}/">${escapeHtml(options.shopName)}</a></p>
  <nav aria-label="Main"><a href="${options.prefix}${options.shopPath}">Shop</a><a href="${options.prefix}/pages/rewards">Rewards</a><a href="${options.prefix}/account/login">Account</a><a href="${options.prefix}/cart">Cart</a></nav>
</header>
<main id="main">
${options.main}
</main>
<footer>${escapeHtml(options.shopName)} · fixture storefront</footer>
${options.embed}
</body>
</html>`;
}

function productMain(product: FixtureProduct, selectedId: number, moneyFormat: string, block: string): string {
  const selected = product.variants.find((variant) => variant.id === selectedId) ?? product.variants[0];
  const prices = Object.fromEntries(product.variants.map((variant) => [variant.id, formatMoney(variant.price, moneyFormat)]));
  const options = product.variants
    .map((variant) => `<option value="${variant.id}"${variant.id === selected?.id ? " selected" : ""}>${escapeHtml(variant.title)}</option>`)
    .join("");
  // The theme's own variant script, as Dawn-like themes do: update the price and ?variant= in the URL.
  return `<div class="product">
  <div class="product__media"><svg viewBox="0 0 400 400" width="400" height="400" role="img" aria-label="${escapeHtml(product.title)}"><circle cx="200" cy="210" r="110" fill="#c9b79c"/><rect x="300" y="170" width="50" height="90" rx="25" fill="none" stroke="#c9b79c" stroke-width="18"/></svg></div>
  <div class="product__info">
    <h1>${escapeHtml(product.title)}</h1>
    <p class="price" data-price>${escapeHtml(selected ? formatMoney(selected.price, moneyFormat) : "")}</p>
    <form action="/cart/add" method="post" class="product-form">
      <label for="product-variant">Size</label>
      <select id="product-variant" name="id">${options}</select>
      <button type="submit" class="add">Add to cart</button>
    </form>
    ${block}
    <p>${escapeHtml(product.description)}</p>
  </div>
</div>
<script>
  (function () {
    var prices = ${JSON.stringify(prices).replace(/</g, "\\u003c")};
    var select = document.getElementById("product-variant");
    select.addEventListener("change", function () {
      document.querySelector("[data-price]").textContent = prices[select.value];
      var url = new URL(window.location.href);
      url.searchParams.set("variant", select.value);
      history.replaceState(null, "", url.toString());
    });
  })();
</script>`;
}

/**
 * The storefront as a request handler, so another server can mount it (the demo's Shopify stand-in does);
 * `startStorefront` serves it alone.
 */
export function createStorefrontHandler(options: StorefrontOptions): StorefrontHandler {
  const extensionDir = options.extensionDir ?? EXTENSION_DIR;
  const renderer = createStorefrontRenderer(extensionDir);
  const locales = new Set(renderer.locales.storefront.keys());
  let loggedInId = options.loggedInCustomerId ?? null;
  const proxied: StorefrontHandler["proxied"] = [];
  const customerList = () => (typeof options.customers === "function" ? options.customers() : options.customers);

  const currentCustomer = async (): Promise<FixtureCustomer | null> => {
    const customer = customerList().find((candidate) => candidate.id === loggedInId) ?? null;
    if (!customer || !options.balanceOf) return customer;
    return { ...customer, balance: await options.balanceOf(customer) };
  };

  async function page(locale: string, pathname: string, search: URLSearchParams): Promise<{ status: number; html: string } | null> {
    const prefix = locale === "en" ? "" : `/${locale}`;
    const customer = await currentCustomer();
    const base: StorefrontContext = {
      shop: options.shop,
      locale,
      customer,
      appData: await options.appData(),
      assetBase: ASSET_PREFIX,
    };
    const head = new Set<string>();
    const addAssets = (block: { javascriptUrl: string | null; stylesheetUrl: string | null }) => {
      if (block.stylesheetUrl) head.add(`<link rel="stylesheet" href="${block.stylesheetUrl}">`);
      if (block.javascriptUrl) head.add(`<script src="${block.javascriptUrl}" defer></script>`);
    };
    let title: string;
    let main: string;
    const status = 200;
    const productMatch = /^\/products\/([\w-]+)$/.exec(pathname);
    if (productMatch) {
      const product = options.products.find((candidate) => candidate.handle === productMatch[1]);
      if (!product) return null;
      const selectedVariantId = Number(search.get("variant")) || undefined;
      const block = await renderer.renderBlock("product-points", { ...base, product, selectedVariantId, blockId: "product-points-1" });
      addAssets(block);
      title = product.title;
      main = productMain(product, selectedVariantId ?? product.variants[0]?.id ?? 0, options.shop.moneyFormat, block.html);
    } else if (pathname === "/pages/rewards") {
      const block = await renderer.renderBlock("rewards-page", { ...base, blockId: "rewards-page-1" });
      addAssets(block);
      title = "Rewards";
      main = block.html;
    } else if (pathname === "/" || pathname === "") {
      title = "Home";
      main = `<h1>${escapeHtml(options.shop.name)}</h1><ul>${options.products
        .map((product) => `<li><a href="${prefix}/products/${product.handle}">${escapeHtml(product.title)}</a></li>`)
        .join("")}</ul><p><a href="${prefix}/pages/rewards">Rewards program</a></p>`;
    } else if (pathname === "/account/login" || pathname === "/account/register" || pathname === "/account") {
      title = "Account";
      const who = customer ? `Logged in as ${escapeHtml(customer.firstName)} (${escapeHtml(customer.email)}).` : "Not logged in.";
      const returnTo = search.get("return_to") ?? "";
      main = `<h1>Account</h1><p data-testid="account-status">${who}</p><form method="post" action="${prefix}/account/login"><input type="hidden" name="return_to" value="${escapeHtml(returnTo)}"><label for="login-customer">Log in as</label><select id="login-customer" name="customer"><option value="">Guest (log out)</option>${customerList()
        .map((c) => `<option value="${c.id}"${c.id === loggedInId ? " selected" : ""}>${escapeHtml(c.firstName)} — ${escapeHtml(c.email)}</option>`)
        .join("")}</select> <button type="submit" class="add">Continue</button></form>`;
    } else if (pathname === "/cart") {
      title = "Cart";
      const code = search.get("discount");
      main = `<h1>Cart</h1><p data-testid="cart-discount">${code ? `Discount ${escapeHtml(code)} applied at checkout.` : "No discount applied."}</p>`;
    } else {
      return null;
    }
    let embed = "";
    if (search.get("embed") !== "0") {
      embed = (await renderer.renderBlock("launcher", { ...base, settings: options.launcherSettings, blockId: "launcher" })).html;
      for (const extra of options.embeds ?? []) {
        embed += (await renderer.renderBlock(extra.block, { ...base, settings: extra.settings, blockId: extra.block })).html;
      }
    }
    const shopPath = options.products[0] ? `/products/${options.products[0].handle}` : "/";
    return { status, html: layout({ locale, title, shopName: options.shop.name, prefix, shopPath, head: [...head], main, embed }) };
  }

  async function proxy(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const method = (request.method ?? "GET").toUpperCase();
    const query: Record<string, string[]> = {};
    for (const [key, value] of url.searchParams) (query[key] ??= []).push(value);
    const signed = appProxyUrl({
      shop: options.shop.domain,
      loggedInCustomerId: loggedInId ?? "",
      path: url.pathname.slice(PROXY_PREFIX.length) || "/",
      query,
      secret: options.secret,
      appUrl: options.appUrl,
    });
    const body = method === "GET" || method === "HEAD" ? undefined : new Uint8Array(await readBody(request));
    const headers = new Headers();
    // Shopify forwards the storefront's headers but never its cookies.
    for (const name of ["content-type", "accept", "accept-language", "user-agent"]) {
      const value = request.headers[name];
      if (typeof value === "string") headers.set(name, value);
    }
    // …and tells the app who the shopper is on the network: X-Forwarded-For, the client's address first.
    headers.set("x-forwarded-for", request.socket.remoteAddress?.replace(/^::ffff:/, "") ?? "127.0.0.1");
    let answer: Response;
    try {
      answer = await options.forward(new Request(signed, { method, headers, body }));
    } catch (error) {
      // Shopify shows its own error page when the app cannot be reached.
      send(request, response, 502, "text/plain; charset=utf-8", `app proxy: ${error instanceof Error ? error.message : String(error)}`);
      proxied.push({ method, path: url.pathname, status: 502 });
      return;
    }
    const payload = Buffer.from(await answer.arrayBuffer());
    proxied.push({ method, path: url.pathname, status: answer.status });
    const passHeaders: Record<string, string> = {};
    for (const name of ["cache-control", "retry-after"]) {
      const value = answer.headers.get(name);
      if (value) passHeaders[name] = value;
    }
    send(request, response, answer.status, answer.headers.get("content-type") ?? "application/octet-stream", payload, passHeaders);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    const url = new URL(request.url ?? "/", "http://storefront.invalid");
    let pathname = url.pathname;
    if (pathname.startsWith(PROXY_PREFIX + "/")) {
      await proxy(request, response, url);
      return true;
    }
    if (pathname.startsWith(ASSET_PREFIX)) {
      const file = pathname.slice(ASSET_PREFIX.length);
      const type = CONTENT_TYPES[path.extname(file)];
      let content: Buffer | null = null;
      if (/^[\w.-]+$/.test(file) && type) content = await readFile(path.join(extensionDir, "assets", file)).catch(() => null);
      if (content && type) send(request, response, 200, type, content, { "Cache-Control": "public, max-age=3600" });
      else send(request, response, 404, "text/plain", "not found");
      return true;
    }
    if (pathname === "/favicon.ico") {
      send(request, response, 204, "image/x-icon", "");
      return true;
    }
    const localeMatch = /^\/([a-z]{2}(?:-[A-Z]{2})?)(\/.*|$)/.exec(pathname);
    let locale = "en";
    if (localeMatch?.[1] && locales.has(localeMatch[1]) && localeMatch[1] !== "en") {
      locale = localeMatch[1];
      pathname = localeMatch[2] || "/";
    }
    const prefix = locale === "en" ? "" : `/${locale}`;
    if (request.method === "POST" && pathname === "/account/login") {
      const form = new URLSearchParams((await readBody(request)).toString("utf8"));
      const id = form.get("customer") || null;
      loggedInId = id && customerList().some((c) => c.id === id) ? id : null;
      const returnTo = form.get("return_to") ?? "";
      // Like Shopify's return_to: only a path on this storefront.
      response.writeHead(303, { Location: /^\/(?!\/)/.test(returnTo) ? returnTo : `${prefix}/account` });
      response.end();
      return true;
    }
    const discount = /^\/discount\/([^/]+)$/.exec(pathname);
    if (discount?.[1]) {
      // Shopify stores the code for checkout and redirects (?redirect=) — the cart page shows it here.
      const redirect = url.searchParams.get("redirect") ?? "/";
      const target = new URL(redirect.startsWith("/") ? redirect : "/", "http://storefront.invalid");
      target.searchParams.set("discount", decodeURIComponent(discount[1]));
      response.writeHead(302, { Location: target.pathname + target.search });
      response.end();
      return true;
    }
    const rendered = await page(locale, pathname, url.searchParams);
    if (!rendered) return false;
    send(request, response, rendered.status, "text/html; charset=utf-8", rendered.html, { "Cache-Control": "no-store" });
    return true;
  }

  return {
    proxied,
    logIn(customerId) {
      loggedInId = customerId;
    },
    async handle(request, response) {
      try {
        return await handle(request, response);
      } catch (error) {
        // A Liquid error is a bug in a block: say it plainly (tests read it).
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        if (!response.headersSent) send(request, response, 500, "text/plain; charset=utf-8", `storefront error: ${message}`);
        else response.destroy();
        return true;
      }
    },
  };
}

export async function startStorefront(options: StorefrontOptions): Promise<Storefront> {
  const storefront = createStorefrontHandler(options);
  const server: Server = createServer((request, response) => {
    void storefront.handle(request, response).then((handled) => {
      if (!handled) send(request, response, 404, "text/html; charset=utf-8", "<!doctype html><title>Not found</title><h1>Not found</h1>");
    });
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://${host}:${port}`,
    port,
    proxied: storefront.proxied,
    logIn: storefront.logIn,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
