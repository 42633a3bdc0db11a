/**
 * GET /app/audit/export?<the audit log page's filters> — the filtered audit log as CSV, oldest first,
 * streamed in keyset batches. Bad filters answer 400 with a message per field, like the page.
 */
import { data, type LoaderFunctionArgs } from "@remix-run/node";
import { fieldErrors } from "~/components/admin-forms";
import { csvResponse } from "~/loyalty/services/member-export.server";
import { auditCsv, AuditLogQueryInput, auditQueryFields } from "~/loyalty/services/audit-log.server";
import { authenticate } from "~/shopify.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const parsed = AuditLogQueryInput.safeParse(auditQueryFields(new URL(request.url).searchParams));
  if (!parsed.success) return data({ ok: false as const, errors: fieldErrors(parsed.error.issues) }, { status: 400 });
  return csvResponse(await auditCsv(session.shop, parsed.data), "keepsake-audit-log.csv");
}
