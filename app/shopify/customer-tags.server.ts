/**
 * Customer tags (the tier tag `keepsake-tier-<handle>`, ADR 012) and the customer's tier metafields:
 *
 * | Liquid                                              | namespace / key               | type                  |
 * |-----------------------------------------------------|-------------------------------|-----------------------|
 * | `customer.metafields['$app:keepsake'].tier`          | `$app:keepsake` tier          | single_line_text_field |
 * | `customer.metafields['$app:keepsake'].tier_progress` | `$app:keepsake` tier_progress | json                  |
 *
 * Tags need `write_customers`, like the balance metafield. Every userErrors list is checked.
 */
import { adminGraphql, assertNoUserErrors, ShopifyApiError, type AdminAccess, type UserError } from "./admin-api.server";
import { TAGS_ADD } from "./graphql/tags-add";
import { TAGS_REMOVE } from "./graphql/tags-remove";
import type { MetafieldIdentifier, MetafieldInput } from "./metafields.server";

export const TIER_METAFIELD = { namespace: "$app:keepsake", key: "tier", type: "single_line_text_field" } as const;
export const TIER_PROGRESS_METAFIELD = { namespace: "$app:keepsake", key: "tier_progress", type: "json" } as const;

type TagsPayload = { userErrors: UserError[] } | null;

export async function addCustomerTags(access: AdminAccess, customerGid: string, tags: readonly string[]): Promise<void> {
  if (tags.length === 0) return;
  const data = await adminGraphql<{ tagsAdd: TagsPayload }>(access, TAGS_ADD, { id: customerGid, tags });
  if (!data.tagsAdd) throw new ShopifyApiError("TagsAdd: no payload", "graphql", false);
  assertNoUserErrors("TagsAdd", data.tagsAdd.userErrors);
}

export async function removeCustomerTags(access: AdminAccess, customerGid: string, tags: readonly string[]): Promise<void> {
  if (tags.length === 0) return;
  const data = await adminGraphql<{ tagsRemove: TagsPayload }>(access, TAGS_REMOVE, { id: customerGid, tags });
  if (!data.tagsRemove) throw new ShopifyApiError("TagsRemove: no payload", "graphql", false);
  assertNoUserErrors("TagsRemove", data.tagsRemove.userErrors);
}

/** The tier metafields to set (a member in a tier) or remove (no tier, or tiers off). */
export function tierMetafields(
  customerGid: string,
  tier: { name: string; progress: unknown } | null,
): { set: MetafieldInput[]; remove: MetafieldIdentifier[] } {
  if (!tier) {
    return {
      set: [],
      remove: [TIER_METAFIELD, TIER_PROGRESS_METAFIELD].map(({ namespace, key }) => ({ ownerId: customerGid, namespace, key })),
    };
  }
  return {
    set: [
      { ownerId: customerGid, ...TIER_METAFIELD, value: tier.name },
      { ownerId: customerGid, ...TIER_PROGRESS_METAFIELD, value: JSON.stringify(tier.progress) },
    ],
    remove: [],
  };
}
