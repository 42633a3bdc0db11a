/**
 * GET /app/members/export?<the list's filters> — the matching members as CSV, streamed in keyset
 * batches (docs/decisions/017-members-at-scale.md). A bad filter answers 400 with the messages
 * instead of exporting more than staff asked for.
 */
import { data, type LoaderFunctionArgs } from "@remix-run/node";
import { FILTER_KEYS, parseMemberListQuery } from "~/loyalty/members-query";
import { csvResponse, memberCsv } from "~/loyalty/services/member-export.server";
import { authenticate } from "~/shopify.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const params = new URLSearchParams();
  for (const [key, value] of new URL(request.url).searchParams) if ((FILTER_KEYS as string[]).includes(key)) params.set(key, value);
  const { query, errors } = parseMemberListQuery(params);
  if (Object.keys(errors).length > 0) return data({ ok: false as const, errors }, { status: 400 });
  const day = new Date().toISOString().slice(0, 10);
  const name = query.segment ? `keepsake-members-${query.segment}-${day}.csv` : `keepsake-members-${day}.csv`;
  return csvResponse(await memberCsv(session.shop, query), name);
}
