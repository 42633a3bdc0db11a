/**
 * Writes up to 25 metafields in one call (Shopify's limit), atomically: the storefront balance on a
 * customer, the program's app-data metafields on the app installation. Built and sent by
 * app/shopify/metafields.server.ts for the Shopify outbox (app/jobs/shopify-outbox.server.ts).
 * `elementIndex` tells which input a userError is about, so one bad row does not fail the others.
 */
export const METAFIELDS_SET = `#graphql
  mutation MetafieldsSet($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields {
        key
        namespace
      }
      userErrors {
        field
        message
        code
        elementIndex
      }
    }
  }
`;
