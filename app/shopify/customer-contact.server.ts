/**
 * A customer's contact details as Shopify knows them now (Admin GraphQL 2026-07, read_customers via
 * write_customers). Keepsake stores no phone numbers or addresses; referrals ask when a friend's
 * order needs comparing with the referrer.
 */
import type { AddressFacts } from "~/loyalty/referrals";
import { adminGraphql, type AdminAccess } from "./admin-api.server";
import { CUSTOMER_CONTACT } from "./graphql/customer-contact";

export interface CustomerContact {
  email: string | null;
  phones: string[];
  address: AddressFacts | null;
}

interface CustomerContactData {
  customer: {
    id: string;
    defaultEmailAddress: { emailAddress: string | null } | null;
    defaultPhoneNumber: { phoneNumber: string | null } | null;
    defaultAddress: {
      address1: string | null;
      address2: string | null;
      zip: string | null;
      countryCodeV2: string | null;
      phone: string | null;
    } | null;
  } | null;
}

/** Null when Shopify has no such customer (deleted). Throws ShopifyApiError when Shopify fails. */
export async function fetchCustomerContact(access: AdminAccess, customerGid: string): Promise<CustomerContact | null> {
  const data = await adminGraphql<CustomerContactData>(access, CUSTOMER_CONTACT, { id: customerGid });
  const customer = data.customer;
  if (!customer) return null;
  const address = customer.defaultAddress;
  return {
    email: customer.defaultEmailAddress?.emailAddress ?? null,
    phones: [customer.defaultPhoneNumber?.phoneNumber, address?.phone].filter((phone): phone is string => Boolean(phone)),
    address: address
      ? { address1: address.address1, address2: address.address2, zip: address.zip, countryCode: address.countryCodeV2 }
      : null,
  };
}
