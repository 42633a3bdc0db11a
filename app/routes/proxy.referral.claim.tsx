import type { ActionFunctionArgs } from "@remix-run/node";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { z } from "zod";
import { env } from "~/env.server";
import { shopperAddress } from "~/loyalty/referrals";
import { claimReferral } from "~/loyalty/services/referrals.server";
import type { ReferralClaimError, ReferralClaimErrorCode, ReferralClaimSuccess } from "~/loyalty/storefront-contract";
import { authenticate } from "~/shopify.server";

const ClaimBody = z.object({
  ref: z.string().trim().min(1).max(64),
  email: z.string().trim().max(254).email("is not an email address"),
});

/**
 * A brake on scripts (20 claim attempts a minute per shop + network); the daily per-IP limit that
 * staff see as `ip_limit` is the shop's setting, counted in the database. In memory: per instance.
 */
const limiter = new RateLimiterMemory({ keyPrefix: "referral-claim", points: 20, duration: 60 });

const STATUS: Record<ReferralClaimErrorCode, number> = {
  invalid_body: 400,
  referrals_disabled: 403,
  referral_not_found: 404,
  self_referral: 422,
  existing_customer: 422,
  email_used: 409,
  request_in_progress: 409,
  ip_limit: 429,
  rate_limited: 429,
  shopify_unavailable: 502,
};

const noStore = { "Cache-Control": "no-store" };

function error(code: ReferralClaimErrorCode, message: string, retryAfterSeconds?: number): Response {
  const body: ReferralClaimError = { error: { code, message } };
  const headers = retryAfterSeconds ? { ...noStore, "Retry-After": String(retryAfterSeconds) } : noStore;
  return Response.json(body, { status: STATUS[code], headers });
}

/** POST /apps/keepsake/referral/claim — a friend's email for their one-time code. */
export async function action({ request }: ActionFunctionArgs) {
  await authenticate.public.appProxy(request); // 400 on a bad signature, before anything is read
  if (request.method !== "POST") return error("invalid_body", "Use POST.");
  const url = new URL(request.url);
  const shop = url.searchParams.get("shop") ?? "";
  // Shopify's proxy sets X-Forwarded-For to the shopper; TRUSTED_PROXY_HOPS says what our own hosting appended.
  const clientIp = shopperAddress(request.headers.get("x-forwarded-for"), env().TRUSTED_PROXY_HOPS ?? null);

  let json: unknown;
  try {
    json = await request.json();
  } catch {
    return error("invalid_body", "The body must be JSON.");
  }
  const body = ClaimBody.safeParse(json);
  if (!body.success) {
    return error("invalid_body", body.error.issues.map((i) => `${i.path.join(".") || "body"} ${i.message}`).join("; "));
  }

  try {
    await limiter.consume(`${shop}:${clientIp ?? "unknown"}`);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    return error("rate_limited", "Too many attempts. Please wait a moment.", Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
  }

  const outcome = await claimReferral(shop, {
    ref: body.data.ref,
    email: body.data.email,
    loggedInCustomerId: url.searchParams.get("logged_in_customer_id") ?? "",
    clientIp,
  });
  if (!outcome.ok) return error(outcome.code, outcome.message, outcome.retryAfterSeconds);
  const success: ReferralClaimSuccess = outcome.value;
  return Response.json(success, { headers: noStore });
}
