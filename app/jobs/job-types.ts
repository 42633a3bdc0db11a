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
  /**
   * The shop-local business day this run is for (the scheduler catches up missed days oldest first);
   * for a queued run (registry `queuedJobs`), the run's period key.
   */
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
  /**
   * Jobs (by name) whose run of the same (shop, day) must be done before this one starts, on any
   * instance: until then the scheduler leaves this job's day unclaimed ("waiting") and retries it on
   * a later pass. A prerequisite that will never run that day (its first day came later, or the day
   * is past its catch-up window) does not hold it back. docs/decisions/014, addendum "Dependencies".
   */
  after?: readonly string[];
  /**
   * Jobs with the same group never run at the same time for one shop, on any instance: the run holds
   * the shop's group lock (shop-lock.server.ts) from its first batch to its last, and a run that finds
   * it held is "busy" and tried again on a later pass. `tiers`: the tier review and the tier placement.
   */
  exclusive?: string;
}

/**
 * `jobs` with every job after the jobs it names in `after` (those in the list), otherwise in the
 * given order. Throws on a cycle, which would make the jobs in it wait for each other forever.
 */
export function inDependencyOrder(jobs: readonly ShopJob[]): ShopJob[] {
  const byName = new Map(jobs.map((job) => [job.name, job]));
  const ordered: ShopJob[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (job: ShopJob, path: string[]) => {
    const seen = state.get(job.name);
    if (seen === "done") return;
    if (seen === "visiting") throw new Error(`daily jobs wait for each other: ${[...path, job.name].join(" → ")}`);
    state.set(job.name, "visiting");
    for (const name of job.after ?? []) {
      const prerequisite = byName.get(name);
      if (prerequisite) visit(prerequisite, [...path, job.name]);
    }
    state.set(job.name, "done");
    ordered.push(job);
  };
  for (const job of jobs) visit(job, []);
  return ordered;
}
