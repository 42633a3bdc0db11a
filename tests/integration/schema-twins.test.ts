/**
 * The SQLite schema (prisma/schema.prisma, the default) and its PostgreSQL twin
 * (prisma/postgres/schema.prisma) must describe the same data model, and each must ship the same
 * migrations. Prisma itself cannot check this: a generated client and a migrations folder each serve
 * one provider. See docs/decisions/002-prisma-6-offline.md.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { testDatabaseProvider } from "../support/database";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const twins = {
  sqlite: { schema: "prisma/schema.prisma", migrations: "prisma/migrations" },
  postgresql: { schema: "prisma/postgres/schema.prisma", migrations: "prisma/postgres/migrations" },
} as const;

const read = (relative: string) => readFileSync(path.join(root, relative), "utf8");

/**
 * Top-level blocks (generator, model, enum, view, type) other than `datasource`, in file order, with
 * full-line comments and blank lines dropped and trailing whitespace trimmed. Field-level comments
 * stay: they document the model and must not drift either.
 */
function blocksExceptDatasource(schema: string): string[] {
  const lines = schema
    .split("\n")
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== "" && !line.trimStart().startsWith("//"));
  const blocks: string[] = [];
  let current: string[] | null = null;
  for (const line of lines) {
    if (current === null) {
      if (!/^(generator|datasource|model|enum|view|type)\s+\w+\s*\{$/.test(line)) {
        throw new Error(`unexpected top-level line: ${line}`);
      }
      current = [line];
    } else {
      current.push(line);
    }
    if (line === "}") {
      blocks.push(current.join("\n"));
      current = null;
    }
  }
  if (current !== null) throw new Error("unterminated block");
  return blocks.filter((block) => !block.startsWith("datasource "));
}

function datasourceProvider(schema: string): string | undefined {
  return /datasource\s+\w+\s*\{[^}]*provider\s*=\s*"(\w+)"/.exec(schema)?.[1];
}

function migrationNames(relative: string): string[] {
  const dir = path.join(root, relative);
  return readdirSync(dir)
    .filter((name) => statSync(path.join(dir, name)).isDirectory())
    .sort();
}

describe("schema twins", () => {
  const sqlite = read(twins.sqlite.schema);
  const postgres = read(twins.postgresql.schema);

  it("declare the intended providers", () => {
    expect(datasourceProvider(sqlite)).toBe("sqlite");
    expect(datasourceProvider(postgres)).toBe("postgresql");
  });

  it("have identical generators, models and enums (everything but the datasource block)", () => {
    const sqliteBlocks = blocksExceptDatasource(sqlite);
    expect(sqliteBlocks.some((b) => b.startsWith("generator client"))).toBe(true);
    expect(sqliteBlocks.filter((b) => b.startsWith("model ")).length).toBeGreaterThan(0);
    expect(blocksExceptDatasource(postgres)).toEqual(sqliteBlocks);
  });

  it("ship the same migrations, each locked to its provider", () => {
    const sqliteMigrations = migrationNames(twins.sqlite.migrations);
    expect(sqliteMigrations.length).toBeGreaterThan(0);
    expect(migrationNames(twins.postgresql.migrations)).toEqual(sqliteMigrations);
    for (const provider of ["sqlite", "postgresql"] as const) {
      const lock = read(`${twins[provider].migrations}/migration_lock.toml`);
      expect(lock).toMatch(new RegExp(`^provider = "${provider}"$`, "m"));
      for (const name of sqliteMigrations) {
        expect(read(`${twins[provider].migrations}/${name}/migration.sql`).trim()).not.toBe("");
      }
    }
  });
});

describe("migrations on the provider in use", () => {
  it("all applied cleanly to the test database (prisma migrate deploy built its template)", async () => {
    const provider = testDatabaseProvider();
    expect(process.env.DATABASE_URL).toMatch(provider === "postgresql" ? /^postgres(ql)?:\/\// : /^file:/);
    const { default: prisma } = await import("~/db.server");
    // The app's client serves the worker's clone of the template.
    const rows = await prisma.$queryRawUnsafe<
      { migration_name: string; checksum: string; finished: unknown; rolled_back: unknown }[]
    >(
      `SELECT migration_name, checksum,
              CASE WHEN finished_at IS NULL THEN 0 ELSE 1 END AS finished,
              CASE WHEN rolled_back_at IS NULL THEN 0 ELSE 1 END AS rolled_back
       FROM _prisma_migrations ORDER BY migration_name`,
    );
    const folder = twins[provider].migrations;
    const expected = migrationNames(folder).map((name) => ({
      migration_name: name,
      // Prisma's checksum is the sha256 of migration.sql: the native engine will accept these rows.
      checksum: createHash("sha256").update(read(`${folder}/${name}/migration.sql`)).digest("hex"),
      finished: 1,
      rolled_back: 0,
    }));
    expect(rows.map((r) => ({ ...r, finished: Number(r.finished), rolled_back: Number(r.rolled_back) }))).toEqual(
      expected,
    );
  });
});
