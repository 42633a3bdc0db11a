/**
 * The admin strings: Korean has every English key (also a type check, proven here at run time),
 * no empty string, the same {placeholders} per string; the locale falls back to English.
 */
import { describe, expect, it } from "vitest";
import { adminLocale, adminStrings, format } from "~/i18n/admin";

type Tree = { [key: string]: string | Tree };

function leaves(tree: Tree, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    if (typeof value === "string") out.set(`${prefix}${key}`, value);
    else for (const [k, v] of leaves(value, `${prefix}${key}.`)) out.set(k, v);
  }
  return out;
}

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("admin strings", () => {
  it("ko has every en key, nothing empty, the same placeholders", () => {
    const en = leaves(adminStrings("en") as unknown as Tree);
    const ko = leaves(adminStrings("ko") as unknown as Tree);
    expect([...ko.keys()].sort()).toEqual([...en.keys()].sort());
    for (const [key, text] of en) {
      expect(text.trim(), key).not.toBe("");
      expect(ko.get(key)?.trim(), key).not.toBe("");
      expect(placeholders(ko.get(key) ?? ""), key).toEqual(placeholders(text));
    }
  });

  // Each feature's pages keep their strings in app/i18n/features/<feature>.ts (featureStrings).
  const features = import.meta.glob<{ dictionaries: { en: Tree; ko: Tree } }>("../../app/i18n/features/*.ts", { eager: true });

  it("finds the feature dictionaries", () => {
    expect(Object.keys(features).length).toBeGreaterThan(0);
  });

  it.each(Object.entries(features))("%s: ko has every en key, nothing empty, the same placeholders", (_file, module) => {
    const en = leaves(module.dictionaries.en);
    const ko = leaves(module.dictionaries.ko);
    expect([...ko.keys()].sort()).toEqual([...en.keys()].sort());
    for (const [key, text] of en) {
      expect(text.trim(), key).not.toBe("");
      expect(ko.get(key)?.trim(), key).not.toBe("");
      expect(placeholders(ko.get(key) ?? ""), key).toEqual(placeholders(text));
    }
  });

  it("picks the admin's language, else English", () => {
    expect(adminLocale("ko")).toBe("ko");
    expect(adminLocale("ko-KR")).toBe("ko");
    expect(adminLocale("ko-KR,ko;q=0.9,en;q=0.8")).toBe("ko");
    expect(adminLocale("fr")).toBe("en");
    expect(adminLocale(null)).toBe("en");
  });

  it("fills placeholders and leaves unknown ones visible", () => {
    expect(format("{count} points", { count: 5 })).toBe("5 points");
    expect(format("{a} {b}", { a: "x" })).toBe("x {b}");
  });
});
