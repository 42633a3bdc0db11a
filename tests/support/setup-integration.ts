/**
 * Vitest setupFiles for the integration project. Runs in the test worker before each test file (and
 * so before any app module is imported): gives the file its own database, cloned from the migrated
 * template that tests/support/global-setup.ts built, and points DATABASE_URL at it, so the default
 * client of app/db.server.ts uses it. Within a file, use resetDatabase() from ./database to isolate
 * tests.
 *
 * With vitest's default isolation every test file runs in a fresh worker context and gets a fresh
 * database; if isolation is turned off, a worker keeps the database it created first (the app's
 * client is a process-wide singleton).
 */
import { randomBytes } from "node:crypto";
import { copyFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, inject } from "vitest";
import { postgresUrlFor, type TestDatabaseInfo } from "./database";

declare global {
  var keepsakeTestDatabaseUrl: string | undefined;
}

process.env.NODE_ENV ??= "test";
process.env.SHOPIFY_API_KEY ??= "test-api-key";
process.env.SHOPIFY_API_SECRET ??= "test-api-secret";
process.env.SHOPIFY_APP_URL ??= "https://keepsake.test";
process.env.SCOPES ??= "read_orders,write_customers,write_discounts";
process.env.LOG_LEVEL ??= "silent";

function cloneName(): string {
  return `w${process.env.VITEST_POOL_ID ?? "0"}_${process.pid}_${randomBytes(4).toString("hex")}`;
}

async function createPostgresClone(info: Extract<TestDatabaseInfo, { provider: "postgresql" }>): Promise<string> {
  const name = `${info.prefix}_${cloneName()}`;
  const admin = new pg.Client({ connectionString: info.adminUrl });
  await admin.connect();
  try {
    // CREATE DATABASE … TEMPLATE fails (55006) while another session is connected to the template;
    // only migrate deploy ever connects to it, but retry briefly in case a clone runs concurrently.
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${info.templateName}"`);
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== "55006" || attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  } finally {
    await admin.end();
  }
  return postgresUrlFor(info.adminUrl, name);
}

async function createDatabase(): Promise<string> {
  const info = inject("keepsakeTestDatabase");
  if (!info) throw new Error("keepsakeTestDatabase not provided: is tests/support/global-setup.ts configured?");
  if (info.provider === "postgresql") return createPostgresClone(info);
  const file = path.join(info.dir, `${cloneName()}.sqlite`);
  copyFileSync(info.templatePath, file);
  return `file:${file}`;
}

globalThis.keepsakeTestDatabaseUrl ??= await createDatabase();
process.env.DATABASE_URL = globalThis.keepsakeTestDatabaseUrl;

afterAll(async () => {
  // Close the app client's connections so Postgres clones can be dropped at teardown.
  await globalThis.keepsakePrisma?.$disconnect();
});
