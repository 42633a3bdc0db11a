/**
 * Daily per-shop job: expire the points due on the business day (catch-up included), in keyset
 * batches of members whose next look (Member.pointsExpireOn) has come. docs/decisions/011, 014.
 */
import { sweepExpiryBatch } from "~/loyalty/services/expiry.server";
import type { ShopJob } from "./job-types";

export const expirySweepJob: ShopJob = { name: "expiry-sweep", runBatch: sweepExpiryBatch };
