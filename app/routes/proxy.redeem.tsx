import type { ActionFunctionArgs } from "@remix-run/node";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { z } from "zod";
import { redeemReward } from "~/loyalty/services/redemptions.server";
import type { RedeemSuccess, StorefrontError, StorefrontErrorCode } from "~/loyalty/storefront-contract";
import { authenticate } from "~/shopify.server";

const RedeemBody = z.object({
  rewardId: z.string().min(1).max(64),
  requestId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "must be 8–64 characters of A–Z, a–z, 0–9, _ or -"),
  points: z.number().int().positive().max(10_000_000).optional(),
});

/**
 * 10 redeems a minute per shopper and shop: enough for a human clicking, not for a script
 * draining a balance or hammering Shopify. In memory: per instance (ADR 007 explains the limit).
 */
const limiter = new RateLimiterMemory({ keyPrefix: "redeem", points: 10, duration: 60 });

const STATUS: Record<StorefrontErrorCode, number> = {
  invalid_query: 400,
  invalid_body: 400,
  not_logged_in: 401,
  not_enrolled: 403,
  reward_not_found: 404,
  reward_inactive: 409,
  not_enough_points: 409,
  request_in_progress: 409,
  invalid_points: 422,
  rate_limited: 429,
  shopify_unavailable: 502,
};

const noStore = { "Cache-Control": "no-store" };

function error(code: StorefrontErrorCode, message: string, retryAfterSeconds?: number): Response {
  const body: StorefrontError = { error: { code, message } };
  const headers = retryAfterSeconds ? { ...noStore, "Retry-After": String(retryAfterSeconds) } : noStore;
  return Response.json(body, { status: STATUS[code], headers });
}

/** POST /apps/keepsake/redeem — spend the logged-in shopper's points on a reward. */
export async function action({ request }: ActionFunctionArgs) {
  await authenticate.public.appProxy(request); // 400 on a bad signature, before anything is read
  if (request.method !== "POST") return error("invalid_body", "Use POST.");
  const url = new URL(request.url);
  const shop = url.searchParams.get("shop") ?? "";
  const customerId = url.searchParams.get("logged_in_customer_id") ?? "";
  if (!customerId) return error("not_logged_in", "Log in to redeem points.");

  let json: unknown;
  try {
    json = await request.json();
  } catch {
    return error("invalid_body", "The body must be JSON.");
  }
  const body = RedeemBody.safeParse(json);
  if (!body.success) {
    return error("invalid_body", body.error.issues.map((i) => `${i.path.join(".") || "body"} ${i.message}`).join("; "));
  }

  try {
    await limiter.consume(`${shop}:${customerId}`);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    return error("rate_limited", "Too many redemptions. Please wait a moment.", Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
  }

  const outcome = await redeemReward(shop, customerId, body.data);
  if (!outcome.ok) return error(outcome.code, outcome.message, outcome.retryAfterSeconds);
  const success: RedeemSuccess = outcome.value;
  return Response.json(success, { headers: noStore });
}
