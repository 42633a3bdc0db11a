/**
 * A free-product code: a basic code whose customerGets is one product variant at 100 % off
 * (free_product rewards). Its own operation name so logs and tests tell it from the other codes.
 * Built and sent by app/shopify/discounts.server.ts.
 */
export const DISCOUNT_CODE_FREE_PRODUCT_CREATE = `#graphql
  mutation DiscountCodeFreeProductCreate($basicCodeDiscount: DiscountCodeBasicInput!) {
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
