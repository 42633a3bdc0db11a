/**
 * Removes tags from a customer (the tier tags of tiers the member is no longer in). Removing a tag
 * the customer does not have is not an error. Sent by app/shopify/customer-tags.server.ts.
 */
export const TAGS_REMOVE = `#graphql
  mutation TagsRemove($id: ID!, $tags: [String!]!) {
    tagsRemove(id: $id, tags: $tags) {
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
