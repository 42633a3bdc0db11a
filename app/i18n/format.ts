/**
 * Dates and times in the staff member's language that read the same when the server renders the page
 * and when the browser hydrates it. Korean times use the 24-hour clock: Node's ICU writes the Korean
 * 12-hour day period as "AM"/"PM" where Chromium writes "오전"/"오후", and that difference made React
 * throw away the server's HTML (hydration errors #418/#425) on every page showing a time.
 */
import type { AdminLocale } from "./admin";

/** `Intl.DateTimeFormat` for the admin: the given options plus, in Korean, the 24-hour clock. */
export function adminDateTimeFormat(locale: AdminLocale, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const hasTime = options.timeStyle !== undefined || options.hour !== undefined;
  return new Intl.DateTimeFormat(locale, locale === "ko" && hasTime ? { ...options, hourCycle: "h23" } : options);
}

/** A moment with date and time ("11/23/2026, 5:49:01 PM", "2026. 11. 23. 17:49:01"). */
export function formatDateTime(value: string | Date, locale: AdminLocale): string {
  const date = new Date(value);
  return locale === "ko" ? adminDateTimeFormat(locale, { dateStyle: "medium", timeStyle: "medium" }).format(date) : date.toLocaleString(locale);
}
