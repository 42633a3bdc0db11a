/**
 * The contract between the scheduler (app/jobs/scheduler.server.ts) and the daily per-shop jobs it
 * runs (tier review, expiry sweep, expiry reminders, birthday rewards). docs/decisions/011 describes
 * the design: one JobRun row per (shop, job, period) is the lease; a job works through members in
 * keyset batches after `cursor`, and every entry or notice it writes carries an idempotency key, so a
 * batch replayed after a crash writes nothing twice.
 */
import type { PrismaClient } from "@prisma/client";
import type { Logger } from "~/logger.server";
import type { LocalDate } from "~/loyalty/schedule";

export interface JobShop {
  id: string;
  domain: string;
  ianaTimezone: string;
}

export interface ShopJobContext {
  db: PrismaClient;
  shop: JobShop;
  /** The shop-local business day this run is for (the scheduler catches up missed days oldest first). */
  day: LocalDate;
  /** The injected clock's instant for this run. */
  now: Date;
  log: Logger;
}

export interface BatchResult {
  /** Members (or rows) looked at in this batch. */
  processed: number;
  /** Ledger entries, tier changes, notifications or codes written in this batch. */
  written: number;
  /** Where the next batch starts (the last member id processed); null when the job is finished. */
  nextCursor: string | null;
}

/** One batch of a daily per-shop job, starting after `cursor` (null = from the beginning). */
export type ShopJobBatch = (context: ShopJobContext, cursor: string | null, batchSize: number) => Promise<BatchResult>;

export interface ShopJob {
  /** Stable name, part of the JobRun key: tier-review | expiry-sweep | expiry-reminders | birthday-rewards. */
  name: string;
  runBatch: ShopJobBatch;
}
