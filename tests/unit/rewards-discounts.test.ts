/**
 * The discount codes Keepsake sends to Shopify: each reward kind's mutation and variables are valid
 * for the 2026-07 schema (document AND variables, executed by the stand-in), and the stand-in
 * answers the way Shopify does (unique codes, userErrors on demand, deletes).
 */
import { describe, expect, it } from "vitest";
import type { DiscountValue } from "~/loyalty/rewards";
import { discountMutationFor, type LoyaltyCodeSpec } from "~/shopify/discounts.server";
import { ADMIN_GRAPHQL_PATH, createAdminApiStandIn, type AdminApiStandIn } from "../support/shopify/admin-graphql";

const SHOP = "test-shop.myshopify.com";

async function post(standIn: AdminApiStandIn, query: string, variables: Record<string, unknown>) {
  const response = await standIn.fetch(
    new Request(`https://${SHOP}${ADMIN_GRAPHQL_PATH}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": "shpat_test" },
      body: JSON.stringify({ query, variables }),
    }),
  );
  return (await response.json()) as { data?: Record<string, Record<string, unknown>>; errors?: unknown[] };
}

function spec(value: DiscountValue, overrides: Partial<LoyaltyCodeSpec> = {}): LoyaltyCodeSpec {
  return {
    code: "KS-ABCDEFGHJKLM",
    title: "Keepsake reward",
    customerGid: "gid://shopify/Customer/5000000000000000001",
    value,
    startsAt: new Date("2026-11-23T10:00:00.000Z"),
    endsAt: new Date("2026-12-23T10:00:00.000Z"),
    minimumSubtotal: "25.00",
    combinesWith: { orderDiscounts: false, productDiscounts: true, shippingDiscounts: false },
    ...overrides,
  };
}

const VALUES: DiscountValue[] = [
  { type: "amount", amount: "5.00" },
  { type: "percentage", fraction: 0.1 },
  { type: "free_shipping" },
  { type: "free_product", variantGid: "gid://shopify/ProductVariant/42" },
];

describe("loyalty code mutations", () => {
  it.each(VALUES.map((value) => [value.type, value] as const))(
    "%s: document and variables are accepted by the 2026-07 schema",
    async (_type, value) => {
      const standIn = createAdminApiStandIn();
      const mutation = discountMutationFor(spec(value));
      const body = await post(standIn, mutation.document, mutation.variables);
      expect(body.errors).toBeUndefined();
      const payload = body.data?.[mutation.root];
      expect(payload).toMatchObject({ userErrors: [], codeDiscountNode: { id: expect.stringMatching(/^gid:\/\/shopify\/DiscountCodeNode\/\d+$/) } });
      expect(standIn.requests[0]?.operationName).toBe(mutation.operation);
    },
  );

  it("locks the code to the customer, single use, dated, with the reward's stacking and minimum", () => {
    const { variables } = discountMutationFor(spec({ type: "amount", amount: "5.00" }));
    expect(variables).toEqual({
      basicCodeDiscount: {
        title: "Keepsake reward",
        code: "KS-ABCDEFGHJKLM",
        startsAt: "2026-11-23T10:00:00.000Z",
        endsAt: "2026-12-23T10:00:00.000Z",
        context: { customers: { add: ["gid://shopify/Customer/5000000000000000001"] } },
        usageLimit: 1,
        appliesOncePerCustomer: true,
        combinesWith: { orderDiscounts: false, productDiscounts: true, shippingDiscounts: false },
        minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: "25.00" } },
        customerGets: { items: { all: true }, value: { discountAmount: { amount: "5.00", appliesOnEachItem: false } } },
      },
    });
  });

  it("leaves out the minimum and the end when the reward has none", () => {
    const { variables } = discountMutationFor(spec({ type: "free_shipping" }, { minimumSubtotal: null, endsAt: null }));
    const input = variables.freeShippingCodeDiscount as Record<string, unknown>;
    expect(input.minimumRequirement).toBeUndefined();
    expect(input.endsAt).toBeNull();
    expect(input.destination).toEqual({ all: true });
  });

  it("gives one variant at 100 % off for a free product", () => {
    const { variables, operation } = discountMutationFor(
      spec({ type: "free_product", variantGid: "gid://shopify/ProductVariant/42" }),
    );
    expect(operation).toBe("DiscountCodeFreeProductCreate");
    expect((variables.basicCodeDiscount as Record<string, unknown>).customerGets).toEqual({
      items: { products: { productVariantsToAdd: ["gid://shopify/ProductVariant/42"] } },
      value: { percentage: 1 },
    });
  });
});

describe("the stand-in's code discounts", () => {
  it("keeps created codes, refuses a duplicate code like Shopify (TAKEN) and deletes once", async () => {
    const standIn = createAdminApiStandIn();
    const mutation = discountMutationFor(spec({ type: "amount", amount: "5.00" }));
    const first = await post(standIn, mutation.document, mutation.variables);
    const id = first.data?.discountCodeBasicCreate?.codeDiscountNode as { id: string };
    expect(standIn.discounts.get(id.id)).toMatchObject({ code: "KS-ABCDEFGHJKLM", type: "basic", status: "ACTIVE", shop: SHOP });

    const again = await post(standIn, mutation.document, mutation.variables);
    expect(again.data?.discountCodeBasicCreate).toEqual({
      codeDiscountNode: null,
      userErrors: [{ field: ["basicCodeDiscount", "code"], message: "Code must be unique. Please try a different code.", code: "TAKEN" }],
    });

    const remove = "mutation D($id: ID!) { discountCodeDelete(id: $id) { deletedCodeDiscountId userErrors { message } } }";
    expect((await post(standIn, remove, { id: id.id })).data?.discountCodeDelete).toEqual({
      deletedCodeDiscountId: id.id,
      userErrors: [],
    });
    expect(standIn.discounts.get(id.id)?.status).toBe("DELETED");
    expect((await post(standIn, remove, { id: id.id })).data?.discountCodeDelete).toMatchObject({
      deletedCodeDiscountId: null,
      userErrors: [{ message: "Discount does not exist" }],
    });
  });

  it("answers userErrors on demand, once, with the payload's other fields null", async () => {
    const standIn = createAdminApiStandIn();
    standIn.userErrorsNext("discountCodeBasicCreate", [
      { field: ["basicCodeDiscount", "customerGets"], message: "Value must be greater than 0", code: "GREATER_THAN" },
    ]);
    const mutation = discountMutationFor(spec({ type: "percentage", fraction: 0.1 }));
    const refused = await post(standIn, mutation.document, mutation.variables);
    expect(refused.data?.discountCodeBasicCreate).toEqual({
      codeDiscountNode: null,
      userErrors: [{ field: ["basicCodeDiscount", "customerGets"], message: "Value must be greater than 0", code: "GREATER_THAN" }],
    });
    expect(standIn.discounts.size).toBe(0);
    const accepted = await post(standIn, mutation.document, mutation.variables);
    expect(accepted.data?.discountCodeBasicCreate?.userErrors).toEqual([]);
    expect(() => standIn.userErrorsNext("notAMutation", [])).toThrow(/no mutation field/);
  });

  it("rejects variables that do not fit the schema, as Shopify does", async () => {
    const standIn = createAdminApiStandIn();
    const mutation = discountMutationFor(spec({ type: "amount", amount: "5.00" }));
    const bad = { basicCodeDiscount: { ...(mutation.variables.basicCodeDiscount as object), usageLimit: "one" } };
    const body = await post(standIn, mutation.document, bad);
    expect(body.errors?.length).toBeGreaterThan(0);
    expect(standIn.discounts.size).toBe(0);
  });
});
