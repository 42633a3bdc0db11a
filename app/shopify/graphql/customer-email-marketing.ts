/**
 * Whether a customer accepts email marketing now (Admin GraphQL 2026-07; read_customers, included in
 * write_customers). customers/update payloads carry no consent since 2025-01, so the newsletter way
 * to earn asks here. Sent by app/shopify/customer-marketing.server.ts.
 */
export const CUSTOMER_EMAIL_MARKETING = `#graphql
  query CustomerEmailMarketing($id: ID!) {
    customer(id: $id) {
      id
      defaultEmailAddress {
        marketingState
      }
    }
  }
`;
