/**
 * The theme app extension rendered with strict Liquid (scripts/storefront/render.ts): every block, for a guest
 * and a member, in every locale; the locale files agree on their keys; the schemas are valid and translated;
 * the assets fit their budgets. The browser behaviour is tests/e2e/storefront-widget.test.ts.
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import type { EntryKind } from "~/loyalty/ledger.server";
import type { ProgramInfo, StorefrontErrorCode } from "~/loyalty/storefront-contract";
import { FIXTURE_PRODUCT, FIXTURE_SHOP } from "../../scripts/storefront/fixtures";
import {
  BLOCK_NAMES,
  createStorefrontRenderer,
  EXTENSION_DIR,
  formatMoney,
  localeKeys,
  shopifyJson,
  type FixtureCustomer,
  type LocaleTree,
  type StorefrontContext,
} from "../../scripts/storefront/render";

const renderer = createStorefrontRenderer();
const LOCALES = ["en", "ko", "ja", "fr", "de", "es"];
const PROGRAM: ProgramInfo = {
  currency: "USD",
  waysToEarn: [
    { kind: "order", points: 1, description: "1 point per USD 1 spent" },
    { kind: "signup", points: 50, description: "Points for joining" },
    { kind: "social_follow", points: 10, description: "Follow us <b>now</b>", key: "instagram-follow", network: "instagram", url: "https://instagram.com/x" },
    { kind: "birthday_gift", points: 0, description: "A gift on your birthday" },
    { kind: "mystery", points: 5, description: "Something <i>new</i>" },
  ],
  rewards: [
    { id: "r1", kind: "amount_off", name: "$5 off <script>", pointsCost: 100, affordable: false, minimumSubtotal: "50.00", sliding: null },
  ],
};
const MEMBER: FixtureCustomer = { id: "7000000000000000001", firstName: "Ada", email: "ada@example.com", balance: 1234 };

function context(overrides: Partial<StorefrontContext> = {}): StorefrontContext {
  return {
    shop: FIXTURE_SHOP,
    locale: "en",
    customer: null,
    product: FIXTURE_PRODUCT,
    appData: { earnRate: "1", program: PROGRAM },
    assetBase: "//cdn.example/extensions/keepsake/assets/",
    ...overrides,
  };
}

function launcherConfig(html: string): Record<string, unknown> & { strings: Record<string, unknown> } {
  const json = /<script type="application\/json" id="keepsake-config">([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (!json) throw new Error("no #keepsake-config in the launcher");
  return JSON.parse(json);
}

function leaves(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (value && typeof value === "object") return Object.values(value).flatMap(leaves);
  return [];
}

const temporaryDirs: string[] = [];
afterAll(() => temporaryDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe("blocks render with strict Liquid", () => {
  for (const locale of LOCALES) {
    for (const customer of [null, MEMBER]) {
      const who = customer ? "member" : "guest";
      it(`${locale}, ${who}: every block renders, every string comes from the ${locale} locale`, async () => {
        const en = renderer.locales.storefront.get("en") as LocaleTree;
        const own = renderer.locales.storefront.get(locale) as LocaleTree;
        for (const name of BLOCK_NAMES) {
          const { html } = await renderer.renderBlock(name, context({ locale, customer }));
          expect(html).not.toMatch(/translation missing|Liquid error/i);
          if (locale !== "en") {
            // A translated block shows none of the English-only texts (numbers and names aside).
            const englishOnly = localeKeys(en)
              .map((key) => key.split(".").reduce<unknown>((node, part) => (node as LocaleTree)[part], en) as string)
              .filter((text) => text.length > 12 && !localeKeys(own).some((key) => key.split(".").reduce<unknown>((node, part) => (node as LocaleTree)[part], own) === text));
            for (const text of englishOnly) expect(html).not.toContain(text);
          }
        }
        const launcher = await renderer.renderBlock("launcher", context({ locale, customer }));
        const config = launcherConfig(launcher.html);
        expect(config).toMatchObject({ proxy: "/apps/keepsake", locale, loggedIn: Boolean(customer), balance: customer ? 1234 : null, earnRate: "1" });
        // Placeholders left for the scripts use {name}; no Liquid placeholder may survive.
        for (const text of leaves(config.strings)) expect(text).not.toMatch(/\{\{|\}\}|translation missing/);
      });
    }
  }

  it("the launcher: settings reach the markup; the balance badge only for a member with a balance metafield", async () => {
    const guest = (await renderer.renderBlock("launcher", context())).html;
    expect(guest).toContain('class="ks-root ks-root--right"');
    expect(guest).toContain("--ks-accent:#1f4b99");
    expect(guest).not.toContain("data-keepsake-balance");
    expect(guest).toMatch(/<script src="\/\/cdn\.example\/extensions\/keepsake\/assets\/keepsake-boot\.js" defer><\/script>/);
    const member = (await renderer.renderBlock("launcher", context({ customer: MEMBER, settings: { position: "left", label: "Perks" } }))).html;
    expect(member).toContain('<span class="ks-launcher__balance" data-keepsake-balance>1234</span>');
    expect(member).toContain('class="ks-root ks-root--left"');
    expect(member).toContain('<span class="ks-launcher__label">Perks</span>');
    const noMetafieldYet = (await renderer.renderBlock("launcher", context({ customer: { ...MEMBER, balance: null } }))).html;
    expect(noMetafieldYet).not.toContain("data-keepsake-balance");
    expect(launcherConfig(noMetafieldYet)).toMatchObject({ loggedIn: true, balance: null });
  });

  it("product points: price × rate, rounded down, for the selected variant; nothing without a rate", async () => {
    const [small, large] = FIXTURE_PRODUCT.variants;
    const first = (await renderer.renderBlock("product-points", context())).html;
    expect(first).toContain("Earn 18 points with this purchase");
    const picked = (await renderer.renderBlock("product-points", context({ selectedVariantId: large?.id, appData: { earnRate: "1.5", program: null } }))).html;
    expect(picked).toContain("Earn 102 points with this purchase");
    expect(picked).toContain(`"${small?.id}": 1800`);
    const korean = (await renderer.renderBlock("product-points", context({ locale: "ko" }))).html;
    expect(korean).toContain("이 상품 구매 시 18포인트 적립");
    const unconfigured = (await renderer.renderBlock("product-points", context({ appData: { earnRate: null, program: null } }))).html;
    expect(unconfigured.trim()).toBe("");
  });

  it("rewards page: ways to earn and rewards from the program metafield, escaped; falls back to the earn rate", async () => {
    const page = (await renderer.renderBlock("rewards-page", context())).html;
    expect(page).toContain("<li>1 point for every $1.00 spent</li>");
    expect(page).toContain("<li>50 points for creating an account</li>");
    expect(page).toContain("<li>Follow us &lt;b&gt;now&lt;/b&gt;: 10 points</li>"); // a merchant's action: its label (escaped) and points
    expect(page).toContain("<li>A gift on your birthday</li>");
    expect(page).toContain("<li>Something &lt;i&gt;new&lt;/i&gt;</li>"); // a kind we don't translate: the app's text, escaped
    expect(page).toContain("$5 off &lt;script&gt;");
    expect(page).toContain("On orders of $50.00 or more");
    expect(page).toContain('href="/account/register"');
    const member = (await renderer.renderBlock("rewards-page", context({ customer: MEMBER, locale: "fr" }))).html;
    expect(member).toContain("Vous avez 1234 points.");
    // Members get the panel's button (shown once the launcher can open it) instead of join links.
    expect(member).not.toContain("/fr/account/register");
    expect(member).toContain("data-keepsake-open hidden");
    const bare = (await renderer.renderBlock("rewards-page", context({ appData: { earnRate: "2", program: null } }))).html;
    expect(bare).toContain("<li>2 points for every $1.00 spent</li>");
    expect(bare).toContain("No rewards are available yet.");
  });

  it("is strict: an unknown filter, an undefined variable or a missing translation fails the render", async () => {
    const broken = [
      ["product-points.liquid", "{{ keepsake_points | no_such_filter }}"],
      ["product-points.liquid", "{{ no_such_object.title }}"],
      ["product-points.liquid", "{{ 'keepsake.no.such.key' | t }}"],
    ];
    for (const [file, snippet] of broken) {
      const dir = mkdtempSync(path.join(tmpdir(), "keepsake-extension-"));
      temporaryDirs.push(dir);
      cpSync(EXTENSION_DIR, dir, { recursive: true });
      const blockPath = path.join(dir, "blocks", file as string);
      writeFileSync(blockPath, `${snippet}\n${readFileSync(blockPath, "utf8")}`);
      const strict = createStorefrontRenderer(dir);
      await expect(strict.renderBlock("product-points", context())).rejects.toThrow();
    }
    const dir = mkdtempSync(path.join(tmpdir(), "keepsake-extension-"));
    temporaryDirs.push(dir);
    cpSync(EXTENSION_DIR, dir, { recursive: true });
    const blockPath = path.join(dir, "blocks", "rewards-page.liquid");
    writeFileSync(blockPath, readFileSync(blockPath, "utf8").replace('"target": "section",', '"target": "section",,'));
    await expect(createStorefrontRenderer(dir).renderBlock("rewards-page", context())).rejects.toThrow(/JSON/);
  });

  it("json is safe inside <script>, money follows the shop's format", () => {
    expect(shopifyJson("</script><!-- & \u2028")).toBe('"\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028"');
    expect(formatMoney(123456, "${{amount}}")).toBe("$1,234.56");
    expect(formatMoney(123456, "{{amount_with_comma_separator}} €")).toBe("1.234,56 €");
    expect(formatMoney(1234500, "₩{{amount_no_decimals}}")).toBe("₩12,345");
  });
});

describe("locales", () => {
  const { storefront, schema } = renderer.locales;

  it("has en (default), ko, ja, fr, de and es, for the storefront and for the theme editor", () => {
    expect([...storefront.keys()].sort()).toEqual([...LOCALES].sort());
    expect([...schema.keys()].sort()).toEqual([...LOCALES].sort());
    expect(readdirSync(path.join(EXTENSION_DIR, "locales"))).toContain("en.default.json");
    expect(readdirSync(path.join(EXTENSION_DIR, "locales"))).toContain("en.default.schema.json");
  });

  for (const [kind, files] of [["storefront", storefront], ["schema", schema]] as const) {
    it(`every ${kind} locale has exactly the keys of en.default, none empty, with the same placeholders`, () => {
      const en = files.get("en") as LocaleTree;
      const expected = localeKeys(en).sort();
      const valueOf = (tree: LocaleTree, key: string) => key.split(".").reduce<unknown>((node, part) => (node as LocaleTree)[part], tree) as string;
      const placeholders = (text: string) => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();
      for (const [locale, tree] of files) {
        expect(localeKeys(tree).sort(), locale).toEqual(expected);
        for (const key of expected) {
          expect(valueOf(tree, key).trim(), `${locale}.${key}`).not.toBe("");
          expect(placeholders(valueOf(tree, key)), `${locale}.${key}`).toEqual(placeholders(valueOf(en, key)));
        }
      }
    });
  }

  it("labels every kind of ledger entry in the member's activity, in the launcher's strings", () => {
    // `satisfies` makes tsc fail here when the ledger gains a kind the widget does not label.
    const kinds = {
      order_earn: true,
      refund_reversal: true,
      cancel_reversal: true,
      signup_bonus: true,
      manual_adjustment: true,
      redemption: true,
      redemption_restore: true,
      redemption_cancel: true,
      tier_entry_reward: true,
      birthday_reward: true,
      referral_reward: true,
      referral_reversal: true,
      campaign_bonus: true,
      campaign_bonus_reversal: true,
      action_award: true,
      import: true,
      expiry: true,
    } satisfies Record<EntryKind, true>;
    const activity = (storefront.get("en") as { keepsake: { activity: Record<string, string> } }).keepsake.activity;
    const launcher = readFileSync(path.join(EXTENSION_DIR, "blocks", "launcher.liquid"), "utf8");
    for (const kind of Object.keys(kinds)) {
      expect(activity[kind], kind).toBeTruthy();
      expect(launcher, kind).toContain(`"${kind}": {{ 'keepsake.activity.${kind}' | t | json }}`);
    }
  });

  it("translates every error code of the storefront contract", () => {
    // `satisfies` makes tsc fail here when the contract gains a code the widget does not translate.
    const codes = {
      invalid_query: true,
      invalid_body: true,
      not_logged_in: true,
      not_enrolled: true,
      reward_not_found: true,
      reward_inactive: true,
      not_enough_points: true,
      invalid_points: true,
      rate_limited: true,
      request_in_progress: true,
      shopify_unavailable: true,
    } satisfies Record<StorefrontErrorCode, true>;
    const en = storefront.get("en") as { keepsake: { errors: Record<string, string> } };
    for (const code of Object.keys(codes)) expect(en.keepsake.errors[code], code).toBeTruthy();
  });
});

describe("schemas", () => {
  it("are valid JSON with a translated name, the right target and unique setting ids", () => {
    const expectedTargets = { launcher: "body", "product-points": "section", "rewards-page": "section", "birthday-popup": "body" };
    const schemaEn = renderer.locales.schema.get("en") as LocaleTree;
    for (const name of BLOCK_NAMES) {
      const schema = renderer.schemaOf(name);
      expect(schema.target, name).toBe(expectedTargets[name]);
      const ids = (schema.settings ?? []).map((setting) => setting.id);
      expect(new Set(ids).size, name).toBe(ids.length);
      // Every "t:" reference resolves in every schema locale; names fit the editor's 25 characters.
      const references = JSON.stringify(schema).match(/"t:[\w.]+"/g) ?? [];
      expect(references.length).toBeGreaterThan(0);
      for (const [locale, tree] of renderer.locales.schema) {
        for (const reference of references) {
          const key = reference.slice(3, -1);
          const text = key.split(".").reduce<unknown>((node, part) => (node as LocaleTree | undefined)?.[part], tree);
          expect(typeof text, `${locale}: ${key}`).toBe("string");
        }
        const title = schema.name.slice(2).split(".").reduce<unknown>((node, part) => (node as LocaleTree)[part], tree) as string;
        expect(title.length, `${locale} ${name}`).toBeLessThanOrEqual(25);
      }
      expect(schemaEn).toBeTruthy();
    }
  });
});

describe("assets", () => {
  const gzipped = (file: string) => gzipSync(readFileSync(path.join(EXTENSION_DIR, "assets", file)), { level: 9 }).length;

  it("fit the budgets: boot ≤ 8 KB, panel ≤ 20 KB, CSS ≤ 6 KB gzipped (bench/widget.ts reports the figures)", () => {
    expect(gzipped("keepsake-boot.js")).toBeLessThanOrEqual(8 * 1024);
    expect(gzipped("keepsake-panel.js")).toBeLessThanOrEqual(20 * 1024);
    expect(gzipped("keepsake.css")).toBeLessThanOrEqual(6 * 1024);
    expect(gzipped("keepsake-product.js")).toBeLessThanOrEqual(8 * 1024);
    // The birthday pop-up embed: its script loads on every page like the boot script; its CSS only when it shows.
    expect(gzipped("keepsake-birthday.js")).toBeLessThanOrEqual(8 * 1024);
    expect(gzipped("keepsake-birthday.css")).toBeLessThanOrEqual(6 * 1024);
  });

  it("are plain scripts a 2019 browser parses (no modules, no build step)", () => {
    for (const file of ["keepsake-boot.js", "keepsake-panel.js", "keepsake-product.js", "keepsake-birthday.js"]) {
      const source = readFileSync(path.join(EXTENSION_DIR, "assets", file), "utf8");
      expect(() => new Function(source), file).not.toThrow();
      expect(source, file).not.toMatch(/^\s*(import|export)\s/m);
      expect(source, file).not.toMatch(/\?\?|\?\./); // ES2020 syntax
    }
  });
});
