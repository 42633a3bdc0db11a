/**
 * Shopify's REST-shaped webhook payloads carry numeric ids above 2^53 (820982911946154508), which
 * JSON.parse silently rounds. Refunds name their order only by such an id. Parse losslessly:
 * safe integers become numbers, larger integers and every decimal keep their exact text.
 */
import { isInteger, isSafeNumber, parse } from "lossless-json";

function parseNumberExactly(text: string): number | string {
  if (isInteger(text) && isSafeNumber(text)) return Number(text);
  return text;
}

export function parseShopifyJson(text: string): unknown {
  return parse(text, null, parseNumberExactly);
}
