/**
 * Test-database helpers for the integration project (vite.config.ts).
 *
 * - tests/support/global-setup.ts builds ONE migrated template database per run (with the real
 *   `prisma migrate deploy`, so every test run also proves the migrations apply) and provides
 *   `keepsakeTestDatabase` to the workers.
 * - tests/support/setup-integration.ts clones it for each test file before any app module is
 *   imported and points DATABASE_URL (hence app/db.server.ts) at the clone.
 * - resetDatabase(prisma) empties every table, for beforeEach-level isolation inside a file.
 *
 * Provider: DATABASE_URL=postgres://… in the environment selects PostgreSQL (the generated client must
 * be the Postgres one: `npx prisma generate --schema prisma/postgres/schema.prisma`); anything else,
 * SQLite. The developer's own database is never touched.
 */
import { Prisma, type PrismaClient } from "@prisma/client";

export type TestDatabaseProvider = "sqlite" | "postgresql";

export type TestDatabaseInfo =
  | { provider: "sqlite"; templatePath: string; dir: string }
  | {
      provider: "postgresql";
      /** The server's URL as given in DATABASE_URL: workers connect here to CREATE DATABASE. */
      adminUrl: string;
      templateName: string;
      /** Every database of this run starts with it, so teardown can drop them all. */
      prefix: string;
    };

declare module "vitest" {
  export interface ProvidedContext {
    keepsakeTestDatabase: TestDatabaseInfo;
  }
}

export function isPostgresUrl(url: string | undefined): boolean {
  return /^postgres(ql)?:\/\//i.test(url ?? "");
}

/** The provider the current DATABASE_URL (a worker's clone, once setup has run) points at. */
export function testDatabaseProvider(): TestDatabaseProvider {
  return isPostgresUrl(process.env.DATABASE_URL) ? "postgresql" : "sqlite";
}

/** `url` with its database name replaced. */
export function postgresUrlFor(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/**
 * Table names of every model, children before parents (a model that holds a foreign key comes
 * before the model it references), so plain DELETEs never trip a foreign key on either provider.
 */
export function tablesInDeleteOrder(): string[] {
  const models = Prisma.dmmf.datamodel.models;
  const dependsOn = new Map<string, Set<string>>(); // model -> models it references
  for (const model of models) {
    const refs = new Set<string>();
    for (const field of model.fields) {
      if (field.kind === "object" && field.relationFromFields && field.relationFromFields.length > 0) {
        if (field.type !== model.name) refs.add(field.type);
      }
    }
    dependsOn.set(model.name, refs);
  }
  // Parents first (topological order), then reverse.
  const ordered: string[] = [];
  const visiting = new Set<string>();
  const visit = (name: string) => {
    if (ordered.includes(name) || visiting.has(name)) return; // a cycle: order within it is moot
    visiting.add(name);
    for (const ref of dependsOn.get(name) ?? []) visit(ref);
    visiting.delete(name);
    ordered.push(name);
  };
  for (const model of models) visit(model.name);
  const tableOf = new Map(models.map((m) => [m.name, m.dbName ?? m.name]));
  return ordered.reverse().map((name) => tableOf.get(name) ?? name);
}

/**
 * Deletes every row of every model's table (not `_prisma_migrations`), in one transaction.
 * Works on SQLite and PostgreSQL alike: `DELETE FROM "Table"` in foreign-key-safe order.
 */
export async function resetDatabase(prisma: PrismaClient): Promise<void> {
  const statements = tablesInDeleteOrder().map((table) =>
    prisma.$executeRawUnsafe(`DELETE FROM "${table.replace(/"/g, '""')}"`),
  );
  await prisma.$transaction(statements);
}
