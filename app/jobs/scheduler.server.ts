/**
 * The daily job scheduler (docs/decisions/011 "Scheduler", 014): every minute, for every installed
 * shop and every daily job in app/jobs/registry.server.ts, runs the business days the job still owes
 * (oldest first, schedule.ts businessDaysToRun) through one JobRun row per (shop, job, day):
 *
 * - Inserting the row makes this process the runner: the unique (shopId, job, periodKey) constraint
 *   lets exactly one instance win, on SQLite and on PostgreSQL alike.
 * - A row whose lease ended (a crashed or stalled runner, or a failed run waiting out its retry
 *   delay) is taken over with a conditional UPDATE … WHERE leaseUntil < now; only one taker matches.
 * - The job works in keyset batches after `cursor`; after each batch the cursor, the counts and a
 *   renewed lease are committed, fenced on `leaseOwner` (a runner that lost its lease stops). A
 *   takeover resumes after the last committed batch; a batch replayed anyway writes nothing twice
 *   because every entry and notification carries its idempotency key (the unique constraint guards).
 * - `done` is final: a rerun of the same (shop, job, day) does nothing.
 * - A job that declares `after: [other]` (job-types.ts) is not claimed for (shop, day) until other's
 *   run of that day is done, on whichever instance ran it; until then it is "waiting" and a later
 *   pass tries again (so the order the design relies on holds across instances, not only within one).
 * - The clock is injected (`now`), so tests drive business days forward; `runDueJobs` is the entry.
 */
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import type { PrismaClient } from "@prisma/client";
import defaultDb from "~/db.server";
import { logger } from "~/logger.server";
import { isUniqueViolation } from "~/loyalty/ledger.server";
import { businessDaysToRun, type LocalDate } from "~/loyalty/schedule";
import { inDependencyOrder, type JobShop, type ShopJob } from "./job-types";
import { dailyJobs, queuedJobs } from "./registry.server";
import { acquireShopLock, releaseShopLock, renewShopLock } from "./shop-lock.server";

export const DEFAULT_BATCH_SIZE = 500;
/** Long enough for any one batch; renewed after each. */
export const DEFAULT_LEASE_MS = 5 * 60_000;
/** A failed run is retried (taken over) after this long. */
export const RETRY_AFTER_MS = 10 * 60_000;

export type RunOutcome = "ran" | "resumed" | "already-done" | "busy" | "lost-lease" | "failed" | "waiting";

export interface JobDayReport {
  job: string;
  shopId: string;
  day: LocalDate;
  outcome: RunOutcome;
  processed: number;
  written: number;
}

export interface SchedulerOptions {
  /** The instant this pass runs at (business days come from it); default: the wall clock. */
  now?: Date;
  /** Lease renewals; default: `now` if given, else the wall clock. */
  clock?: () => Date;
  /** Lease owner name; default: this process. */
  owner?: string;
  db?: PrismaClient;
  jobs?: readonly ShopJob[];
  /** Jobs whose runs requests queue (registry `queuedJobs`); default: those, or none when `jobs` is given. */
  queued?: readonly ShopJob[];
  batchSize?: number;
  leaseMs?: number;
  /** How long a failed run waits before it is taken over again; default RETRY_AFTER_MS. */
  retryAfterMs?: number;
}

const PROCESS_OWNER = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 1000);

interface Settings {
  db: PrismaClient;
  owner: string;
  now: Date;
  clock: () => Date;
  batchSize: number;
  leaseMs: number;
  retryAfterMs: number;
}

function settingsOf(options: SchedulerOptions): Settings {
  const now = options.now ?? new Date();
  return {
    db: options.db ?? defaultDb,
    owner: options.owner ?? PROCESS_OWNER,
    now,
    clock: options.clock ?? (options.now ? () => now : () => new Date()),
    batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
    leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
    retryAfterMs: options.retryAfterMs ?? RETRY_AFTER_MS,
  };
}

const leaseUntil = (s: Settings) => new Date(s.clock().getTime() + s.leaseMs);

type Claim = { kind: "claimed"; id: string; cursor: string | null; resumed: boolean } | { kind: "already-done" | "busy" };

/** Becomes the runner of (shop, job, day): insert the row, or take over an ended lease. */
async function claim(s: Settings, shopId: string, job: string, day: LocalDate): Promise<Claim> {
  try {
    const row = await s.db.jobRun.create({
      data: { shopId, job, periodKey: day, status: "running", leaseOwner: s.owner, leaseUntil: leaseUntil(s), startedAt: s.clock() },
      select: { id: true },
    });
    return { kind: "claimed", id: row.id, cursor: null, resumed: false };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
  const key = { shopId, job, periodKey: day };
  const taken = await s.db.jobRun.updateMany({
    where: { ...key, status: { not: "done" }, OR: [{ leaseUntil: null }, { leaseUntil: { lt: s.clock() } }] },
    data: { status: "running", leaseOwner: s.owner, leaseUntil: leaseUntil(s), error: null },
  });
  const row = await s.db.jobRun.findUnique({
    where: { shopId_job_periodKey: key },
    select: { id: true, status: true, cursor: true, leaseOwner: true },
  });
  if (taken.count === 1 && row?.leaseOwner === s.owner) return { kind: "claimed", id: row.id, cursor: row.cursor, resumed: true };
  return { kind: row?.status === "done" ? "already-done" : "busy" };
}

/**
 * Runs (or resumes) one job for one shop and business day, batch by batch; a job of an `exclusive`
 * group holds the shop's group lock throughout (renewed with each batch), or is "busy".
 */
export async function runJobDay(job: ShopJob, shop: JobShop, day: LocalDate, options: SchedulerOptions = {}): Promise<JobDayReport> {
  const s = settingsOf(options);
  const group = job.exclusive;
  if (!group) return runClaimed(s, job, shop, day, null);
  const holder = `${s.owner}|${job.name}|${day}`;
  if (!(await acquireShopLock(s, shop.id, group, holder))) {
    return { job: job.name, shopId: shop.id, day, outcome: "busy", processed: 0, written: 0 };
  }
  try {
    return await runClaimed(s, job, shop, day, () => renewShopLock(s, shop.id, group, holder));
  } finally {
    await releaseShopLock(s, shop.id, group, holder);
  }
}

async function runClaimed(s: Settings, job: ShopJob, shop: JobShop, day: LocalDate, renew: (() => Promise<boolean>) | null): Promise<JobDayReport> {
  const report: JobDayReport = { job: job.name, shopId: shop.id, day, outcome: "busy", processed: 0, written: 0 };
  const claimed = await claim(s, shop.id, job.name, day);
  if (claimed.kind !== "claimed") return { ...report, outcome: claimed.kind };
  const log = logger.child({ shop: shop.domain, job: job.name, day, owner: s.owner });
  let cursor = claimed.cursor;
  try {
    for (;;) {
      const batch = await job.runBatch({ db: s.db, shop, day, now: s.now, log }, cursor, s.batchSize);
      const finished = batch.nextCursor === null;
      const at = s.clock();
      const advanced = await s.db.jobRun.updateMany({
        where: { id: claimed.id, leaseOwner: s.owner, status: "running" },
        data: {
          cursor: batch.nextCursor ?? cursor,
          processed: { increment: batch.processed },
          written: { increment: batch.written },
          ...(finished ? { status: "done", finishedAt: at, leaseUntil: null } : { leaseUntil: leaseUntil(s) }),
        },
      });
      report.processed += batch.processed;
      report.written += batch.written;
      if (advanced.count !== 1 || (renew && !finished && !(await renew()))) {
        log.warn({ processed: report.processed }, "job lease lost: another instance took the run over");
        return { ...report, outcome: "lost-lease" };
      }
      if (finished) break;
      cursor = batch.nextCursor;
    }
  } catch (error) {
    log.error({ error: describe(error), cursor }, "daily job failed; retried after the delay");
    await s.db.jobRun.updateMany({
      where: { id: claimed.id, leaseOwner: s.owner },
      data: { status: "failed", error: describe(error), leaseUntil: new Date(s.clock().getTime() + s.retryAfterMs) },
    });
    return { ...report, outcome: "failed" };
  }
  if (report.written > 0 || claimed.resumed) log.info({ processed: report.processed, written: report.written, resumed: claimed.resumed }, "daily job done");
  return { ...report, outcome: claimed.resumed ? "resumed" : "ran" };
}

/** The business days `job` still owes `shop` at `now`, oldest first. */
export async function owedDays(db: PrismaClient, job: string, shop: JobShop, now: Date): Promise<LocalDate[]> {
  const last = await db.jobRun.findFirst({
    where: { shopId: shop.id, job, status: "done" },
    orderBy: { periodKey: "desc" },
    select: { periodKey: true },
  });
  return businessDaysToRun(last?.periodKey ?? null, now, shop.ianaTimezone);
}

/**
 * Whether every job `job` runs after is done for (shop, day) — or will never run that day: no row,
 * and the day is not among the days it owes (its first day came later, or the day is past its
 * catch-up window). A row that is running or failed, or a day still owed, holds the job back.
 */
async function prerequisitesDone(
  s: Settings,
  shop: JobShop,
  job: ShopJob,
  day: LocalDate,
  owedOf: (name: string) => Promise<Set<LocalDate>>,
): Promise<boolean> {
  for (const name of job.after ?? []) {
    const row = await s.db.jobRun.findUnique({
      where: { shopId_job_periodKey: { shopId: shop.id, job: name, periodKey: day } },
      select: { status: true },
    });
    if (row?.status === "done") continue;
    if (row || (await owedOf(name)).has(day)) return false;
  }
  return true;
}

const COMPLETED: ReadonlySet<RunOutcome> = new Set(["ran", "resumed", "already-done"]);

/**
 * One scheduler pass: every installed shop, its owed days oldest first, and on each day every job
 * in registry order, prerequisites first (`inDependencyOrder`). A job whose prerequisite has not
 * finished that day (here or on another instance) is "waiting": it is not claimed, and a later pass
 * tries again. A day that is busy (another instance runs it), failed or waiting stops that job for
 * that shop until a later pass, so each job completes its days in order.
 */
export async function runDueJobs(options: SchedulerOptions = {}): Promise<JobDayReport[]> {
  const s = settingsOf(options);
  const jobs = inDependencyOrder(options.jobs ?? dailyJobs);
  const reports: JobDayReport[] = [];
  const shops = await s.db.shop.findMany({
    where: { uninstalledAt: null },
    select: { id: true, domain: true, ianaTimezone: true },
    orderBy: { id: "asc" },
  });
  for (const shop of shops) {
    const owed = new Map<string, Set<LocalDate>>();
    const owedOf = async (name: string) => {
      let days = owed.get(name);
      if (!days) owed.set(name, (days = new Set(await owedDays(s.db, name, shop, s.now))));
      return days;
    };
    for (const job of jobs) await owedOf(job.name);
    const days = [...new Set(jobs.flatMap((job) => [...(owed.get(job.name) ?? [])]))].sort();
    const stopped = new Set<ShopJob>();
    for (const day of days) {
      for (const job of jobs) {
        if (stopped.has(job) || !owed.get(job.name)?.has(day)) continue;
        const report = (await prerequisitesDone(s, shop, job, day, owedOf))
          ? await runJobDay(job, shop, day, { ...options, db: s.db, now: s.now, clock: s.clock, owner: s.owner })
          : { job: job.name, shopId: shop.id, day, outcome: "waiting" as const, processed: 0, written: 0 };
        reports.push(report);
        if (!COMPLETED.has(report.outcome)) stopped.add(job);
      }
    }
    reports.push(...(await runQueuedJobs(shop, options.queued ?? (options.jobs ? [] : queuedJobs), { ...options, db: s.db, now: s.now, clock: s.clock, owner: s.owner })));
  }
  return reports;
}

/**
 * The runs requests queued for `shop` (a JobRun row inserted with status `queued` and no lease, its
 * parameters in `payload`), oldest first, each claimed and run like a day of a daily job with its
 * period key standing for the day (a queued row is claimed as an ended lease; done is final).
 */
export async function runQueuedJobs(shop: JobShop, jobs: readonly ShopJob[], options: SchedulerOptions = {}): Promise<JobDayReport[]> {
  if (jobs.length === 0) return [];
  const s = settingsOf(options);
  const byName = new Map(jobs.map((job) => [job.name, job]));
  const rows = await s.db.jobRun.findMany({
    where: { shopId: shop.id, job: { in: [...byName.keys()] }, status: { not: "done" } },
    orderBy: [{ startedAt: "asc" }, { id: "asc" }],
    select: { job: true, periodKey: true },
  });
  const reports: JobDayReport[] = [];
  for (const row of rows) {
    const job = byName.get(row.job);
    if (job) reports.push(await runJobDay(job, shop, row.periodKey, { ...options, db: s.db, now: s.now, clock: s.clock, owner: s.owner }));
  }
  return reports;
}

let running: Promise<unknown> | null = null;

function tick(): void {
  if (running) return;
  running = runDueJobs()
    .catch((error: unknown) => logger.error({ error: describe(error) }, "scheduler pass failed"))
    .finally(() => {
      running = null;
    });
}

let timer: NodeJS.Timeout | undefined;

/** Started once at server boot (app/entry.server.tsx): a pass every minute, never two at once. */
export function startScheduler(intervalMs = 60_000): void {
  if (timer) return;
  timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
}
