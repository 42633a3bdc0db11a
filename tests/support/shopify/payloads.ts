/**
 * Realistic webhook payload builders (API 2026-07, REST-style webhook JSON).
 *
 * Shapes follow Shopify's "Sample payload" of each topic (copied from the 2026-07 webhook reference; the samples
 * are summarised in docs/decisions/003-shopify-stand-ins.md). The docs' order sample is a voided, cancelled test
 * order; these builders make the orders a loyalty app really sees: paid, not test, with discounts, taxes, shipping,
 * tips, gift cards, guest checkouts, POS and multi-currency.
 *
 * Conventions:
 * - Every id is a `bigint` and, unless given, comes from a counter starting above 2^53
 *   (5_000_000_000_000_000_001n), so `JSON.parse` of the serialised payload WOULD round it — exactly the trap of
 *   real Shopify ids (820982911946154508). Serialise with `toShopifyJson` (webhooks.ts does).
 * - Every amount exists both as the legacy string in SHOP currency (`price`, `total_price`…) and as a `*_set`
 *   `{ shop_money, presentment_money }`. Amounts passed in are shop-currency strings ("25.00"); the presentment side
 *   is shop × `exchangeRate`, converted per leaf amount (unit price, allocation, tax, shipping, tip) and summed, as
 *   Shopify does, so both currencies add up on their own.
 * - Plain functions with override options (fishery-like), deterministic given `resetShopifyIds()`.
 */

// ---------------------------------------------------------------------------------------------------------------
// ids, shop, time

const FIRST_ID = 5_000_000_000_000_000_001n;
let idCounter = FIRST_ID;
let orderNumberCounter = 1000;

/** Next deterministic Shopify-sized id (> 2^53). */
export function nextShopifyId(): bigint {
  const id = idCounter;
  idCounter += 1n;
  return id;
}

/**
 * Restarts the id and order-number counters. Test files run in separate module instances and therefore produce the
 * same ids; pass a distinct `start` per file if several files share one database.
 */
export function resetShopifyIds(start: bigint = FIRST_ID, firstOrderNumber = 1001): void {
  idCounter = start;
  orderNumberCounter = firstOrderNumber - 1;
}

export function shopifyGid(type: string, id: bigint | number | string): string {
  return `gid://shopify/${type}/${id}`;
}

/** `shopify-api`'s test helpers use this shop; keeping it the default lets both sets of helpers agree. */
export const DEFAULT_SHOP_DOMAIN = "test-shop.myshopify.com";
/** The docs' sample shop id (app/uninstalled sample). Shop ids fit in 2^53, but are still written as integers. */
export const DEFAULT_SHOP_ID = 548380009n;

/**
 * Shopify writes REST timestamps in the shop's time zone with an explicit offset: "2021-12-31T19:00:00-05:00".
 * Default offset −05:00 (the samples' Eastern time) so the app is forced to honour offsets rather than assume Z.
 */
export function shopifyTimestamp(at: Date = new Date(), offsetMinutes = -300): string {
  const local = new Date(at.getTime() + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
  return `${local.toISOString().slice(0, 19)}${offset}`;
}

function timestampOf(value: Date | string | undefined): string {
  return typeof value === "string" ? value : shopifyTimestamp(value);
}

// ---------------------------------------------------------------------------------------------------------------
// money

export interface Money {
  amount: string;
  currency_code: string;
}
export interface MoneySet {
  shop_money: Money;
  presentment_money: Money;
}

/** An amount held in integer minor units in both currencies, so sums never drift. */
interface Amount {
  shop: number;
  presentment: number;
}

interface CurrencyContext {
  shopCurrency: string;
  presentmentCurrency: string;
  exchangeRate: number;
}

function parseCents(decimal: string): number {
  if (!/^-?\d+(\.\d{1,2})?$/.test(decimal)) throw new RangeError(`Not a money amount: ${JSON.stringify(decimal)}`);
  const negative = decimal.startsWith("-");
  const [whole = "0", fraction = ""] = decimal.replace("-", "").split(".");
  const cents = Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
  return negative ? -cents : cents;
}

/**
 * Shopify's legacy strings always carry two decimals ("25.00"). Zero-decimal currencies (JPY) are written the same
 * way in these builders — unverified against a real JPY shop.
 */
function formatCents(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

function amountFromShop(decimal: string, ctx: CurrencyContext): Amount {
  const shop = parseCents(decimal);
  return { shop, presentment: Math.round(shop * ctx.exchangeRate) };
}

const ZERO: Amount = { shop: 0, presentment: 0 };
function add(...amounts: Amount[]): Amount {
  return amounts.reduce((sum, a) => ({ shop: sum.shop + a.shop, presentment: sum.presentment + a.presentment }), ZERO);
}
function negate(a: Amount): Amount {
  return { shop: -a.shop, presentment: -a.presentment };
}
/** a × numerator / denominator, rounded per currency (used for proportional refunds and allocations). */
function prorate(a: Amount, numerator: number, denominator: number): Amount {
  if (denominator === 0) return ZERO;
  return {
    shop: Math.round((a.shop * numerator) / denominator),
    presentment: Math.round((a.presentment * numerator) / denominator),
  };
}

function moneySet(a: Amount, ctx: CurrencyContext): MoneySet {
  return {
    shop_money: { amount: formatCents(a.shop), currency_code: ctx.shopCurrency },
    presentment_money: { amount: formatCents(a.presentment), currency_code: ctx.presentmentCurrency },
  };
}

function amountFromSet(set: MoneySet): Amount {
  return { shop: parseCents(set.shop_money.amount), presentment: parseCents(set.presentment_money.amount) };
}

function contextOf(order: OrderPayload): CurrencyContext {
  return {
    shopCurrency: order.currency,
    presentmentCurrency: order.presentment_currency,
    exchangeRate: 1, // unused when amounts are re-read from existing *_set values
  };
}

// ---------------------------------------------------------------------------------------------------------------
// customers (customers/create, customers/update, customers/delete, and the `customer` embedded in orders)

export interface AddressPayload {
  id: bigint;
  customer_id: bigint;
  first_name: string | null;
  last_name: string | null;
  company: string | null;
  address1: string;
  address2: string | null;
  city: string;
  province: string;
  country: string;
  zip: string;
  phone: string | null;
  name: string;
  province_code: string;
  country_code: string;
  country_name: string;
  default: boolean;
}

/**
 * customers/create and customers/update (identical shapes). Since API 2025-01 there is no `tags`,
 * `email_marketing_consent` or `sms_marketing_consent` (see the samples customers__create.json / __update.json).
 */
export interface CustomerPayload {
  id: bigint;
  created_at: string | null;
  updated_at: string | null;
  first_name: string | null;
  last_name: string | null;
  /** "disabled" (no account), "invited", "enabled" (has an account), "declined". */
  state: "disabled" | "invited" | "enabled" | "declined";
  note: string | null;
  verified_email: boolean;
  multipass_identifier: string | null;
  tax_exempt: boolean;
  email: string | null;
  phone: string | null;
  currency: string;
  /** Present in customers/* payloads (empty in the sample even with a default_address); absent in order.customer. */
  addresses?: AddressPayload[];
  tax_exemptions: string[];
  admin_graphql_api_id: string;
  default_address: AddressPayload | null;
}

export interface CustomerOptions {
  id?: bigint;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  phone?: string | null;
  state?: CustomerPayload["state"];
  note?: string | null;
  currency?: string;
  createdAt?: Date | string;
  updatedAt?: Date | string;
  /** null: a customer without an address. */
  address?: Partial<Omit<AddressPayload, "id" | "customer_id">> | null;
}

export function customerPayload(options: CustomerOptions = {}): CustomerPayload {
  const id = options.id ?? nextShopifyId();
  const firstName = options.firstName === undefined ? "Ada" : options.firstName;
  const lastName = options.lastName === undefined ? "Lovelace" : options.lastName;
  const email = options.email === undefined ? `customer-${id}@example.com` : options.email;
  const createdAt = timestampOf(options.createdAt);
  const defaultAddress: AddressPayload | null =
    options.address === null
      ? null
      : {
          id: nextShopifyId(),
          customer_id: id,
          first_name: firstName,
          last_name: lastName,
          company: null,
          address1: "151 O'Connor Street",
          address2: null,
          city: "Ottawa",
          province: "Ontario",
          country: "Canada",
          zip: "K2P 2L8",
          phone: options.phone ?? null,
          name: [firstName, lastName].filter(Boolean).join(" "),
          province_code: "ON",
          country_code: "CA",
          country_name: "Canada",
          default: true,
          ...options.address,
        };
  return {
    id,
    created_at: createdAt,
    updated_at: options.updatedAt === undefined ? createdAt : timestampOf(options.updatedAt),
    first_name: firstName,
    last_name: lastName,
    state: options.state ?? "enabled",
    note: options.note ?? null,
    verified_email: true,
    multipass_identifier: null,
    tax_exempt: false,
    email,
    phone: options.phone ?? null,
    currency: options.currency ?? "USD",
    addresses: [],
    tax_exemptions: [],
    admin_graphql_api_id: shopifyGid("Customer", id),
    default_address: defaultAddress,
  };
}

export interface CustomerDeletePayload {
  id: bigint;
  tax_exemptions: string[];
  admin_graphql_api_id: string;
}

/** customers/delete carries only the id (sample customers__delete.json). */
export function customerDeletePayload(id: bigint): CustomerDeletePayload {
  return { id, tax_exemptions: [], admin_graphql_api_id: shopifyGid("Customer", id) };
}

// ---------------------------------------------------------------------------------------------------------------
// orders (orders/create, orders/paid, orders/updated, orders/cancelled)

export interface TaxLinePayload {
  channel_liable: boolean;
  price: string;
  price_set: MoneySet;
  /** A number in the REST payloads (0.08), not a string. */
  rate: number;
  title: string;
}

export interface DiscountAllocationPayload {
  amount: string;
  amount_set: MoneySet;
  discount_application_index: number;
}

export interface DiscountApplicationPayload {
  target_type: "line_item" | "shipping_line";
  type: "discount_code" | "automatic" | "manual" | "script";
  value: string;
  value_type: "fixed_amount" | "percentage";
  allocation_method: "across" | "each" | "one";
  target_selection: "all" | "entitled" | "explicit";
  code?: string;
  title?: string;
  description?: string;
}

export interface DiscountCodePayload {
  code: string;
  /** Money deducted, shop currency. */
  amount: string;
  type: "fixed_amount" | "percentage" | "shipping";
}

export interface OrderLineItemPayload {
  id: bigint;
  admin_graphql_api_id: string;
  attributed_staffs: { id: string; quantity: number }[];
  /** quantity minus refunded/removed units: what the customer finally keeps. */
  current_quantity: number;
  fulfillable_quantity: number;
  fulfillment_service: string;
  fulfillment_status: string | null;
  gift_card: boolean;
  grams: number;
  name: string;
  price: string;
  price_set: MoneySet;
  product_exists: boolean;
  product_id: bigint | null;
  properties: { name: string; value: string }[];
  quantity: number;
  requires_shipping: boolean;
  sales_line_item_group_id: bigint | null;
  sku: string | null;
  taxable: boolean;
  title: string;
  /**
   * Shopify documents `total_discount` as legacy ("use discount_allocations"); the samples disagree with their own
   * allocations (refunds__create.json: total_discount 5.00 with allocations 5.00 + 5.00). Here it is the sum of
   * the line's allocations; an app should read `discount_allocations`.
   */
  total_discount: string;
  total_discount_set: MoneySet;
  variant_id: bigint | null;
  variant_inventory_management: string | null;
  variant_title: string | null;
  vendor: string | null;
  tax_lines: TaxLinePayload[];
  duties: unknown[];
  discount_allocations: DiscountAllocationPayload[];
}

export interface ShippingLinePayload {
  id: bigint;
  carrier_identifier: string | null;
  code: string | null;
  current_discounted_price_set: MoneySet;
  discounted_price: string;
  discounted_price_set: MoneySet;
  is_removed: boolean;
  phone: string | null;
  price: string;
  price_set: MoneySet;
  requested_fulfillment_service_id: string | null;
  source: string;
  title: string;
  tax_lines: TaxLinePayload[];
  discount_allocations: DiscountAllocationPayload[];
}

export interface OrderAddressPayload {
  first_name: string | null;
  address1: string;
  phone: string | null;
  city: string;
  zip: string;
  province: string;
  country: string;
  last_name: string | null;
  address2: string | null;
  company: string | null;
  latitude: number | null;
  longitude: number | null;
  name: string;
  country_code: string;
  province_code: string;
}

export type FinancialStatus =
  | "pending"
  | "authorized"
  | "partially_paid"
  | "paid"
  | "partially_refunded"
  | "refunded"
  | "voided";

export type CancelReason = "customer" | "fraud" | "inventory" | "declined" | "staff" | "other";

/** The keys of the docs' order sample (orders__paid.json), in its order. */
export interface OrderPayload {
  id: bigint;
  admin_graphql_api_id: string;
  app_id: bigint | null;
  browser_ip: string | null;
  buyer_accepts_marketing: boolean;
  cancel_reason: CancelReason | null;
  cancelled_at: string | null;
  cart_token: string | null;
  checkout_token: string | null;
  client_details: unknown;
  closed_at: string | null;
  confirmation_number: string | null;
  confirmed: boolean;
  contact_email: string | null;
  created_at: string;
  /** Shop currency. */
  currency: string;
  current_shipping_price_set: MoneySet;
  current_subtotal_price: string;
  current_subtotal_price_set: MoneySet;
  current_total_additional_fees_set: MoneySet | null;
  current_total_discounts: string;
  current_total_discounts_set: MoneySet;
  current_total_duties_set: MoneySet | null;
  current_total_price: string;
  current_total_price_set: MoneySet;
  current_total_tax: string;
  current_total_tax_set: MoneySet;
  customer_locale: string | null;
  device_id: bigint | null;
  discount_codes: DiscountCodePayload[];
  duties_included: boolean;
  email: string | null;
  estimated_taxes: boolean;
  financial_status: FinancialStatus;
  fulfillment_status: string | null;
  landing_site: string | null;
  landing_site_ref: string | null;
  location_id: bigint | null;
  merchant_business_entity_id: string;
  merchant_of_record_app_id: bigint | null;
  name: string;
  note: string | null;
  note_attributes: { name: string; value: string }[];
  number: number;
  order_number: number;
  order_status_url: string;
  original_total_additional_fees_set: MoneySet | null;
  original_total_duties_set: MoneySet | null;
  payment_gateway_names: string[];
  phone: string | null;
  po_number: string | null;
  presentment_currency: string;
  processed_at: string;
  reference: string | null;
  referring_site: string | null;
  source_identifier: string | null;
  /** "web", "pos", "shopify_draft_order", "iphone", "android", or an app's id… */
  source_name: string;
  source_url: string | null;
  subtotal_price: string;
  subtotal_price_set: MoneySet;
  tags: string;
  tax_exempt: boolean;
  tax_lines: TaxLinePayload[];
  taxes_included: boolean;
  test: boolean;
  token: string;
  total_cash_rounding_payment_adjustment_set: MoneySet;
  total_cash_rounding_refund_adjustment_set: MoneySet;
  total_discounts: string;
  total_discounts_set: MoneySet;
  total_line_items_price: string;
  total_line_items_price_set: MoneySet;
  total_outstanding: string;
  total_price: string;
  total_price_set: MoneySet;
  total_shipping_price_set: MoneySet;
  total_tax: string;
  total_tax_set: MoneySet;
  /** Shop currency; tips are part of total_price (a loyalty app should not award points on them). */
  total_tip_received: string;
  total_weight: number;
  updated_at: string;
  user_id: bigint | null;
  billing_address: OrderAddressPayload | null;
  /** null for a guest checkout (the order still has an `email`). Embedded customers carry no `addresses`. */
  customer: Omit<CustomerPayload, "addresses"> | null;
  discount_applications: DiscountApplicationPayload[];
  fulfillments: unknown[];
  line_items: OrderLineItemPayload[];
  payment_terms: unknown;
  refunds: RefundPayload[];
  shipping_address: OrderAddressPayload | null;
  shipping_lines: ShippingLinePayload[];
  returns: unknown[];
  line_item_groups: unknown[];
}

export interface OrderLineInput {
  title: string;
  /** Unit price, shop currency: "25.00". */
  price: string;
  quantity?: number;
  giftCard?: boolean;
  /** Discount allocated to the whole line (not per unit), shop currency. */
  discount?: string;
  /** Tax on the whole line, shop currency. */
  tax?: string;
  /** Defaults to tax ÷ discounted line price, rounded to 4 places. */
  taxRate?: number;
  taxTitle?: string;
  sku?: string | null;
  id?: bigint;
  productId?: bigint | null;
  variantId?: bigint | null;
  variantTitle?: string | null;
  vendor?: string | null;
  grams?: number;
  requiresShipping?: boolean;
}

export interface DiscountCodeInput {
  code: string;
  /** Money deducted, shop currency. Allocated across non-gift-card lines unless lines carry `discount` already. */
  amount: string;
  type?: DiscountCodePayload["type"];
}

export interface PaidOrderOptions {
  id?: bigint;
  /** A `customerPayload()` (its `addresses` are dropped as Shopify does), or null for a guest checkout. */
  customer?: CustomerPayload | Omit<CustomerPayload, "addresses"> | null;
  /** Defaults to the customer's email, or a guest address. */
  email?: string | null;
  lines?: OrderLineInput[];
  shopCurrency?: string;
  presentmentCurrency?: string;
  /** presentment = shop × rate, e.g. "1.1" for a USD shop selling in CAD. */
  exchangeRate?: string;
  sourceName?: string;
  test?: boolean;
  taxesIncluded?: boolean;
  /** Shipping charged, shop currency. Omit for none (e.g. gift-card-only or POS orders). */
  shipping?: string;
  /** Tip, shop currency. */
  tip?: string;
  discountCodes?: DiscountCodeInput[];
  financialStatus?: FinancialStatus;
  /** "#1001"; default from a counter. */
  name?: string;
  cancelledAt?: Date | string | null;
  cancelReason?: CancelReason | null;
  processedAt?: Date | string;
  shopDomain?: string;
  shopId?: bigint;
  tags?: string[];
  note?: string | null;
  /** POS location (defaults to a fixed id for source "pos", null otherwise). */
  locationId?: bigint | null;
  customerLocale?: string;
}

const DEFAULT_LINES: OrderLineInput[] = [{ title: "Hand-thrown mug", price: "25.00", quantity: 2 }];

export function paidOrderPayload(options: PaidOrderOptions = {}): OrderPayload {
  const ctx: CurrencyContext = {
    shopCurrency: options.shopCurrency ?? "USD",
    presentmentCurrency: options.presentmentCurrency ?? options.shopCurrency ?? "USD",
    exchangeRate: Number(options.exchangeRate ?? "1"),
  };
  if (!Number.isFinite(ctx.exchangeRate) || ctx.exchangeRate <= 0) throw new RangeError("exchangeRate must be > 0");
  const id = options.id ?? nextShopifyId();
  orderNumberCounter += 1;
  const orderNumber = options.name ? Number(options.name.replace(/\D/g, "")) || orderNumberCounter : orderNumberCounter;
  const name = options.name ?? `#${orderNumber}`;
  const processedAt = timestampOf(options.processedAt);
  const sourceName = options.sourceName ?? "web";
  const isPos = sourceName === "pos";
  const shopDomain = options.shopDomain ?? DEFAULT_SHOP_DOMAIN;
  const shopId = options.shopId ?? DEFAULT_SHOP_ID;
  const testOrder = options.test ?? false;
  const financialStatus = options.financialStatus ?? "paid";

  const customer =
    options.customer === null ? null : stripAddresses(options.customer ?? customerPayload({ currency: ctx.shopCurrency }));
  const email = options.email !== undefined ? options.email : (customer?.email ?? `guest-${id}@example.com`);

  // ---- discount applications: codes first (index order = discount_application_index), then an automatic
  // discount for lines that carry their own `discount` when no code is given.
  const lineInputs = options.lines ?? DEFAULT_LINES;
  const discountCodes = options.discountCodes ?? [];
  const discountApplications: DiscountApplicationPayload[] = [];
  const lineDiscounts: Amount[][] = lineInputs.map(() => []);
  const lineAllocationIndexes: number[][] = lineInputs.map(() => []);
  const grossOf = (line: OrderLineInput): Amount => {
    const unit = amountFromShop(line.price, ctx);
    const quantity = line.quantity ?? 1;
    return { shop: unit.shop * quantity, presentment: unit.presentment * quantity };
  };

  const explicitLineDiscount = lineInputs.some((line) => line.discount !== undefined);
  discountCodes.forEach((code, codeIndex) => {
    const type = code.type ?? "fixed_amount";
    const total = amountFromShop(code.amount, ctx);
    // Gift cards are never discountable in Shopify.
    const eligible = lineInputs.map((line, i) => ({ line, i })).filter(({ line }) => !line.giftCard);
    const eligibleGross = eligible.reduce((sum, { line }) => add(sum, grossOf(line)), ZERO);
    discountApplications.push({
      target_type: type === "shipping" ? "shipping_line" : "line_item",
      type: "discount_code",
      value:
        type === "percentage" && eligibleGross.shop > 0
          ? ((total.shop * 100) / eligibleGross.shop).toFixed(1)
          : formatCents(total.shop),
      value_type: type === "percentage" ? "percentage" : "fixed_amount",
      allocation_method: "across",
      target_selection: "all",
      code: code.code,
    });
    if (type === "shipping") return; // applied to the shipping line below
    if (explicitLineDiscount) {
      // The caller allocated the money per line; the first code owns those allocations.
      if (codeIndex === 0) {
        lineInputs.forEach((line, i) => {
          if (line.discount !== undefined) {
            lineDiscounts[i]?.push(amountFromShop(line.discount, ctx));
            lineAllocationIndexes[i]?.push(0);
          }
        });
      }
      return;
    }
    // Spread across eligible lines proportionally to their price; the last line takes the rounding remainder.
    let allocated = ZERO;
    eligible.forEach(({ line, i }, position) => {
      const share =
        position === eligible.length - 1
          ? add(total, negate(allocated))
          : prorate(total, grossOf(line).shop, eligibleGross.shop);
      allocated = add(allocated, share);
      lineDiscounts[i]?.push(share);
      lineAllocationIndexes[i]?.push(codeIndex);
    });
  });
  if (discountCodes.length === 0 && explicitLineDiscount) {
    discountApplications.push({
      target_type: "line_item",
      type: "automatic",
      value: "0.0",
      value_type: "fixed_amount",
      allocation_method: "each",
      target_selection: "entitled",
      title: "Automatic discount",
      description: "Automatic discount",
    });
    const index = discountApplications.length - 1;
    lineInputs.forEach((line, i) => {
      if (line.discount !== undefined) {
        lineDiscounts[i]?.push(amountFromShop(line.discount, ctx));
        lineAllocationIndexes[i]?.push(index);
      }
    });
  }

  // ---- line items
  const taxByTitle = new Map<string, { amount: Amount; rate: number }>();
  const lineItems: OrderLineItemPayload[] = lineInputs.map((line, i) => {
    const lineId = line.id ?? nextShopifyId();
    const quantity = line.quantity ?? 1;
    const giftCard = line.giftCard ?? false;
    const unitPrice = amountFromShop(line.price, ctx);
    const allocations = lineDiscounts[i] ?? [];
    const discount = add(...allocations);
    const tax = line.tax !== undefined ? amountFromShop(line.tax, ctx) : ZERO;
    const discountedShop = unitPrice.shop * quantity - discount.shop;
    const rate = line.taxRate ?? (discountedShop > 0 ? Math.round((tax.shop / discountedShop) * 10_000) / 10_000 : 0);
    const taxTitle = line.taxTitle ?? "Sales Tax";
    const taxLines: TaxLinePayload[] =
      line.tax === undefined
        ? []
        : [{ channel_liable: false, price: formatCents(tax.shop), price_set: moneySet(tax, ctx), rate, title: taxTitle }];
    if (line.tax !== undefined) {
      const existing = taxByTitle.get(taxTitle);
      taxByTitle.set(taxTitle, { amount: add(existing?.amount ?? ZERO, tax), rate });
    }
    const requiresShipping = line.requiresShipping ?? !giftCard;
    return {
      id: lineId,
      admin_graphql_api_id: shopifyGid("LineItem", lineId),
      attributed_staffs: [],
      current_quantity: quantity,
      fulfillable_quantity: quantity,
      fulfillment_service: giftCard ? "gift_card" : "manual",
      fulfillment_status: null,
      gift_card: giftCard,
      grams: line.grams ?? (giftCard ? 0 : 250),
      name: line.variantTitle ? `${line.title} - ${line.variantTitle}` : line.title,
      price: formatCents(unitPrice.shop),
      price_set: moneySet(unitPrice, ctx),
      product_exists: line.productId !== null,
      product_id: line.productId === undefined ? nextShopifyId() : line.productId,
      properties: [],
      quantity,
      requires_shipping: requiresShipping,
      sales_line_item_group_id: null,
      sku: line.sku === undefined ? `SKU-${i + 1}` : line.sku,
      taxable: !giftCard,
      title: line.title,
      total_discount: formatCents(discount.shop),
      total_discount_set: moneySet(discount, ctx),
      variant_id: line.variantId === undefined ? nextShopifyId() : line.variantId,
      variant_inventory_management: giftCard ? null : "shopify",
      variant_title: line.variantTitle ?? null,
      vendor: line.vendor ?? "Keepsake Test Goods",
      tax_lines: taxLines,
      duties: [],
      discount_allocations: allocations.map((amount, k) => ({
        amount: formatCents(amount.shop),
        amount_set: moneySet(amount, ctx),
        discount_application_index: lineAllocationIndexes[i]?.[k] ?? 0,
      })),
    };
  });

  // ---- shipping
  const shippingCode = discountCodes.findIndex((code) => (code.type ?? "fixed_amount") === "shipping");
  const shippingPrice = options.shipping !== undefined ? amountFromShop(options.shipping, ctx) : undefined;
  const shippingDiscount =
    shippingPrice && shippingCode >= 0 ? amountFromShop(discountCodes[shippingCode]?.amount ?? "0.00", ctx) : ZERO;
  const shippingLines: ShippingLinePayload[] = shippingPrice
    ? [
        {
          id: nextShopifyId(),
          carrier_identifier: null,
          code: "Standard",
          current_discounted_price_set: moneySet(add(shippingPrice, negate(shippingDiscount)), ctx),
          discounted_price: formatCents(shippingPrice.shop - shippingDiscount.shop),
          discounted_price_set: moneySet(add(shippingPrice, negate(shippingDiscount)), ctx),
          is_removed: false,
          phone: null,
          price: formatCents(shippingPrice.shop),
          price_set: moneySet(shippingPrice, ctx),
          requested_fulfillment_service_id: null,
          source: "shopify",
          title: "Standard",
          tax_lines: [],
          discount_allocations:
            shippingCode >= 0
              ? [
                  {
                    amount: formatCents(shippingDiscount.shop),
                    amount_set: moneySet(shippingDiscount, ctx),
                    discount_application_index: shippingCode,
                  },
                ]
              : [],
        },
      ]
    : [];

  // ---- totals
  const lineGross = add(...lineInputs.map(grossOf));
  const lineDiscountTotal = add(...lineDiscounts.flat());
  const totalDiscounts = add(lineDiscountTotal, shippingDiscount);
  const subtotal = add(lineGross, negate(lineDiscountTotal));
  const totalTax = add(...[...taxByTitle.values()].map((t) => t.amount));
  const shippingNet = shippingPrice ? add(shippingPrice, negate(shippingDiscount)) : ZERO;
  const tip = options.tip !== undefined ? amountFromShop(options.tip, ctx) : ZERO;
  const totalPrice = add(subtotal, shippingNet, tip, options.taxesIncluded ? ZERO : totalTax);
  const outstanding = financialStatus === "paid" || financialStatus === "refunded" ? ZERO : totalPrice;

  const address = customer?.default_address;
  const orderAddress: OrderAddressPayload = {
    first_name: address?.first_name ?? customer?.first_name ?? "Guest",
    address1: address?.address1 ?? "123 Shipping Street",
    phone: address?.phone ?? null,
    city: address?.city ?? "Shippington",
    zip: address?.zip ?? "40003",
    province: address?.province ?? "Kentucky",
    country: address?.country ?? "United States",
    last_name: address?.last_name ?? customer?.last_name ?? "Shopper",
    address2: null,
    company: null,
    latitude: null,
    longitude: null,
    name: address?.name ?? "Guest Shopper",
    country_code: address?.country_code ?? "US",
    province_code: address?.province_code ?? "KY",
  };
  const token = `tok${id.toString(16)}`;
  const cancelledAt = options.cancelledAt == null ? null : timestampOf(options.cancelledAt);

  return {
    id,
    admin_graphql_api_id: shopifyGid("Order", id),
    app_id: isPos ? 129785n : 580111n, // Online Store / POS channel app ids; informational only
    browser_ip: isPos ? null : "203.0.113.7",
    buyer_accepts_marketing: false,
    cancel_reason: options.cancelReason ?? null,
    cancelled_at: cancelledAt,
    cart_token: isPos ? null : `cart-${id}`,
    checkout_token: `checkout-${id}`,
    client_details: null,
    closed_at: null,
    confirmation_number: `KS${id.toString(36).slice(-7).toUpperCase()}`,
    confirmed: true,
    contact_email: email,
    created_at: processedAt,
    currency: ctx.shopCurrency,
    current_shipping_price_set: moneySet(shippingNet, ctx),
    current_subtotal_price: formatCents(subtotal.shop),
    current_subtotal_price_set: moneySet(subtotal, ctx),
    current_total_additional_fees_set: null,
    current_total_discounts: formatCents(totalDiscounts.shop),
    current_total_discounts_set: moneySet(totalDiscounts, ctx),
    current_total_duties_set: null,
    current_total_price: formatCents(totalPrice.shop),
    current_total_price_set: moneySet(totalPrice, ctx),
    current_total_tax: formatCents(totalTax.shop),
    current_total_tax_set: moneySet(totalTax, ctx),
    customer_locale: options.customerLocale ?? "en",
    device_id: null,
    discount_codes: discountCodes.map((code) => ({
      code: code.code,
      amount: formatCents(parseCents(code.amount)),
      type: code.type ?? "fixed_amount",
    })),
    duties_included: false,
    email,
    estimated_taxes: false,
    financial_status: financialStatus,
    fulfillment_status: null,
    landing_site: isPos ? null : "/",
    landing_site_ref: null,
    location_id: options.locationId !== undefined ? options.locationId : isPos ? 655441491n : null,
    merchant_business_entity_id: "MTU0ODM4MDAwOQ",
    merchant_of_record_app_id: null,
    name,
    note: options.note ?? null,
    note_attributes: [],
    number: orderNumber - 1000,
    order_number: orderNumber,
    order_status_url: `https://${shopDomain}/${shopId}/orders/${token}/authenticate?key=k${token}`,
    original_total_additional_fees_set: null,
    original_total_duties_set: null,
    payment_gateway_names: isPos ? ["cash"] : ["shopify_payments"],
    phone: null,
    po_number: null,
    presentment_currency: ctx.presentmentCurrency,
    processed_at: processedAt,
    reference: null,
    referring_site: null,
    source_identifier: null,
    source_name: sourceName,
    source_url: null,
    subtotal_price: formatCents(subtotal.shop),
    subtotal_price_set: moneySet(subtotal, ctx),
    tags: (options.tags ?? []).join(", "),
    tax_exempt: false,
    tax_lines: [...taxByTitle.entries()].map(([title, t]) => ({
      channel_liable: false,
      price: formatCents(t.amount.shop),
      price_set: moneySet(t.amount, ctx),
      rate: t.rate,
      title,
    })),
    taxes_included: options.taxesIncluded ?? false,
    test: testOrder,
    token,
    total_cash_rounding_payment_adjustment_set: moneySet(ZERO, ctx),
    total_cash_rounding_refund_adjustment_set: moneySet(ZERO, ctx),
    total_discounts: formatCents(totalDiscounts.shop),
    total_discounts_set: moneySet(totalDiscounts, ctx),
    total_line_items_price: formatCents(lineGross.shop),
    total_line_items_price_set: moneySet(lineGross, ctx),
    total_outstanding: formatCents(outstanding.shop),
    total_price: formatCents(totalPrice.shop),
    total_price_set: moneySet(totalPrice, ctx),
    total_shipping_price_set: moneySet(shippingNet, ctx),
    total_tax: formatCents(totalTax.shop),
    total_tax_set: moneySet(totalTax, ctx),
    total_tip_received: formatCents(tip.shop),
    total_weight: lineItems.reduce((sum, line) => sum + line.grams * line.quantity, 0),
    updated_at: processedAt,
    user_id: isPos ? 548380009n : null,
    billing_address: customer || !isPos ? orderAddress : null,
    customer,
    discount_applications: discountApplications,
    fulfillments: [],
    line_items: lineItems,
    payment_terms: null,
    refunds: [],
    shipping_address: lineItems.some((line) => line.requires_shipping) && !isPos ? orderAddress : null,
    shipping_lines: shippingLines,
    returns: [],
    line_item_groups: [],
  };
}

function stripAddresses(customer: CustomerPayload | Omit<CustomerPayload, "addresses">): Omit<CustomerPayload, "addresses"> {
  const { addresses: _addresses, ...embedded } = customer as CustomerPayload;
  return embedded;
}

// ---------------------------------------------------------------------------------------------------------------
// refunds (refunds/create) and the order as it looks after a refund or cancellation (orders/updated, orders/cancelled)

export interface RefundLineItemPayload {
  id: bigint;
  quantity: number;
  line_item_id: bigint;
  location_id: bigint | null;
  restock_type: "no_restock" | "cancel" | "return" | "legacy_restock";
  /** A JSON number in the sample (89.99), not a string. */
  subtotal: number;
  total_tax: number;
  subtotal_set: MoneySet;
  total_tax_set: MoneySet;
  /** The refunded order line, without `current_quantity`/`attributed_staffs` (as in refunds__create.json). */
  line_item: Omit<OrderLineItemPayload, "current_quantity" | "attributed_staffs" | "sales_line_item_group_id">;
}

export interface OrderAdjustmentPayload {
  id: bigint;
  order_id: bigint;
  refund_id: bigint;
  amount: string;
  amount_set: MoneySet;
  tax_amount: string;
  tax_amount_set: MoneySet;
  kind: "shipping_refund" | "refund_discrepancy";
  reason: string;
}

export interface TransactionPayload {
  id: bigint;
  order_id: bigint;
  kind: "refund" | "sale" | "capture" | "authorization" | "void";
  gateway: string;
  status: "success" | "failure" | "pending" | "error";
  message: string | null;
  created_at: string;
  test: boolean;
  authorization: string | null;
  location_id: bigint | null;
  user_id: bigint | null;
  parent_id: bigint | null;
  processed_at: string | null;
  device_id: bigint | null;
  error_code: string | null;
  source_name: string;
  receipt: Record<string, never>;
  /** Presentment currency (what the customer gets back). The sample's `currency` is null; here it is filled. */
  amount: string;
  currency: string | null;
  payment_id: string;
  total_unsettled_set: { presentment_money: { amount: string; currency: string }; shop_money: { amount: string; currency: string } };
  manual_payment_gateway: boolean;
  amount_rounding: string | null;
  admin_graphql_api_id: string;
}

/** refunds/create (sample refunds__create.json). Carries the ORDER's numeric `order_id`, but no order gid. */
export interface RefundPayload {
  id: bigint;
  order_id: bigint;
  created_at: string;
  note: string | null;
  user_id: bigint | null;
  processed_at: string;
  duties: unknown[];
  total_duties_set: MoneySet;
  return: unknown;
  refund_shipping_lines: unknown[];
  restock: boolean;
  admin_graphql_api_id: string;
  order_adjustments: OrderAdjustmentPayload[];
  refund_line_items: RefundLineItemPayload[];
  transactions: TransactionPayload[];
}

export interface RefundLineInput {
  /** Index into `order.line_items`… */
  lineIndex?: number;
  /** …or the line item's id. */
  lineItemId?: bigint;
  /** Defaults to the line's remaining `current_quantity`. */
  quantity?: number;
  restockType?: RefundLineItemPayload["restock_type"];
}

export interface RefundOptions {
  lines?: RefundLineInput[];
  id?: bigint;
  /** Shipping refunded, shop currency (written as a `shipping_refund` order adjustment). */
  shipping?: string;
  note?: string | null;
  processedAt?: Date | string;
}

function findLine(order: OrderPayload, input: RefundLineInput): OrderLineItemPayload {
  const line =
    input.lineItemId !== undefined
      ? order.line_items.find((candidate) => candidate.id === input.lineItemId)
      : order.line_items[input.lineIndex ?? 0];
  if (!line) throw new RangeError(`refundPayload: no such line item ${String(input.lineItemId ?? input.lineIndex)}`);
  return line;
}

/**
 * A refund of some units of some lines (plus optional shipping). Subtotals are the line's discounted price
 * prorated to the refunded quantity; tax likewise — the way Shopify computes a refund's suggested amounts.
 */
export function refundPayload(order: OrderPayload, options: RefundOptions = {}): RefundPayload {
  const ctx = contextOf(order);
  const id = options.id ?? nextShopifyId();
  const processedAt = timestampOf(options.processedAt);
  const lineInputs: RefundLineInput[] = options.lines ?? order.line_items.map((_, lineIndex) => ({ lineIndex }));

  const refundLineItems: RefundLineItemPayload[] = lineInputs.map((input) => {
    const line = findLine(order, input);
    const quantity = input.quantity ?? line.current_quantity;
    if (quantity <= 0 || quantity > line.quantity) throw new RangeError(`refundPayload: bad quantity ${quantity}`);
    const gross = prorate(amountFromSet(line.price_set), quantity, 1);
    const discount = prorate(amountFromSet(line.total_discount_set), quantity, line.quantity);
    const subtotal = add(gross, negate(discount));
    const lineTax = add(...line.tax_lines.map((taxLine) => amountFromSet(taxLine.price_set)));
    const tax = prorate(lineTax, quantity, line.quantity);
    const { current_quantity: _cq, attributed_staffs: _as, sales_line_item_group_id: _sg, ...nestedLine } = line;
    return {
      id: nextShopifyId(),
      quantity,
      line_item_id: line.id,
      location_id: null,
      restock_type: input.restockType ?? "no_restock",
      subtotal: subtotal.shop / 100,
      total_tax: tax.shop / 100,
      subtotal_set: moneySet(subtotal, ctx),
      total_tax_set: moneySet(tax, ctx),
      line_item: structuredClone(nestedLine),
    };
  });

  const orderAdjustments: OrderAdjustmentPayload[] = [];
  let shippingRefund = ZERO;
  if (options.shipping !== undefined) {
    const shippingLine = order.shipping_lines[0];
    const shopCents = parseCents(options.shipping);
    // Re-derive the order's rate from its shipping line so the presentment side matches the original charge.
    const rate = shippingLine ? amountFromSet(shippingLine.price_set) : undefined;
    shippingRefund = {
      shop: shopCents,
      presentment: rate && rate.shop !== 0 ? Math.round((shopCents * rate.presentment) / rate.shop) : shopCents,
    };
    // Classic REST shape (Refund resource: order_adjustments kind "shipping_refund", negative amount). Newer
    // versions also list `refund_shipping_lines`; the sample leaves it empty, so it stays empty here.
    orderAdjustments.push({
      id: nextShopifyId(),
      order_id: order.id,
      refund_id: id,
      amount: formatCents(-shippingRefund.shop),
      amount_set: moneySet(negate(shippingRefund), ctx),
      tax_amount: "0.00",
      tax_amount_set: moneySet(ZERO, ctx),
      kind: "shipping_refund",
      reason: "Shipping refund",
    });
  }

  const refunded = add(
    ...refundLineItems.map((item) => add(amountFromSet(item.subtotal_set), amountFromSet(item.total_tax_set))),
    shippingRefund,
  );
  const transactionId = nextShopifyId();
  return {
    id,
    order_id: order.id,
    created_at: processedAt,
    note: options.note ?? null,
    user_id: 548380009n,
    processed_at: processedAt,
    duties: [],
    total_duties_set: moneySet(ZERO, ctx),
    return: null,
    refund_shipping_lines: [],
    restock: refundLineItems.some((item) => item.restock_type !== "no_restock"),
    admin_graphql_api_id: shopifyGid("Refund", id),
    order_adjustments: orderAdjustments,
    refund_line_items: refundLineItems,
    transactions: [
      {
        id: transactionId,
        order_id: order.id,
        kind: "refund",
        gateway: order.payment_gateway_names[0] ?? "shopify_payments",
        status: "success",
        message: null,
        created_at: processedAt,
        test: order.test,
        authorization: null,
        location_id: null,
        user_id: null,
        parent_id: null,
        processed_at: processedAt,
        device_id: null,
        error_code: null,
        source_name: "web",
        receipt: {},
        amount: formatCents(refunded.presentment),
        currency: order.presentment_currency,
        payment_id: `${order.name}.1`,
        total_unsettled_set: {
          presentment_money: { amount: "0.0", currency: order.presentment_currency },
          shop_money: { amount: "0.0", currency: order.currency },
        },
        manual_payment_gateway: false,
        amount_rounding: null,
        admin_graphql_api_id: shopifyGid("OrderTransaction", transactionId),
      },
    ],
  };
}

/**
 * The order as orders/updated delivers it after `refund`: the refund is appended to `refunds`, `current_quantity`
 * and the `current_*` totals drop, `financial_status` becomes partially_refunded/refunded. The originals
 * (`quantity`, `total_price`, `subtotal_price`…) never change.
 */
export function refundedOrderPayload(order: OrderPayload, refund: RefundPayload): OrderPayload {
  const ctx = contextOf(order);
  const next = structuredClone(order);
  let subtotalDrop = ZERO;
  let taxDrop = ZERO;
  let discountDrop = ZERO;
  for (const item of refund.refund_line_items) {
    const line = next.line_items.find((candidate) => candidate.id === item.line_item_id);
    if (!line) continue;
    line.current_quantity = Math.max(0, line.current_quantity - item.quantity);
    line.fulfillable_quantity = Math.min(line.fulfillable_quantity, line.current_quantity);
    subtotalDrop = add(subtotalDrop, amountFromSet(item.subtotal_set));
    taxDrop = add(taxDrop, amountFromSet(item.total_tax_set));
    discountDrop = add(discountDrop, prorate(amountFromSet(line.total_discount_set), item.quantity, line.quantity));
  }
  const shippingDrop = negate(add(...refund.order_adjustments.map((adj) => amountFromSet(adj.amount_set))));
  const currentSubtotal = add(amountFromSet(next.current_subtotal_price_set), negate(subtotalDrop));
  const currentTax = add(amountFromSet(next.current_total_tax_set), negate(taxDrop));
  const currentDiscounts = add(amountFromSet(next.current_total_discounts_set), negate(discountDrop));
  const currentShipping = add(amountFromSet(next.current_shipping_price_set), negate(shippingDrop));
  const taxInTotal = next.taxes_included ? ZERO : taxDrop;
  const currentTotal = add(amountFromSet(next.current_total_price_set), negate(add(subtotalDrop, taxInTotal, shippingDrop)));

  next.current_subtotal_price = formatCents(currentSubtotal.shop);
  next.current_subtotal_price_set = moneySet(currentSubtotal, ctx);
  next.current_total_tax = formatCents(currentTax.shop);
  next.current_total_tax_set = moneySet(currentTax, ctx);
  next.current_total_discounts = formatCents(currentDiscounts.shop);
  next.current_total_discounts_set = moneySet(currentDiscounts, ctx);
  next.current_shipping_price_set = moneySet(currentShipping, ctx);
  next.current_total_price = formatCents(currentTotal.shop);
  next.current_total_price_set = moneySet(currentTotal, ctx);
  next.refunds = [...next.refunds, structuredClone(refund)];
  next.financial_status = next.line_items.every((line) => line.current_quantity === 0) ? "refunded" : "partially_refunded";
  next.updated_at = refund.processed_at;
  return next;
}

export interface CancelOptions {
  /** "refunded" (default: a paid order cancelled with a full refund) or "voided" (an authorisation released). */
  financialStatus?: "refunded" | "voided";
  cancelledAt?: Date | string;
}

/**
 * orders/cancelled: the same order with `cancelled_at`/`cancel_reason` set. When refunded, the full refund is in
 * `refunds` and every line's `current_quantity` is 0 (Shopify sends refunds/create separately as well).
 */
export function cancelledOrderPayload(
  order: OrderPayload,
  reason: CancelReason = "customer",
  options: CancelOptions = {},
): OrderPayload {
  const financialStatus = options.financialStatus ?? "refunded";
  const cancelledAt = timestampOf(options.cancelledAt);
  let next: OrderPayload;
  if (financialStatus === "refunded") {
    const remaining = order.line_items
      .filter((line) => line.current_quantity > 0)
      .map((line) => ({ lineItemId: line.id, quantity: line.current_quantity, restockType: "cancel" as const }));
    const shipping = amountFromSet(order.current_shipping_price_set);
    const refund = refundPayload(order, {
      lines: remaining,
      ...(shipping.shop > 0 ? { shipping: formatCents(shipping.shop) } : {}),
      processedAt: cancelledAt,
      note: "Order canceled",
    });
    next = refundedOrderPayload(order, refund);
  } else {
    const ctx = contextOf(order);
    next = structuredClone(order);
    for (const line of next.line_items) {
      line.current_quantity = 0;
      line.fulfillable_quantity = 0;
    }
    for (const key of [
      "current_subtotal_price",
      "current_total_tax",
      "current_total_discounts",
      "current_total_price",
    ] as const) {
      next[key] = "0.00";
      next[`${key}_set`] = moneySet(ZERO, ctx);
    }
    next.current_shipping_price_set = moneySet(ZERO, ctx);
    next.total_outstanding = "0.00";
  }
  next.cancelled_at = cancelledAt;
  next.cancel_reason = reason;
  next.financial_status = financialStatus;
  next.updated_at = cancelledAt;
  return next;
}

// ---------------------------------------------------------------------------------------------------------------
// compliance topics and app lifecycle

export interface ComplianceCustomer {
  id: bigint;
  email: string | null;
  phone: string | null;
}

export interface CustomersDataRequestPayload {
  shop_id: bigint;
  shop_domain: string;
  customer: ComplianceCustomer;
  orders_requested: bigint[];
  data_request: { id: bigint };
}

export interface CustomersRedactPayload {
  shop_id: bigint;
  shop_domain: string;
  customer: ComplianceCustomer;
  orders_to_redact: bigint[];
}

export interface ShopRedactPayload {
  shop_id: bigint;
  shop_domain: string;
}

export interface ComplianceOptions {
  shopDomain?: string;
  shopId?: bigint;
  /** A customer payload or just its compliance fields. */
  customer?: ComplianceCustomer | CustomerPayload;
  orderIds?: bigint[];
}

function complianceCustomer(customer: ComplianceOptions["customer"]): ComplianceCustomer {
  const source = customer ?? customerPayload();
  return { id: source.id, email: source.email, phone: source.phone };
}

/** customers/data_request (sample customers__data_request.json). */
export function customersDataRequestPayload(
  options: ComplianceOptions & { dataRequestId?: bigint } = {},
): CustomersDataRequestPayload {
  return {
    shop_id: options.shopId ?? DEFAULT_SHOP_ID,
    shop_domain: options.shopDomain ?? DEFAULT_SHOP_DOMAIN,
    customer: complianceCustomer(options.customer),
    orders_requested: options.orderIds ?? [],
    data_request: { id: options.dataRequestId ?? nextShopifyId() },
  };
}

/** customers/redact (sample customers__redact.json). Sent ~10 days after a request if no orders are pending. */
export function customersRedactPayload(options: ComplianceOptions = {}): CustomersRedactPayload {
  return {
    shop_id: options.shopId ?? DEFAULT_SHOP_ID,
    shop_domain: options.shopDomain ?? DEFAULT_SHOP_DOMAIN,
    customer: complianceCustomer(options.customer),
    orders_to_redact: options.orderIds ?? [],
  };
}

/** shop/redact (sample shop__redact.json), sent 48 hours after app/uninstalled. */
export function shopRedactPayload(options: { shopDomain?: string; shopId?: bigint } = {}): ShopRedactPayload {
  return { shop_id: options.shopId ?? DEFAULT_SHOP_ID, shop_domain: options.shopDomain ?? DEFAULT_SHOP_DOMAIN };
}

/** app/uninstalled: the shop resource (sample app__uninstalled.json, whose domain fields are null; filled here). */
export interface AppUninstalledPayload {
  id: bigint;
  name: string;
  email: string;
  domain: string | null;
  province: string;
  country: string;
  address1: string;
  zip: string;
  city: string;
  source: string | null;
  phone: string;
  latitude: number | null;
  longitude: number | null;
  primary_locale: string;
  address2: string | null;
  created_at: string | null;
  updated_at: string | null;
  country_code: string;
  country_name: string;
  currency: string;
  customer_email: string;
  timezone: string;
  iana_timezone: string | null;
  shop_owner: string;
  money_format: string;
  money_with_currency_format: string;
  weight_unit: string;
  province_code: string;
  taxes_included: boolean | null;
  auto_configure_tax_inclusivity: boolean | null;
  tax_shipping: boolean | null;
  county_taxes: boolean | null;
  plan_display_name: string;
  plan_name: string;
  has_discounts: boolean;
  has_gift_cards: boolean;
  myshopify_domain: string | null;
  google_apps_domain: string | null;
  google_apps_login_enabled: boolean | null;
  money_in_emails_format: string;
  money_with_currency_in_emails_format: string;
  eligible_for_payments: boolean;
  requires_extra_payments_agreement: boolean;
  password_enabled: boolean | null;
  has_storefront: boolean;
  finances: boolean;
  primary_location_id: bigint;
  checkout_api_supported: boolean;
  multi_location_enabled: boolean;
  setup_required: boolean;
  pre_launch_enabled: boolean;
  enabled_presentment_currencies: string[];
  marketing_sms_consent_enabled_at_checkout: boolean;
  transactional_sms_disabled: boolean;
}

export function appUninstalledPayload(
  options: { shopDomain?: string; shopId?: bigint; name?: string; currency?: string; ianaTimezone?: string } = {},
): AppUninstalledPayload {
  const shopDomain = options.shopDomain ?? DEFAULT_SHOP_DOMAIN;
  const currency = options.currency ?? "USD";
  const now = shopifyTimestamp();
  return {
    id: options.shopId ?? DEFAULT_SHOP_ID,
    name: options.name ?? "Keepsake Test Shop",
    email: "owner@example.com",
    domain: shopDomain,
    province: "Tennessee",
    country: "US",
    address1: "190 MacLaren Street",
    zip: "37178",
    city: "Houston",
    source: null,
    phone: "3213213210",
    latitude: null,
    longitude: null,
    primary_locale: "en",
    address2: null,
    created_at: now,
    updated_at: now,
    country_code: "US",
    country_name: "United States",
    currency,
    customer_email: "owner@example.com",
    timezone: "(GMT-05:00) Eastern Time (US & Canada)",
    iana_timezone: options.ianaTimezone ?? "America/New_York",
    shop_owner: "Test Owner",
    money_format: "${{amount}}",
    money_with_currency_format: `\${{amount}} ${currency}`,
    weight_unit: "kg",
    province_code: "TN",
    taxes_included: false,
    auto_configure_tax_inclusivity: null,
    tax_shipping: null,
    county_taxes: true,
    plan_display_name: "Development",
    plan_name: "affiliate",
    has_discounts: true,
    has_gift_cards: true,
    myshopify_domain: shopDomain,
    google_apps_domain: null,
    google_apps_login_enabled: null,
    money_in_emails_format: "${{amount}}",
    money_with_currency_in_emails_format: `\${{amount}} ${currency}`,
    eligible_for_payments: true,
    requires_extra_payments_agreement: false,
    password_enabled: true,
    has_storefront: true,
    finances: true,
    primary_location_id: 655441491n,
    checkout_api_supported: true,
    multi_location_enabled: true,
    setup_required: false,
    pre_launch_enabled: false,
    enabled_presentment_currencies: [currency],
    marketing_sms_consent_enabled_at_checkout: false,
    transactional_sms_disabled: false,
  };
}

/** app/scopes_update (sample app__scopes_update.json): note `shop_id` is a GID string here, unlike elsewhere. */
export interface AppScopesUpdatePayload {
  id: number;
  shop_id: string;
  previous: string[];
  current: string[];
  updated_at: string;
}

export function appScopesUpdatePayload(
  options: { shopId?: bigint; previous?: string[]; current?: string[]; updatedAt?: Date } = {},
): AppScopesUpdatePayload {
  return {
    id: 1,
    shop_id: shopifyGid("Shop", options.shopId ?? DEFAULT_SHOP_ID),
    previous: options.previous ?? ["read_customers", "read_orders"],
    current: options.current ?? ["read_customers", "write_customers", "read_orders"],
    updated_at: (options.updatedAt ?? new Date()).toISOString(),
  };
}
