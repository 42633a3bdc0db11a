/**
 * Finds a code discount by its code: recovery of a redemption whose request stopped between
 * creating the code and recording it (did Shopify create it or not?). Sent by
 * app/shopify/discounts.server.ts.
 */
export const DISCOUNT_CODE_BY_CODE = `#graphql
  query DiscountCodeByCode($code: String!) {
    codeDiscountNodeByCode(code: $code) {
      id
      codeDiscount {
        __typename
        ... on DiscountCodeBasic {
          endsAt
        }
        ... on DiscountCodeFreeShipping {
          endsAt
        }
      }
    }
  }
`;
