/**
 * A customer's email, phone and default address: the referrer's last known contact details, compared
 * with a referred friend's order (self-referral check, app/loyalty/referrals.ts). Sent by
 * app/shopify/customer-contact.server.ts.
 */
export const CUSTOMER_CONTACT = `#graphql
  query CustomerContact($id: ID!) {
    customer(id: $id) {
      id
      defaultEmailAddress {
        emailAddress
      }
      defaultPhoneNumber {
        phoneNumber
      }
      defaultAddress {
        address1
        address2
        zip
        countryCodeV2
        phone
      }
    }
  }
`;
