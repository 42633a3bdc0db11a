/**
 * A customer's email marketing state as Shopify knows it now (the newsletter way to earn, issue 5).
 */
import { adminGraphql, type AdminAccess } from "./admin-api.server";
import { CUSTOMER_EMAIL_MARKETING } from "./graphql/customer-email-marketing";

interface CustomerEmailMarketingData {
  customer: { id: string; defaultEmailAddress: { marketingState: string } | null } | null;
}

/** True only for SUBSCRIBED (PENDING = double opt-in not confirmed yet). Throws ShopifyApiError when Shopify fails. */
export async function isSubscribedToEmail(access: AdminAccess, customerGid: string): Promise<boolean> {
  const data = await adminGraphql<CustomerEmailMarketingData>(access, CUSTOMER_EMAIL_MARKETING, { id: customerGid });
  return data.customer?.defaultEmailAddress?.marketingState === "SUBSCRIBED";
}
