/**
 * What the benches that build big SQLite files share: deterministic data and Prisma's stored shapes.
 */
import { createHash } from "node:crypto";
import Database from "better-sqlite3";
import { spawnSync } from "node:child_process";
import { copyFileSync, readdirSync, rmSync } from "node:fs";
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

/**
 * A fresh SQLite file with every migration applied (`prisma migrate deploy`), opened for a bulk load
 * (no journal, no fsync, no foreign-key checks). Set `journal_mode = DELETE` and close it when done.
 */
export function migratedForLoad(root: string, file: string): Database.Database {
  rmSync(file, { force: true });
  const migrated = spawnSync("npx", ["prisma", "migrate", "deploy", "--schema", "prisma/schema.prisma"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: `file:${file}` },
    encoding: "utf8",
  });
  if (migrated.status !== 0) throw new Error(`prisma migrate deploy failed:\n${migrated.stdout}\n${migrated.stderr}`);
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = OFF");
  sqlite.pragma("synchronous = OFF");
  sqlite.pragma("foreign_keys = OFF");
  return sqlite;
}

/** The environment the app needs to boot in a bench's child process, pointed at `file`. */
export function setBenchEnv(file: string, scopes = "read_orders,write_customers"): void {
  process.env.DATABASE_URL = `file:${file}`;
  process.env.NODE_ENV ??= "production";
  process.env.LOG_LEVEL ??= "warn";
  process.env.SHOPIFY_API_KEY ??= "bench-key";
  process.env.SHOPIFY_API_SECRET ??= "bench-secret";
  process.env.SHOPIFY_APP_URL ??= "https://keepsake.bench";
  process.env.SCOPES ??= scopes;
}

/**
 * Copies the cached dataset to a working file, runs `script --run <working> ...args` in a child Node
 * (same loader flags) and returns its stdout, the bench's JSON. The copy is deleted unless `keep`.
 */
export function runOnWorkingCopy(options: { cached: string; dir: string; root: string; script: string; args?: string[]; keep?: boolean }): string {
  const working = path.join(options.dir, `work-${process.pid}.sqlite`);
  copyFileSync(options.cached, working);
  const child = spawnSync(process.execPath, [...process.execArgv, options.script, "--run", working, ...(options.args ?? [])], {
    cwd: options.root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 16 * 1024 * 1024,
  });
  if (!options.keep) for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${working}${suffix}`, { force: true });
  if (child.status !== 0) throw new Error(`job run failed (exit ${child.status})`);
  return child.stdout;
}

