/**
 * GET /app/import/:importId — an import job's progress (the import page polls it while the job runs);
 * `?report=errors` — the rows that failed as CSV (line, what is wrong, the row as it was).
 * Another shop's job answers 404, like an unknown one.
 */
import { data, type LoaderFunctionArgs } from "@remix-run/node";
import { csvResponse } from "~/loyalty/services/member-export.server";
import { importErrorReport, importProgress } from "~/loyalty/services/member-import.server";
import { authenticate } from "~/shopify.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const jobId = params.importId ?? "";
  if (new URL(request.url).searchParams.get("report") === "errors") {
    const report = await importErrorReport(session.shop, jobId);
    if (report === null) throw new Response("Not found", { status: 404 });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(report));
        controller.close();
      },
    });
    return csvResponse(body, `keepsake-import-${jobId}-errors.csv`);
  }
  const progress = await importProgress(session.shop, jobId);
  if (!progress) throw new Response("Not found", { status: 404 });
  return data({ job: progress });
}
