/**
 * Daily per-shop job: "points expiring" notices (Notification rows with a Flow-style trigger payload)
 * 30 and 3 days (the shop's reminder days) before points expire; each once. Looks only at the members
 * with points expiring exactly a lead time ahead (docs/decisions/011, 014 and its addendum).
 */
import { EXPIRY_REMINDERS_JOB, remindExpiryBatch } from "~/loyalty/services/expiry.server";
import type { ShopJob } from "./job-types";

export const expiryRemindersJob: ShopJob = { name: EXPIRY_REMINDERS_JOB, runBatch: remindExpiryBatch };
