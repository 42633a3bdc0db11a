/**
 * The App Bridge stand-in served at /cdn/app-bridge.js (offline demo only: app/routes/app.tsx points AppProvider's
 * script at it when KEEPSAKE_DEMO is on). It implements the part of App Bridge 4 the app uses, the way the real
 * script behaves inside the admin iframe:
 * - `window.shopify`: `idToken()` (a fresh session token from the stand-in's /session-token), `toast.show()`,
 *   `saveBar.show/hide/toggle/leaveConfirmation`, `loading()`, `config` {apiKey, shop, host, locale},
 *   `environment` {embedded, mobile, pos}, `origin`, `ready`;
 * - `window.fetch` patched so same-origin requests carry `Authorization: Bearer <session token>`, and a 401 with
 *   `X-Shopify-Retry-Invalid-Session-Request: 1` is retried once with a new token;
 * - custom elements `ui-nav-menu`, `ui-title-bar`, `ui-save-bar`: hidden in the iframe (a constructed stylesheet, so
 *   React hydration sees no foreign DOM node) and mirrored to the parent admin frame with postMessage; the frame's
 *   clicks come back as `shopify:navigate` events / button clicks, as with the real admin.
 * Plain ES2017 in a string: it is sent to the browser as is (no bundler, no tsx helpers).
 */
export const APP_BRIDGE_SCRIPT = String.raw`(function () {
  "use strict";
  if (window.shopify && window.shopify.__keepsakeDemo) return;
  var script = document.currentScript;
  var STAND_IN = script && script.src ? new URL(script.src).origin : location.origin;
  var params = new URLSearchParams(location.search);
  var apiKey = (script && script.getAttribute("data-api-key")) || "";
  var shop = params.get("shop") || "";
  var host = params.get("host") || "";
  var inFrame = window.parent !== window;
  var SOURCE = "keepsake-app-bridge";

  function post(type, payload) {
    if (inFrame) window.parent.postMessage({ source: SOURCE, type: type, payload: payload }, "*");
  }

  // ---- session tokens ------------------------------------------------------------------------------------------
  var originalFetch = window.fetch.bind(window);
  var cached = null; // { token, exp }
  var pending = null;
  function decodeExp(token) {
    try {
      var part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return JSON.parse(atob(part)).exp * 1000;
    } catch (e) {
      return 0;
    }
  }
  function idToken(force) {
    if (!force && cached && cached.exp - Date.now() > 10000) return Promise.resolve(cached.token);
    if (pending) return pending;
    pending = originalFetch(STAND_IN + "/session-token?shop=" + encodeURIComponent(shop), { credentials: "omit" })
      .then(function (response) {
        if (!response.ok) throw new Error("session token request failed: HTTP " + response.status);
        return response.json();
      })
      .then(function (body) {
        cached = { token: body.token, exp: decodeExp(body.token) };
        return body.token;
      })
      .finally(function () {
        pending = null;
      });
    return pending;
  }

  function sameOrigin(url) {
    try {
      return new URL(url, location.href).origin === location.origin;
    } catch (e) {
      return false;
    }
  }

  window.fetch = function (input, init) {
    var url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (!sameOrigin(url)) return originalFetch(input, init);
    var base = new Request(input, init);
    if (base.headers.has("Authorization")) return originalFetch(base);
    var retry = base.clone();
    function send(request, force) {
      return idToken(force).then(function (token) {
        var headers = new Headers(request.headers);
        headers.set("Authorization", "Bearer " + token);
        return originalFetch(new Request(request, { headers: headers }));
      });
    }
    return send(base, false).then(function (response) {
      if (response.status === 401 && response.headers.get("X-Shopify-Retry-Invalid-Session-Request") === "1") {
        return send(retry, true);
      }
      return response;
    });
  };

  // ---- toast, loading, save bar -----------------------------------------------------------------------------------
  var toastCounter = 0;
  function localToast(message, isError) {
    if (!document.body) return;
    var node = document.createElement("div");
    node.textContent = message;
    node.setAttribute("role", "status");
    node.style.cssText = "position:fixed;left:50%;bottom:24px;transform:translateX(-50%);padding:10px 16px;border-radius:10px;color:#fff;font:500 13px system-ui,sans-serif;z-index:2147483647;background:" + (isError ? "#8e1f0b" : "#1a1a1a");
    document.body.appendChild(node);
    setTimeout(function () { node.remove(); }, 5000);
  }
  var toast = {
    show: function (message, options) {
      options = options || {};
      var id = "toast-" + ++toastCounter;
      if (inFrame) post("toast", { id: id, message: String(message), isError: !!options.isError, duration: options.duration || 5000 });
      else localToast(String(message), !!options.isError);
      return id;
    },
    hide: function (id) { post("toast:hide", { id: id }); },
  };

  function saveBarElement(id) {
    return id ? document.getElementById(id) : document.querySelector("ui-save-bar");
  }
  var saveBar = {
    show: function (id) { var el = saveBarElement(id); if (el && el.show) el.show(); return Promise.resolve(); },
    hide: function (id) { var el = saveBarElement(id); if (el && el.hide) el.hide(); return Promise.resolve(); },
    toggle: function (id) { var el = saveBarElement(id); if (el && el.toggle) el.toggle(); return Promise.resolve(); },
    leaveConfirmation: function () { return Promise.resolve(); },
  };

  window.shopify = {
    __keepsakeDemo: true,
    config: { apiKey: apiKey, shop: shop, host: host, locale: "en" },
    environment: { embedded: inFrame, mobile: false, pos: false },
    origin: STAND_IN,
    ready: Promise.resolve(),
    idToken: function () { return idToken(false); },
    toast: toast,
    saveBar: saveBar,
    loading: function (isLoading) { post("loading", { loading: isLoading !== false }); },
    user: function () { return Promise.resolve({ id: 1, name: "Demo Merchant", accountAccessLevel: "owner" }); },
  };

  // ---- custom elements --------------------------------------------------------------------------------------------
  try {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync("ui-nav-menu, ui-title-bar, ui-save-bar, ui-modal { display: none !important; }");
    document.adoptedStyleSheets = document.adoptedStyleSheets.concat([sheet]);
  } catch (e) {
    /* very old browsers: the elements stay visible */
  }

  function buttonsOf(element) {
    return Array.prototype.map.call(element.querySelectorAll("button"), function (button, index) {
      return { index: index, label: (button.textContent || "").trim(), variant: button.getAttribute("variant") || "", disabled: button.hasAttribute("disabled") };
    });
  }

  function observed(Base, publish) {
    return class extends Base {
      connectedCallback() {
        var self = this;
        this.__observer = new MutationObserver(function () { publish(self); });
        this.__observer.observe(this, { childList: true, subtree: true, attributes: true, characterData: true });
        publish(this);
      }
      disconnectedCallback() {
        if (this.__observer) this.__observer.disconnect();
        publish(null);
      }
    };
  }

  var navMenu = null;
  function publishNav(element) {
    navMenu = element;
    var items = element
      ? Array.prototype.map.call(element.querySelectorAll("a"), function (a) {
          return { href: a.getAttribute("href") || "", label: (a.textContent || "").trim(), rel: a.getAttribute("rel") || "" };
        })
      : [];
    post("nav", { items: items, path: location.pathname + location.search });
  }

  var titleBar = null;
  function publishTitle(element) {
    titleBar = element;
    post("title", element ? { title: element.getAttribute("title") || "", buttons: buttonsOf(element) } : null);
  }

  var saveBars = {};
  function publishSaveBar(element) {
    if (!element) return;
    post("savebar", { id: element.id || "", visible: !!element.__visible, buttons: buttonsOf(element) });
  }

  if (window.customElements && !customElements.get("ui-nav-menu")) {
    customElements.define("ui-nav-menu", observed(HTMLElement, function (el) { if (el || navMenu) publishNav(el); }));
    customElements.define("ui-title-bar", observed(HTMLElement, function (el) { publishTitle(el); }));
    class SaveBar extends observed(HTMLElement, function (el) { publishSaveBar(el); }) {
      get showing() { return !!this.__visible; }
      show() { this.__visible = true; if (this.id) saveBars[this.id] = this; publishSaveBar(this); return Promise.resolve(); }
      hide() { this.__visible = false; publishSaveBar(this); return Promise.resolve(); }
      toggle() { return this.__visible ? this.hide() : this.show(); }
    }
    customElements.define("ui-save-bar", SaveBar);
  }

  // ---- messages from the admin frame --------------------------------------------------------------------------------
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.source !== "keepsake-admin" || event.source !== window.parent) return;
    if (data.type === "navigate") {
      var anchor = navMenu && Array.prototype.find.call(navMenu.querySelectorAll("a"), function (a) { return a.getAttribute("href") === data.href; });
      var target = anchor || document.createElement("a");
      if (!anchor) target.setAttribute("href", data.href);
      target.dispatchEvent(new CustomEvent("shopify:navigate", { bubbles: true }));
    } else if (data.type === "titlebar:click" && titleBar) {
      var button = titleBar.querySelectorAll("button")[data.index];
      if (button) button.click();
    } else if (data.type === "savebar:click") {
      var bar = saveBars[data.id] || document.querySelector("ui-save-bar");
      var barButton = bar && bar.querySelectorAll("button")[data.index];
      if (barButton) barButton.click();
    } else if (data.type === "hello") {
      if (navMenu) publishNav(navMenu);
      if (titleBar) publishTitle(titleBar);
    }
  });

  // Tell the admin frame where the app is after client-side navigations.
  var lastPath = "";
  setInterval(function () {
    var path = location.pathname + location.search;
    if (path !== lastPath) {
      lastPath = path;
      post("location", { path: path });
    }
  }, 300);
  post("ready", { apiKey: apiKey });
})();
`;
