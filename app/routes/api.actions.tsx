import type { ActionFunctionArgs } from "@remix-run/node";
import { INTEGRATION_HEADERS, SHOP_DOMAIN } from "~/loyalty/earn-actions";
import { awardFromIntegration } from "~/loyalty/services/earn-actions.server";

const MAX_BODY_BYTES = 16 * 1024;
const noStore = { "Cache-Control": "no-store" };

function error(status: number, code: string, message: string): Response {
  return Response.json({ error: { code, message } }, { status, headers: noStore });
}

/**
 * POST /api/actions — reviews apps and the merchant's own integrations award a review or custom way
 * to earn (README "Awarding actions from your integrations"). Signed like a Shopify webhook:
 * X-Keepsake-Hmac-Sha256 = base64(HMAC-SHA256(shop's integration secret, raw body)), with
 * X-Keepsake-Shop-Domain naming the shop. Body: {"action", "event_id", "customer_id"}; the same
 * event id never awards twice (200 with "awarded": false).
 */
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return error(405, "method_not_allowed", "Use POST.");
  const shop = (request.headers.get(INTEGRATION_HEADERS.shop) ?? "").trim().toLowerCase();
  const signature = request.headers.get(INTEGRATION_HEADERS.hmac) ?? "";
  if (!SHOP_DOMAIN.test(shop) || !signature) {
    return error(401, "invalid_signature", "Send X-Keepsake-Shop-Domain and X-Keepsake-Hmac-Sha256.");
  }
  const body = new Uint8Array(await request.arrayBuffer());
  if (body.byteLength > MAX_BODY_BYTES) return error(413, "body_too_large", "The body must be at most 16 KB.");
  const outcome = await awardFromIntegration(shop, body, signature);
  if (!outcome.ok) return error(outcome.status, outcome.code, outcome.message);
  return Response.json({ awarded: outcome.awarded, points: outcome.points, balance: outcome.balance }, { headers: noStore });
}

export function loader() {
  return error(405, "method_not_allowed", "Use POST.");
}
