/**
 * What the benches that build big SQLite files share: deterministic data and Prisma's stored shapes.
 */
import { createHash } from "node:crypto";
import Database from "better-sqlite3";
import { readdirSync } from "node:fs";
import path from "node:path";

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32): the same seed builds the same data. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Prisma's SQLite DateTime text (what the driver adapter writes and reads). */
export const sqliteDateTime = (date: Date | number): string => new Date(date).toISOString().replace("Z", "+00:00");

/** Changes whenever a migration is added: part of a cached database's name, so a stale file is rebuilt. */
export function migrationsKey(root: string): string {
  const dir = path.join(root, "prisma/migrations");
  return createHash("sha256").update(readdirSync(dir).sort().join(",")).digest("hex").slice(0, 10);
}

/**
 * Puts a bench's SQLite file in the state production files are in: no planner statistics (the app
 * never runs ANALYZE, so SQLite plans from its built-in guesses). With `analyze`, the opposite: full
 * statistics, as an operator's ANALYZE would leave them — to compare plans, not to judge targets.
 * Answers which state the file is in.
 */
export function setPlannerStatistics(file: string, analyze: boolean): "analyzed" | "none" {
  const sqlite = new Database(file);
  try {
    const hasStats = sqlite.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'`).get() !== undefined;
    if (analyze) {
      if (!hasStats) sqlite.exec("ANALYZE");
      return "analyzed";
    }
    if (hasStats) sqlite.exec("DROP TABLE sqlite_stat1");
    sqlite.exec("DROP TABLE IF EXISTS sqlite_stat4");
    return "none";
  } finally {
    sqlite.close();
  }
}

/**
 * Drops the secondary indexes of `tables` before a bulk load (one rebuild at the end is far cheaper
 * than keeping them during millions of inserts). Returns the rebuild: call it once the rows are in.
 */
export function dropIndexesForLoad(sqlite: Database.Database, tables: string[]): () => void {
  const indexes = sqlite
    .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${tables.map(() => "?").join(", ")})`)
    .all(...tables) as { name: string; sql: string }[];
  for (const index of indexes) sqlite.exec(`DROP INDEX "${index.name}"`);
  return () => {
    for (const index of indexes) sqlite.exec(index.sql);
  };
}
