/*
 * Keepsake birthday pop-up (deferred; docs/decisions/015). Costs nothing on first paint: once the page is idle it
 * checks the per-browser frequency cap (localStorage) and "already shown or checked this visit" (sessionStorage),
 * and only then asks GET /apps/keepsake/birthday what to show. The dialog and its stylesheet are created only when
 * there is something to show. Esc, the close button and "Not now" dismiss it; focus stays inside while it is open
 * and returns where it was. Also exposes Keepsake.birthdayForm for the rewards panel (one form for both).
 */
(function () {
  "use strict";
  var keepsake = (window.Keepsake = window.Keepsake || {});
  var CAP_KEY = "keepsake:birthday:next";
  var VISIT_KEY = "keepsake:birthday:visit";
  var DAY_MS = 86400000;

  function node(tag, attrs, kids) {
    var element = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value == null || value === false) return;
      if (name === "text") element.textContent = value;
      else if (typeof value === "function") element.addEventListener(name.slice(2), value);
      else element.setAttribute(name, value === true ? "" : value);
    });
    (kids || []).forEach(function (kid) {
      if (kid) element.appendChild(typeof kid === "string" ? document.createTextNode(kid) : kid);
    });
    return element;
  }
  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (match, name) {
      return name in values ? values[name] : match;
    });
  }
  function pointsText(strings, locale, points) {
    var plural = new Intl.PluralRules(locale).select(points) === "one" ? strings.points_one : strings.points_other;
    return fill(plural, { points: new Intl.NumberFormat(locale).format(points) });
  }
  function giftText(strings, locale, view) {
    return view.rewardPoints ? pointsText(strings, locale, view.rewardPoints) : view.rewardName || "";
  }
  function request(proxy, method, body) {
    return fetch(proxy + "/birthday", {
      method: method,
      credentials: "same-origin",
      headers: body ? { "Content-Type": "application/json", Accept: "application/json" } : { Accept: "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    }).then(function (response) {
      return response.json().then(function (json) {
        return { ok: response.ok, json: json };
      });
    });
  }

  /** A day (yyyy-mm-dd, shop-local) as a date in a sentence, whatever the shopper's zone. */
  function longDay(locale, ymd) {
    return new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: "UTC" }).format(new Date(ymd + "T12:00:00Z"));
  }
  /** The rules the shop set (lead days, change cooldown), one sentence each; a rule set to 0 is not mentioned. */
  function rulesText(strings, locale, rules) {
    var plural = new Intl.PluralRules(locale);
    return [["rule_lead_", rules && rules.minLeadDays], ["rule_cooldown_", rules && rules.cooldownDays]]
      .filter(function (rule) {
        return rule[1] > 0;
      })
      .map(function (rule) {
        return fill(strings[rule[0] + (plural.select(rule[1]) === "one" ? "one" : "other")], { days: new Intl.NumberFormat(locale).format(rule[1]) });
      })
      .join(" ");
  }

  /**
   * The birthday form: the shop's rules, month and day (required) and year (optional), prefilled with
   * `options.value`, saved to the proxy. Errors are announced (role=alert) right under the fields, the field at
   * fault marked invalid and focused; `refused(error)` hears a "change_too_soon", `done(view)` a successful save.
   */
  function birthdayForm(options) {
    var strings = options.strings;
    var locale = options.locale;
    var value = options.value || {};
    var idBase = "ks-bday-" + (options.idSuffix || "form");
    var monthNames = new Intl.DateTimeFormat(locale, { month: "long", timeZone: "UTC" });
    var choice = function (current, number, text) {
      return node("option", { value: number ? String(number) : "", text: text, selected: !!number && number === current });
    };
    var months = [choice(0, 0, strings.choose)];
    for (var m = 1; m <= 12; m++) months.push(choice(value.month, m, monthNames.format(new Date(Date.UTC(2000, m - 1, 1)))));
    var days = [choice(0, 0, strings.choose)];
    for (var d = 1; d <= 31; d++) days.push(choice(value.day, d, String(d)));
    var rules = rulesText(strings, locale, options.rules);
    var statusId = idBase + "-status";
    var control = function (tag, name, attrs, kids) {
      attrs.id = idBase + "-" + name;
      attrs.name = name;
      attrs["data-key"] = attrs.id;
      attrs.class = options.inputClass;
      attrs["aria-describedby"] = (name === "month" && rules ? idBase + "-rules " : "") + statusId;
      return node(tag, attrs, kids);
    };
    var month = control("select", "month", { required: true }, months);
    var day = control("select", "day", { required: true }, days);
    var year = control("input", "year", { type: "text", inputmode: "numeric", maxlength: "4", autocomplete: "bday-year", value: value.year ? String(value.year) : null });
    var status = node("p", { id: statusId, class: "ks-bday__status", role: "status" });
    var save = node("button", { type: "submit", class: options.buttonClass || "ks-bday__primary", "data-key": idBase + "-save", text: strings.save });
    var field = function (input, label) {
      return node("div", { class: "ks-bday__field" }, [node("label", { for: input.id, text: label }), input]);
    };
    var form = node("form", { class: "ks-bday__form", novalidate: true }, [
      rules && node("p", { id: idBase + "-rules", class: "ks-bday__muted ks-muted", "data-keepsake-birthday-rules": true, text: rules }),
      node("div", { class: "ks-bday__row" }, [field(month, strings.month), field(day, strings.day), field(year, strings.year)]),
      status,
      node("div", { class: "ks-bday__actions" }, [save].concat(options.extraActions || [])),
    ]);
    function fail(text, at) {
      [month, day, year].forEach(function (input) {
        input.removeAttribute("aria-invalid");
      });
      status.setAttribute("role", "alert");
      status.textContent = text;
      if (at) {
        at.setAttribute("aria-invalid", "true");
        at.focus();
      }
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var yearText = year.value.trim();
      if (!month.value || !day.value || (yearText && !/^\d{4}$/.test(yearText))) {
        return fail(strings.invalid, !month.value ? month : !day.value ? day : year);
      }
      save.disabled = true;
      save.textContent = strings.saving;
      status.textContent = "";
      request(options.proxy, "POST", { month: Number(month.value), day: Number(day.value), year: yearText ? Number(yearText) : null })
        .then(function (answer) {
          if (answer.ok) return options.done(answer.json);
          var error = (answer.json && answer.json.error) || {};
          if (error.code === "change_too_soon") {
            fail(fill(strings.too_soon, { date: longDay(locale, error.nextChangeOn) }));
            if (options.refused) options.refused(error);
          } else if (error.code === "invalid_birthday") {
            fail(strings.invalid, error.field === "month" ? month : error.field === "year" || error.field === "future" ? year : day);
          } else fail(strings.error);
        })
        .catch(function () {
          fail(strings.error);
        })
        .then(function () {
          save.disabled = false;
          save.textContent = strings.save;
        });
    });
    return { element: form, focus: function () { month.focus(); } };
  }
  keepsake.birthdayForm = birthdayForm;

  // ------------------------------------------------------------------------------------------ the pop-up

  var configElement = document.getElementById("keepsake-birthday-config");
  if (!configElement || keepsake.birthdayBooted) return;
  keepsake.birthdayBooted = true;
  var config;
  try {
    config = JSON.parse(configElement.textContent || "{}");
  } catch (error) {
    return;
  }
  var strings = config.strings;
  var locale = config.locale || undefined;

  function stored(storage, key) {
    try {
      return window[storage].getItem(key);
    } catch (error) {
      return null; // storage blocked: behave as if never shown
    }
  }
  function store(storage, key, value) {
    try {
      window[storage].setItem(key, value);
    } catch (error) {
      /* storage blocked: the pop-up may show again, which is harmless */
    }
  }
  if (stored("sessionStorage", VISIT_KEY) || Number(stored("localStorage", CAP_KEY) || 0) > Date.now()) return;

  var overlay = null;
  var returnFocus = null;

  function close() {
    if (!overlay) return;
    overlay.remove();
    overlay = null;
    document.removeEventListener("keydown", onKeydown, true);
    if (returnFocus && document.contains(returnFocus)) returnFocus.focus();
  }
  function focusables() {
    return Array.prototype.slice.call(overlay.querySelectorAll("a[href],button:not([disabled]),select,input")).filter(function (element) {
      return element.offsetParent !== null;
    });
  }
  function onKeydown(event) {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    } else if (event.key === "Tab") {
      var items = focusables();
      if (!items.length) return;
      var index = items.indexOf(document.activeElement);
      var next = event.shiftKey ? (index <= 0 ? items.length - 1 : index - 1) : index === items.length - 1 ? 0 : index + 1;
      event.preventDefault();
      items[next].focus();
    }
  }

  function codeBlock(view) {
    var code = view.gift.code;
    var copied = node("span", { class: "ks-bday__status", role: "status" });
    var copy = node("button", {
      type: "button",
      class: "ks-bday__secondary",
      text: strings.copy,
      onclick: function () {
        var done = function () {
          copied.textContent = strings.copied;
        };
        if (navigator.clipboard) navigator.clipboard.writeText(code).then(done, function () {});
      },
    });
    var apply = node("a", { class: "ks-bday__primary", href: "/discount/" + encodeURIComponent(code) + "?redirect=" + encodeURIComponent(config.routes.cart || "/cart"), text: strings.apply });
    return [node("p", { class: "ks-bday__code" }, [node("code", { "data-keepsake-birthday-code": true, text: code })]), node("div", { class: "ks-bday__actions" }, [apply, copy, copied])];
  }

  function content(view, body) {
    if (view.popup === "gift") {
      var gift = view.gift;
      body.push(node("p", { text: gift.points ? fill(strings.gift_points, { points: pointsText(strings, locale, gift.points) }) : fill(strings.gift_code, { reward: gift.rewardName || "" }) }));
      if (gift.code) body.push.apply(body, codeBlock(view));
      return strings.gift_title;
    }
    if (view.popup === "join") {
      body.push(node("p", { text: strings.join_body }), node("p", {}, [node("a", { class: "ks-bday__primary", href: config.routes.register, text: strings.join })]));
      return strings.join_title;
    }
    body.push(node("p", { text: fill(strings.invite_body, { gift: giftText(strings, locale, view) }) }));
    var notNow = node("button", { type: "button", class: "ks-bday__secondary", text: strings.not_now, onclick: close });
    var form = birthdayForm({
      strings: strings,
      locale: locale,
      proxy: config.proxy,
      idSuffix: "popup",
      rules: view,
      extraActions: [notNow],
      done: function (saved) {
        var message = node("p", { class: "ks-bday__done", role: "status", tabindex: "-1", text: fill(strings.saved, { year: saved.firstRewardYear }) });
        form.element.replaceWith(message);
        message.focus();
      },
    });
    body.push(form.element);
    return strings.invite_title;
  }

  function show(view) {
    var body = [];
    var title = content(view, body);
    var heading = node("h2", { id: "ks-bday-title", class: "ks-bday__title", text: title });
    var closeButton = node("button", { type: "button", class: "ks-bday__close", "aria-label": strings.close, onclick: close }, ["\u00d7"]);
    var dialog = node("div", { class: "ks-bday", role: "dialog", "aria-modal": "true", "aria-labelledby": "ks-bday-title", tabindex: "-1" }, [
      node("div", { class: "ks-bday__header" }, [heading, closeButton]),
    ].concat(body));
    overlay = node("div", { class: "ks-bday-overlay", id: "keepsake-birthday", style: "--ks-bday-accent:" + (config.accent || "#1f4b99") }, [dialog]);
    overlay.addEventListener("mousedown", function (event) {
      if (event.target === overlay) close();
    });
    returnFocus = document.activeElement;
    document.body.appendChild(overlay);
    document.addEventListener("keydown", onKeydown, true);
    var first = focusables()[0];
    (first || dialog).focus();
    store("sessionStorage", VISIT_KEY, "shown");
    store("localStorage", CAP_KEY, String(Date.now() + Math.max(1, Number(config.frequencyDays) || 14) * DAY_MS));
  }

  function check() {
    store("sessionStorage", VISIT_KEY, "checked"); // one question per visit, whatever the answer
    request(config.proxy, "GET")
      .then(function (answer) {
        var view = answer.json;
        if (!answer.ok || !view || view.popup === "none" || !view.popup) return;
        if (view.popup === "gift" && !view.gift) return;
        var link = node("link", { rel: "stylesheet", href: config.css });
        link.onload = function () {
          show(view);
        };
        document.head.appendChild(link);
      })
      .catch(function () {});
  }

  function whenIdle() {
    if ("requestIdleCallback" in window) window.requestIdleCallback(check, { timeout: 4000 });
    else setTimeout(check, 1500);
  }
  if (document.readyState === "complete") whenIdle();
  else window.addEventListener("load", whenIdle, { once: true });
})();
