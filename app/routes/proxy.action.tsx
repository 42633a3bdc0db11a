import type { ActionFunctionArgs } from "@remix-run/node";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { z } from "zod";
import { awardShopperAction } from "~/loyalty/services/earn-actions.server";
import { authenticate } from "~/shopify.server";

const noStore = { "Cache-Control": "no-store" };

const STATUS = { invalid_body: 400, not_logged_in: 401, not_enrolled: 403, action_not_found: 404, rate_limited: 429 } as const;

function error(code: keyof typeof STATUS, message: string, retryAfterSeconds?: number): Response {
  const headers = retryAfterSeconds ? { ...noStore, "Retry-After": String(retryAfterSeconds) } : noStore;
  return Response.json({ error: { code, message } }, { status: STATUS[code], headers });
}

const ActionBody = z.object({ key: z.string().trim().min(1).max(48) });

/** 20 clicks a minute per shopper and shop (per instance): enough for a person, not for a script. */
const limiter = new RateLimiterMemory({ keyPrefix: "action", points: 20, duration: 60 });

/**
 * POST /apps/keepsake/action {key} — the logged-in member followed or shared (honor system): the
 * action's points once, ever. A repeat answers 200 with `awarded: false`.
 */
export async function action({ request }: ActionFunctionArgs) {
  await authenticate.public.appProxy(request); // 400 on a bad signature, before anything is read
  if (request.method !== "POST") return error("invalid_body", "Use POST.");
  const url = new URL(request.url);
  const shop = url.searchParams.get("shop") ?? "";
  const customerId = url.searchParams.get("logged_in_customer_id") ?? "";
  if (!customerId) return error("not_logged_in", "Log in to earn points.");
  let json: unknown;
  try {
    json = await request.json();
  } catch {
    return error("invalid_body", "The body must be JSON.");
  }
  const body = ActionBody.safeParse(json);
  if (!body.success) return error("invalid_body", body.error.issues.map((i) => `${i.path.join(".") || "body"} ${i.message}`).join("; "));
  try {
    await limiter.consume(`${shop}:${customerId}`);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    return error("rate_limited", "Too many requests. Please wait a moment.", Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
  }
  const outcome = await awardShopperAction(shop, customerId, body.data.key);
  if (!outcome.ok) return error(outcome.code, outcome.message);
  return Response.json({ awarded: outcome.awarded, points: outcome.points, balance: outcome.balance }, { headers: noStore });
}
