/**
 * Prisma CLI configuration (Prisma 6.19.3, wasm "js" schema engine + driver adapters).
 * Why this shape: docs/decisions/002-prisma-6-offline.md.
 *
 * - DATABASE_URL (from the environment; with a config file Prisma does not read .env) picks both the
 *   driver adapter and the schema: `file:` → prisma/schema.prisma (+ prisma/migrations),
 *   `postgres://` → prisma/postgres/schema.prisma (+ prisma/postgres/migrations).
 *   Default: file:./prisma/dev.sqlite (relative to the working directory, like app/db.server.ts).
 * - So `npx prisma migrate deploy` and `npx prisma generate` just work for either provider.
 */
import path from "node:path";
import { defineConfig } from "prisma/config";
import { cliAdapterFactory, DEFAULT_DATABASE_URL, isPostgresUrl } from "./prisma/cli-adapter";

// Prisma checks for its native engines (and tries to download them) unless these point at an
// existing file. With `engine: "js"` and `engineType = "client"` neither is ever executed, so any
// existing path will do. Prisma loads this file before that check, so setting them here is enough.
process.env.PRISMA_QUERY_ENGINE_LIBRARY ??= process.execPath;
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;

const databaseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
const postgres = isPostgresUrl(databaseUrl);

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", postgres ? "postgres" : "", "schema.prisma"),
  async adapter() {
    return cliAdapterFactory(databaseUrl);
  },
});
