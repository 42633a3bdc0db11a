/*
 * Keepsake product points: keeps "Earn N points with this purchase" in step with the selected variant.
 * Themes differ in how they switch variants, but they agree on two things: the product form's `id` input holds
 * the variant (themes fire `change` on it or on an option input in the form), and the URL's ?variant= follows.
 * We read the form first, the URL second, after the theme's own change handlers have run.
 */
(function () {
  "use strict";
  if (window.KeepsakeProductPoints) return; // the block may appear twice; one listener serves both
  window.KeepsakeProductPoints = true;

  function currentVariant() {
    var input = document.querySelector('form[action*="/cart/add"] [name="id"]');
    if (input && input.value) return input.value;
    return new URLSearchParams(window.location.search).get("variant");
  }

  var blocks = Array.prototype.map.call(document.querySelectorAll("[data-keepsake-product-points]"), function (block) {
    var data = JSON.parse(block.querySelector("[data-keepsake-product-data]").textContent);
    var text = block.querySelector("[data-keepsake-points-text]");
    var locale = data.locale || undefined;
    return function update() {
      var variant = currentVariant();
      var cents = data.variants[String(variant)];
      if (typeof cents !== "number") return;
      // Same rule as the Liquid (and the app's default): floor of price × rate; the epsilon absorbs float
      // noise such as 0.7 × 1000 / 100 = 6.999….
      var points = Math.floor((cents * Number(data.rate)) / 100 + 1e-9);
      var form = new Intl.PluralRules(locale).select(points) === "one" ? data.points_one : data.points_other;
      text.textContent = data.earn.replace("{points}", form.replace("{points}", new Intl.NumberFormat(locale).format(points)));
      block.setAttribute("data-variant", String(variant));
    };
  });

  function updateAll() {
    blocks.forEach(function (update) {
      update();
    });
  }
  function later() {
    setTimeout(updateAll, 0); // after the theme's own handlers have updated the id input and the URL
  }
  document.addEventListener("change", later);
  window.addEventListener("popstate", later);
  updateAll(); // numbers formatted for the shopper's locale (Liquid prints them plain)
})();
