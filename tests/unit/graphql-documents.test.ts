/**
 * Every Admin GraphQL document the app sends must be valid against Shopify's 2026-07 schema: an
 * unknown field fails here, never in a merchant's store. Documents are the `#graphql` template
 * literals anywhere under app/ (one per file under app/shopify/graphql/).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { validateAdminDocument } from "../support/shopify/admin-graphql";

const APP_DIR = path.resolve(__dirname, "../../app");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx)$/.test(entry.name) ? [full] : [];
  });
}

function documentsIn(file: string): { file: string; source: string }[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/`#graphql([\s\S]*?)`/g)].map((match) => ({
    file: path.relative(APP_DIR, file),
    source: match[1] ?? "",
  }));
}

const documents = sourceFiles(APP_DIR).flatMap(documentsIn);

describe("Admin GraphQL documents in app/", () => {
  it("finds the app's documents (the scan itself works)", () => {
    expect(documents.map((d) => d.file)).toContain(path.join("shopify", "graphql", "shop-settings.ts"));
    for (const document of documents) expect(document.source).not.toContain("${"); // no interpolation
  });

  it.each(documents.map((d) => [d.file, d.source] as const))("%s validates against the 2026-07 schema", (_file, source) => {
    expect(validateAdminDocument(source).map((error) => error.message)).toEqual([]);
  });

  it("would catch an unknown field", () => {
    expect(validateAdminDocument("query { shop { currencyCode notAField } }").length).toBeGreaterThan(0);
  });

  it("keeps one document per file under app/shopify/graphql", () => {
    const byFile = new Map<string, number>();
    for (const d of documents) byFile.set(d.file, (byFile.get(d.file) ?? 0) + 1);
    for (const [file, count] of byFile) {
      if (file.startsWith(path.join("shopify", "graphql"))) expect(count, file).toBe(1);
    }
  });
});
