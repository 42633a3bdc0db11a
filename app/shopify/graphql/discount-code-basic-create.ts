/**
 * An amount-off or percentage-off code (amount_off, percent_off, sliding_scale rewards).
 * Built and sent by app/shopify/discounts.server.ts.
 */
export const DISCOUNT_CODE_BASIC_CREATE = `#graphql
  mutation DiscountCodeBasicCreate($basicCodeDiscount: DiscountCodeBasicInput!) {
    discountCodeBasicCreate(basicCodeDiscount: $basicCodeDiscount) {
      codeDiscountNode {
        id
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;
