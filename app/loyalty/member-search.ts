/**
 * Member search, pure part (docs/decisions/017-members-at-scale.md, addendum "Search by word
 * prefix"): each typed word must be the START of the member's first name, last name, email or email
 * domain, ignoring case. The Member row keeps lower-case copies of those four (searchFirst,
 * searchLast, searchEmail, searchDomain), written with every name/email write and cleared on
 * erasure, each with an index (shopId, column, id): "starts with w" is the index range
 * `w <= column < w + U+10FFFF` on SQLite (binary collation) and PostgreSQL (the columns are
 * COLLATE "C"), so a rare word reads only its own matches.
 */

export const SEARCH_COLUMNS = ["searchFirst", "searchLast", "searchEmail", "searchDomain"] as const;
export type SearchColumn = (typeof SEARCH_COLUMNS)[number];
export type MemberSearchColumns = Record<SearchColumn, string | null>;

/** At most this many words of a search are used (the rest are ignored). */
export const MAX_SEARCH_WORDS = 5;

/**
 * Text as stored for search and as typed: trimmed, Unicode NFC (an "é" typed as e + accent matches
 * the precomposed one), lower case for every script (É → é; Korean has no case and stays as is).
 * Empty → null.
 */
export function searchText(text: string | null | undefined): string | null {
  const normalized = text?.trim().normalize("NFC").toLowerCase();
  return normalized ? normalized : null;
}

/** The search copies of a member's name and email: spread them into every create/update of those fields. */
export function memberSearchColumns(profile: { firstName: string | null; lastName: string | null; email: string | null }): MemberSearchColumns {
  const email = searchText(profile.email);
  const at = email ? email.indexOf("@") : -1;
  return {
    searchFirst: searchText(profile.firstName),
    searchLast: searchText(profile.lastName),
    searchEmail: email,
    searchDomain: at >= 0 ? searchText(email!.slice(at + 1)) : null,
  };
}

/** Erasure (customers/redact, customers/delete): nothing left to find the member by. */
export const ERASED_SEARCH_COLUMNS: MemberSearchColumns = { searchFirst: null, searchLast: null, searchEmail: null, searchDomain: null };

/** The words of a search box, normalized like the stored copies, duplicates dropped, at most MAX_SEARCH_WORDS. */
export function searchWords(query: string): string[] {
  const words = query
    .split(/\s+/)
    .map((word) => searchText(word))
    .filter((word): word is string => word !== null);
  return [...new Set(words)].slice(0, MAX_SEARCH_WORDS);
}

/**
 * Highest code point: every string that starts with `word` sorts at or after `word` and before
 * `word + U+10FFFF` in code-point order (SQLite's binary collation, PostgreSQL's "C", UTF-8 bytes).
 */
const AFTER_EVERY_CHARACTER = "\u{10FFFF}";

/** "Starts with word" as a range both providers answer from a btree index. */
export function prefixRange(word: string): { gte: string; lt: string } {
  return { gte: word, lt: word + AFTER_EVERY_CHARACTER };
}

/** The same rule in memory (tests, and a check that the range means what it says). */
export function matchesSearch(columns: MemberSearchColumns, words: string[]): boolean {
  return words.every((word) => SEARCH_COLUMNS.some((column) => columns[column]?.startsWith(word) ?? false));
}
