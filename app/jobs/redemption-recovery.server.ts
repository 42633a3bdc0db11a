/**
 * Settles redemptions a request left half-way (crash, deploy, timeout) by running
 * recoverStaleRedemptions() (app/loyalty/services/redemptions.server.ts, ADR 007) on a timer.
 * Every step of the recovery is conditional on the row still being pending, so several instances
 * running it at once, or a run overlapping a live redeem, change nothing twice.
 */
import { logger } from "~/logger.server";
import { recoverStaleRedemptions, type RecoveryReport } from "~/loyalty/services/redemptions.server";

let running: Promise<RecoveryReport> | null = null;

/** One run; a call while one is under way gets that run's report. */
export function runRedemptionRecovery(): Promise<RecoveryReport> {
  running ??= recoverStaleRedemptions().finally(() => {
    running = null;
  });
  return running;
}

function tick(): void {
  runRedemptionRecovery()
    .then((report) => {
      if (report.checked > 0) logger.info({ ...report }, "stale redemptions recovered");
    })
    .catch((error: unknown) =>
      logger.error({ error: error instanceof Error ? error.message : String(error) }, "redemption recovery failed"),
    );
}

let timer: NodeJS.Timeout | undefined;

/**
 * Started once at server boot. A redemption is stale after 10 minutes (STALE_PENDING_MS), so a
 * run every 5 minutes settles it within 15 and costs one indexed query when nothing is pending.
 */
export function startRedemptionRecovery(intervalMs = 5 * 60_000): void {
  if (timer) return;
  timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
}
