import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { referralView } from "~/loyalty/services/referrals.server";
import type { ReferralResponse } from "~/loyalty/storefront-contract";
import { authenticate } from "~/shopify.server";

const Query = z.object({ ref: z.string().max(64).optional() });

const noStore = { "Cache-Control": "no-store" };

/**
 * GET /apps/keepsake/referral?ref=<code> — the friend's offer for a referral link, and (logged in)
 * the member's own code, link and results.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  await authenticate.public.appProxy(request); // 400 on a bad signature, before anything is read
  const url = new URL(request.url);
  const query = Query.safeParse({ ref: url.searchParams.get("ref") ?? undefined });
  if (!query.success) {
    const message = query.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ");
    return Response.json({ error: { code: "invalid_query", message } }, { status: 400, headers: noStore });
  }
  const view: ReferralResponse = await referralView(
    url.searchParams.get("shop") ?? "",
    url.searchParams.get("logged_in_customer_id") ?? "",
    query.data.ref ?? null,
  );
  return Response.json(view, { headers: noStore });
}
