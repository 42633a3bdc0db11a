/**
 * Driver-adapter factories for the Prisma CLI only (prisma.config.ts → `migrate *`, `db *`, `studio`).
 * The app's runtime client never goes through this file: see app/db.server.ts.
 *
 * Prisma 6.19.3's wasm ("js") schema engine is the only way to run migrations on machines that
 * cannot download Prisma's native engines, but together with the 6.19.3 driver adapters it has five
 * bugs. Each work-around below names the bug it exists for; see docs/decisions/002-prisma-6-offline.md.
 * `DEBUG="prisma:driver-adapter*"` shows the real error behind the CLI's opaque `External error id#0`.
 *
 * Everything here is deliberately narrow (it only changes behaviour in the failing case), so a later
 * Prisma release that fixes a bug simply makes the corresponding branch dead code.
 */
import { randomUUID } from "node:crypto";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import type {
  SqlDriverAdapter,
  SqlMigrationAwareDriverAdapterFactory,
  SqlQuery,
  SqlResultSet,
  Transaction,
} from "@prisma/driver-adapter-utils";
import pg from "pg";

export const DEFAULT_DATABASE_URL = "file:./prisma/dev.sqlite";

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** The adapter factory for `url`, with the CLI work-arounds applied. */
export function cliAdapterFactory(url: string): SqlMigrationAwareDriverAdapterFactory {
  unrefLongWasmTimers();
  if (isPostgresUrl(url)) return new PostgresCliFactory(url);
  if (url.startsWith("file:")) return new SqliteCliFactory(url);
  throw new Error(`DATABASE_URL must be a file: (SQLite) or postgres:// URL, got "${redact(url)}"`);
}

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
}

/** The message of a driver error plus its DriverAdapterError cause (kind, originalMessage, …). */
function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  let cause = "";
  try {
    cause = JSON.stringify((error as { cause?: unknown }).cause ?? "");
  } catch {
    // ignore: a cause that does not serialise adds nothing useful
  }
  return `${error.message} ${cause}`;
}

/**
 * Delegates every SqlDriverAdapter method to `inner`; subclasses override what they fix.
 * (An explicit class instead of a Proxy so the engine sees plain own methods.)
 */
class DelegatingAdapter implements SqlDriverAdapter {
  readonly provider: SqlDriverAdapter["provider"];
  readonly adapterName: string;
  constructor(protected readonly inner: SqlDriverAdapter) {
    this.provider = inner.provider;
    this.adapterName = inner.adapterName;
  }
  queryRaw(query: SqlQuery): Promise<SqlResultSet> {
    return this.inner.queryRaw(query);
  }
  executeRaw(query: SqlQuery): Promise<number> {
    return this.inner.executeRaw(query);
  }
  executeScript(script: string): Promise<void> {
    return this.inner.executeScript(script);
  }
  startTransaction(...args: Parameters<SqlDriverAdapter["startTransaction"]>): Promise<Transaction> {
    return this.inner.startTransaction(...args);
  }
  getConnectionInfo() {
    return this.inner.getConnectionInfo?.() ?? { supportsRelationJoins: false };
  }
  dispose(): Promise<void> {
    return this.inner.dispose();
  }
}

/**
 * The wasm schema engine arms 10–60 s timers (through wasm-bindgen's `setTimeout` import) that it
 * never clears, so e.g. `migrate dev` sat idle for up to a minute after finishing. Timers of ≥ 1 s
 * created directly from a wasm frame are unref'd: they still fire if the process is alive, but no
 * longer keep it alive. Every other timer is untouched. Installed once per process.
 */
let timersPatched = false;
function unrefLongWasmTimers(): void {
  if (timersPatched) return;
  timersPatched = true;
  const originalSetTimeout = globalThis.setTimeout;
  const patched = function (this: unknown, handler: unknown, delay?: number, ...rest: unknown[]) {
    const timer = Reflect.apply(originalSetTimeout, this, [handler, delay, ...rest]) as unknown;
    if (typeof delay === "number" && delay >= 1000 && calledFromWasm()) {
      (timer as { unref?: () => void }).unref?.();
    }
    return timer;
  };
  Object.assign(patched, originalSetTimeout); // keeps setTimeout[util.promisify.custom]
  globalThis.setTimeout = patched as typeof setTimeout;
}

function calledFromWasm(): boolean {
  const stack = new Error().stack ?? "";
  return stack.includes("wasm://") || stack.includes("wasm-function");
}

// ---------------------------------------------------------------------------------------------
// SQLite (better-sqlite3): bugs 1–3
// ---------------------------------------------------------------------------------------------

// Prisma's own DDL for the migrations table on SQLite (identical to the native engine's).
const SQLITE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

class SqliteCliFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = "sqlite" as const;
  readonly adapterName: string;
  private readonly inner: PrismaBetterSQLite3;
  constructor(url: string) {
    this.inner = new PrismaBetterSQLite3({ url });
    this.adapterName = this.inner.adapterName;
  }
  async connect(): Promise<SqlDriverAdapter> {
    return new SqliteCliAdapter(await this.inner.connect());
  }
  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    // The shadow database is an in-memory SQLite database (the adapter's default): nothing to fix.
    return new SqliteCliAdapter(await this.inner.connectToShadowDb());
  }
}

class SqliteCliAdapter extends DelegatingAdapter {
  override async queryRaw(query: SqlQuery): Promise<SqlResultSet> {
    return this.withMigrationsTable(() => this.inner.queryRaw(query));
  }

  override async executeRaw(query: SqlQuery): Promise<number> {
    // Bug 3: `migrate reset` on the wasm engine only empties each table (`DELETE FROM …`), so
    // re-applying the migrations afterwards fails on "table already exists". Replace that script
    // with a real reset.
    if (query.args.length === 0 && isWasmResetScript(query.sql)) {
      await this.dropAllTables();
      return 0;
    }
    return this.withMigrationsTable(async () => {
      try {
        return await this.inner.executeRaw(query);
      } catch (error) {
        // Bug 1: `migrate dev` (from the 2nd migration on) and `migrate diff --from-migrations`
        // send a whole migration.sql through executeRaw; better-sqlite3's prepare() accepts only one
        // statement (→ P3006). An argument-less multi-statement call is a script: run it as one.
        if (query.args.length === 0 && /more than one statement/i.test(errorText(error))) {
          await this.inner.executeScript(query.sql);
          return 0;
        }
        throw error;
      }
    });
  }

  override async executeScript(script: string): Promise<void> {
    if (isWasmResetScript(script)) return this.dropAllTables(); // bug 3, script form
    return this.withMigrationsTable(() => this.inner.executeScript(script));
  }

  /**
   * Bug 2: `migrate dev` on a fresh SQLite file fails with P1014 "_prisma_migrations does not exist":
   * the wasm engine queries the table before creating it. Create it with Prisma's DDL and retry once.
   */
  private async withMigrationsTable<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const text = errorText(error);
      if (!/_prisma_migrations/.test(text) || !/no such table|TableDoesNotExist/i.test(text)) throw error;
      await this.inner.executeScript(SQLITE_MIGRATIONS_TABLE);
      return run();
    }
  }

  /**
   * Drop every table and view except SQLite's own and `_prisma_migrations`, which is emptied instead:
   * dropping it leaves `sqlite_sequence` behind and the engine then reports P3005 (non-empty schema).
   */
  private async dropAllTables(): Promise<void> {
    const objects = await this.inner.queryRaw({
      sql: `SELECT type, name FROM sqlite_master
            WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations'`,
      args: [],
      argTypes: [],
    });
    const statements = objects.rows.map(([type, name]) => {
      const quoted = `"${String(name).replace(/"/g, '""')}"`;
      return type === "view" ? `DROP VIEW IF EXISTS ${quoted};` : `DROP TABLE IF EXISTS ${quoted};`;
    });
    await this.inner.executeScript(
      [
        "PRAGMA foreign_keys = OFF;",
        ...statements,
        SQLITE_MIGRATIONS_TABLE + ";",
        'DELETE FROM "_prisma_migrations";',
        "PRAGMA foreign_keys = ON;",
      ].join("\n"),
    );
  }
}

/**
 * The wasm engine's SQLite reset script, e.g.
 * `PRAGMA defer_foreign_keys = 1; DELETE FROM A; DELETE FROM B; DELETE FROM _prisma_migrations`:
 * only foreign-key pragmas and DELETE FROM statements, one of them on `_prisma_migrations`.
 */
function isWasmResetScript(sql: string): boolean {
  const statements = sql
    .split(";")
    .map((s) => s.trim())
    .filter(Boolean);
  const deletes = statements.filter((s) => /^DELETE\s+FROM\s+/i.test(s));
  return (
    deletes.some((s) => /_prisma_migrations/.test(s)) &&
    statements.every(
      (s) => /^DELETE\s+FROM\s+/i.test(s) || /^PRAGMA\s+(defer_)?foreign_keys\s*=\s*\w+$/i.test(s),
    )
  );
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL (node-postgres): bugs 4–5, and prompt exit
// ---------------------------------------------------------------------------------------------

const TEXT_OID = 25;
const TEXT_ARRAY_OID = 1009;
// char, name, int2vector, regproc, xid, cid, oidvector, pg_node_tree, regconfig, regdictionary
const CATALOG_SCALAR_OIDS = new Set([18, 19, 22, 24, 28, 29, 30, 194, 2205, 2206]);
// char[], name[]
const CATALOG_ARRAY_OIDS = new Set([1002, 1003]);

type FieldLike = { dataTypeID: number };
type ResultLike = { fields?: FieldLike[] } | undefined;

/**
 * Bug 4 (prisma/orm#27403): the schema engine introspects pg_catalog, whose columns have types like
 * `name`, and adapter-pg throws "Column type 'name' could not be deserialized" for them. Their text
 * representation is exactly what the engine wants, so report them as text / text[] instead.
 */
function mapCatalogTypes<T>(result: T): T {
  const results = Array.isArray(result) ? (result as ResultLike[]) : [result as ResultLike];
  for (const r of results) {
    for (const field of r?.fields ?? []) {
      if (CATALOG_SCALAR_OIDS.has(field.dataTypeID)) field.dataTypeID = TEXT_OID;
      else if (CATALOG_ARRAY_OIDS.has(field.dataTypeID)) field.dataTypeID = TEXT_ARRAY_OID;
    }
  }
  return result;
}

type QueryFn = (...args: unknown[]) => unknown;

/** Wraps a pg.Client's query() (promise and callback forms) so results go through mapCatalogTypes. */
function patchClient(client: pg.PoolClient): void {
  const marked = client as pg.PoolClient & { __keepsakeCatalogTypes?: true };
  if (marked.__keepsakeCatalogTypes) return;
  marked.__keepsakeCatalogTypes = true;
  const original = client.query.bind(client) as QueryFn;
  (client as unknown as { query: QueryFn }).query = (...args: unknown[]) => {
    const last = args[args.length - 1];
    if (typeof last === "function") {
      const callback = last as (err: unknown, res: unknown) => void;
      return original(...args.slice(0, -1), (err: unknown, res: unknown) =>
        callback(err, err ? res : mapCatalogTypes(res)),
      );
    }
    const returned = original(...args);
    if (returned && typeof (returned as Promise<unknown>).then === "function") {
      return (returned as Promise<unknown>).then(mapCatalogTypes);
    }
    return returned; // a Submittable (cursor, stream): not used by the adapter
  };
}

function createPool(connectionString: string): pg.Pool {
  // allowExitOnIdle: an idle pool must not keep the CLI process alive after the command is done.
  const pool = new pg.Pool({ connectionString, allowExitOnIdle: true, max: 4 });
  pool.on("connect", patchClient); // every client, whether used via pool.query() or pool.connect()
  return pool;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

class PostgresCliFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = "postgres" as const;
  readonly adapterName = "@prisma/adapter-pg";
  constructor(private readonly url: string) {}

  async connect(): Promise<SqlDriverAdapter> {
    // A fresh pool per connection: adapter-pg's dispose() ends an external pool, and a second
    // connect() on the same factory would otherwise build a new, unpatched pool from its options.
    return new PrismaPg(createPool(this.url), { disposeExternalPool: true }).connect();
  }

  /**
   * Bug 5: adapter-pg's connectToShadowDb() creates the pool with `{ ...config, database }`, but pg
   * lets `connectionString` win, so the "shadow" database was the dev database itself, which
   * `migrate dev` then wiped. Create and drop a real one here (or wipe SHADOW_DATABASE_URL if set,
   * for hosts where the role may not CREATE DATABASE).
   */
  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const explicit = process.env.SHADOW_DATABASE_URL;
    if (explicit) {
      if (!isPostgresUrl(explicit)) throw new Error("SHADOW_DATABASE_URL must be a postgres:// URL");
      const adapter = await new PrismaPg(createPool(explicit), { disposeExternalPool: true }).connect();
      await adapter.executeScript("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public");
      return adapter;
    }
    const name = `prisma_migrate_shadow_db_${randomUUID()}`;
    const admin = createPool(this.url);
    await admin.query(`CREATE DATABASE "${name}"`);
    const shadow = await new PrismaPg(createPool(withDatabase(this.url, name)), {
      disposeExternalPool: true,
    }).connect();
    return new (class extends DelegatingAdapter {
      override async dispose(): Promise<void> {
        try {
          await this.inner.dispose();
          await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
        } finally {
          await admin.end();
        }
      }
    })(shadow);
  }
}
