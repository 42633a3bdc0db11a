/**
 * Small helpers the admin forms share: zod issues → one message per field, and the staff user id
 * from the session token.
 */
import { useNavigate } from "@remix-run/react";
import { useAppBridge } from "@shopify/app-bridge-react";
import { useEffect, useRef, useState } from "react";
import { useServerMessages } from "~/i18n/server-messages";

export type FieldErrors = Record<string, string>;

/** The first message for each field (the first path segment names the form field). */
export function fieldErrors(issues: readonly { path: readonly PropertyKey[]; message: string }[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const field = String(issue.path[0] ?? "form");
    errors[field] ??= issue.message;
  }
  return errors;
}

/** FormData → plain strings (files never belong in these forms). */
export function formFields(formData: FormData): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of formData) if (typeof value === "string") fields[key] = value;
  return fields;
}

/**
 * Runs `effect` once per new action answer of a fetcher, not on every render — and only once the
 * fetcher is idle: its data arrives while Remix still revalidates the page's loaders, and a navigation
 * started then (to a newly created reward) lost the race to that revalidation's older data.
 */
export function useFetcherResult<T>(fetcher: { state: string; data?: T }, effect: (data: T) => void): void {
  const data = fetcher.state === "idle" ? fetcher.data : undefined;
  const seen = useRef<T | undefined>(undefined);
  const latest = useRef(effect);
  latest.current = effect;
  useEffect(() => {
    if (data === undefined || data === seen.current) return;
    seen.current = data;
    latest.current(data);
  }, [data]);
}

/** The staff user who acted: the verified session token's `sub` (never a value from the form). */
export function staffIdOf(sessionToken: { sub?: unknown } | undefined): string | null {
  return typeof sessionToken?.sub === "string" && sessionToken.sub !== "" ? sessionToken.sub : null;
}

type EditorResult = { ok: true; intent: string; id?: string } | { ok: false; errors: FieldErrors };

/**
 * The state every resource editor page keeps (form vs last saved values, field errors, dirty/busy for
 * the save bar) and its answers to the fetcher: errors next to fields + an error toast; "created" →
 * toast and the new resource's page; "saved" → toast; any other intent goes to `onOther`.
 */
export function useEditorForm<V extends object, R extends EditorResult>(options: {
  initial: V;
  empty: V;
  isNew: boolean;
  fetcher: { state: string; data?: R };
  /** The created resource's page is `${base}/${id}`. */
  base: string;
  toasts: { created: string; saved: string; fixErrors: string };
  onOther?: (result: Extract<R, { ok: true }>) => void;
}) {
  const shopify = useAppBridge();
  const messages = useServerMessages();
  const navigate = useNavigate();
  const [saved, setSaved] = useState<V>(options.initial);
  const [form, setForm] = useState<V>(options.initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const dirty = JSON.stringify(form) !== JSON.stringify(options.isNew ? options.empty : saved);
  const busy = options.fetcher.state !== "idle";

  useFetcherResult(options.fetcher, (result) => {
    if (!result.ok) {
      // The server answers in English; the staff member reads their own language (ADR 010).
      const errors = messages.errors(result.errors);
      setErrors(errors);
      shopify.toast.show(errors.form ?? options.toasts.fixErrors, { isError: true });
      return;
    }
    setErrors({});
    if (result.intent === "created") {
      shopify.toast.show(options.toasts.created);
      setSaved(form);
      navigate(`${options.base}/${result.id}`, { replace: true });
    } else if (result.intent === "saved") {
      setSaved(form);
      shopify.toast.show(options.toasts.saved);
    } else {
      options.onOther?.(result as Extract<R, { ok: true }>);
    }
  });

  const set =
    <K extends keyof V>(key: K) =>
    (value: V[K]) =>
      setForm((current) => ({ ...current, [key]: value }));
  const discard = () => {
    setForm(saved);
    setErrors({});
  };
  // Read `shopify.toast` only when called: App Bridge throws on it during server rendering, which
  // made a reload of an editor page (/app/campaigns/new) a server error.
  const toast = { show: (message: string, opts?: { isError?: boolean }) => shopify.toast.show(message, opts) };
  return { form, saved, errors, dirty, busy, set, discard, toast };
}
