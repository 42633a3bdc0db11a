/**
 * The fixture storefront's catalogue and shop, shared by the tests, the bench and the demo so that all three
 * render the same pages. Ids are Shopify-sized numbers; prices are cents, as Liquid sees them.
 */
import type { FixtureProduct, FixtureShop } from "./render";

export const FIXTURE_SHOP: FixtureShop = {
  name: "Keepsake Fixture Shop",
  domain: "test-shop.myshopify.com",
  currency: "USD",
  moneyFormat: "${{amount}}",
};

export const FIXTURE_PRODUCT: FixtureProduct = {
  id: 8_100_000_000_001,
  title: "Keepsake Mug",
  handle: "keepsake-mug",
  description: "A stoneware mug glazed by hand. Dishwasher safe.",
  variants: [
    { id: 41_000_000_000_001, title: "Small (8 oz)", price: 1800 },
    { id: 41_000_000_000_002, title: "Large (16 oz)", price: 6800 },
  ],
};
