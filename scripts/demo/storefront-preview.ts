/**
 * The demo's storefront preview: the real theme app extension (extensions/keepsake-theme) rendered by the
 * fixture storefront (scripts/storefront/server.ts), mounted on the Shopify stand-in. Its app proxy signs each
 * `/apps/keepsake/*` request with the demo secret, as Shopify would, and forwards it over HTTP to the running
 * demo app, so opening the launcher and redeeming there go through the production routes and the Admin API
 * stand-in (the discount code is created there).
 *
 * Data Shopify would render in Liquid comes from the app itself: the balance metafield and the program
 * (earn rate, rewards) are read through the same signed proxy — what the app's metafield sync would publish.
 */
import type { PrismaClient } from "@prisma/client";
import { parseRewardDefinition, rewardToColumns, type RewardInput } from "../../app/loyalty/rewards";
import type { MemberResponse } from "../../app/loyalty/storefront-contract";
import { appProxyUrl } from "../../tests/support/shopify/app-proxy";
import type { CustomerPayload } from "../../tests/support/shopify/payloads";
import { FIXTURE_PRODUCT } from "../storefront/fixtures";
import type { FixtureCustomer, FixtureProduct } from "../storefront/render";
import { createStorefrontHandler, forwardOverHttp, type StorefrontHandler } from "../storefront/server";

export const STOREFRONT_PREVIEW_PRODUCT_PATH = `/products/${FIXTURE_PRODUCT.handle}`;
/** Where the store page sends a shopper: pick a customer, then land on the product page. */
export const STOREFRONT_PREVIEW_ENTRY = `/account/login?return_to=${encodeURIComponent(STOREFRONT_PREVIEW_PRODUCT_PATH)}`;

/** Rewards a merchant would typically offer, for a demo shop that has none yet. */
export const DEMO_REWARDS: RewardInput[] = [
  { kind: "amount_off", name: "$5 off your order", pointsCost: 100, amount: "5.00" },
  { kind: "free_shipping", name: "Free shipping", pointsCost: 150 },
  {
    kind: "sliding_scale",
    name: "Points off your order",
    sliding: { pointsPerStep: 100, amountPerStep: "1.00", minPoints: 100, maxPoints: 2000 },
  },
  { kind: "amount_off", name: "$25 off orders over $100", pointsCost: 500, amount: "25.00", minimumSubtotal: "100.00" },
];

/**
 * Adds DEMO_REWARDS to the shop if it has no reward at all (a seed that brings its own keeps them). Definitions
 * go through the domain's validation, as a merchant's would; there is no admin page for rewards yet.
 */
export async function ensureDemoRewards(prisma: PrismaClient, shopDomain: string): Promise<number> {
  const shop = await prisma.shop.findUniqueOrThrow({ where: { domain: shopDomain }, select: { id: true } });
  if ((await prisma.reward.count({ where: { shopId: shop.id } })) > 0) return 0;
  for (const input of DEMO_REWARDS) {
    const parsed = parseRewardDefinition(input);
    if (!parsed.success) throw new Error(`demo reward ${input.name}: ${parsed.error.message}`);
    await prisma.reward.create({ data: { shopId: shop.id, ...rewardToColumns(parsed.data) } });
  }
  return DEMO_REWARDS.length;
}

export interface StorefrontPreviewOptions {
  shop: string;
  storeName: string;
  /** The app's direct origin (http://127.0.0.1:<port>): where Shopify's proxy would call <app>/proxy/*. */
  appOrigin: string;
  secret: string;
  currency: string;
  /** The stand-in's customers (grows when the store page signs someone up). */
  customers: () => readonly CustomerPayload[];
  products: readonly { title: string; price: string }[];
}

export function createStorefrontPreview(options: StorefrontPreviewOptions): StorefrontHandler {
  async function member(customerId: string): Promise<MemberResponse> {
    const url = appProxyUrl({ shop: options.shop, loggedInCustomerId: customerId, path: "/member", query: { limit: "1" }, secret: options.secret, appUrl: options.appOrigin });
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`the app answered GET /apps/keepsake/member with ${response.status}`);
    return (await response.json()) as MemberResponse;
  }
  // The mug has two sizes (the product block follows the variant); the till's items have one each.
  const products: FixtureProduct[] = [
    FIXTURE_PRODUCT,
    ...options.products.map((product, index) => ({
      id: 8_200_000_000_001 + index,
      title: product.title,
      handle: product.title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, ""),
      description: "From the demo store's catalogue.",
      variants: [{ id: 42_000_000_000_001 + index, title: "Default", price: Math.round(Number(product.price) * 100) }],
    })),
  ];
  return createStorefrontHandler({
    shop: { name: options.storeName, domain: options.shop, currency: options.currency, moneyFormat: "${{amount}}" },
    products,
    // The birthday pop-up embed, as a merchant who turned it on in the theme editor (it shows nothing until
    // birthdays are on in the admin).
    embeds: [{ block: "birthday-popup" }],
    customers: () =>
      options.customers().map(
        (customer): FixtureCustomer => ({
          id: String(customer.id),
          firstName: customer.first_name ?? "Customer",
          email: customer.email ?? "",
          balance: null,
        }),
      ),
    appData: async () => {
      // An app without the program in its answer yet (older build) still renders: no rate, no rewards.
      const program = (await member("")).program ?? null;
      const rate = program?.waysToEarn.find((way) => way.kind === "order")?.points;
      return { earnRate: rate === undefined ? null : String(rate), program };
    },
    balanceOf: async (customer) => {
      const view = await member(customer.id);
      return view.enrolled ? view.balance : null;
    },
    forward: forwardOverHttp,
    secret: options.secret,
    appUrl: options.appOrigin,
  });
}
