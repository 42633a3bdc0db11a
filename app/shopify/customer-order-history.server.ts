/**
 * A customer's order history as Shopify knows it (Admin GraphQL 2026-07, read_orders): what the
 * referral order check needs to tell a new customer from one who ordered before Keepsake was
 * installed. Queries only; Shopify failures throw ShopifyApiError (the caller's delivery retries).
 */
import type { OrderHistory } from "~/loyalty/referrals";
import { adminGraphql, type AdminAccess } from "./admin-api.server";
import { CUSTOMER_ORDER_HISTORY } from "./graphql/customer-order-history";

interface CustomerOrderHistoryData {
  order: { id: string; createdAt: string } | null;
  customer: {
    id: string;
    numberOfOrders: string | number;
    orders: { nodes: { id: string; createdAt: string }[] };
  } | null;
}

/** Null when Shopify has no such customer (deleted since). */
export async function fetchOrderHistory(access: AdminAccess, customerGid: string, orderGid: string): Promise<OrderHistory | null> {
  const data = await adminGraphql<CustomerOrderHistoryData>(access, CUSTOMER_ORDER_HISTORY, { customerId: customerGid, orderId: orderGid });
  if (!data.customer) return null;
  const count = Number(data.customer.numberOfOrders);
  return {
    orderCreatedAt: data.order?.createdAt ?? null,
    numberOfOrders: Number.isFinite(count) ? count : 0,
    earliestOrders: data.customer.orders.nodes.map((node) => ({ id: node.id, createdAt: node.createdAt })),
  };
}
