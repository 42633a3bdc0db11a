/**
 * Daily per-shop job: "points expiring" notices (Notification rows with a Flow-style trigger payload)
 * 30 and 3 days (the shop's reminder days) before points expire; each once. docs/decisions/011, 014.
 */
import { remindExpiryBatch } from "~/loyalty/services/expiry.server";
import type { ShopJob } from "./job-types";

export const expiryRemindersJob: ShopJob = { name: "expiry-reminders", runBatch: remindExpiryBatch };
