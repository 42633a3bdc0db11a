/**
 * GET /app/ledger/export?from=YYYY-MM-DD&to=YYYY-MM-DD — the ledger entries of those shop-local days
 * as CSV, streamed in keyset batches (docs/decisions/017-members-at-scale.md). Bad or missing dates
 * answer 400 with a message per field.
 */
import { data, type LoaderFunctionArgs } from "@remix-run/node";
import { fieldErrors } from "~/components/admin-forms";
import { csvResponse, ledgerCsv, LedgerExportInput } from "~/loyalty/services/member-export.server";
import { authenticate } from "~/shopify.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const url = new URL(request.url);
  const parsed = LedgerExportInput.safeParse({ from: url.searchParams.get("from") ?? "", to: url.searchParams.get("to") ?? "" });
  if (!parsed.success) return data({ ok: false as const, errors: fieldErrors(parsed.error.issues) }, { status: 400 });
  return csvResponse(await ledgerCsv(session.shop, parsed.data), `keepsake-ledger-${parsed.data.from}-to-${parsed.data.to}.csv`);
}
