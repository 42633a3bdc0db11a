/**
 * Renders the theme app extension's blocks (extensions/keepsake-theme) the way a Shopify storefront would,
 * for the fixture storefront (scripts/storefront/server.ts), the tests and the demo.
 *
 * liquidjs knows none of Shopify's additions, so the ones our blocks use are registered here, faithfully
 * enough to catch real mistakes: `{% schema %}` (JSON validated, renders nothing), `t` (reads the extension's
 * locales for request.locale, keyword interpolation with escaped values, a missing key is an error), `asset_url`,
 * `money` (cents in the shop's money format), `json` (escapes `<`, `>` and `&` like Shopify, so JSON in a
 * <script> cannot close it). strictFilters and strictVariables are on: an unknown filter or an undefined
 * variable fails the render instead of printing nothing.
 * Metafields behave like Shopify's: a namespace or key that is not set reads as nil, not as an error.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Drop, Liquid, Tag, toValue, TypeGuards, type Context, type Emitter, type Template, type TagToken, type TopLevelToken } from "liquidjs";
import type { ProgramInfo } from "../../app/loyalty/storefront-contract";

export const EXTENSION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../extensions/keepsake-theme");

export type BlockName = "launcher" | "product-points" | "rewards-page" | "birthday-popup";
export const BLOCK_NAMES: readonly BlockName[] = ["launcher", "product-points", "rewards-page", "birthday-popup"];

export interface BlockSchema {
  name: string;
  target: "body" | "head" | "section";
  javascript?: string;
  stylesheet?: string;
  settings?: Array<{ id: string; type: string; default?: unknown }>;
  [key: string]: unknown;
}

export interface FixtureCustomer {
  /** Numeric Shopify id, as Shopify's app proxy sends it in logged_in_customer_id. */
  id: string;
  firstName: string;
  email: string;
  /** The app-owned metafield `$app:keepsake.balance` (null: not written yet). */
  balance: number | null;
}

export interface FixtureVariant {
  id: number;
  title: string;
  /** Cents, as Liquid's variant.price. */
  price: number;
  available?: boolean;
}

export interface FixtureProduct {
  id: number;
  title: string;
  handle: string;
  description: string;
  variants: FixtureVariant[];
}

export interface FixtureShop {
  name: string;
  /** `{shop}.myshopify.com` */
  domain: string;
  currency: string;
  /** Shopify's money format, e.g. "${{amount}}" or "₩{{amount_no_decimals}}". */
  moneyFormat: string;
}

/** What Shopify would hand the blocks' Liquid for one storefront request. */
export interface StorefrontContext {
  shop: FixtureShop;
  /** request.locale.iso_code: "en", "ko", … */
  locale: string;
  customer: FixtureCustomer | null;
  product?: FixtureProduct;
  /** The variant picked by ?variant= (product.selected_or_first_available_variant). */
  selectedVariantId?: number;
  /** App-data metafields the app keeps current: keepsake.earn_rate and keepsake.program. */
  appData: { earnRate: string | null; program: ProgramInfo | null };
  /** Where asset_url points (Shopify: the extension's CDN folder); ends with "/". */
  assetBase: string;
  /** Block settings overriding the schema defaults. */
  settings?: Record<string, unknown>;
  blockId?: string;
}

export interface RenderedBlock {
  html: string;
  schema: BlockSchema;
  /** Assets named by the schema, which Shopify injects into the page once (deferred JS, CSS link). */
  javascriptUrl: string | null;
  stylesheetUrl: string | null;
}

// -------------------------------------------------------------------------------------------------------------
// metafields: Shopify answers nil for anything not set

class MetafieldNamespaceDrop extends Drop {
  constructor(private readonly values: Record<string, unknown>) {
    super();
  }
  override liquidMethodMissing(key: string | number): unknown {
    const value = this.values[String(key)];
    return value === undefined || value === null ? null : { value };
  }
}

class MetafieldsDrop extends Drop {
  constructor(private readonly namespaces: Record<string, Record<string, unknown>>) {
    super();
  }
  override liquidMethodMissing(key: string | number): unknown {
    const namespace = this.namespaces[String(key)];
    return namespace ? new MetafieldNamespaceDrop(namespace) : null;
  }
}

// -------------------------------------------------------------------------------------------------------------
// locales

export type LocaleTree = { [key: string]: string | LocaleTree };

export function readLocales(extensionDir = EXTENSION_DIR): { storefront: Map<string, LocaleTree>; schema: Map<string, LocaleTree> } {
  const storefront = new Map<string, LocaleTree>();
  const schema = new Map<string, LocaleTree>();
  for (const file of readdirSync(path.join(extensionDir, "locales"))) {
    const match = /^([a-zA-Z-]+?)(\.default)?(\.schema)?\.json$/.exec(file);
    if (!match?.[1]) continue;
    const tree = JSON.parse(readFileSync(path.join(extensionDir, "locales", file), "utf8")) as LocaleTree;
    (match[3] ? schema : storefront).set(match[1], tree);
  }
  return { storefront, schema };
}

/** Every leaf key, dotted ("keepsake.panel.title"). */
export function localeKeys(tree: LocaleTree, prefix = ""): string[] {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === "string" ? [`${prefix}${key}`] : localeKeys(value, `${prefix}${key}.`),
  );
}

function lookup(tree: LocaleTree | undefined, key: string): string | undefined {
  let node: string | LocaleTree | undefined = tree;
  for (const part of key.split(".")) {
    if (!node || typeof node === "string") return undefined;
    node = node[part];
  }
  return typeof node === "string" ? node : undefined;
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);

/** Shopify's `json` filter: JSON that is safe inside <script> (no `</script>`, no `<!--`). */
export function shopifyJson(value: unknown): string {
  return (JSON.stringify(value === undefined ? null : value) ?? "null")
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** Shopify's money filters: cents → the shop's money format. */
export function formatMoney(cents: number, moneyFormat: string): string {
  const fixed = (value: number, decimals: number) => (value / 100).toFixed(decimals);
  const group = (text: string, thousands: string, decimal: string) => {
    const [whole = "0", fraction] = text.split(".");
    const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, thousands);
    return fraction === undefined ? grouped : `${grouped}${decimal}${fraction}`;
  };
  return moneyFormat.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => {
    switch (name) {
      case "amount":
        return group(fixed(cents, 2), ",", ".");
      case "amount_no_decimals":
        return group(fixed(cents, 0), ",", ".");
      case "amount_with_comma_separator":
        return group(fixed(cents, 2), ".", ",");
      case "amount_no_decimals_with_comma_separator":
        return group(fixed(cents, 0), ".", ",");
      default:
        throw new Error(`money format placeholder ${whole} is not supported`);
    }
  });
}

// -------------------------------------------------------------------------------------------------------------
// the engine

export interface StorefrontRenderer {
  renderBlock(name: BlockName, context: StorefrontContext): Promise<RenderedBlock>;
  schemaOf(name: BlockName): BlockSchema;
  locales: ReturnType<typeof readLocales>;
}

/** `{% schema %}…{% endschema %}`: must hold valid JSON; renders nothing (Shopify reads it at upload). */
class SchemaTag extends Tag {
  readonly json: string;
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
    super(token, remainTokens, liquid);
    let text = "";
    for (;;) {
      const next = remainTokens.shift();
      if (!next) throw new Error("{% schema %} is not closed by {% endschema %}");
      if (TypeGuards.isTagToken(next) && next.name === "endschema") break;
      text += next.getText();
    }
    JSON.parse(text); // a syntax error here is a broken block in the theme editor
    this.json = text;
  }
  *render(_ctx: Context, _emitter: Emitter): Generator<unknown, void, unknown> {}
}

function localeOf(ctx: Context): string {
  const iso = ctx.getSync(["request", "locale", "iso_code"]);
  return typeof iso === "string" ? iso : "en";
}

export function createStorefrontRenderer(extensionDir = EXTENSION_DIR): StorefrontRenderer {
  const locales = readLocales(extensionDir);
  if (!locales.storefront.has("en")) throw new Error(`${extensionDir}/locales/en.default.json is missing`);

  const engine = new Liquid({ strictFilters: true, strictVariables: true, ownPropertyOnly: true, cache: false });
  engine.registerTag("schema", SchemaTag);

  engine.registerFilter("t", function (this: { context: Context }, key: unknown, ...args: unknown[]) {
    const iso = localeOf(this.context);
    // Shopify falls back from "pt-BR" to "pt" to the default locale.
    const candidates = [iso, iso.split("-")[0] ?? iso, "en"];
    let text: string | undefined;
    for (const candidate of candidates) {
      text ??= lookup(locales.storefront.get(candidate), String(key));
    }
    if (text === undefined) throw new Error(`translation missing: ${iso}.${String(key)}`);
    const values = new Map<string, string>();
    for (const arg of args) {
      // keyword arguments arrive as [name, value] pairs
      if (!Array.isArray(arg) || arg.length !== 2) throw new Error(`t: "${String(key)}" takes keyword arguments only`);
      values.set(String(arg[0]), escapeHtml(String(arg[1])));
    }
    return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => {
      const value = values.get(name);
      if (value === undefined) throw new Error(`t: "${String(key)}" needs ${whole}`);
      return value;
    });
  });

  engine.registerFilter("asset_url", function (this: { context: Context }, name: unknown) {
    const base = this.context.getSync(["keepsake_fixture", "asset_base"]);
    const file = String(name);
    if (!/^[\w.-]+$/.test(file)) throw new Error(`asset_url: bad asset name ${file}`);
    try {
      readFileSync(path.join(extensionDir, "assets", file));
    } catch {
      throw new Error(`asset_url: assets/${file} does not exist`);
    }
    return `${String(base)}${file}`;
  });

  engine.registerFilter("money", function (this: { context: Context }, cents: unknown) {
    const format = this.context.getSync(["shop", "money_format"]);
    const value = Number(cents);
    if (!Number.isFinite(value)) throw new Error(`money: ${String(cents)} is not a number of cents`);
    return formatMoney(Math.round(value), String(format));
  });

  // Liquid's nil literal is a NullDrop in liquidjs: toValue turns it into null, as Shopify prints it.
  engine.registerFilter("json", (value: unknown) => shopifyJson(toValue(value)));

  const templates = new Map<BlockName, { template: Template[]; schema: BlockSchema }>();
  function load(name: BlockName) {
    let entry = templates.get(name);
    if (!entry) {
      const source = readFileSync(path.join(extensionDir, "blocks", `${name}.liquid`), "utf8");
      const template = engine.parse(source, `blocks/${name}.liquid`);
      const schemaTag = template.find((node): node is SchemaTag => node instanceof SchemaTag);
      if (!schemaTag) throw new Error(`blocks/${name}.liquid has no {% schema %}`);
      entry = { template, schema: JSON.parse(schemaTag.json) as BlockSchema };
      templates.set(name, entry);
    }
    return entry;
  }

  return {
    locales,
    schemaOf: (name) => load(name).schema,
    async renderBlock(name, context) {
      const { template, schema } = load(name);
      const settings: Record<string, unknown> = {};
      for (const setting of schema.settings ?? []) settings[setting.id] = setting.default ?? null;
      Object.assign(settings, context.settings);
      const product = context.product;
      const selected =
        product &&
        (product.variants.find((variant) => variant.id === context.selectedVariantId) ??
          product.variants.find((variant) => variant.available !== false) ??
          product.variants[0]);
      const prefix = context.locale === "en" ? "" : `/${context.locale}`;
      const scope = {
        keepsake_fixture: { asset_base: context.assetBase },
        shop: {
          name: context.shop.name,
          currency: context.shop.currency,
          money_format: context.shop.moneyFormat,
          permanent_domain: context.shop.domain,
        },
        request: { locale: { iso_code: context.locale } },
        routes: {
          root_url: prefix || "/",
          account_login_url: `${prefix}/account/login`,
          account_register_url: `${prefix}/account/register`,
          account_url: `${prefix}/account`,
          cart_url: `${prefix}/cart`,
        },
        customer: context.customer && {
          id: Number(context.customer.id),
          first_name: context.customer.firstName,
          email: context.customer.email,
          metafields: new MetafieldsDrop({ "$app:keepsake": { balance: context.customer.balance } }),
        },
        product: product
          ? {
              id: product.id,
              title: product.title,
              handle: product.handle,
              variants: product.variants.map((variant) => ({ ...variant, available: variant.available !== false })),
              selected_or_first_available_variant: selected,
            }
          : null,
        app: {
          metafields: new MetafieldsDrop({
            keepsake: { earn_rate: context.appData.earnRate, program: context.appData.program },
          }),
        },
        block: { id: context.blockId ?? name, settings, shopify_attributes: "" },
      };
      const html = (await engine.render(template, scope)) as string;
      const assetUrl = (file: string | undefined) => (file ? `${context.assetBase}${file}` : null);
      return { html, schema, javascriptUrl: assetUrl(schema.javascript), stylesheetUrl: assetUrl(schema.stylesheet) };
    },
  };
}
