/**
 * The Prisma client, on the driver adapter that DATABASE_URL names: better-sqlite3 for `file:` URLs
 * (the embedded default), node-postgres for `postgres://`. See docs/decisions/002-prisma-6-offline.md.
 */
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@prisma/client";

export function createPrismaClient(databaseUrl: string): PrismaClient {
  if (databaseUrl.startsWith("file:")) {
    return new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: databaseUrl }) });
  }
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
}

declare global {
  // Survives Vite's module reloads in dev so each reload doesn't open another connection pool.
  var keepsakePrisma: PrismaClient | undefined;
}

function databaseUrl(): string {
  return process.env.DATABASE_URL ?? "file:./prisma/dev.sqlite";
}

const prisma: PrismaClient = globalThis.keepsakePrisma ?? createPrismaClient(databaseUrl());
if (process.env.NODE_ENV !== "production") globalThis.keepsakePrisma = prisma;

export default prisma;
