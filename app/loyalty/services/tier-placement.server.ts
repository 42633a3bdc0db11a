/**
 * Program changes reach the members (docs/decisions/012, addendum "Program changes"): a tier settings
 * save that owes the members something (app/loyalty/tier-placement.ts placementPlan) queues ONE
 * `tier-placement` run in its own transaction — a JobRun row (status `queued`, no lease, the plan as
 * its payload) that the scheduler claims on its next pass like any ended lease, and works through in
 * keyset batches (app/jobs/tier-placement.server.ts). A later save before that run finished takes
 * its place: the older row is closed (its runner loses its lease at its next batch) and the new row
 * owes both plans (mergePlans), so the members end up as the latest ladder says.
 */
import { randomUUID } from "node:crypto";
import { Prisma } from "@prisma/client";
import { z } from "zod";
import db, { directQuery } from "~/db.server";
import type { Tx } from "~/loyalty/ledger.server";
import { mergePlans, type PlacementPlan } from "~/loyalty/tier-placement";
import { indexedBy } from "./sql-rows.server";

/** The JobRun `job` of the placement runs (never rename: it keys the rows). */
export const TIER_PLACEMENT_JOB = "tier-placement";

/** Recorded on a run a later save replaced (a log line for operators, never shown to staff). */
const SUPERSEDED = "superseded by a later save";

const PlanSchema = z.object({ place: z.boolean(), sync: z.union([z.literal("all"), z.array(z.string())]) });

export function planOfPayload(payload: string | null): PlacementPlan | null {
  if (!payload) return null;
  try {
    return PlanSchema.parse(JSON.parse(payload));
  } catch {
    return null;
  }
}

/** Inside the save's transaction: queue the pass `plan` owes (merged with any run not finished yet). */
export async function queueTierPlacement(tx: Tx, shopId: string, plan: PlacementPlan | null, now: Date): Promise<void> {
  if (!plan) return;
  const open = await tx.jobRun.findMany({
    where: { shopId, job: TIER_PLACEMENT_JOB, status: { not: "done" } },
    select: { id: true, payload: true },
  });
  const owed = open.reduce<PlacementPlan | null>((merged, run) => mergePlans(merged, planOfPayload(run.payload)), plan);
  if (open.length > 0) {
    await tx.jobRun.updateMany({
      where: { id: { in: open.map((run) => run.id) } },
      data: { status: "done", error: SUPERSEDED, leaseOwner: null, leaseUntil: null, finishedAt: now },
    });
  }
  await tx.jobRun.create({
    data: {
      shopId,
      job: TIER_PLACEMENT_JOB,
      periodKey: `change:${now.toISOString()}:${randomUUID().slice(0, 8)}`,
      status: "queued",
      payload: JSON.stringify(owed),
      startedAt: now,
    },
  });
}

/**
 * Tiers are off but members still hold tiers — the shop turned them off before saves re-placed
 * members, so their tags and metafields are still on the customers: queue the clearing run once.
 * Called by the daily tier review of a shop with tiers off; one keyed read when there is nothing.
 */
export async function queueStrandedTierClear(shopId: string, now: Date): Promise<boolean> {
  const tiered = await directQuery(
    db,
    Prisma.sql`SELECT "id" FROM "Member" ${indexedBy("Member_shopId_tierHandle_enrolledAt_id_idx")} WHERE "shopId" = ${shopId} AND "tierHandle" IS NOT NULL LIMIT 1`,
  );
  if (tiered.length === 0) return false;
  const open = await db.jobRun.findFirst({ where: { shopId, job: TIER_PLACEMENT_JOB, status: { not: "done" } }, select: { id: true } });
  if (open) return false;
  await db.$transaction((tx) => queueTierPlacement(tx, shopId, { place: false, sync: "all" }, now));
  return true;
}

export interface TierPlacementStatus {
  /** Members looked at so far, and the shop's members (what the pass walks). */
  processed: number;
  total: number;
}

/** What the Tiers page shows while a pass is owed or under way; null when none. */
export async function tierPlacementStatus(shopId: string): Promise<TierPlacementStatus | null> {
  const run = await db.jobRun.findFirst({
    where: { shopId, job: TIER_PLACEMENT_JOB, status: { not: "done" } },
    select: { processed: true },
  });
  if (!run) return null;
  const total = await db.member.count({ where: { shopId } });
  return { processed: Math.min(run.processed, total), total };
}
