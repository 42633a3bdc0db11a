/**
 * Whether a referred friend had ordered before the order that carries their friend code: the order's
 * creation time, the customer's lifetime order count and their two earliest orders Shopify lets the
 * app see (read_orders: the last 60 days unless read_all_orders). Keepsake's own records only start
 * at install, so the order-time "friend already has orders" rule asks Shopify too
 * (app/loyalty/referrals.ts orderedBefore). Sent by app/shopify/customer-order-history.server.ts.
 */
export const CUSTOMER_ORDER_HISTORY = `#graphql
  query CustomerOrderHistory($customerId: ID!, $orderId: ID!) {
    order(id: $orderId) {
      id
      createdAt
    }
    customer(id: $customerId) {
      id
      numberOfOrders
      orders(first: 2, sortKey: CREATED_AT) {
        nodes {
          id
          createdAt
        }
      }
    }
  }
`;
