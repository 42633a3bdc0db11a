/**
 * The customer's birth date in Shopify: the standard customer metafield `facts.birth_date` (type
 * `date`, Shopify's standard definition "Birth date"), mirrored from the member's birthday by the
 * Shopify outbox (docs/decisions/015). Only written when the member gave a year (a `date` needs one).
 */
import type { MetafieldInput } from "./metafields.server";

export const BIRTH_DATE_METAFIELD = { namespace: "facts", key: "birth_date", type: "date" } as const;

export function birthDateMetafield(customerGid: string, birthDate: string): MetafieldInput {
  return { ownerId: customerGid, ...BIRTH_DATE_METAFIELD, value: birthDate };
}
