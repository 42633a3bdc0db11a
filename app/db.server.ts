/**
 * The Prisma client, on the driver adapter that DATABASE_URL names: better-sqlite3 for `file:` URLs
 * (the embedded default), node-postgres for `postgres://`. See docs/decisions/002-prisma-6-offline.md.
 */
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@prisma/client";
import type {
  IsolationLevel,
  SqlDriverAdapter,
  SqlMigrationAwareDriverAdapterFactory,
  SqlQuery,
  SqlResultSet,
  Transaction,
} from "@prisma/driver-adapter-utils";
import { Mutex } from "async-mutex";

/**
 * Set on every SQLite connection before its first query. WAL: a commit appends to the -wal file
 * instead of rewriting pages through a rollback journal; synchronous=NORMAL: fsync at checkpoints,
 * not at every commit (a power cut may lose the last commits, never corrupts the file).
 * docs/decisions/005-webhook-throughput.md. Back up with `.backup` or `VACUUM INTO`, not by copying.
 */
export const SQLITE_PRAGMAS = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;";

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

  queryRaw(query: SqlQuery): Promise<SqlResultSet> {
    return this.#mutex.runExclusive(() => this.#inner.queryRaw(query));
  }

  executeRaw(query: SqlQuery): Promise<number> {
    return this.#mutex.runExclusive(() => this.#inner.executeRaw(query));
  }

  executeScript(script: string): Promise<void> {
    return this.#mutex.runExclusive(() => this.#inner.executeScript(script));
  }

  async startTransaction(isolationLevel?: IsolationLevel): Promise<Transaction> {
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

  dispose(): Promise<void> {
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
    queryRaw: (query) => transaction.queryRaw(query),
    executeRaw: (query) => transaction.executeRaw(query),
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

function sqliteAdapterFactory(databaseUrl: string): SqlMigrationAwareDriverAdapterFactory {
  const factory = new PrismaBetterSQLite3({ url: databaseUrl });
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => {
      const adapter = new SerializedSqliteAdapter(await factory.connect());
      await adapter.executeScript(SQLITE_PRAGMAS);
      return adapter;
    },
    connectToShadowDb: () => factory.connectToShadowDb(),
  };
}

export function createPrismaClient(databaseUrl: string): PrismaClient {
  if (databaseUrl.startsWith("file:")) {
    return new PrismaClient({ adapter: sqliteAdapterFactory(databaseUrl) });
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
