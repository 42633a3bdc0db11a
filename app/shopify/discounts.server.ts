/**
 * Loyalty discount codes in Shopify (Admin GraphQL 2026-07). Every code Keepsake creates is:
 * - locked to the one customer who redeemed it (`context.customers.add`), so a leaked code is
 *   useless to anybody else (except a referral friend's code: `context.all`, see customerGid);
 * - single use (`usageLimit: 1`, `appliesOncePerCustomer: true`);
 * - dated (`startsAt` now, `endsAt` the reward's expiry or open-ended);
 * - combinable only as the reward says (default: with nothing, so it does not stack with sales).
 * Shopify's userErrors are never ignored: they become a ShopifyApiError("user_errors").
 */
import type { CombinesWith, DiscountValue } from "~/loyalty/rewards";
import { adminGraphql, assertNoUserErrors, ShopifyApiError, type AdminAccess, type UserError } from "./admin-api.server";
import { DISCOUNT_CODE_BASIC_CREATE } from "./graphql/discount-code-basic-create";
import { DISCOUNT_CODE_BY_CODE } from "./graphql/discount-code-by-code";
import { DISCOUNT_CODE_DELETE } from "./graphql/discount-code-delete";
import { DISCOUNT_CODE_FREE_PRODUCT_CREATE } from "./graphql/discount-code-free-product-create";
import { DISCOUNT_CODE_FREE_SHIPPING_CREATE } from "./graphql/discount-code-free-shipping-create";

export interface LoyaltyCodeSpec {
  code: string;
  /** Shown to staff in the discount list. */
  title: string;
  /**
   * The one customer who may use it; null = any buyer (a referral friend's code: the friend may not
   * be a customer yet — still single use, and its code is known only to the friend who claimed it).
   */
  customerGid: string | null;
  value: DiscountValue;
  startsAt: Date;
  endsAt: Date | null;
  minimumSubtotal: string | null;
  combinesWith: CombinesWith;
}

interface CreatePayload {
  codeDiscountNode: { id: string } | null;
  userErrors: UserError[];
}

/** The fields every Keepsake code shares, whatever its value. */
function commonInput(spec: LoyaltyCodeSpec) {
  return {
    title: spec.title,
    code: spec.code,
    startsAt: spec.startsAt.toISOString(),
    endsAt: spec.endsAt ? spec.endsAt.toISOString() : null,
    context: spec.customerGid ? { customers: { add: [spec.customerGid] } } : { all: "ALL" },
    usageLimit: 1,
    appliesOncePerCustomer: true,
    combinesWith: {
      orderDiscounts: spec.combinesWith.orderDiscounts,
      productDiscounts: spec.combinesWith.productDiscounts,
      shippingDiscounts: spec.combinesWith.shippingDiscounts,
    },
    ...(spec.minimumSubtotal
      ? { minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: spec.minimumSubtotal } } }
      : {}),
  };
}

/** Operation, document and variables for the code a reward issues. Exported for tests. */
export function discountMutationFor(spec: LoyaltyCodeSpec): {
  operation: string;
  root: string;
  document: string;
  variables: Record<string, unknown>;
} {
  const common = commonInput(spec);
  const { value } = spec;
  switch (value.type) {
    case "amount":
      return {
        operation: "DiscountCodeBasicCreate",
        root: "discountCodeBasicCreate",
        document: DISCOUNT_CODE_BASIC_CREATE,
        variables: {
          basicCodeDiscount: {
            ...common,
            customerGets: {
              items: { all: true },
              // Once off the order, not once per item.
              value: { discountAmount: { amount: value.amount, appliesOnEachItem: false } },
            },
          },
        },
      };
    case "percentage":
      return {
        operation: "DiscountCodeBasicCreate",
        root: "discountCodeBasicCreate",
        document: DISCOUNT_CODE_BASIC_CREATE,
        variables: {
          basicCodeDiscount: { ...common, customerGets: { items: { all: true }, value: { percentage: value.fraction } } },
        },
      };
    case "free_product":
      return {
        operation: "DiscountCodeFreeProductCreate",
        root: "discountCodeBasicCreate",
        document: DISCOUNT_CODE_FREE_PRODUCT_CREATE,
        variables: {
          basicCodeDiscount: {
            ...common,
            // 100 % off that variant. A basic code cannot cap the quantity (discountOnQuantity is for
            // buy-X-get-Y codes), so every unit of that variant in the cart is free: see ADR 007.
            customerGets: {
              items: { products: { productVariantsToAdd: [value.variantGid] } },
              value: { percentage: 1.0 },
            },
          },
        },
      };
    case "free_shipping":
      return {
        operation: "DiscountCodeFreeShippingCreate",
        root: "discountCodeFreeShippingCreate",
        document: DISCOUNT_CODE_FREE_SHIPPING_CREATE,
        variables: { freeShippingCodeDiscount: { ...common, destination: { all: true } } },
      };
  }
}

/** Creates the code in Shopify; returns the discount's GID (gid://shopify/DiscountCodeNode/…). */
export async function createLoyaltyCode(access: AdminAccess, spec: LoyaltyCodeSpec): Promise<string> {
  const mutation = discountMutationFor(spec);
  const data = await adminGraphql<Record<string, CreatePayload | null>>(access, mutation.document, mutation.variables);
  const payload = data[mutation.root];
  if (!payload) throw new ShopifyApiError(`${mutation.operation}: no payload`, "graphql", false);
  assertNoUserErrors(mutation.operation, payload.userErrors);
  const id = payload.codeDiscountNode?.id;
  if (!id) throw new ShopifyApiError(`${mutation.operation}: no discount returned`, "graphql", false);
  return id;
}

export async function deleteLoyaltyCode(access: AdminAccess, discountGid: string): Promise<void> {
  const data = await adminGraphql<{ discountCodeDelete: { deletedCodeDiscountId: string | null; userErrors: UserError[] } | null }>(
    access,
    DISCOUNT_CODE_DELETE,
    { id: discountGid },
  );
  if (!data.discountCodeDelete) throw new ShopifyApiError("DiscountCodeDelete: no payload", "graphql", false);
  assertNoUserErrors("DiscountCodeDelete", data.discountCodeDelete.userErrors);
}

/** The code discount with this code, or null if Shopify has none. */
export async function findLoyaltyCode(
  access: AdminAccess,
  code: string,
): Promise<{ discountGid: string; endsAt: Date | null } | null> {
  const data = await adminGraphql<{
    codeDiscountNodeByCode: { id: string; codeDiscount: { endsAt?: string | null } | null } | null;
  }>(access, DISCOUNT_CODE_BY_CODE, { code });
  const node = data.codeDiscountNodeByCode;
  if (!node) return null;
  const endsAt = node.codeDiscount?.endsAt;
  return { discountGid: node.id, endsAt: endsAt ? new Date(endsAt) : null };
}
