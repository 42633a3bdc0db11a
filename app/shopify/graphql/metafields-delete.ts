/**
 * Removes metafields by owner, namespace and key: the app-data earn rate while the program is paused,
 * so the product block promises no points (a missing metafield renders nothing; "0" would render
 * "Earn 0 points"). Deleting one that does not exist is not an error. Sent by
 * app/shopify/metafields.server.ts.
 */
export const METAFIELDS_DELETE = `#graphql
  mutation MetafieldsDelete($metafields: [MetafieldIdentifierInput!]!) {
    metafieldsDelete(metafields: $metafields) {
      deletedMetafields {
        key
        namespace
      }
      userErrors {
        field
        message
      }
    }
  }
`;
