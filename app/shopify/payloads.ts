/**
 * Webhook payloads → domain facts. Each topic's payload is checked with zod so a payload we don't
 * understand fails loudly (recorded as a failed delivery) instead of earning wrong points.
 * Amounts come from `*_set.shop_money`, so multi-currency orders earn on the shop currency.
 */
import { z } from "zod";
import type { OrderLineFacts, PaidOrderFacts, RefundLineFacts } from "~/loyalty/earning";
import { fromMicros, isDecimalAmount, toMicros } from "~/loyalty/money";

const Amount = z
  .union([z.string(), z.number()])
  .transform((value) => String(value))
  .refine(isDecimalAmount, { message: "must be a decimal amount" });

/** A numeric Shopify id, exact: lossless parsing keeps large ones as digit strings. */
const NumericId = z
  // Any integer, even above 2^53: a shape check may run on JSON.parse output (where such ids are
  // already rounded); the values used come from the lossless parse, where they are digit strings.
  .union([z.string().regex(/^\d+$/), z.number().nonnegative().refine(Number.isInteger, "must be an integer")])
  .transform((value) => String(value));

const Gid = (type: string) => z.string().startsWith(`gid://shopify/${type}/`);

const MoneySet = z.object({
  shop_money: z.object({ amount: Amount, currency_code: z.string().min(3) }),
});


const LineItem = z.object({
  admin_graphql_api_id: Gid("LineItem"),
  quantity: z.number().int().nonnegative(),
  price_set: MoneySet,
  gift_card: z.boolean().nullish().transform((value) => value ?? false),
  total_discount_set: MoneySet.nullish(),
  discount_allocations: z.array(z.object({ amount_set: MoneySet })).nullish(),
  tax_lines: z.array(z.object({ price_set: MoneySet })).nullish(),
});

const CustomerRef = z.object({
  admin_graphql_api_id: Gid("Customer"),
  email: z.string().nullish(),
  phone: z.string().nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
});

const OrderPayload = z.object({
  admin_graphql_api_id: Gid("Order"),
  name: z.string().nullish(),
  email: z.string().nullish(),
  contact_email: z.string().nullish(),
  test: z.boolean().nullish(),
  source_name: z.string().nullish(),
  currency: z.string().min(3),
  taxes_included: z.boolean().nullish(),
  cancelled_at: z.string().nullish(),
  // When the order was paid: bonus campaign windows and tier periods are judged on this instant.
  processed_at: z
    .string()
    .refine((value) => !Number.isNaN(Date.parse(value)), "must be a date-time")
    .nullish(),
  customer: CustomerRef.nullish(),
  line_items: z.array(LineItem),
  // Codes applied at checkout: a Keepsake reward code among them is marked used.
  discount_codes: z.array(z.object({ code: z.string() })).nullish(),
  // Compared with a referrer's (referral self-referral check); never stored.
  phone: z.string().nullish(),
  shipping_address: z
    .object({
      address1: z.string().nullish(),
      address2: z.string().nullish(),
      zip: z.string().nullish(),
      country_code: z.string().nullish(),
      phone: z.string().nullish(),
    })
    .nullish(),
});

export type OrderPayload = z.infer<typeof OrderPayload>;

function addAmountTexts(amounts: string[]): string {
  return fromMicros(amounts.reduce((sum, amount) => sum + toMicros(amount), 0n));
}

function toLineFacts(line: z.infer<typeof LineItem>, taxesIncluded: boolean): OrderLineFacts {
  // discount_allocations hold every discount on the line (its own and its share of order-level
  // ones); total_discount_set is the legacy total of the same, used only when allocations are absent.
  const allocations = line.discount_allocations ?? [];
  const discount =
    allocations.length > 0
      ? addAmountTexts(allocations.map((a) => a.amount_set.shop_money.amount))
      : (line.total_discount_set?.shop_money.amount ?? "0");
  const includedTax = taxesIncluded
    ? addAmountTexts((line.tax_lines ?? []).map((tax) => tax.price_set.shop_money.amount))
    : "0";
  return {
    lineGid: line.admin_graphql_api_id,
    quantity: line.quantity,
    unitPrice: line.price_set.shop_money.amount,
    discount,
    includedTax,
    giftCard: line.gift_card,
  };
}

export interface CustomerFacts {
  customerGid: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
}

export interface OrderFacts extends PaidOrderFacts {
  customer: CustomerFacts | null;
  cancelled: boolean;
  discountCodes: string[];
  /** The order's, its customer's and its shipping address's phone numbers (referral checks only). */
  phones: string[];
  shippingAddress: { address1: string | null; address2: string | null; zip: string | null; countryCode: string | null } | null;
  /** processed_at, when the payload has it (the paid instant). */
  processedAt: Date | null;
}

export function parseOrder(payload: unknown): OrderFacts {
  const order = OrderPayload.parse(payload);
  const taxesIncluded = order.taxes_included ?? false;
  const customer = order.customer
    ? {
        customerGid: order.customer.admin_graphql_api_id,
        email: order.customer.email ?? null,
        firstName: order.customer.first_name ?? null,
        lastName: order.customer.last_name ?? null,
      }
    : null;
  const shopCurrency =
    order.line_items[0]?.price_set.shop_money.currency_code ?? order.currency;
  return {
    orderGid: order.admin_graphql_api_id,
    orderName: order.name ?? null,
    customerGid: customer?.customerGid ?? null,
    customer,
    email: order.email ?? order.contact_email ?? customer?.email ?? null,
    test: order.test ?? false,
    sourceName: order.source_name ?? null,
    currencyCode: shopCurrency,
    cancelled: Boolean(order.cancelled_at),
    processedAt: order.processed_at ? new Date(order.processed_at) : null,
    discountCodes: (order.discount_codes ?? []).map((discount) => discount.code),
    phones: [order.phone, order.customer?.phone, order.shipping_address?.phone].filter((phone): phone is string => Boolean(phone)),
    shippingAddress: order.shipping_address
      ? {
          address1: order.shipping_address.address1 ?? null,
          address2: order.shipping_address.address2 ?? null,
          zip: order.shipping_address.zip ?? null,
          countryCode: order.shipping_address.country_code ?? null,
        }
      : null,
    lines: order.line_items.map((line) => toLineFacts(line, taxesIncluded)),
  };
}

const RefundPayload = z.object({
  admin_graphql_api_id: Gid("Refund"),
  order_id: NumericId,
  refund_line_items: z
    .array(
      z.object({
        quantity: z.number().int().nonnegative(),
        line_item_id: NumericId.nullish(),
        line_item: z.object({ admin_graphql_api_id: Gid("LineItem") }).partial().nullish(),
      }),
    )
    .nullish(),
});

export interface RefundFacts {
  refundGid: string;
  orderGid: string;
  lines: RefundLineFacts[];
}

export function parseRefund(payload: unknown): RefundFacts {
  const refund = RefundPayload.parse(payload);
  const lines: RefundLineFacts[] = [];
  for (const item of refund.refund_line_items ?? []) {
    const lineGid =
      item.line_item?.admin_graphql_api_id ??
      (item.line_item_id ? `gid://shopify/LineItem/${item.line_item_id}` : null);
    if (lineGid) lines.push({ lineGid, quantity: item.quantity });
  }
  return {
    refundGid: refund.admin_graphql_api_id,
    orderGid: `gid://shopify/Order/${refund.order_id}`,
    lines,
  };
}

const CustomerPayload = z.object({
  admin_graphql_api_id: Gid("Customer"),
  email: z.string().nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
});

export function parseCustomer(payload: unknown): CustomerFacts {
  const customer = CustomerPayload.parse(payload);
  return {
    customerGid: customer.admin_graphql_api_id,
    email: customer.email ?? null,
    firstName: customer.first_name ?? null,
    lastName: customer.last_name ?? null,
  };
}

const CustomerDeletePayload = z.object({ admin_graphql_api_id: Gid("Customer") });

export function parseCustomerDelete(payload: unknown): { customerGid: string } {
  return { customerGid: CustomerDeletePayload.parse(payload).admin_graphql_api_id };
}

const ComplianceCustomer = z.object({
  id: NumericId,
  email: z.string().nullish(),
  phone: z.string().nullish(),
});

const CustomersRedactPayload = z.object({
  shop_domain: z.string(),
  customer: ComplianceCustomer,
  orders_to_redact: z.array(NumericId).nullish(),
});

export interface CustomerRedactFacts {
  customerGid: string;
  email: string | null;
  orderGids: string[];
}

export function parseCustomersRedact(payload: unknown): CustomerRedactFacts {
  const body = CustomersRedactPayload.parse(payload);
  return {
    customerGid: `gid://shopify/Customer/${body.customer.id}`,
    email: body.customer.email ?? null,
    orderGids: (body.orders_to_redact ?? []).map((id) => `gid://shopify/Order/${id}`),
  };
}

const CustomersDataRequestPayload = z.object({
  shop_domain: z.string(),
  customer: ComplianceCustomer,
  orders_requested: z.array(NumericId).nullish(),
  data_request: z.object({ id: NumericId }),
});

export interface CustomerDataRequestFacts {
  requestId: string;
  customerGid: string;
  email: string | null;
  orderGids: string[];
}

export function parseCustomersDataRequest(payload: unknown): CustomerDataRequestFacts {
  const body = CustomersDataRequestPayload.parse(payload);
  return {
    requestId: body.data_request.id,
    customerGid: `gid://shopify/Customer/${body.customer.id}`,
    email: body.customer.email ?? null,
    orderGids: (body.orders_requested ?? []).map((id) => `gid://shopify/Order/${id}`),
  };
}

const ScopesUpdatePayload = z.object({ current: z.array(z.string()) });

export function parseScopesUpdate(payload: unknown): { scopes: string[] } {
  return { scopes: ScopesUpdatePayload.parse(payload).current };
}
