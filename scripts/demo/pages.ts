/**
 * HTML of the Shopify stand-in's pages: /admin (a frame imitating the Shopify admin around the embedded app) and
 * /store (a till to place, refund and cancel orders, each of which becomes a signed webhook to the app).
 */
import type { CustomerPayload, OrderPayload } from "../../tests/support/shopify/payloads";
import { FIXTURE_PRODUCT } from "../storefront/fixtures";
import { STOREFRONT_PREVIEW_ENTRY } from "./storefront-preview";

export const escapeHtml = (value: unknown): string =>
  String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const FONT = `-apple-system, BlinkMacSystemFont, "San Francisco", "Segoe UI", Roboto, "Helvetica Neue", sans-serif`;

const BAG_ICON = `<svg width="28" height="28" viewBox="0 0 28 28" aria-hidden="true"><path fill="#95bf47" d="M20.6 6.3c0-.1-.1-.2-.2-.2s-1.6-.1-1.6-.1-1.1-1.1-1.2-1.2c-.1-.1-.3-.1-.4 0l-.6.2C16.2 3.9 15.6 3 14.5 3h-.1C14 2.6 13.6 2.4 13.3 2.4c-2.6 0-3.8 3.2-4.2 4.9l-1.8.6c-.6.2-.6.2-.6.7L5.2 21.3 17.4 23.6 24 22.2S20.6 6.4 20.6 6.3z"/><path fill="#5e8e3e" d="M20.4 6.1c-.1 0-1.6-.1-1.6-.1s-1.1-1.1-1.2-1.2c0 0-.1-.1-.2-.1L17.4 23.6 24 22.2S20.6 6.4 20.6 6.3c0-.1-.1-.2-.2-.2z"/><path fill="#fff" d="M14.1 10.1l-.8 2.4s-.7-.4-1.6-.4c-1.3 0-1.3.8-1.3 1 0 1.1 2.9 1.5 2.9 4.1 0 2-1.3 3.3-3 3.3-2 0-3.1-1.3-3.1-1.3l.5-1.8s1.1.9 2 .9c.6 0 .8-.5.8-.8 0-1.4-2.4-1.5-2.4-3.9 0-2 1.4-3.9 4.3-3.9 1.1 0 1.7.3 1.7.3z"/></svg>`;

const APP_ICON = `<span class="app-icon" aria-hidden="true">K</span>`;

const ADMIN_NAV = ["Home", "Orders", "Products", "Customers", "Content", "Analytics", "Marketing", "Discounts"];

export interface AdminPageOptions {
  shop: string;
  storeName: string;
  appOrigin: string;
  iframeSrc: string;
  appPath: string;
}

export function adminPage(options: AdminPageOptions): string {
  const nav = ADMIN_NAV.map(
    (label) => `<li><span class="nav-item disabled" title="Not part of the offline demo">${escapeHtml(label)}</span></li>`,
  ).join("");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Keepsake · ${escapeHtml(options.storeName)} · Shopify (offline demo)</title>
<style>
  * { box-sizing: border-box; }
  html, body { margin: 0; height: 100%; }
  body { font-family: ${FONT}; font-size: 13px; color: #303030; background: #1a1a1a; display: flex; flex-direction: column; }
  a { color: inherit; }
  .topbar { height: 56px; flex: none; display: flex; align-items: center; gap: 16px; padding: 0 12px 0 16px; color: #e3e3e3; position: relative; }
  .brand { display: flex; align-items: center; gap: 6px; font-weight: 650; font-size: 15px; color: #fff; width: 224px; letter-spacing: -0.2px; }
  .search { flex: 1; max-width: 560px; margin: 0 auto; height: 34px; border-radius: 10px; background: #303030; border: 1px solid #4a4a4a; color: #b5b5b5; display: flex; align-items: center; gap: 8px; padding: 0 12px; }
  .search kbd { margin-left: auto; font: inherit; font-size: 11px; border: 1px solid #616161; border-radius: 4px; padding: 0 4px; }
  .store-pill { display: flex; align-items: center; gap: 8px; padding: 4px 8px 4px 4px; border-radius: 10px; }
  .store-pill .avatar { width: 28px; height: 28px; border-radius: 8px; background: #36fba1; color: #0b3b2a; display: grid; place-items: center; font-weight: 700; }
  .demo-badge { background: #ffd6a4; color: #5e4200; border-radius: 8px; padding: 2px 8px; font-weight: 600; font-size: 12px; }
  .savebar { position: absolute; inset: 0; background: #1a1a1a; display: none; align-items: center; justify-content: space-between; padding: 0 16px; color: #fff; z-index: 5; }
  .savebar.visible { display: flex; }
  .savebar .title { font-weight: 650; font-size: 14px; display: flex; align-items: center; gap: 8px; }
  .savebar button { font: inherit; font-weight: 600; border-radius: 8px; padding: 6px 12px; cursor: pointer; border: 0; margin-left: 8px; }
  .savebar button.primary { background: #fff; color: #1a1a1a; }
  .savebar button.secondary { background: #3b3b3b; color: #fff; }
  .shell { flex: 1; display: flex; min-height: 0; background: #ebebeb; border-radius: 12px 12px 0 0; overflow: hidden; }
  nav.side { width: 240px; flex: none; padding: 12px 8px; overflow-y: auto; display: flex; flex-direction: column; }
  nav.side ul { list-style: none; margin: 0; padding: 0; }
  .nav-item { display: flex; align-items: center; gap: 8px; padding: 6px 8px; border-radius: 8px; color: #303030; font-weight: 550; text-decoration: none; cursor: pointer; }
  .nav-item.disabled { color: #616161; cursor: default; }
  .nav-item:not(.disabled):hover { background: #e3e3e3; }
  .nav-item.active { background: #fafafa; color: #1a1a1a; font-weight: 650; box-shadow: 0 1px 0 rgba(0,0,0,.06); }
  .nav-section { margin-top: 16px; padding: 4px 8px; color: #616161; font-size: 12px; font-weight: 600; display: flex; justify-content: space-between; }
  .sub { padding-left: 28px !important; font-weight: 450; }
  .app-icon { width: 20px; height: 20px; border-radius: 6px; background: linear-gradient(135deg, #7c3aed, #db2777); color: #fff; font-weight: 700; font-size: 12px; display: inline-grid; place-items: center; flex: none; }
  .side-footer { margin-top: auto; }
  main { flex: 1; display: flex; flex-direction: column; min-width: 0; background: #f1f1f1; border-radius: 12px 0 0 0; border-left: 1px solid #e3e3e3; }
  .titlebar { height: 52px; flex: none; display: flex; align-items: center; gap: 10px; padding: 0 20px; border-bottom: 1px solid #e3e3e3; background: #f1f1f1; }
  .titlebar h1 { margin: 0; font-size: 14px; font-weight: 650; }
  .titlebar .actions { margin-left: auto; display: flex; gap: 8px; }
  .titlebar button { font: inherit; font-weight: 550; border: 0; border-radius: 8px; padding: 6px 12px; background: #fff; box-shadow: inset 0 -1px 0 #b5b5b5, 0 0 0 1px #e3e3e3; cursor: pointer; }
  .titlebar button.primary { background: #303030; color: #fff; box-shadow: none; }
  .loading { height: 3px; background: transparent; flex: none; }
  .loading.on { background: linear-gradient(90deg, #36fba1, #008060); animation: pulse 1s infinite alternate; }
  @keyframes pulse { from { opacity: .4 } to { opacity: 1 } }
  iframe { flex: 1; width: 100%; border: 0; background: #f1f1f1; }
  .toasts { position: fixed; left: 50%; bottom: 24px; transform: translateX(-50%); display: flex; flex-direction: column; gap: 8px; align-items: center; z-index: 10; }
  .toast { background: #1a1a1a; color: #fff; border-radius: 10px; padding: 10px 16px; font-weight: 550; box-shadow: 0 4px 12px rgba(0,0,0,.25); }
  .toast.error { background: #8e1f0b; }
  .demo-note { font-size: 12px; color: #616161; padding: 8px; line-height: 1.4; }
  .demo-note a { color: #005bd3; }
</style>
</head>
<body>
<header class="topbar">
  <div class="brand">${BAG_ICON}<span>shopify</span></div>
  <div class="search" aria-hidden="true">Search <kbd>Ctrl K</kbd></div>
  <span class="demo-badge" title="Nothing here talks to Shopify: a local stand-in plays it">Offline demo</span>
  <div class="store-pill"><span class="avatar">${escapeHtml(options.storeName.slice(0, 2).toUpperCase())}</span><span>${escapeHtml(options.storeName)}</span></div>
  <div class="savebar" id="savebar" role="region" aria-label="Unsaved changes">
    <div class="title">Unsaved changes</div><div class="buttons"></div>
  </div>
</header>
<div class="shell">
  <nav class="side" aria-label="Shopify admin">
    <ul>${nav}</ul>
    <div class="nav-section"><span>Sales channels</span></div>
    <ul><li><a class="nav-item" href="/store" data-testid="demo-store-link">Online Store (demo till)</a></li></ul>
    <div class="nav-section"><span>Apps</span></div>
    <ul id="app-nav">
      <li><a class="nav-item active" id="app-home" href="#" data-href="${escapeHtml(options.appPath)}">${APP_ICON}<span>Keepsake</span></a></li>
    </ul>
    <div class="side-footer">
      <p class="demo-note">Offline demo of <b>${escapeHtml(options.shop)}</b>. Place, refund or cancel orders in the
      <a href="/store">demo store</a>: each sends a signed webhook to the app.</p>
      <ul><li><span class="nav-item disabled">Settings</span></li></ul>
    </div>
  </nav>
  <main>
    <div class="titlebar">${APP_ICON}<h1 id="app-title">Keepsake</h1><div class="actions" id="title-actions"></div></div>
    <div class="loading" id="loading"></div>
    <iframe id="app-iframe" name="app-iframe" title="Keepsake" src="${escapeHtml(options.iframeSrc)}"
      allow="clipboard-write"></iframe>
  </main>
</div>
<div class="toasts" id="toasts" aria-live="polite"></div>
<script>
(function () {
  var APP_ORIGINS = ${JSON.stringify(appOrigins(options.appOrigin))};
  var iframe = document.getElementById("app-iframe");
  var navList = document.getElementById("app-nav");
  var home = document.getElementById("app-home");
  var currentPath = ${JSON.stringify(options.appPath)};
  var navItems = [];
  function send(message) {
    message.source = "keepsake-admin";
    iframe.contentWindow.postMessage(message, "*");
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text != null) node.textContent = text;
    return node;
  }
  function samePath(href, path) { return href.split("?")[0] === path.split("?")[0]; }
  function renderNav() {
    Array.prototype.slice.call(navList.querySelectorAll("li.sub-item")).forEach(function (li) { li.remove(); });
    var homeItem = navItems.filter(function (item) { return item.rel === "home"; })[0];
    if (homeItem) home.setAttribute("data-href", homeItem.href);
    var anySubActive = false;
    navItems.filter(function (item) { return item.rel !== "home"; }).forEach(function (item) {
      var li = el("li", { "class": "sub-item" });
      var a = el("a", { "class": "nav-item sub", href: "#", "data-href": item.href }, item.label);
      if (samePath(item.href, currentPath)) { a.classList.add("active"); anySubActive = true; }
      a.addEventListener("click", function (event) { event.preventDefault(); send({ type: "navigate", href: item.href }); });
      li.appendChild(a);
      navList.appendChild(li);
    });
    home.classList.toggle("active", !anySubActive);
  }
  home.addEventListener("click", function (event) {
    event.preventDefault();
    send({ type: "navigate", href: home.getAttribute("data-href") || "/app" });
  });
  function toast(payload) {
    var node = el("div", { "class": "toast" + (payload.isError ? " error" : ""), role: "status", "data-toast-id": payload.id }, payload.message);
    document.getElementById("toasts").appendChild(node);
    setTimeout(function () { node.remove(); }, payload.duration || 5000);
  }
  function renderTitle(payload) {
    document.getElementById("app-title").textContent = (payload && payload.title) || "Keepsake";
    var actions = document.getElementById("title-actions");
    actions.textContent = "";
    ((payload && payload.buttons) || []).forEach(function (button) {
      var b = el("button", { type: "button", "class": button.variant === "primary" ? "primary" : "" }, button.label);
      if (button.disabled) b.disabled = true;
      b.addEventListener("click", function () { send({ type: "titlebar:click", index: button.index }); });
      actions.appendChild(b);
    });
  }
  function renderSaveBar(payload) {
    var bar = document.getElementById("savebar");
    bar.classList.toggle("visible", !!payload.visible);
    var buttons = bar.querySelector(".buttons");
    buttons.textContent = "";
    payload.buttons.forEach(function (button) {
      var b = el("button", { type: "button", "class": button.variant === "primary" ? "primary" : "secondary" }, button.label || (button.variant === "primary" ? "Save" : "Discard"));
      b.addEventListener("click", function () { send({ type: "savebar:click", id: payload.id, index: button.index }); });
      buttons.appendChild(b);
    });
  }
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.source !== "keepsake-app-bridge" || APP_ORIGINS.indexOf(event.origin) === -1) return;
    var payload = data.payload;
    if (data.type === "nav") { navItems = payload.items; renderNav(); }
    else if (data.type === "title") renderTitle(payload);
    else if (data.type === "toast") toast(payload);
    else if (data.type === "savebar") renderSaveBar(payload);
    else if (data.type === "loading") document.getElementById("loading").classList.toggle("on", payload.loading);
    else if (data.type === "location") {
      currentPath = payload.path;
      renderNav();
      var query = new URLSearchParams(location.search);
      var appPath = payload.path.split("?")[0];
      if (query.get("path") !== appPath) { query.set("path", appPath); history.replaceState(null, "", "?" + query.toString()); }
    } else if (data.type === "ready") send({ type: "hello" });
  });
})();
</script>
</body>
</html>`;
}

/** Both spellings of a loopback origin (the admin may be opened on localhost or 127.0.0.1). */
export function appOrigins(origin: string): string[] {
  const url = new URL(origin);
  const other = url.hostname === "localhost" ? "127.0.0.1" : url.hostname === "127.0.0.1" ? "localhost" : null;
  const origins = [url.origin];
  if (other) origins.push(`${url.protocol}//${other}${url.port ? `:${url.port}` : ""}`);
  return origins;
}

// ---------------------------------------------------------------------------------------------------------------
// the demo till (/store)

export interface DeliveryLog {
  at: Date;
  topic: string;
  label: string;
  status: number | string;
}

export interface StorePageOptions {
  shop: string;
  storeName: string;
  customers: CustomerPayload[];
  orders: OrderPayload[];
  products: readonly { title: string; price: string }[];
  log: DeliveryLog[];
  message?: { text: string; ok: boolean; deliveries?: DeliveryLog[] };
}

const customerName = (customer: { first_name: string | null; last_name: string | null; email: string | null } | null) =>
  customer ? [customer.first_name, customer.last_name].filter(Boolean).join(" ") || customer.email || "Customer" : "Guest";

function orderStatus(order: OrderPayload): string {
  if (order.cancelled_at) return "Cancelled";
  if (order.financial_status === "refunded") return "Refunded";
  if (order.financial_status === "partially_refunded") return "Partially refunded";
  return "Paid";
}

export function storePage(options: StorePageOptions): string {
  const customerOptions = options.customers
    .map(
      (customer) =>
        `<option value="${escapeHtml(customer.id)}">${escapeHtml(customerName(customer))} — ${escapeHtml(customer.email)}</option>`,
    )
    .join("");
  const productRows = options.products
    .map(
      (product, index) => `<tr><td>${escapeHtml(product.title)}</td><td class="num">$${escapeHtml(product.price)}</td>
        <td class="num"><input type="number" name="qty${index}" min="0" max="99" value="${index === 0 ? 1 : 0}" aria-label="Quantity of ${escapeHtml(product.title)}"></td></tr>`,
    )
    .join("");
  const orderRows = options.orders
    .map((order) => {
      const remaining = order.line_items.reduce((sum, line) => sum + line.current_quantity, 0);
      const open = !order.cancelled_at && remaining > 0;
      const who = order.customer ? customerName(order.customer) : `Guest (${order.email ?? "no email"})`;
      const id = escapeHtml(order.id);
      return `<tr data-order="${escapeHtml(order.name)}">
        <td><b>${escapeHtml(order.name)}</b></td><td>${escapeHtml(who)}</td>
        <td>${escapeHtml(order.source_name === "pos" ? "Point of Sale" : "Online Store")}</td>
        <td class="num">$${escapeHtml(order.total_price)}</td><td>${escapeHtml(orderStatus(order))}</td>
        <td class="actions">${
          open
            ? `<form method="post" action="/store/orders/${id}/refund"><input type="hidden" name="quantity" value="1"><button type="submit">Refund 1 item</button></form>
               <form method="post" action="/store/orders/${id}/refund"><button type="submit">Refund all</button></form>
               <form method="post" action="/store/orders/${id}/cancel"><button type="submit" class="critical">Cancel</button></form>`
            : `<span class="muted">—</span>`
        }</td></tr>`;
    })
    .join("");
  const log = options.log
    .slice(-12)
    .reverse()
    .map(
      (entry) =>
        `<li><code>${escapeHtml(entry.topic)}</code> ${escapeHtml(entry.label)} → <b class="${entry.status === 200 ? "ok" : "bad"}">${escapeHtml(entry.status)}</b></li>`,
    )
    .join("");
  const message = options.message
    ? `<div class="banner ${options.message.ok ? "ok" : "bad"}" role="status" data-testid="store-result">
        <p><b>${escapeHtml(options.message.text)}</b></p>
        ${
          options.message.deliveries?.length
            ? `<ul>${options.message.deliveries
                .map((d) => `<li>Shopify sent <code>${escapeHtml(d.topic)}</code> to Keepsake → HTTP ${escapeHtml(d.status)}</li>`)
                .join("")}</ul>`
            : ""
        }
        <p><a href="/admin" data-testid="back-to-admin">See it in the Keepsake admin →</a></p>
      </div>`
    : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.storeName)} · demo store</title>
<style>
  body { font-family: ${FONT}; font-size: 14px; color: #303030; background: #f1f1f1; margin: 0; }
  header { background: #1a1a1a; color: #fff; padding: 12px 24px; display: flex; align-items: center; gap: 12px; }
  header a { color: #fff; margin-left: auto; }
  .wrap { max-width: 1040px; margin: 0 auto; padding: 24px; display: grid; gap: 16px; }
  .card { background: #fff; border-radius: 12px; padding: 16px 20px; box-shadow: 0 1px 0 rgba(0,0,0,.07), 0 0 0 1px #e3e3e3; }
  h1 { font-size: 18px; margin: 0; } h2 { font-size: 15px; margin: 0 0 12px; }
  table { width: 100%; border-collapse: collapse; } td, th { text-align: left; padding: 6px 8px; border-bottom: 1px solid #ebebeb; vertical-align: middle; }
  .num { text-align: right; } input[type=number] { width: 64px; }
  input, select, button { font: inherit; } select, input[type=email], input[type=text] { padding: 6px 8px; border: 1px solid #8a8a8a; border-radius: 8px; min-width: 280px; }
  button { border: 0; border-radius: 8px; padding: 6px 12px; background: #303030; color: #fff; font-weight: 600; cursor: pointer; }
  .actions form { display: inline; } .actions button { background: #fff; color: #303030; box-shadow: 0 0 0 1px #c9c9c9; margin: 2px; }
  .actions button.critical { color: #8e1f0b; }
  .row { display: flex; gap: 16px; align-items: center; flex-wrap: wrap; margin-bottom: 12px; }
  .banner { border-radius: 12px; padding: 12px 20px; } .banner.ok { background: #cdfee1; } .banner.bad { background: #fedad9; }
  .muted { color: #8a8a8a; } .ok { color: #0c5132; } .bad { color: #8e1f0b; }
  ul.log { margin: 0; padding-left: 18px; line-height: 1.7; }
</style>
</head>
<body>
<header>${BAG_ICON}<h1>${escapeHtml(options.storeName)} — demo store</h1><a href="/admin">Back to the Shopify admin</a></header>
<div class="wrap">
  ${message}
  <div class="card" data-testid="storefront-preview">
    <h2>Storefront preview (Keepsake's theme app extension)</h2>
    <p>The online store with the real extension: the rewards launcher, points on the product page and the rewards page.
      Log in as a customer, open <b>Rewards</b>, redeem points and get a discount code (created in this stand-in's Admin API).</p>
    <p><a href="${escapeHtml(STOREFRONT_PREVIEW_ENTRY)}" data-testid="open-storefront">Open the storefront preview →</a>
      · <a href="/pages/rewards">Rewards page</a> · <a href="/ko/products/${escapeHtml(FIXTURE_PRODUCT.handle)}">한국어</a></p>
  </div>
  <div class="card">
    <h2>Place an order</h2>
    <form method="post" action="/store/orders" data-testid="order-form">
      <div class="row">
        <label>Customer <select name="customer" id="customer">${customerOptions}<option value="guest">Guest checkout (no account)</option></select></label>
        <label>Guest email <input type="email" name="email" placeholder="guest@example.com"></label>
      </div>
      <table><thead><tr><th>Product</th><th class="num">Price</th><th class="num">Quantity</th></tr></thead><tbody>${productRows}</tbody></table>
      <div class="row" style="margin-top:12px">
        <label><input type="radio" name="source" value="web" checked> Online Store</label>
        <label><input type="radio" name="source" value="pos"> Point of Sale</label>
        <label>Discount code <input type="text" name="discount" placeholder="optional, e.g. SAVE5 = $5 off" style="min-width:200px"></label>
        <button type="submit" style="margin-left:auto">Pay and send orders/paid</button>
      </div>
    </form>
  </div>
  <div class="card">
    <h2>Sign up a customer</h2>
    <form method="post" action="/store/customers" class="row">
      <input type="text" name="firstName" placeholder="First name" required style="min-width:160px">
      <input type="text" name="lastName" placeholder="Last name" style="min-width:160px">
      <input type="email" name="email" placeholder="email@example.com" required>
      <button type="submit">Create and send customers/create</button>
    </form>
  </div>
  <div class="card">
    <h2>Orders</h2>
    <table data-testid="orders"><thead><tr><th>Order</th><th>Customer</th><th>Channel</th><th class="num">Total</th><th>Status</th><th>Actions</th></tr></thead>
    <tbody>${orderRows}</tbody></table>
  </div>
  <div class="card"><h2>Webhooks sent to Keepsake</h2><ul class="log">${log || "<li class=muted>none yet</li>"}</ul></div>
</div>
</body>
</html>`;
}
