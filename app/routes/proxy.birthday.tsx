import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { birthdayView, saveBirthday } from "~/loyalty/services/birthdays.server";
import { authenticate } from "~/shopify.server";

const noStore = { "Cache-Control": "no-store" };

const STATUS = {
  invalid_body: 400,
  not_logged_in: 401,
  not_enrolled: 403,
  birthdays_off: 409,
  invalid_birthday: 422,
  change_too_soon: 409,
} as const;

function error(code: keyof typeof STATUS, message: string, extra: Record<string, unknown> = {}): Response {
  return Response.json({ error: { code, message, ...extra } }, { status: STATUS[code], headers: noStore });
}

const BirthdayBody = z.object({
  month: z.number().int(),
  day: z.number().int(),
  year: z.number().int().nullable().default(null),
});

/** GET /apps/keepsake/birthday — what the birthday pop-up and the panel's form show this shopper. */
export async function loader({ request }: LoaderFunctionArgs) {
  await authenticate.public.appProxy(request); // 400 on a bad signature, before anything is read
  const url = new URL(request.url);
  const view = await birthdayView(url.searchParams.get("shop") ?? "", url.searchParams.get("logged_in_customer_id") ?? "");
  return Response.json(view, { headers: noStore });
}

/** POST /apps/keepsake/birthday {month, day, year?} — the logged-in member adds or changes their birthday. */
export async function action({ request }: ActionFunctionArgs) {
  await authenticate.public.appProxy(request);
  if (request.method !== "POST") return error("invalid_body", "Use POST.");
  const url = new URL(request.url);
  let json: unknown;
  try {
    json = await request.json();
  } catch {
    return error("invalid_body", "The body must be JSON.");
  }
  const body = BirthdayBody.safeParse(json);
  if (!body.success) {
    return error("invalid_body", body.error.issues.map((i) => `${i.path.join(".") || "body"} ${i.message}`).join("; "));
  }
  const outcome = await saveBirthday(url.searchParams.get("shop") ?? "", url.searchParams.get("logged_in_customer_id") ?? "", body.data);
  if (outcome.ok) return Response.json(outcome.view, { headers: noStore });
  if (outcome.code === "invalid_birthday") return error(outcome.code, outcome.message, { field: outcome.problem });
  if (outcome.code === "change_too_soon") return error(outcome.code, outcome.message, { nextChangeOn: outcome.nextChangeOn });
  return error(outcome.code, outcome.message);
}
