/**
 * Adds tags to a customer (Keepsake's tier tag `keepsake-tier-<handle>`). Adding a tag the customer
 * already has is not an error. Sent by app/shopify/customer-tags.server.ts.
 */
export const TAGS_ADD = `#graphql
  mutation TagsAdd($id: ID!, $tags: [String!]!) {
    tagsAdd(id: $id, tags: $tags) {
      node {
        id
      }
      userErrors {
        field
        message
      }
    }
  }
`;
