/**
 * Small helpers the admin forms share: zod issues → one message per field, and the staff user id
 * from the session token.
 */
import { useEffect, useRef } from "react";

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
