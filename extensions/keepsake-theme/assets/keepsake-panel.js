/*
 * Keepsake rewards panel (budget 20 KB gzipped), loaded by keepsake-boot.js on the first open only.
 * Talks to the app proxy (GET {proxy}/member, POST {proxy}/redeem, GET {proxy}/referral, POST {proxy}/referral/claim,
 * POST {proxy}/action, and POST {proxy}/birthday through keepsake-birthday.js's form;
 * contract: app/loyalty/storefront-contract.ts).
 * Accessible dialog: role=dialog + aria-modal, labelled by its title, focus kept inside while open, Esc closes
 * and focus returns to the opener. Every string comes from config.strings (the locale files, through Liquid);
 * numbers, money and dates are formatted with Intl for the shopper's locale. DOM is built with textContent
 * only: nothing from the network is ever parsed as HTML.
 */
(function () {
  "use strict";
  var keepsake = (window.Keepsake = window.Keepsake || {});
  if (keepsake.panel) return;

  var HISTORY_SHOWN = 5;
  var config, strings, launcher, returnTo;
  var overlay, dialog, body;
  var state = {
    data: null,
    loading: false,
    loadFailed: false,
    busy: {},
    slider: {},
    notice: null,
    fetchSeq: 0,
    referral: null,
    claim: { email: "", busy: false, error: null, result: null },
  };

  // ---------------------------------------------------------------------------------------------- formatting

  function locale() {
    return config.locale || undefined;
  }
  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole;
    });
  }
  function number(value) {
    return new Intl.NumberFormat(locale()).format(value);
  }
  function points(value) {
    return keepsake.pointsLabel(value);
  }
  function currency() {
    return (state.data && state.data.program && state.data.program.currency) || config.currency || "USD";
  }
  /** Contract amounts are decimal strings in the shop currency. */
  function money(amount) {
    try {
      return new Intl.NumberFormat(locale(), { style: "currency", currency: currency() }).format(Number(amount));
    } catch (error) {
      return String(amount);
    }
  }
  function date(iso) {
    return new Intl.DateTimeFormat(locale(), { dateStyle: "medium" }).format(new Date(iso));
  }
  /** A shop-local calendar day (yyyy-mm-dd), shown as that day whatever the shopper's zone. */
  function day(ymd, style) {
    return new Intl.DateTimeFormat(locale(), { dateStyle: style || "medium", timeZone: "UTC" }).format(new Date(ymd + "T12:00:00Z"));
  }
  function signed(value) {
    return new Intl.NumberFormat(locale(), { signDisplay: "exceptZero" }).format(value);
  }

  // ---------------------------------------------------------------------------------------------- DOM helpers

  /** h("p", { class: "x", text: "…", onclick: fn }, [children]) — text goes through textContent only. */
  function h(tag, props, children) {
    var element = document.createElement(tag);
    if (props) {
      for (var key in props) {
        var value = props[key];
        if (value === null || value === undefined || value === false) continue;
        if (key === "text") element.textContent = value;
        else if (key.slice(0, 2) === "on") element.addEventListener(key.slice(2), value);
        else element.setAttribute(key, value === true ? "" : String(value));
      }
    }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      element.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return element;
  }
  function section(id, title, children) {
    return h("section", { class: "ks-section", "aria-labelledby": id }, [
      h("h3", { class: "ks-section__title", id: id, text: title }),
    ].concat(children));
  }
  function focusables() {
    var selector = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), [tabindex]:not([tabindex="-1"])';
    return Array.prototype.filter.call(dialog.querySelectorAll(selector), function (element) {
      return !element.hidden && element.offsetParent !== null;
    });
  }

  // ---------------------------------------------------------------------------------------------- network

  function getMember() {
    var sequence = ++state.fetchSeq;
    state.loading = true;
    state.loadFailed = false;
    render();
    return fetch(config.proxy + "/member?limit=" + HISTORY_SHOWN, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error("member answered " + response.status);
        return response.json();
      })
      .then(
        function (data) {
          if (sequence !== state.fetchSeq) return; // a newer request won
          state.data = data;
          state.loading = false;
          if (data.enrolled) keepsake.showBalance(data.balance);
          // The member's own referral link, when the program says referrals are on.
          if (!keepsake.ref && data.program && data.program.referrals) getReferral();
          render();
        },
        function () {
          if (sequence !== state.fetchSeq) return;
          state.loading = false;
          state.loadFailed = true;
          render();
        },
      );
  }

  function newRequestId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    // Older browsers: 128 random bits in hex are just as unique for the contract's 8–64 [A-Za-z0-9_-].
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map
      .call(bytes, function (byte) {
        return (byte + 256).toString(16).slice(1);
      })
      .join("");
  }

  function wait(ms) {
    return new Promise(function (resolve) {
      setTimeout(resolve, ms);
    });
  }

  /**
   * POSTs a redemption. Retries reuse the SAME requestId, which the app answers at most once: a dropped
   * connection is retried once, and "request_in_progress" (the first attempt is still talking to Shopify) is
   * asked again after its Retry-After, a few times.
   */
  function postRedeem(payload, retries) {
    return fetch(config.proxy + "/redeem", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(payload),
    }).then(
      function (response) {
        return response
          .json()
          .catch(function () {
            return null;
          })
          .then(function (json) {
            var code = json && json.error && json.error.code;
            if (code === "request_in_progress" && retries > 0) {
              var seconds = Math.min(Number(response.headers.get("Retry-After")) || 1, 5);
              return wait(seconds * 1000).then(function () {
                return postRedeem(payload, retries - 1);
              });
            }
            return { ok: response.ok, json: json };
          });
      },
      function () {
        if (retries > 0) {
          return wait(800).then(function () {
            return postRedeem(payload, retries - 1);
          });
        }
        return { ok: false, json: null, offline: true };
      },
    );
  }

  function errorText(result) {
    if (result.offline) return strings.errors.network;
    var code = result.json && result.json.error && result.json.error.code;
    return (code && strings.errors[code]) || strings.errors.generic;
  }

  // ---------------------------------------------------------------------------------------------- rewards

  function slidingMax(reward, balance) {
    var step = reward.sliding.pointsPerStep;
    return Math.min(reward.sliding.maxPoints, Math.floor(balance / step) * step);
  }
  function canAfford(reward, balance) {
    return reward.kind === "sliding_scale" ? balance >= reward.sliding.minPoints : balance >= reward.pointsCost;
  }
  function slidingAmount(reward, value) {
    var steps = value / reward.sliding.pointsPerStep;
    return money((steps * Number(reward.sliding.amountPerStep)).toFixed(2));
  }
  function snap(reward, value, balance) {
    var sliding = reward.sliding;
    var snapped = Math.round(value / sliding.pointsPerStep) * sliding.pointsPerStep;
    return Math.max(sliding.minPoints, Math.min(slidingMax(reward, balance), snapped || sliding.minPoints));
  }

  function redeem(reward, button) {
    if (state.busy[reward.id]) return;
    var payload = { rewardId: reward.id, requestId: newRequestId() };
    if (reward.kind === "sliding_scale") payload.points = state.slider[reward.id];
    state.busy[reward.id] = true;
    state.notice = null;
    // Keep focus inside the dialog: a disabled button drops focus to <body>.
    dialog.focus();
    button.disabled = true;
    button.textContent = strings.redeeming;
    postRedeem(payload, 3).then(function (result) {
      delete state.busy[reward.id];
      var data = state.data;
      if (result.ok && result.json && data && data.enrolled) {
        var success = result.json;
        data.balance = success.balance;
        if (success.code) {
          data.codes = [
            {
              code: success.code,
              rewardId: success.rewardId,
              rewardName: success.rewardName,
              kind: success.kind,
              issuedAt: new Date().toISOString(),
              expiresAt: success.expiresAt,
            },
          ].concat(data.codes || []);
        }
        data.history = [
          { kind: "redemption", delta: -success.pointsSpent, createdAt: new Date().toISOString(), description: success.rewardName },
        ].concat(data.history || []);
        state.notice = { type: "success", result: success };
        keepsake.showBalance(success.balance);
        render("notice");
      } else {
        state.notice = { type: "error", text: errorText(result) };
        render("notice");
        var code = result.json && result.json.error && result.json.error.code;
        // The balance or the rewards changed elsewhere: show what is true now (the notice stays).
        if (code === "not_enough_points" || code === "reward_inactive" || code === "reward_not_found") getMember();
      }
    });
  }

  function rewardItem(reward, member) {
    var balance = member ? member.balance : 0;
    var affordable = member ? canAfford(reward, balance) : false;
    var children = [
      h("div", { class: "ks-reward__main" }, [
        h("span", { class: "ks-reward__name", text: reward.name }),
        h("span", {
          class: "ks-reward__cost",
          text: reward.kind === "sliding_scale" && reward.sliding ? points(reward.sliding.minPoints) + "+" : points(reward.pointsCost),
        }),
      ]),
    ];
    if (reward.minimumSubtotal) {
      children.push(h("p", { class: "ks-reward__note", text: fill(strings.minimum, { amount: money(reward.minimumSubtotal) }) }));
    }
    if (member && affordable && reward.kind === "sliding_scale" && reward.sliding) {
      children.push(stepper(reward, balance));
    }
    if (member && affordable) {
      var button = h("button", {
        type: "button",
        class: "ks-button",
        "data-key": "redeem-" + reward.id,
        "aria-describedby": "ks-reward-name-" + reward.id,
        text: state.busy[reward.id] ? strings.redeeming : strings.redeem,
        disabled: !!state.busy[reward.id],
        onclick: function () {
          redeem(reward, button);
        },
      });
      children.push(button);
    } else if (member) {
      var missing = (reward.kind === "sliding_scale" && reward.sliding ? reward.sliding.minPoints : reward.pointsCost) - balance;
      children.push(h("p", { class: "ks-reward__note", text: fill(strings.need_more, { points: points(missing) }) }));
    }
    children[0].firstChild.id = "ks-reward-name-" + reward.id;
    return h("li", { class: "ks-reward", "data-reward-id": reward.id }, children);
  }

  function stepper(reward, balance) {
    var sliding = reward.sliding;
    var max = slidingMax(reward, balance);
    var value = snap(reward, state.slider[reward.id] || sliding.minPoints, balance);
    state.slider[reward.id] = value;
    var inputId = "ks-points-" + reward.id;
    var note = h("p", { class: "ks-reward__note", id: inputId + "-value", "aria-live": "polite" });
    var input = h("input", {
      type: "number",
      id: inputId,
      class: "ks-stepper__input",
      inputmode: "numeric",
      min: sliding.minPoints,
      max: max,
      step: sliding.pointsPerStep,
      value: value,
      "data-key": "points-" + reward.id,
      "aria-describedby": inputId + "-value " + inputId + "-range",
    });
    function show() {
      note.textContent = fill(strings.sliding_value, {
        points: points(state.slider[reward.id]),
        amount: slidingAmount(reward, state.slider[reward.id]),
      });
    }
    function set(next) {
      state.slider[reward.id] = snap(reward, next, balance);
      input.value = state.slider[reward.id];
      show();
    }
    input.addEventListener("change", function () {
      set(Number(input.value));
    });
    input.addEventListener("input", function () {
      var typed = Number(input.value);
      if (typed >= sliding.minPoints && typed <= max && typed % sliding.pointsPerStep === 0) {
        state.slider[reward.id] = typed;
        show();
      }
    });
    show();
    return h("div", { class: "ks-stepper" }, [
      h("label", { for: inputId, class: "ks-stepper__label", text: strings.sliding_label }),
      h("div", { class: "ks-stepper__row" }, [
        h("button", {
          type: "button",
          class: "ks-stepper__button",
          "aria-label": strings.fewer,
          "aria-controls": inputId,
          "data-key": "fewer-" + reward.id,
          text: "−",
          onclick: function () {
            set(state.slider[reward.id] - sliding.pointsPerStep);
          },
        }),
        input,
        h("button", {
          type: "button",
          class: "ks-stepper__button",
          "aria-label": strings.more,
          "aria-controls": inputId,
          "data-key": "more-" + reward.id,
          text: "+",
          onclick: function () {
            set(state.slider[reward.id] + sliding.pointsPerStep);
          },
        }),
      ]),
      note,
      h("p", {
        class: "ks-reward__note",
        id: inputId + "-range",
        text: fill(strings.sliding_range, {
          min: points(sliding.minPoints),
          max: points(max),
          step: points(sliding.pointsPerStep),
        }),
      }),
    ]);
  }

  // ---------------------------------------------------------------------------------------------- codes

  function copyCode(code, status) {
    function done(ok) {
      status.textContent = ok ? strings.copied : strings.copy_failed;
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(code).then(
        function () {
          done(true);
        },
        function () {
          done(legacyCopy(code));
        },
      );
    } else {
      done(legacyCopy(code));
    }
  }
  /** For browsers without the async clipboard (or without permission): a hidden textarea + execCommand. */
  function legacyCopy(text) {
    var area = h("textarea", { class: "ks-visually-hidden", readonly: true, "aria-hidden": "true", tabindex: "-1" });
    area.value = text;
    dialog.appendChild(area);
    area.select();
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    area.remove();
    return copied;
  }

  function applyUrl(code) {
    return "/discount/" + encodeURIComponent(code) + "?redirect=" + encodeURIComponent(config.routes.cart || "/cart");
  }

  function codeItem(issued) {
    var status = h("span", { class: "ks-code__status", role: "status" });
    return h("li", { class: "ks-code" }, [
      h("span", { class: "ks-code__reward", text: issued.rewardName }),
      h("code", { class: "ks-code__value", text: issued.code }),
      issued.expiresAt ? h("span", { class: "ks-reward__note", text: fill(strings.expires, { date: date(issued.expiresAt) }) }) : null,
      h("div", { class: "ks-code__actions" }, [
        h("button", {
          type: "button",
          class: "ks-button ks-button--secondary",
          "data-key": "copy-" + issued.code,
          "aria-label": strings.copy + " " + issued.code,
          text: strings.copy,
          onclick: function () {
            copyCode(issued.code, status);
          },
        }),
        h("a", { class: "ks-button", href: applyUrl(issued.code), text: strings.apply }),
      ]),
      status,
    ]);
  }

  // ---------------------------------------------------------------------------------------------- referrals

  /** GET {proxy}/referral: the member's own link, and the friend's offer for the visit's kp_ref. */
  function getReferral() {
    var ref = keepsake.ref;
    return fetch(config.proxy + "/referral" + (ref ? "?ref=" + encodeURIComponent(ref) : ""), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(
        function (data) {
          state.referral = data && data.enabled ? data : null;
          render();
        },
        function () {
          state.referral = null; // the section stays hidden; the rest of the panel works
        },
      );
  }

  function claimReferral(event) {
    event.preventDefault();
    var claim = state.claim;
    if (claim.busy) return;
    claim.busy = true;
    claim.error = null;
    dialog.focus();
    render();
    fetch(config.proxy + "/referral/claim", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ ref: keepsake.ref, email: claim.email }),
    })
      .then(
        function (response) {
          return response
            .json()
            .catch(function () {
              return null;
            })
            .then(function (json) {
              return { ok: response.ok, json: json };
            });
        },
        function () {
          return { ok: false, json: null, offline: true };
        },
      )
      .then(function (result) {
        claim.busy = false;
        if (result.ok && result.json && result.json.code) {
          claim.result = result.json;
          render("ref-code");
        } else {
          claim.error = errorText(result);
          render("ref-error");
        }
      });
  }

  function offerSection(offer) {
    var claim = state.claim;
    var children = [h("p", { text: fill(strings.referral.offer_body, { reward: offer.rewardName }) })];
    if (claim.result) {
      var status = h("span", { class: "ks-code__status", role: "status" });
      children.push(
        h("div", { class: "ks-notice", role: "status" }, [
          h("p", { text: fill(strings.referral.code_ready, { reward: claim.result.rewardName }) }),
          h("code", { class: "ks-code__value", "data-keepsake-friend-code": true, tabindex: "-1", "data-key": "ref-code", text: claim.result.code }),
        ]),
        h("div", { class: "ks-code__actions" }, [
          h("button", {
            type: "button",
            class: "ks-button ks-button--secondary",
            "aria-label": strings.copy + " " + claim.result.code,
            text: strings.copy,
            onclick: function () {
              copyCode(claim.result.code, status);
            },
          }),
          h("a", { class: "ks-button", href: applyUrl(claim.result.code), text: strings.apply }),
        ]),
        status,
      );
    } else {
      var input = h("input", {
        type: "email",
        id: "ks-ref-email",
        class: "ks-input",
        name: "email",
        autocomplete: "email",
        required: true,
        "data-key": "ref-email",
        "aria-describedby": claim.error ? "ks-ref-error" : null,
        "aria-invalid": claim.error ? "true" : null,
      });
      input.value = claim.email;
      input.addEventListener("input", function () {
        claim.email = input.value;
      });
      children.push(
        h("form", { class: "ks-form", onsubmit: claimReferral }, [
          h("label", { for: "ks-ref-email", class: "ks-stepper__label", text: strings.referral.email_label }),
          input,
          h("button", { type: "submit", class: "ks-button", "data-key": "ref-claim", disabled: claim.busy, text: claim.busy ? strings.referral.claiming : strings.referral.claim }),
        ]),
        claim.error ? h("p", { class: "ks-notice ks-notice--error", id: "ks-ref-error", role: "alert", tabindex: "-1", "data-key": "ref-error", text: claim.error }) : null,
      );
    }
    return section("ks-offer-title", strings.referral.offer_title, children);
  }

  function ownSection(own) {
    var status = h("span", { class: "ks-code__status", role: "status" });
    var reward = own.referrerReward.rewardName || (own.referrerReward.points ? points(own.referrerReward.points) : null);
    return section("ks-referral-title", strings.referral.title, [
      own.friendReward ? h("p", { text: fill(strings.referral.give, { reward: own.friendReward.rewardName }) }) : null,
      reward ? h("p", { text: fill(strings.referral.get, { reward: reward }) }) : null,
      h("label", { for: "ks-ref-link", class: "ks-stepper__label", text: strings.referral.link_label }),
      h("input", { id: "ks-ref-link", class: "ks-input", readonly: true, value: own.link, "data-key": "ref-link", onfocus: function (event) { event.target.select(); } }),
      h("div", { class: "ks-code__actions" }, [
        h("button", {
          type: "button",
          class: "ks-button ks-button--secondary",
          "data-key": "ref-copy",
          text: strings.referral.copy_link,
          onclick: function () {
            copyCode(own.link, status);
          },
        }),
      ]),
      status,
      h("p", { class: "ks-muted", text: fill(strings.referral.stats, { claimed: number(own.stats.claimed), rewarded: number(own.stats.rewarded) }) }),
    ]);
  }

  /** The friend's offer (a kp_ref visit that is not the member's own link) and the member's own link. */
  function referralViews() {
    var referral = state.referral;
    if (!referral) return [];
    var own = referral.own;
    var views = [];
    if (referral.offer && !(own && own.code === keepsake.ref)) views.push(offerSection(referral.offer));
    if (own) views.push(ownSection(own));
    return views;
  }

  // ---------------------------------------------------------------------------------------------- views

  function waysToEarn(program) {
    var ways = program && program.waysToEarn;
    if (!ways && config.earnRate !== null && config.earnRate !== undefined) {
      ways = [{ kind: "order", points: Number(config.earnRate), description: "" }];
    }
    var campaigns = (program && program.campaigns) || [];
    if ((!ways || !ways.length) && !campaigns.length) return null;
    var templates = { order: strings.earn_order, signup: strings.earn_signup, birthday: strings.earn_birthday, birthday_gift: strings.earn_birthday_gift, referral: strings.earn_referral };
    var member = state.data && state.data.enrolled;
    return section(
      "ks-earn-title",
      strings.earn_title,
      [
        h(
          "ul",
          { class: "ks-list" },
          (ways || [])
            .map(function (way) {
              var template = templates[way.kind];
              if (way.key) return actionItem(way, member);
              var text = template ? fill(template, { points: points(way.points), amount: money("1") }) : way.description;
              return h("li", { text: text });
            })
            .concat(
              campaigns.map(function (campaign) {
                var value = Number(campaign.value);
                var template = campaign.kind === "multiplier" ? strings.earn_campaign_multiplier : strings.earn_campaign_fixed;
                var values = { name: campaign.name, multiplier: number(value), points: points(value), end: day(campaign.lastDay) };
                return h("li", { class: "ks-campaign", text: fill(template, values) });
              }),
            ),
        ),
      ],
    );
  }

  /** A merchant's way to earn: its label and points; social ones get a button for members (or "Done"). */
  function actionItem(way, member) {
    var text = fill(strings.earn_action, { label: way.description, points: points(way.points) });
    var control = null;
    if (member && way.url) {
      control = way.done
        ? h("span", { class: "ks-muted", text: strings.action_done })
        : h("button", {
            type: "button",
            class: "ks-button ks-button--secondary",
            "data-key": "action-" + way.key,
            "aria-label": way.description + ": " + strings.do_action,
            disabled: !!state.busy["action:" + way.key],
            text: strings.do_action,
            onclick: function () {
              doAction(way);
            },
          });
    }
    return h("li", { class: control ? "ks-earn-action" : null }, [h("span", { text: text }), control]);
  }

  /** Opens the page (during the click, so no pop-up blocker) and claims the points once (POST action). */
  function doAction(way) {
    var busyKey = "action:" + way.key;
    if (state.busy[busyKey]) return;
    window.open(way.url, "_blank", "noopener");
    state.busy[busyKey] = true;
    render();
    fetch(config.proxy + "/action", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ key: way.key }),
    })
      .then(function (response) {
        return response.json().then(function (json) {
          return { ok: response.ok, json: json };
        });
      })
      .catch(function () {
        return { offline: true };
      })
      .then(function (result) {
        delete state.busy[busyKey];
        if (result.ok) {
          way.done = true;
          state.data.balance = result.json.balance;
          keepsake.showBalance(result.json.balance);
          if (result.json.awarded) state.notice = { type: "info", text: fill(strings.action_awarded, { points: points(result.json.points) }) };
        } else {
          state.notice = { type: "error", text: errorText(result) };
        }
        render("notice");
      });
  }

  /**
   * The member's birthday with "Change" (or the day a change is allowed again), or "Add"; the form
   * (keepsake-birthday.js's, loaded on demand) explains the shop's rules and shows the server's refusals.
   */
  function birthdaySection(data) {
    if (!data.program || !data.program.birthdays) return null;
    var texts = strings.birthday;
    var rules = data.birthdayRules || {};
    var children = [];
    if (state.birthdayForm) {
      children.push(state.birthdayForm.element);
    } else if (data.birthday) {
      var when = new Intl.DateTimeFormat(locale(), { month: "long", day: "numeric", timeZone: "UTC" }).format(new Date(Date.UTC(2000, data.birthday.month - 1, data.birthday.day)));
      children.push(h("p", { id: "ks-bday-current", text: fill(strings.birthday_yours, { date: when }) }));
      children.push(
        rules.nextChangeOn
          ? h("p", { class: "ks-muted", tabindex: "-1", "data-key": "birthday-next", text: fill(texts.next_change, { date: day(rules.nextChangeOn, "long") }) })
          : h("button", { type: "button", class: "ks-button ks-button--secondary", "data-key": "birthday-change", "aria-describedby": "ks-bday-current", text: texts.change, onclick: openBirthdayForm }),
      );
    } else {
      children.push(h("button", { type: "button", class: "ks-button ks-button--secondary", "data-key": "birthday-add", text: strings.birthday_add, onclick: openBirthdayForm }));
    }
    return section("ks-birthday-title", strings.birthday_title, children);
  }

  /** Back from the form to the birthday, focus on what replaced it. */
  function closeBirthdayForm() {
    var data = state.data;
    state.birthdayForm = null;
    render(!data.birthday ? "birthday-add" : data.birthdayRules && data.birthdayRules.nextChangeOn ? "birthday-next" : "birthday-change");
  }

  function openBirthdayForm() {
    var ready = keepsake.birthdayForm
      ? Promise.resolve()
      : new Promise(function (resolve, reject) {
          var script = h("script", { src: config.assets.birthday, async: true });
          script.onload = resolve;
          script.onerror = reject;
          document.head.appendChild(script);
        });
    ready.then(
      function () {
        var data = state.data;
        state.birthdayForm = keepsake.birthdayForm({
          strings: strings.birthday,
          locale: locale(),
          proxy: config.proxy,
          idSuffix: "panel",
          value: data.birthday,
          rules: data.birthdayRules,
          inputClass: "ks-input",
          buttonClass: "ks-button",
          extraActions: [h("button", { type: "button", class: "ks-button ks-button--secondary", text: strings.birthday.cancel, onclick: closeBirthdayForm })],
          // state.data, not `data`: the panel may have reloaded the member while the form was open.
          refused: function (error) {
            if (state.data.birthdayRules) state.data.birthdayRules.nextChangeOn = error.nextChangeOn;
          },
          done: function (view) {
            state.birthdayForm = null;
            state.data.birthday = view.birthday;
            if (state.data.birthdayRules) state.data.birthdayRules.nextChangeOn = view.nextChangeOn;
            state.notice = { type: "info", text: fill(strings.birthday.saved, { year: view.firstRewardYear }) };
            render("notice");
          },
        });
        render();
        state.birthdayForm.focus();
      },
      function () {
        state.notice = { type: "error", text: strings.errors.network };
        render("notice");
      },
    );
  }

  function rewardsSection(program, member) {
    var rewards = (program && program.rewards) || [];
    return section("ks-rewards-title", strings.rewards_title, [
      rewards.length
        ? h("ul", { class: "ks-list ks-list--rewards" }, rewards.map(function (reward) {
            return rewardItem(reward, member);
          }))
        : h("p", { class: "ks-muted", text: strings.rewards_none }),
    ]);
  }

  function noticeView() {
    var notice = state.notice;
    if (!notice) return null;
    if (notice.type === "error") {
      return h("p", { class: "ks-notice ks-notice--error", role: "alert", tabindex: "-1", "data-key": "notice", text: notice.text });
    }
    if (notice.type === "info") return h("p", { class: "ks-notice", role: "status", tabindex: "-1", "data-key": "notice", text: notice.text });
    var result = notice.result;
    if (!result.code) {
      return h("p", { class: "ks-notice", role: "status", tabindex: "-1", "data-key": "notice", text: fill(strings.donation, { reward: result.rewardName }) });
    }
    return h("div", { class: "ks-notice", role: "status", tabindex: "-1", "data-key": "notice" }, [
      h("p", { text: fill(strings.code_new, { reward: result.rewardName }) }),
      h("code", { class: "ks-code__value", "data-keepsake-new-code": true, text: result.code }),
    ]);
  }

  function balanceView(balance, expiry) {
    return h("div", { class: "ks-balance" }, [
      h("p", { class: "ks-balance__label", id: "ks-balance-label", text: strings.balance_label }),
      h("p", { class: "ks-balance__value", "aria-describedby": "ks-balance-label", "data-keepsake-panel-balance": true, text: number(balance) }),
      expiry && h("p", { class: "ks-muted", "data-keepsake-expiry": true, text: fill(strings.expiring, { points: points(expiry.points), date: day(expiry.expiresOn) }) }),
    ]);
  }

  /** The member's VIP tier and what is left to the next one (GET member `tier`, absent while tiers are off). */
  function tierView(tier) {
    if (!tier) return null;
    var next = tier.next;
    var progress = !next
      ? strings.tier_top
      : next.kind === "amount_spent"
        ? fill(strings.tier_next_amount, { amount: money(next.remaining), tier: next.name })
        : next.kind === "orders_count"
          ? fill(strings.tier_next_orders, { count: number(Number(next.remaining)), tier: next.name })
          : fill(strings.tier_next_points, { points: points(Number(next.remaining)), tier: next.name });
    return h("div", { class: "ks-tier", "data-keepsake-tier": tier.handle }, [
      h("p", { class: "ks-tier__name", text: fill(strings.tier, { tier: tier.name }) }),
      tier.perks ? h("p", { class: "ks-muted", text: tier.perks }) : null,
      h("p", { class: "ks-muted", "data-keepsake-tier-progress": true, text: progress }),
    ]);
  }

  function guestView(data) {
    var program = data && data.program;
    var children = [];
    if (config.loggedIn) {
      children.push(h("p", { class: "ks-intro", text: strings.errors.not_enrolled }));
    } else {
      children.push(
        h("p", { class: "ks-intro", text: strings.guest_intro }),
        section("ks-how-title", strings.how_title, [
          h("ol", { class: "ks-steps" }, [strings.how_join, strings.how_earn, strings.how_redeem].map(function (step) {
            return h("li", { text: step });
          })),
        ]),
        h("div", { class: "ks-actions" }, [
          h("a", { class: "ks-button", href: config.routes.register, text: strings.join }),
          h("p", { class: "ks-muted" }, [strings.have_account + " ", h("a", { class: "ks-link", href: config.routes.login, text: strings.sign_in })]),
        ]),
      );
    }
    children.push(waysToEarn(program), rewardsSection(program, null));
    return children;
  }

  function memberView(data) {
    var children = [balanceView(data.balance, data.expiry), tierView(data.tier), noticeView(), rewardsSection(data.program, data)];
    if (data.codes && data.codes.length) {
      children.push(section("ks-codes-title", strings.codes_title, [h("ul", { class: "ks-list" }, data.codes.map(codeItem))]));
    }
    children.push.apply(children, referralViews());
    var history = (data.history || []).slice(0, HISTORY_SHOWN);
    children.push(
      section("ks-activity-title", strings.activity_title, [
        history.length
          ? h("ul", { class: "ks-list ks-activity" }, history.map(function (item) {
              return h("li", { class: "ks-activity__item" }, [
                h("span", { class: "ks-activity__what", text: strings.activity[item.kind] || item.description }),
                h("span", { class: "ks-activity__delta", text: signed(item.delta) }),
                h("time", { class: "ks-muted", datetime: item.createdAt, text: date(item.createdAt) }),
              ]);
            }))
          : h("p", { class: "ks-muted", text: strings.activity_none }),
      ]),
      birthdaySection(data),
      waysToEarn(data.program),
    );
    return children;
  }

  function statusView() {
    if (state.loading) return h("p", { class: "ks-muted", role: "status", text: strings.loading });
    if (state.loadFailed) {
      return h("div", { class: "ks-notice ks-notice--error", role: "alert" }, [
        h("p", { text: strings.load_error }),
        h("button", { type: "button", class: "ks-button ks-button--secondary", "data-key": "retry", text: strings.retry, onclick: getMember }),
      ]);
    }
    return null;
  }

  /** Rebuilds the body; keeps focus on the same control (by data-key), or moves it to `focusKey`. */
  function render(focusKey) {
    if (!body) return;
    var active = document.activeElement;
    var keep = focusKey || (active && body.contains(active) && active.getAttribute("data-key"));
    var data = state.data;
    var children;
    if (data && data.enrolled) children = memberView(data);
    else if (data) children = [noticeView()].concat(referralViews(), guestView(data));
    else if (config.loggedIn && typeof config.balance === "number") children = [balanceView(config.balance)];
    else children = [];
    children.unshift(statusView());
    body.textContent = "";
    children.forEach(function (child) {
      if (child) body.appendChild(child);
    });
    var target = keep && body.querySelector('[data-key="' + keep + '"]');
    if (target) target.focus();
    // The focused control may have been replaced: never let focus fall out of an open dialog.
    if (isOpen() && !dialog.contains(document.activeElement)) dialog.focus();
  }

  // ---------------------------------------------------------------------------------------------- dialog

  function build() {
    var titleId = "keepsake-panel-title";
    var close = h("button", {
      type: "button",
      class: "ks-close",
      "aria-label": strings.close,
      onclick: closePanel,
    });
    close.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill="currentColor" d="M18.3 5.7 12 12l6.3 6.3-1.4 1.4L10.6 13.4 4.3 19.7 2.9 18.3 9.2 12 2.9 5.7l1.4-1.4 6.3 6.3 6.3-6.3z"/></svg>';
    body = h("div", { class: "ks-panel__body" });
    dialog = h(
      "div",
      {
        class: "ks-panel ks-panel--" + (config.position === "left" ? "left" : "right"),
        id: "keepsake-panel",
        role: "dialog",
        "aria-modal": "true",
        "aria-labelledby": titleId,
        tabindex: "-1",
      },
      [h("div", { class: "ks-panel__header" }, [h("h2", { class: "ks-panel__title", id: titleId, text: config.title }), close]), body],
    );
    overlay = h("div", { class: "ks-overlay", hidden: true }, [dialog]);
    overlay.addEventListener("mousedown", function (event) {
      if (event.target === overlay) closePanel(); // a click on the backdrop, not inside the panel
    });
    (document.getElementById("keepsake-root") || document.body).appendChild(overlay);
  }

  function isOpen() {
    return overlay && !overlay.hidden;
  }

  function onKeydown(event) {
    if (!isOpen()) return;
    if (event.key === "Escape") {
      event.preventDefault();
      closePanel();
      return;
    }
    if (event.key !== "Tab") return;
    var items = focusables();
    if (!items.length) {
      event.preventDefault();
      dialog.focus();
      return;
    }
    var first = items[0];
    var last = items[items.length - 1];
    var active = document.activeElement;
    if (!dialog.contains(active)) {
      event.preventDefault();
      (event.shiftKey ? last : first).focus();
    } else if (event.shiftKey && (active === first || active === dialog)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first.focus();
    }
  }

  /** Focus that escapes the dialog (a click on the page behind, a screen-reader jump) is brought back. */
  function onFocusIn(event) {
    if (isOpen() && !dialog.contains(event.target)) dialog.focus();
  }

  function openPanel(nextConfig, nextLauncher, opener) {
    if (!overlay) {
      config = nextConfig;
      strings = config.strings;
      launcher = nextLauncher;
      build();
      document.addEventListener("keydown", onKeydown);
      document.addEventListener("focusin", onFocusIn);
    }
    returnTo = opener || launcher;
    if (isOpen()) return;
    state.notice = null;
    overlay.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    render();
    dialog.focus();
    getMember(); // first paint came from Liquid; the proxy has the truth
    if (keepsake.ref) getReferral(); // a referral visit: the friend's offer at once
  }

  function closePanel() {
    if (!isOpen()) return;
    overlay.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    if (returnTo && typeof returnTo.focus === "function") returnTo.focus();
  }

  keepsake.panel = { open: openPanel, close: closePanel };
})();
