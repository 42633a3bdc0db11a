import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { dataRequestDocument } from "~/loyalty/services/data-requests.server";
import { authenticate } from "~/shopify.server";

const Params = z.object({ requestId: z.string().regex(/^\d+$/, "must be a Shopify data request id") });

/** GET /app/data-requests/:requestId — the customers/data_request document, as a JSON download. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const parsed = Params.safeParse(params);
  if (!parsed.success) {
    return Response.json({ error: { code: "invalid_request_id", message: "requestId must be a Shopify data request id" } }, { status: 400 });
  }
  const document = await dataRequestDocument(session.shop, parsed.data.requestId);
  if (document === null) {
    return Response.json({ error: { code: "not_found", message: "No such data request for this shop" } }, { status: 404 });
  }
  return new Response(document, {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="keepsake-data-request-${parsed.data.requestId}.json"`,
      "Cache-Control": "no-store",
    },
  });
}
