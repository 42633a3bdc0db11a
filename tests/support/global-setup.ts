/**
 * Vitest globalSetup for the integration project: builds ONE migrated template database per run with
 * the real `prisma migrate deploy` (prisma.config.ts picks the schema and migrations from DATABASE_URL)
 * and provides its location to the workers as `keepsakeTestDatabase` (see tests/support/database.ts).
 *
 * - SQLite (default, or any non-postgres DATABASE_URL): a template file in a fresh temp directory;
 *   the developer's own database file is never touched.
 * - PostgreSQL (DATABASE_URL=postgres://… in the environment): a template database
 *   `<prefix>_tpl` on that server; teardown drops it and every `<prefix>_…` clone.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { isPostgresUrl, postgresUrlFor, type TestDatabaseInfo } from "./database";

const execFileAsync = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

async function migrateDeploy(databaseUrl: string): Promise<void> {
  const cli = path.join(root, "node_modules", "prisma", "build", "index.js");
  try {
    await execFileAsync(process.execPath, [cli, "migrate", "deploy"], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`prisma migrate deploy failed for the test template:\n${e.stdout ?? ""}\n${e.stderr ?? e.message}`);
  }
}

/** The generated client serves one provider; fail early and clearly if it is the other one. */
function assertGeneratedClientProvider(expected: "sqlite" | "postgresql"): void {
  const schema = path.join(root, "node_modules", ".prisma", "client", "schema.prisma");
  if (!existsSync(schema)) return; // not generated at all: the import will say so
  const provider = /datasource\s+\w+\s*\{[^}]*provider\s*=\s*"(\w+)"/.exec(readFileSync(schema, "utf8"))?.[1];
  if (provider && provider !== expected) {
    const command =
      expected === "postgresql" ? "npx prisma generate --schema prisma/postgres/schema.prisma" : "npx prisma generate";
    throw new Error(
      `The generated Prisma client is for ${provider} but DATABASE_URL is ${expected}. Run: ${command}`,
    );
  }
}

async function dropDatabases(adminUrl: string, prefix: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE $1",
      [`${prefix}\\_%`],
    );
    for (const { datname } of rows) {
      await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = process.env.DATABASE_URL;

  if (isPostgresUrl(url)) {
    const adminUrl = url as string;
    assertGeneratedClientProvider("postgresql");
    // Short, unique, lower-case: Postgres identifiers are at most 63 bytes.
    const prefix = `ks_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
    const templateName = `${prefix}_tpl`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${templateName}"`);
    } finally {
      await admin.end();
    }
    try {
      await migrateDeploy(postgresUrlFor(adminUrl, templateName));
    } catch (error) {
      await dropDatabases(adminUrl, prefix);
      throw error;
    }
    const info: TestDatabaseInfo = { provider: "postgresql", adminUrl, templateName, prefix };
    project.provide("keepsakeTestDatabase", info);
    return () => dropDatabases(adminUrl, prefix);
  }

  assertGeneratedClientProvider("sqlite");
  const dir = mkdtempSync(path.join(tmpdir(), "keepsake-test-db-"));
  const templatePath = path.join(dir, "template.sqlite");
  try {
    await migrateDeploy(`file:${templatePath}`);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const info: TestDatabaseInfo = { provider: "sqlite", templatePath, dir };
  project.provide("keepsakeTestDatabase", info);
  return async () => rmSync(dir, { recursive: true, force: true });
}
