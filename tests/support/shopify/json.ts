/**
 * JSON text exactly as Shopify writes it.
 *
 * Shopify's numeric ids (orders, line items, customers, refunds…) exceed 2^53, and Shopify writes them as bare
 * integer literals (`"id": 820982911946154508`). `JSON.parse` silently rounds those, which is the bug class these
 * helpers exist to expose: builders hold ids as `bigint`, and `toShopifyJson` writes a bigint as a bare integer
 * literal so the webhook body carries the same digits Shopify would send.
 */
import { isSafeNumber, parse, stringify } from "lossless-json";

/** Serialises a payload; `bigint` values become unquoted integer literals, `undefined` properties are dropped. */
export function toShopifyJson(value: unknown, indent?: number): string {
  const text = stringify(value, undefined, indent);
  if (text === undefined) throw new TypeError("toShopifyJson: value is not serialisable");
  return text;
}

/**
 * Parses Shopify JSON without losing digits: integers beyond Number.MAX_SAFE_INTEGER become `bigint`, other
 * numbers stay `number`. For assertions in tests; the app must make its own choice (e.g. read `admin_graphql_api_id`).
 */
export function parseShopifyJson(text: string): unknown {
  return parse(text, null, (digits: string) => (isSafeNumber(digits) ? Number(digits) : BigInt(digits)));
}
