/**
 * The customer's birth date in Shopify: the standard customer metafield `facts.birth_date` (type
 * `date`, value `YYYY-MM-DD`; Shopify's standard definition "Birth date", see docs/decisions/015 for
 * the sources), mirrored from the member's birthday by the Shopify outbox. A birthday with a year is
 * written; one without a year removes the metafield (a `date` needs a year, and an older full date
 * must not stay behind).
 */
import type { MetafieldIdentifier, MetafieldInput } from "./metafields.server";

export const BIRTH_DATE_METAFIELD = { namespace: "facts", key: "birth_date", type: "date" } as const;

/** YYYY-MM-DD with a real month and day number (the outbox refuses other payloads for good). */
export const BIRTH_DATE_FORMAT = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

export function birthDateMetafield(customerGid: string, birthDate: string): MetafieldInput {
  if (!BIRTH_DATE_FORMAT.test(birthDate)) throw new RangeError("a birth date is YYYY-MM-DD");
  return { ownerId: customerGid, ...BIRTH_DATE_METAFIELD, value: birthDate };
}

/** What metafieldsDelete needs to remove the customer's birth date. */
export function birthDateIdentifier(customerGid: string): MetafieldIdentifier {
  return { ownerId: customerGid, namespace: BIRTH_DATE_METAFIELD.namespace, key: BIRTH_DATE_METAFIELD.key };
}
