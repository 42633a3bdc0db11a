/**
 * One app instance's scheduler, as its own OS process, for tests/integration/scheduler-instances.test.ts:
 * `tsx tests/support/scheduler-instance.ts` with DATABASE_URL (the test's database, shared by every
 * instance; this process opens its own Prisma client and pool) and SCHEDULER_INSTANCE, a JSON
 * `InstanceConfig`. It runs the real registry's jobs (app/jobs/registry.server.ts), each batch slowed
 * so instances overlap, through the real `runDueJobs` with an injected clock, pass after pass, until
 * every installed shop's jobs are done for each simulated day in turn.
 *
 * Clock: on simulated day D the instant is D at 12:00 UTC plus the real time since `epoch` (the same
 * for every instance), so all instances agree on it and leases run out in real time.
 *
 * Talks JSON lines on stdout: `ready` (modules loaded; then it waits for a line on stdin), `batch`
 * (a batch's writes are committed and its cursor is not yet: the moment a SIGKILL tests resumption),
 * `report` (one per JobDayReport), `day` (day complete), `done`.
 *
 * `mode: "outbox"` runs the Shopify outbox worker's passes (`processDueOutbox`, app/jobs/shopify-outbox.server.ts)
 * instead, until no row is pending (SHOPIFY_ADMIN_API_ORIGIN names the test's Admin API stand-in):
 * `outbox-pass` per pass, then `done`.
 */
import { createInterface } from "node:readline";
import db from "~/db.server";
import type { ShopJob } from "~/jobs/job-types";
import { dailyJobs } from "~/jobs/registry.server";
import { runDueJobs } from "~/jobs/scheduler.server";
import { processDueOutbox } from "~/jobs/shopify-outbox.server";

export interface InstanceConfig {
  mode?: "scheduler" | "outbox";
  owner: string;
  /** Date.now() shared by every instance: the injected clocks agree. */
  epoch: number;
  /** Simulated business days, in order (a gap is caught up by the next day's pass). */
  days: string[];
  /** Real milliseconds slept before a batch runs and after its writes, before its cursor is committed. */
  slowBeforeMs: number;
  slowAfterMs: number;
  batchSize: number;
  leaseMs: number;
  retryAfterMs: number;
  /** Real milliseconds between passes while a day is not complete. */
  pollMs: number;
  /** The process gives up (exit 1) when a day takes longer than this. */
  dayTimeoutMs: number;
  /** Registry jobs this instance leaves out (by name). */
  exclude: string[];
}

const config = JSON.parse(process.env.SCHEDULER_INSTANCE ?? "null") as InstanceConfig | null;
if (!config) throw new Error("SCHEDULER_INSTANCE (JSON) is required");

const emit = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ owner: config.owner, ...event })}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const jobs: ShopJob[] = dailyJobs.filter((job) => !config.exclude.includes(job.name)).map((job) => ({
  ...job,
  runBatch: async (context, cursor, batchSize) => {
    await sleep(config.slowBeforeMs);
    const batch = await job.runBatch(context, cursor, batchSize);
    emit({ event: "batch", job: job.name, shopId: context.shop.id, day: context.day, after: cursor, ...batch });
    await sleep(config.slowAfterMs);
    return batch;
  },
}));

/** Every installed shop has every job done for `day`. */
async function dayComplete(day: string): Promise<boolean> {
  const shops = await db.shop.count({ where: { uninstalledAt: null } });
  const done = await db.jobRun.count({ where: { periodKey: day, status: "done", job: { in: jobs.map((job) => job.name) } } });
  return done === shops * jobs.length;
}

/** Outbox passes until nothing is pending (rows another instance holds stay pending until it finishes them). */
async function drainOutbox(instance: InstanceConfig) {
  const started = Date.now();
  for (;;) {
    emit({ event: "outbox-pass", ...(await processDueOutbox()) });
    if ((await db.shopifyOutbox.count({ where: { status: "pending" } })) === 0) break;
    if (Date.now() - started > instance.dayTimeoutMs) throw new Error(`outbox not drained after ${instance.dayTimeoutMs} ms`);
    await sleep(instance.pollMs);
  }
  emit({ event: "done" });
}

async function main(instance: InstanceConfig) {
  await db.shop.count(); // connect before saying ready
  emit({ event: "ready" });
  const lines = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => lines.once("line", () => resolve()));
  lines.close();
  if (instance.mode === "outbox") return drainOutbox(instance);
  for (const day of instance.days) {
    const base = Date.parse(`${day}T12:00:00Z`);
    const clock = () => new Date(base + (Date.now() - instance.epoch));
    const started = Date.now();
    for (;;) {
      const reports = await runDueJobs({
        now: clock(),
        clock,
        owner: instance.owner,
        jobs,
        batchSize: instance.batchSize,
        leaseMs: instance.leaseMs,
        retryAfterMs: instance.retryAfterMs,
      });
      for (const report of reports) emit({ event: "report", ...report });
      if (await dayComplete(day)) break;
      if (Date.now() - started > instance.dayTimeoutMs) throw new Error(`day ${day} not complete after ${instance.dayTimeoutMs} ms`);
      await sleep(instance.pollMs);
    }
    emit({ event: "day", day });
  }
  emit({ event: "done" });
}

main(config)
  .then(() => db.$disconnect())
  .catch(async (error: unknown) => {
    emit({ event: "error", message: error instanceof Error ? error.message : String(error) });
    await db.$disconnect().catch(() => undefined);
    process.exitCode = 1;
  });
