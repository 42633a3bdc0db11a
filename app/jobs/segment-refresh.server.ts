/**
 * Daily job: recompute every member's segment (docs/decisions/017). "new" members become "active",
 * quiet ones "at_risk" or "churned" as days pass without anything else happening. Writes only members
 * whose segment changed, so a rerun of the same day writes nothing.
 *
 * Then, with the same batch and under the same lease, the hidden tiers' segment rules
 * (tier-segment-rules.server.ts, docs/decisions/012 addendum): members entering a rule's segment are
 * placed in its tier, those it placed who left go back. Keys per member and day, so a replayed batch
 * writes nothing twice. It moves tiers, so it holds the shop's `tiers` lock like the tier review and a
 * settings save's placement (a placement deciding from a tier this job is changing would undo it).
 */
import { applySegmentTierRules } from "~/loyalty/services/tier-segment-rules.server";
import { refreshSegmentBatch } from "~/loyalty/services/segments.server";
import type { ShopJob } from "./job-types";
import { TIERS_LOCK } from "./shop-lock.server";

export const segmentRefreshJob: ShopJob = {
  name: "segment-refresh",
  async runBatch({ shop, now, day }, cursor, batchSize) {
    const batch = await refreshSegmentBatch(shop.id, now, cursor, batchSize);
    const moved = await applySegmentTierRules(shop.id, day, batch.members);
    return { processed: batch.processed, written: batch.changed + moved, nextCursor: batch.nextCursor };
  },
  exclusive: TIERS_LOCK,
};
