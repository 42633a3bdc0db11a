/**
 * Daily job: recompute every member's segment (docs/decisions/017). "new" members become "active",
 * quiet ones "at_risk" or "churned" as days pass without anything else happening. Writes only members
 * whose segment changed, so a rerun of the same day writes nothing.
 */
import { refreshSegmentBatch } from "~/loyalty/services/segments.server";
import type { ShopJob } from "./job-types";

export const segmentRefreshJob: ShopJob = {
  name: "segment-refresh",
  async runBatch({ shop, now }, cursor, batchSize) {
    const batch = await refreshSegmentBatch(shop.id, now, cursor, batchSize);
    return { processed: batch.processed, written: batch.changed, nextCursor: batch.nextCursor };
  },
};
