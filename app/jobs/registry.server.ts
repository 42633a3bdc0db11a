/**
 * The daily per-shop jobs the scheduler (app/jobs/scheduler.server.ts) runs for every installed shop
 * and every business day it still owes (docs/decisions/011, 014). Each entry implements `ShopJob`
 * (app/jobs/job-types.ts); its `name` is part of the JobRun key, so never rename a job.
 *
 * Order: the jobs of a shop's day run in this order on one instance; only `after` is enforced across
 * instances. Shared file: edit under the `jobs-registry` lock, one import + one line per job.
 */
import { birthdayRewardsJob } from "./birthday-rewards.server";
import { dailyStatsJob } from "./daily-stats.server";
import { expiryRemindersJob } from "./expiry-reminders.server";
import { expirySweepJob } from "./expiry-sweep.server";
import type { ShopJob } from "./job-types";
import { segmentRefreshJob } from "./segment-refresh.server";
import { tierPlacementJob } from "./tier-placement.server";
import { tierReviewJob } from "./tier-review.server";

export const dailyJobs: readonly ShopJob[] = [
  expirySweepJob,
  // Enforced on every instance (`after`, ADR 014 addendum "Dependencies"): a shop's reminders of a day
  // wait for that day's sweep, so a reminder never announces points the sweep is about to expire.
  { ...expiryRemindersJob, after: [expirySweepJob.name] },
  tierReviewJob,
  birthdayRewardsJob,
  // After the day's earnings, expiries and rewards: segments from the latest activity (ADR 017).
  segmentRefreshJob,
  // Last: yesterday's figures include the day's expiries and rewards (docs/decisions/018).
  dailyStatsJob,
];

/**
 * Jobs whose runs a request queues (a JobRun row with status `queued`), run by the same scheduler
 * pass after the shop's daily jobs (scheduler.server.ts runQueuedJobs).
 */
export const queuedJobs: readonly ShopJob[] = [
  // A tier settings save re-places the members (ADR 012 "Program changes").
  tierPlacementJob,
];
