/**
 * The Prisma client, on the driver adapter that DATABASE_URL names: better-sqlite3 for `file:` URLs
 * (the embedded default), node-postgres for `postgres://`. See docs/decisions/002-prisma-6-offline.md.
 */
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { type Prisma, PrismaClient } from "@prisma/client";
import type {
  ArgType,
  IsolationLevel,
  SqlDriverAdapter,
  SqlMigrationAwareDriverAdapterFactory,
  SqlQuery,
  SqlResultSet,
  Transaction,
} from "@prisma/driver-adapter-utils";
import { Mutex } from "async-mutex";
import { logger } from "./logger.server";
import { startWalCheckpointer } from "./sqlite-checkpointer.server";

/**
 * Set on every SQLite connection before its first query. WAL: a commit appends to the -wal file
 * instead of rewriting pages through a rollback journal; synchronous=NORMAL: fsync at checkpoints,
 * not at every commit (a power cut may lose the last commits, never corrupts the file).
 * docs/decisions/005-webhook-throughput.md. Back up with `.backup` or `VACUUM INTO`, not by copying.
 * cache_size: 64 MiB of pages kept in the process (better-sqlite3's default is 16 MiB): at 1M members
 * the nightly jobs otherwise read the same index pages back from the OS, a system call each
 * (ADR 014 addendum: several seconds of the worst night, for ≈ 50 MB more resident memory).
 */
export const SQLITE_PRAGMAS = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA cache_size = -65536;";

/**
 * better-sqlite3 answers synchronously, so a unit of work of many statements (applying a webhook is
 * ~15 Prisma queries, each compiled first) would be one unbroken chain of resolved promises that
 * holds the event loop for tens of milliseconds, while requests wait unread on their sockets.
 * Stepping out to the macrotask queue before each statement lets them in between (ADR 005).
 */
const letTheEventLoopIn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The better-sqlite3 adapter has ONE connection and locks it only for transactions: a query made
 * outside a transaction while another request's transaction is open runs INSIDE that transaction,
 * and is lost if it rolls back (which a duplicate ledger entry does by design). This wrapper puts
 * every statement — transactional or not — behind one mutex, so each unit of work owns the
 * connection until it ends. tests/integration/sqlite-serialization.test.ts proves it.
 */
class SerializedSqliteAdapter implements SqlDriverAdapter {
  readonly #inner: SqlDriverAdapter;
  readonly #mutex = new Mutex();

  constructor(inner: SqlDriverAdapter) {
    this.#inner = inner;
  }

  get provider() {
    return this.#inner.provider;
  }

  get adapterName() {
    return this.#inner.adapterName;
  }

  async queryRaw(query: SqlQuery): Promise<SqlResultSet> {
    await letTheEventLoopIn();
    return this.#mutex.runExclusive(() => this.#inner.queryRaw(query));
  }

  async executeRaw(query: SqlQuery): Promise<number> {
    await letTheEventLoopIn();
    return this.#mutex.runExclusive(() => this.#inner.executeRaw(query));
  }

  executeScript(script: string): Promise<void> {
    return this.#mutex.runExclusive(() => this.#inner.executeScript(script));
  }

  async startTransaction(isolationLevel?: IsolationLevel): Promise<Transaction> {
    await letTheEventLoopIn();
    const release = await this.#mutex.acquire();
    try {
      const transaction = await this.#inner.startTransaction(isolationLevel);
      return releasingOnEnd(transaction, release);
    } catch (error) {
      release();
      throw error;
    }
  }

  getConnectionInfo() {
    return this.#inner.getConnectionInfo?.() ?? { supportsRelationJoins: false };
  }

  readonly #onDispose: (() => Promise<void>)[] = [];

  onDispose(cleanup: () => Promise<void>): void {
    this.#onDispose.push(cleanup);
  }

  async dispose(): Promise<void> {
    await Promise.all(this.#onDispose.map((cleanup) => cleanup()));
    return this.#inner.dispose();
  }
}

function releasingOnEnd(transaction: Transaction, release: () => void): Transaction {
  let released = false;
  const releaseOnce = () => {
    if (!released) {
      released = true;
      release();
    }
  };
  return {
    get provider() {
      return transaction.provider;
    },
    get adapterName() {
      return transaction.adapterName;
    },
    options: transaction.options,
    queryRaw: async (query) => {
      await letTheEventLoopIn();
      return transaction.queryRaw(query);
    },
    executeRaw: async (query) => {
      await letTheEventLoopIn();
      return transaction.executeRaw(query);
    },
    commit: async () => {
      try {
        await transaction.commit();
      } finally {
        releaseOnce();
      }
    },
    rollback: async () => {
      try {
        await transaction.rollback();
      } finally {
        releaseOnce();
      }
    },
  };
}

declare global {
  // Kept with `keepsakePrisma` (below): a module graph loaded again in the same process (Vite reloads, a second
  // test file in one fork) reuses that client, so it must find the adapter the client was connected through.
  var keepsakeConnectedAdapters: WeakMap<PrismaClient, { current: SqlDriverAdapter | null }> | undefined;
}

/** The adapter each client is connected through, for `directQuery` (set when Prisma connects). */
const connectedAdapters = (globalThis.keepsakeConnectedAdapters ??= new WeakMap<PrismaClient, { current: SqlDriverAdapter | null }>());

function sqliteAdapterFactory(databaseUrl: string, connected: { current: SqlDriverAdapter | null }) {
  const factory = new PrismaBetterSQLite3({ url: databaseUrl });
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => {
      const adapter = new SerializedSqliteAdapter(await factory.connect());
      await adapter.executeScript(SQLITE_PRAGMAS);
      const file = databaseUrl.replace(/^file:/, "");
      if (file !== ":memory:") {
        // Checkpoints in a worker thread, not inside our commits (app/sqlite-checkpointer.server.ts).
        await adapter.executeScript("PRAGMA wal_autocheckpoint = 0;");
        const checkpointer = startWalCheckpointer(file, (problem, stopped) => {
          logger.warn({ problem, stopped }, stopped ? "SQLite checkpointer stopped: checkpoints back in commits" : "SQLite checkpoint failed");
          if (stopped) void adapter.executeScript("PRAGMA wal_autocheckpoint = 1000;").catch(() => undefined);
        });
        adapter.onDispose(() => checkpointer.stop());
      }
      connected.current = adapter;
      return adapter;
    },
    connectToShadowDb: () => factory.connectToShadowDb(),
  } satisfies SqlMigrationAwareDriverAdapterFactory;
}

function postgresAdapterFactory(databaseUrl: string, connected: { current: SqlDriverAdapter | null }) {
  const factory = new PrismaPg({ connectionString: databaseUrl });
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => (connected.current = await factory.connect()),
    connectToShadowDb: () => factory.connectToShadowDb(),
  } satisfies SqlMigrationAwareDriverAdapterFactory;
}

export function createPrismaClient(databaseUrl: string): PrismaClient {
  const connected = { current: null as SqlDriverAdapter | null };
  const adapter = databaseUrl.startsWith("file:")
    ? sqliteAdapterFactory(databaseUrl, connected)
    : postgresAdapterFactory(databaseUrl, connected);
  const client = new PrismaClient({ adapter });
  connectedAdapters.set(client, connected);
  return client;
}

function argTypeOf(value: unknown): ArgType {
  const scalarType =
    value instanceof Date
      ? "datetime"
      : typeof value === "number"
        ? Number.isInteger(value)
          ? "int"
          : "float"
        : typeof value === "bigint"
          ? "bigint"
          : typeof value === "string"
            ? "string"
            : "unknown";
  return { scalarType, arity: "scalar" };
}

/**
 * A statement (built with Prisma.sql, so values are always parameters) sent straight to the
 * client's driver adapter, past Prisma's query compiler — which costs more than the statement
 * itself on the webhook inbox's group writes (ADR 005). For those hot paths only; everything else
 * uses the Prisma client. On SQLite it goes through the same serialized connection as Prisma's own
 * statements; on PostgreSQL it runs on its own pooled connection, outside any transaction.
 * Rows come back as objects of the selected columns (SQLite integers as bigint).
 */
export async function directQuery(client: PrismaClient, statement: Prisma.Sql): Promise<Record<string, unknown>[]> {
  const connected = connectedAdapters.get(client);
  if (!connected) throw new Error("directQuery needs a client made by createPrismaClient");
  if (!connected.current) await client.$connect();
  const adapter = connected.current;
  if (!adapter) throw new Error("the Prisma client did not connect its driver adapter");
  const sql = adapter.provider === "postgres" ? statement.text : statement.sql;
  const result = await adapter.queryRaw({ sql, args: statement.values, argTypes: statement.values.map(argTypeOf) });
  return result.rows.map((row) => Object.fromEntries(result.columnNames.map((name, index) => [name, row[index]])));
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
