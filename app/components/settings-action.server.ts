/**
 * The action every settings page shares: authenticate the staff user, read the form, validate it with
 * the page's zod schema (errors per field, nothing saved, 400), save with the staff user id for the
 * audit log, and answer `{ ok: true, settings }` or `{ ok: false, errors }` (useSettingsForm reads it).
 */
import { data } from "@remix-run/node";
import type { z } from "zod";
import { authenticate } from "~/shopify.server";
import { fieldErrors, formFields, staffIdOf, type FieldErrors } from "./admin-forms";

export type SavedSettings<V> = { ok: true; settings: V } | { ok: false; errors: FieldErrors };

export async function settingsAction<Schema extends z.ZodTypeAny, V>(
  request: Request,
  schema: Schema,
  save: (shopDomain: string, input: z.output<Schema>, staffId: string | null) => Promise<SavedSettings<V>>,
) {
  const { session, sessionToken } = await authenticate.admin(request);
  const parsed = schema.safeParse(formFields(await request.formData()));
  if (!parsed.success) return data<SavedSettings<V>>({ ok: false, errors: fieldErrors(parsed.error.issues) }, { status: 400 });
  const result = await save(session.shop, parsed.data, staffIdOf(sessionToken));
  return data<SavedSettings<V>>(result, { status: result.ok ? 200 : 400 });
}
