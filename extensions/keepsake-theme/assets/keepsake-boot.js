/*
 * Keepsake launcher boot (deferred; budget 8 KB gzipped). It only wires the launcher: the panel's code and
 * styles (keepsake-panel.js, keepsake.css) are fetched on the first open, so a shopper who never opens the
 * panel pays for this file alone. Data for the first paint is in #keepsake-config, rendered by Liquid.
 */
(function () {
  "use strict";
  var keepsake = (window.Keepsake = window.Keepsake || {});
  if (keepsake.booted) return; // the embed renders once, but a theme may duplicate it
  var configElement = document.getElementById("keepsake-config");
  var launcher = document.getElementById("keepsake-launcher");
  if (!configElement || !launcher) return;
  keepsake.booted = true;

  var config;
  try {
    config = JSON.parse(configElement.textContent || "{}");
  } catch (error) {
    return; // a broken config must not break the theme's own scripts
  }
  keepsake.config = config;

  // A referral link (?kp_ref=CODE) is kept for the visit (sessionStorage) so the panel can show the friend's
  // offer on any page; arriving through one opens the panel once (below).
  var arrivedRef = null;
  try {
    arrivedRef = new URLSearchParams(location.search).get("kp_ref");
    if (arrivedRef && !/^[A-Za-z0-9]{4,32}$/.test(arrivedRef)) arrivedRef = null;
    if (arrivedRef) sessionStorage.setItem("keepsake.ref", arrivedRef);
    keepsake.ref = sessionStorage.getItem("keepsake.ref");
  } catch (error) {
    keepsake.ref = arrivedRef; // storage blocked: this page only
  }

  function pointsLabel(points) {
    var rule = new Intl.PluralRules(config.locale || undefined).select(points);
    var template = rule === "one" ? config.strings.points_one : config.strings.points_other;
    return template.replace("{points}", new Intl.NumberFormat(config.locale || undefined).format(points));
  }
  keepsake.pointsLabel = pointsLabel;

  /**
   * Shows the balance on the launcher, formatted for the shopper's locale, and says it in words in the
   * launcher's description (not its name: the accessible name must keep the visible text, WCAG 2.5.3).
   */
  function showBalance(balance) {
    var description = document.getElementById("keepsake-launcher-description");
    if (typeof balance !== "number") {
      if (description) description.textContent = config.strings.open;
      return;
    }
    var badge = launcher.querySelector("[data-keepsake-balance]");
    if (badge) badge.textContent = new Intl.NumberFormat(config.locale || undefined).format(balance);
    if (description) description.textContent = config.strings.balance.replace("{points}", pointsLabel(balance));
  }
  keepsake.showBalance = showBalance;
  showBalance(config.balance);

  function load(tag, attributes) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement(tag);
      for (var name in attributes) element.setAttribute(name, attributes[name]);
      element.onload = resolve;
      element.onerror = function () {
        element.remove();
        reject(new Error("could not load " + (attributes.src || attributes.href)));
      };
      document.head.appendChild(element);
    });
  }

  var panelLoading = null;
  function loadPanel() {
    if (!panelLoading) {
      panelLoading = Promise.all([
        load("link", { rel: "stylesheet", href: config.assets.css }),
        load("script", { src: config.assets.panel, async: "" }),
      ]).then(
        function () {
          return keepsake.panel;
        },
        function (error) {
          panelLoading = null; // let the next click try again
          throw error;
        },
      );
    }
    return panelLoading;
  }

  /** Opens the panel; focus returns to whatever opened it (the launcher or a page's "See my rewards"). */
  function open(event) {
    var opener = event && event.currentTarget instanceof HTMLElement ? event.currentTarget : launcher;
    launcher.setAttribute("aria-busy", "true");
    return loadPanel()
      .then(function (panel) {
        launcher.removeAttribute("aria-busy");
        panel.open(config, launcher, opener);
      })
      .catch(function () {
        launcher.removeAttribute("aria-busy");
      });
  }
  keepsake.open = open;

  launcher.addEventListener("click", open);
  // Start fetching the panel when the shopper shows intent, so the click feels instant.
  launcher.addEventListener("pointerenter", loadPanel, { once: true });
  launcher.addEventListener("focus", loadPanel, { once: true });

  // The rewards-page block's "See my rewards" buttons only make sense once the launcher can open.
  var openers = document.querySelectorAll("[data-keepsake-open]");
  for (var i = 0; i < openers.length; i++) {
    openers[i].hidden = false;
    openers[i].addEventListener("click", open);
  }
  if (arrivedRef) open();
})();
