/**
 * The daily analytics roll-up (docs/decisions/018), a ShopJob the scheduler runs once per shop and
 * business day: it writes the DailyStat rows the day still owes — yesterday, any missed days
 * (catch-up), the whole history on a shop's first run (backfill) — and re-rolls the last few days so
 * late refunds reach their order's day. Each day is an upsert of figures recomputed from the raw
 * tables, so a rerun or a replayed batch writes the same row. The cursor is the last day written.
 */
import { addDays, compareLocalDates } from "~/loyalty/schedule";
import { daysToRollUp, rollUpDay } from "~/loyalty/services/analytics.server";
import type { BatchResult, ShopJob, ShopJobContext } from "./job-types";

/** Days rolled up per batch (each is a handful of indexed queries). */
export const DAYS_PER_BATCH = 14;

export async function runDailyStatsBatch(context: ShopJobContext, cursor: string | null): Promise<BatchResult> {
  const { db, shop, day, now } = context;
  let owed = await daysToRollUp(db, shop, day);
  // A resumed run continues after the last day it committed (earlier refresh days were done).
  if (cursor !== null) owed = owed.filter((owedDay) => compareLocalDates(owedDay, cursor) > 0);
  const batch = owed.slice(0, DAYS_PER_BATCH);
  for (const owedDay of batch) await rollUpDay(db, shop, owedDay, now);
  const last = batch.at(-1);
  const finished = batch.length === owed.length || last === undefined || compareLocalDates(last, addDays(day, -1)) >= 0;
  return { processed: batch.length, written: batch.length, nextCursor: finished ? null : (last ?? null) };
}

export const dailyStatsJob: ShopJob = { name: "daily-stats", runBatch: runDailyStatsBatch };
