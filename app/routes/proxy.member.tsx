import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { decodeCursor, HISTORY_PAGE_MAX, memberView } from "~/loyalty/services/storefront.server";
import { authenticate } from "~/shopify.server";

const Query = z.object({
  limit: z.coerce.number().int().min(1).max(HISTORY_PAGE_MAX).default(20),
  cursor: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (!text) return null;
      const cursor = decodeCursor(text);
      if (!cursor) ctx.addIssue({ code: "custom", message: "is not a cursor this endpoint returned" });
      return cursor;
    }),
});

const noStore = { "Cache-Control": "no-store" };

/** GET /apps/keepsake/member — the logged-in shopper's balance and history (newest first). */
export async function loader({ request }: LoaderFunctionArgs) {
  await authenticate.public.appProxy(request); // 400 on a bad signature, before anything is read
  const url = new URL(request.url);
  const query = Query.safeParse(Object.fromEntries(url.searchParams));
  if (!query.success) {
    return Response.json(
      {
        error: {
          code: "invalid_query",
          message: query.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; "),
        },
      },
      { status: 400, headers: noStore },
    );
  }
  const view = await memberView(
    url.searchParams.get("shop") ?? "",
    url.searchParams.get("logged_in_customer_id") ?? "",
    query.data,
  );
  return Response.json(view, { headers: noStore });
}
