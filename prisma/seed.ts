/**
 * The offline demo's seed plan (used by `npm run demo`, docs/decisions/004-offline-demo.md).
 *
 * The demo shop is "installed" the way tests install one (its Shop row with program settings + the offline
 * session `offline_<shop>`, so `authenticate.admin` needs no network), and everything else — members, points,
 * reversals — is made by the REAL app: the plan is a list of Shopify webhooks, built with the same payload
 * factories as the tests (tests/support/shopify/payloads.ts), which scripts/demo.ts signs and POSTs to the running
 * app. So the demo data goes through the same code paths as production.
 */
import type { PrismaClient } from "@prisma/client";
import {
  cancelledOrderPayload,
  customerPayload,
  paidOrderPayload,
  refundedOrderPayload,
  refundPayload,
  resetShopifyIds,
  type CustomerPayload,
  type OrderLineInput,
  type OrderPayload,
} from "../tests/support/shopify/payloads";
import type { WebhookTopic } from "../tests/support/shopify/webhooks";
import { installShopRecords } from "../tests/support/install-shop";

export const DEMO_SHOP = "keepsake-demo.myshopify.com";
/** The app's default SCOPES (app/env.server.ts): the offline session must carry exactly these. */
export const DEMO_SCOPES = "read_orders,write_customers,write_discounts";
export const DEMO_ACCESS_TOKEN = "shpat_keepsake_demo_offline_token";

export const DEMO_SETTINGS = {
  currencyCode: "USD",
  ianaTimezone: "America/Toronto",
  programEnabled: true,
  earnRate: "1",
  earnRounding: "floor",
  minimumOrderAmount: "10.00",
  includePosOrders: true,
  includeTestOrders: false,
  signupBonusPoints: 50,
} as const;

/** The demo store's catalogue (the /store page offers the same items). */
export const DEMO_PRODUCTS: readonly { title: string; price: string }[] = [
  { title: "Hand-thrown mug", price: "25.00" },
  { title: "Linen tea towel", price: "14.00" },
  { title: "Stoneware serving bowl", price: "68.00" },
  { title: "Beeswax candle", price: "12.50" },
  { title: "Gift card", price: "50.00" },
];

export interface SeedEvent {
  topic: WebhookTopic;
  body: unknown;
  /** Shown while seeding. */
  label: string;
}

export interface SeedPlan {
  customers: CustomerPayload[];
  /** Orders in their latest state (after refunds/cancellation), for the demo store page. */
  orders: OrderPayload[];
  events: SeedEvent[];
}

const PEOPLE: readonly [string, string][] = [
  ["Ada", "Lovelace"],
  ["Grace", "Hopper"],
  ["Alan", "Turing"],
  ["Katherine", "Johnson"],
  ["Edsger", "Dijkstra"],
  ["Barbara", "Liskov"],
  ["Donald", "Knuth"],
  ["Margaret", "Hamilton"],
  ["Tim", "Berners-Lee"],
  ["Radia", "Perlman"],
  ["Ken", "Thompson"],
  ["Frances", "Allen"],
];

const DAY = 24 * 60 * 60 * 1000;

function line(index: number, quantity = 1): OrderLineInput {
  const product = DEMO_PRODUCTS[index % DEMO_PRODUCTS.length]!;
  return { title: product.title, price: product.price, quantity, ...(product.title === "Gift card" ? { giftCard: true } : {}) };
}

export function emailOf(firstName: string, lastName: string): string {
  return `${firstName}.${lastName}`.toLowerCase().replace(/[^a-z.]/g, "") + "@example.com";
}

/**
 * The seed: a dozen customers sign up, most of them order (web and POS, with discounts, shipping, a gift card and an
 * order under the minimum), one guest checkout is later claimed when its buyer signs up, two orders are refunded
 * (one partly) and one is cancelled. Deterministic ids (> 2^53, like Shopify's).
 */
export function buildSeedPlan(now: Date = new Date()): SeedPlan {
  resetShopifyIds(7_100_000_000_000_000_001n, 1001);
  const ago = (days: number) => new Date(now.getTime() - days * DAY);
  const events: SeedEvent[] = [];
  const orders = new Map<string, OrderPayload>();
  const customers: CustomerPayload[] = [];

  const pay = (order: OrderPayload, who: string) => {
    orders.set(order.admin_graphql_api_id, order);
    events.push({ topic: "orders/paid", body: order, label: `${order.name} paid by ${who} (${order.total_price} USD)` });
    return order;
  };

  // A guest checkout by someone who signs up later (customers/create claims it by email).
  const guestEmail = emailOf("Margaret", "Hamilton");
  pay(
    paidOrderPayload({
      customer: null,
      email: guestEmail,
      lines: [line(2)],
      shipping: "8.00",
      shopDomain: DEMO_SHOP,
      processedAt: ago(20),
    }),
    `guest ${guestEmail}`,
  );

  PEOPLE.forEach(([firstName, lastName], index) => {
    const customer = customerPayload({
      firstName,
      lastName,
      email: emailOf(firstName, lastName),
      createdAt: ago(30 - index),
    });
    customers.push(customer);
    events.push({ topic: "customers/create", body: customer, label: `${firstName} ${lastName} signed up` });
  });

  const by = (index: number) => customers[index]!;
  const nameOf = (customer: CustomerPayload) => `${customer.first_name} ${customer.last_name}`;
  const order = (index: number, lines: OrderLineInput[], extra: Parameters<typeof paidOrderPayload>[0] = {}, days = 10) =>
    pay(
      paidOrderPayload({ customer: by(index), lines, shopDomain: DEMO_SHOP, processedAt: ago(days), ...extra }),
      nameOf(by(index)),
    );

  const adaMugs = order(0, [line(0, 2)], { shipping: "6.50" }, 18);
  order(1, [line(2), line(3, 2)], { discountCodes: [{ code: "WELCOME10", amount: "9.30" }] }, 16);
  order(2, [line(1, 3)], { sourceName: "pos" }, 15);
  const katherineBowl = order(3, [line(2, 2)], { shipping: "12.00" }, 13);
  order(4, [line(3)], {}, 12); // 12.50: just over the 10.00 minimum
  order(5, [line(0), line(4)], {}, 11); // the gift card line earns nothing
  order(6, [line(2), line(1)], { tip: "5.00" }, 9);
  const margaretCandles = order(7, [line(3, 4)], { sourceName: "pos" }, 8);
  order(8, [{ title: "Sticker", price: "4.00" }], {}, 7); // under the minimum: no points
  order(9, [line(0, 4)], { shipping: "9.00" }, 5);
  order(10, [line(1, 2), line(3)], {}, 3);
  order(0, [line(2)], { discountCodes: [{ code: "LOYAL15", amount: "10.20" }] }, 2);

  // Refunds and a cancellation (Shopify sends refunds/create and orders/cancelled separately).
  const refund = (original: OrderPayload, options: Parameters<typeof refundPayload>[1], who: string) => {
    const latest = orders.get(original.admin_graphql_api_id) ?? original;
    const payload = refundPayload(latest, options);
    orders.set(original.admin_graphql_api_id, refundedOrderPayload(latest, payload));
    events.push({ topic: "refunds/create", body: payload, label: `${original.name} refunded (${who})` });
  };
  refund(adaMugs, { lines: [{ lineIndex: 0, quantity: 1 }] }, "one mug of two");
  refund(margaretCandles, {}, "in full");

  const cancelled = cancelledOrderPayload(orders.get(katherineBowl.admin_graphql_api_id)!, "customer");
  orders.set(katherineBowl.admin_graphql_api_id, cancelled);
  events.push({ topic: "orders/cancelled", body: cancelled, label: `${katherineBowl.name} cancelled` });
  const cancelRefund = cancelled.refunds.at(-1);
  if (cancelRefund) events.push({ topic: "refunds/create", body: cancelRefund, label: `${katherineBowl.name} refunded on cancellation` });

  return { customers, orders: [...orders.values()], events };
}

/**
 * The demo shop as it is right after install: its row with the program settings and its offline session. In
 * production the library writes the session (token exchange) and afterAuth the row; offline there is no Shopify to
 * exchange a token with, so the demo writes both, exactly like tests/support/app.ts `installShop`.
 */
export async function installDemoShop(prisma: PrismaClient, domain = DEMO_SHOP): Promise<void> {
  await installShopRecords(prisma, domain, { scope: DEMO_SCOPES, accessToken: DEMO_ACCESS_TOKEN, settings: DEMO_SETTINGS });
}
