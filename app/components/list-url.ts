/**
 * A list page's state in its URL (filters, keyset cursors): `go(changes)` sets or (empty/null)
 * removes parameters and, unless told otherwise, drops the page cursors `after`/`before`, so a new
 * filter starts at the first page.
 */
import { useSearchParams } from "@remix-run/react";

export function useListUrl() {
  const [, setSearchParams] = useSearchParams();
  return (changes: Record<string, string | null | undefined>, resetPage = true) =>
    setSearchParams((current) => {
      const next = new URLSearchParams(current);
      if (resetPage) {
        next.delete("after");
        next.delete("before");
      }
      for (const [key, value] of Object.entries(changes)) {
        if (value === null || value === undefined || value === "") next.delete(key);
        else next.set(key, value);
      }
      return next;
    });
}
