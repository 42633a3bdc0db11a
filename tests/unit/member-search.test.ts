/**
 * Member search rules (ADR 017 addendum): the stored search copies (lower case in every script, NFC,
 * domain split off the email, empty → null), the typed words, and the index range that means
 * "starts with" in code-point order.
 */
import { describe, expect, it } from "vitest";
import { ERASED_SEARCH_COLUMNS, matchesSearch, memberSearchColumns, prefixRange, searchText, searchWords } from "~/loyalty/member-search";

describe("memberSearchColumns", () => {
  it("stores lower-case, trimmed, NFC copies of the names, the email and its domain", () => {
    expect(memberSearchColumns({ firstName: "  Élodie ", lastName: "DURAND", email: "Elodie.D@Example.FR" })).toEqual({
      searchFirst: "élodie",
      searchLast: "durand",
      searchEmail: "elodie.d@example.fr",
      searchDomain: "example.fr",
    });
    expect(memberSearchColumns({ firstName: "E\u0301mile", lastName: "김", email: null })).toEqual({
      searchFirst: "émile",
      searchLast: "김",
      searchEmail: null,
      searchDomain: null,
    });
    expect(memberSearchColumns({ firstName: "", lastName: "   ", email: "no-at-sign" })).toEqual({
      searchFirst: null,
      searchLast: null,
      searchEmail: "no-at-sign",
      searchDomain: null,
    });
    expect(Object.values(ERASED_SEARCH_COLUMNS)).toEqual([null, null, null, null]);
  });
});

describe("searchWords", () => {
  it("splits on any space, normalizes like the stored copies, drops repeats, keeps five", () => {
    expect(searchWords("  ADA\tlove  ada ")).toEqual(["ada", "love"]);
    expect(searchWords("a b c d e f g")).toEqual(["a", "b", "c", "d", "e"]);
    expect(searchWords("   ")).toEqual([]);
    expect(searchText("ÖZIL")).toBe("özil");
  });
});

describe("prefixRange", () => {
  it("holds exactly the strings that start with the word, in code-point order", () => {
    const { gte, lt } = prefixRange("ada");
    const inRange = (text: string) => text >= gte && text < lt;
    for (const text of ["ada", "ada.lovelace@example.com", "adaé", "ada김", "ada\u{1F600}"]) expect(inRange(text)).toBe(true);
    for (const text of ["ad", "adb", "ac\u{10FFFF}", "bada", "Ada"]) expect(inRange(text)).toBe(false);
  });

  it("matchesSearch: every word starts one of the four copies", () => {
    const columns = memberSearchColumns({ firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" });
    expect(matchesSearch(columns, ["love", "ada"])).toBe(true);
    expect(matchesSearch(columns, ["example.com"])).toBe(true);
    expect(matchesSearch(columns, ["velace"])).toBe(false);
    expect(matchesSearch(columns, ["ada", "turing"])).toBe(false);
  });
});
