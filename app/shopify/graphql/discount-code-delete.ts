/**
 * Deletes a code discount (staff cancel an unused redemption). Delete rather than deactivate: a
 * cancelled loyalty code has no history worth keeping in the merchant's discount list, and the
 * redemption row keeps ours. Sent by app/shopify/discounts.server.ts.
 */
export const DISCOUNT_CODE_DELETE = `#graphql
  mutation DiscountCodeDelete($id: ID!) {
    discountCodeDelete(id: $id) {
      deletedCodeDiscountId
      userErrors {
        field
        message
        code
      }
    }
  }
`;
