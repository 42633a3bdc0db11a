/**
 * The daily tier review (docs/decisions/011 rules, 012 wiring), run by the scheduler for each shop and
 * business day through the ShopJob contract (app/jobs/job-types.ts).
 *
 * Only members with something due are read: `tierReviewOn ≤ day` (their period ended) or
 * `tierPendingOn ≤ day` (a downgrade waited out its grace days), each through its own index, in
 * batches ordered by member id that drain the due set. A batch reads its members' progress with two queries for the whole
 * batch (tiers.server.ts progressOfMembers) and writes in one transaction:
 *
 * - period ended: evaluateRetention with the progress of the period that ended → keep the tier
 *   (next review scheduled), downgrade now (no grace) or record a pending downgrade;
 * - pending downgrade due: confirmPendingDowngrade with today's progress → apply or cancel;
 * - every applied change: TierChange (`review:<member>:<period end>`), tag and metafields via the
 *   outbox; retained members are rescheduled. All of it set-based (write below): a batch costs the
 *   same few statements whether one member or all of them are due on a calendar year's first day.
 *
 * Every processed member leaves the due set in the same transaction (its review day moves past
 * `day`, its pending downgrade is applied or cleared), so a rerun of the day finds nothing to do and
 * a batch replayed after a crash writes nothing twice (TierChange keys are unique as well).
 */
import { Prisma } from "@prisma/client";
import db, { directQuery } from "~/db.server";
import { ConcurrentChangeError } from "~/loyalty/ledger.server";
import { addDays, compareLocalDates, type LocalDate } from "~/loyalty/schedule";
import { indexedBy, jsonRows } from "~/loyalty/services/sql-rows.server";
import { queueStrandedTierClear } from "~/loyalty/services/tier-placement.server";
import {
  loadLadder,
  nextReviewOn,
  progressOfMembers,
  TIER_SHOP_SELECT,
  tierOf,
  writeTierChanges,
} from "~/loyalty/services/tiers.server";
import { confirmPendingDowngrade, evaluateRetention, type DowngradeRule, type TierLadder, type TierProgress } from "~/loyalty/tiers";
import type { BatchResult, ShopJob, ShopJobContext } from "./job-types";

/**
 * The scheduler's batches (500 members; any of 100 and more) are taken this many times larger by the
 * review: a batch costs a few fixed statements, commits and compiled model queries, and on a calendar
 * year's January 1st every member above base is due (ADR 012, addendum "Jan 1 at 1M members": ≈ 10 %
 * less CPU at ×4; the write transaction then holds SQLite's lock ≈ 4× longer, ~0.1–0.2 s). A smaller
 * batch size asked for explicitly (tests walking the drain loop) is taken as it is.
 */
export const REVIEW_BATCH_FACTOR = 4;
export const reviewBatchSize = (batchSize: number) => (batchSize >= 100 ? batchSize * REVIEW_BATCH_FACTOR : batchSize);
import { TIERS_LOCK } from "./shop-lock.server";

interface DueMember {
  id: string;
  customerGid: string;
  tierHandle: string | null;
  tierSince: string | null;
  tierReviewOn: string | null;
  tierPendingHandle: string | null;
  tierPendingOn: string | null;
}

/** What the batch will write for one member. */
type Plan =
  | { kind: "change"; member: DueMember; to: string; key: string }
  | { kind: "update"; member: DueMember; reviewOn: string | null; pendingHandle: string | null; pendingOn: string | null };

const due = (date: string | null, day: LocalDate) => date !== null && compareLocalDates(date, day) <= 0;

/**
 * The next due members: each condition through its own index (no ORDER BY id or `id > cursor`, which
 * would make SQLite walk the primary key of every member instead). Every member a batch processes
 * leaves the due set in the batch's transaction, so the set drains and the next batch reads the next
 * ones; the cursor is only reported (the JobRun records where the run got to).
 */
async function dueMembers(shopId: string, day: LocalDate, take: number) {
  const [reviews, pendings] = await Promise.all([
    dueBy(shopId, "tierReviewOn", day, take),
    dueBy(shopId, "tierPendingOn", day, take),
  ]);
  const byId = new Map<string, DueMember>();
  for (const member of [...reviews, ...pendings]) byId.set(member.id, member);
  const merged = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const members = merged.slice(0, take);
  const more = reviews.length === take || pendings.length === take || merged.length > take;
  return { members, more };
}

/**
 * Members due by one column, straight through its `(shopId, column)` index (named on SQLite: with
 * statistics from an ANALYZE taken when everyone was due, its planner scans the table instead, and
 * rescans it for every batch as the set drains). Plain SQL past Prisma's query compiler (ADR 005).
 */
async function dueBy(shopId: string, column: "tierReviewOn" | "tierPendingOn", day: LocalDate, take: number): Promise<DueMember[]> {
  const index = indexedBy(`Member_shopId_${column}_idx`);
  const rows = await directQuery(
    db,
    Prisma.sql`SELECT "id", "customerGid", "tierHandle", "tierSince", "tierReviewOn", "tierPendingHandle", "tierPendingOn" FROM "Member" ${index} WHERE "shopId" = ${shopId} AND ${Prisma.raw(`"${column}"`)} <= ${day} LIMIT ${take}`,
  );
  return rows as unknown as DueMember[];
}

/** A day the member is still due on would make the drain loop forever: never write one. */
const after = (date: string | null, day: LocalDate) => (date !== null && compareLocalDates(date, day) <= 0 ? null : date);

async function plan(
  context: ShopJobContext,
  shop: { id: string; ianaTimezone: string; tierDowngrade: string; tierGraceDays: number },
  ladder: TierLadder,
  members: DueMember[],
): Promise<Plan[]> {
  const { day } = context;
  const downgrade: DowngradeRule = shop.tierDowngrade === "one_level" ? "one_level" : "to_qualifying";
  const graceDays = Math.max(0, shop.tierGraceDays);
  // Progress: today's for pending downgrades; the ended period's for reviews, grouped by period end
  // (one day on a normal run; several only when the scheduler catches up).
  const pendingMembers = members.filter((member) => due(member.tierPendingOn, day) && tierOf(ladder, member.tierHandle));
  const today = await progressOfMembers(shop, ladder, pendingMembers, day);
  const byPeriodEnd = new Map<LocalDate, DueMember[]>();
  for (const member of members) {
    if (!member.tierReviewOn || !due(member.tierReviewOn, day) || !tierOf(ladder, member.tierHandle)) continue;
    const end = addDays(member.tierReviewOn, -1);
    byPeriodEnd.set(end, [...(byPeriodEnd.get(end) ?? []), member]);
  }
  const ended = new Map<string, { periodEnd: LocalDate; progress: TierProgress }>();
  for (const [periodEnd, group] of byPeriodEnd) {
    const progress = await progressOfMembers(shop, ladder, group, periodEnd);
    for (const member of group) {
      const value = progress.get(member.id);
      if (value) ended.set(member.id, { periodEnd, progress: value });
    }
  }

  return members.map((member): Plan => {
    const tier = tierOf(ladder, member.tierHandle);
    // A tier removed from the ladder (or no tier): nothing to review until the member earns again.
    if (!tier) return { kind: "update", member, reviewOn: null, pendingHandle: null, pendingOn: null };
    const since = member.tierSince ?? day;
    let pendingHandle = member.tierPendingHandle;
    let pendingOn = member.tierPendingOn;
    if (due(pendingOn, day)) {
      const progressNow = today.get(member.id);
      const target = tierOf(ladder, pendingHandle)?.handle ?? ladder[0]?.handle;
      if (progressNow && target) {
        const decision = confirmPendingDowngrade(ladder, { from: tier.handle, to: target }, tier.handle, progressNow);
        if (decision.apply) return { kind: "change", member, to: decision.to, key: `review:${member.id}:${pendingOn}` };
      }
      pendingHandle = null;
      pendingOn = null;
    }
    let reviewOn = member.tierReviewOn;
    const review = ended.get(member.id);
    if (review && due(reviewOn, day)) {
      const result = evaluateRetention(ladder, tier.handle, review.progress, { downgrade, graceDays, periodEnd: review.periodEnd });
      reviewOn = nextReviewOn(ladder, tier.handle, since, day);
      if (result.decision === "downgrade") {
        if (compareLocalDates(result.effectiveOn, day) <= 0) {
          return { kind: "change", member, to: result.to, key: `review:${member.id}:${review.periodEnd}` };
        }
        pendingHandle = result.to;
        pendingOn = result.effectiveOn;
      }
    } else if (due(reviewOn, day)) {
      reviewOn = nextReviewOn(ladder, tier.handle, since, day);
    }
    const pendingDay = after(pendingOn, day);
    return { kind: "update", member, reviewOn: after(reviewOn, day), pendingHandle: pendingDay ? pendingHandle : null, pendingOn: pendingDay };
  });
}

/**
 * The batch's writes, at most five statements whatever its size and mix (ADR 012 Performance), each
 * with the rows as one JSON parameter: the keys already recorded, the review/pending days with one
 * `UPDATE … FROM` (each member conditional on still being due: a promotion meanwhile scheduled its
 * own review), the tier changes with tiers.server.ts writeTierChanges (INSERT, `UPDATE … FROM`,
 * the outbox upsert).
 */
async function write(context: ShopJobContext, ladder: TierLadder, plans: Plan[]): Promise<number> {
  const shopId = context.shop.id;
  const { day } = context;
  let written = 0;
  await db.$transaction(
    async (tx) => {
      const changes = plans.filter((item): item is Extract<Plan, { kind: "change" }> => item.kind === "change");
      // A key already recorded (the change was made, then undone by hand): never twice; the member
      // only leaves the due set.
      const recorded = new Set(
        changes.length === 0
          ? []
          : (
              await tx.$queryRaw<{ idempotencyKey: string }[]>`SELECT "idempotencyKey" FROM "TierChange" WHERE "shopId" = ${shopId} AND "idempotencyKey" IN (SELECT v.c0 FROM ${jsonRows(
                changes.map((item) => [item.key]),
                1,
              )} AS v)`
            ).map((row) => row.idempotencyKey),
      );
      const updates = plans.flatMap((item): Extract<Plan, { kind: "update" }>[] => {
        if (item.kind === "update") return [item];
        if (!recorded.has(item.key)) return [];
        const reviewOn = item.member.tierHandle ? nextReviewOn(ladder, item.member.tierHandle, item.member.tierSince ?? day, day) : null;
        return [{ kind: "update", member: item.member, reviewOn: after(reviewOn, day), pendingHandle: null, pendingOn: null }];
      });
      written += updates.filter((item) => item.pendingOn !== null && item.pendingOn !== item.member.tierPendingOn).length;
      if (updates.length > 0) {
        // c0 member, c1 review day, c2 pending tier, c3 pending day; each member still conditional on being due.
        const rows = jsonRows(
          updates.map((item) => [item.member.id, item.reviewOn, item.pendingHandle, item.pendingOn]),
          4,
        );
        await tx.$executeRaw`UPDATE "Member" AS m SET "tierReviewOn" = v.c1, "tierPendingHandle" = v.c2, "tierPendingOn" = v.c3, "updatedAt" = ${new Date()} FROM ${rows} AS v WHERE m."id" = v.c0 AND COALESCE(m."shopId", '') = ${shopId} AND (m."tierReviewOn" <= ${day} OR m."tierPendingOn" <= ${day})`;
      }
      const fresh = changes.filter((item) => !recorded.has(item.key));
      await writeTierChanges(
        tx,
        shopId,
        fresh.map((item) => ({ memberId: item.member.id, from: item.member.tierHandle, to: item.to, idempotencyKey: item.key })),
        { reason: "retention_downgrade", ladder, today: day },
      );
      written += fresh.length;
    },
    { maxWait: 10_000, timeout: 120_000 },
  );
  return written;
}

export async function runTierReviewBatch(context: ShopJobContext, _cursor: string | null, requested: number): Promise<BatchResult> {
  const batchSize = reviewBatchSize(requested);
  const shop = await db.shop.findUnique({ where: { id: context.shop.id }, select: TIER_SHOP_SELECT });
  if (!shop) return { processed: 0, written: 0, nextCursor: null };
  if (!shop.tiersEnabled) {
    // Nobody is reviewed. Members left holding tiers while tiers are off (turned off before saves
    // re-placed members) get the placement run that clears them and their tags (ADR 012 "Program changes").
    await queueStrandedTierClear(shop.id, context.now);
    return { processed: 0, written: 0, nextCursor: null };
  }
  const ladder = await loadLadder(shop.id);
  if (ladder.length === 0) return { processed: 0, written: 0, nextCursor: null };
  for (let attempt = 1; ; attempt += 1) {
    const { members, more } = await dueMembers(shop.id, context.day, batchSize);
    if (members.length === 0) return { processed: 0, written: 0, nextCursor: null };
    try {
      const written = await write(context, ladder, await plan(context, shop, ladder, members));
      const last = members[members.length - 1];
      return { processed: members.length, written, nextCursor: more && last ? last.id : null };
    } catch (error) {
      // A member's tier changed between the read and the write (a promotion): read the batch again.
      if (error instanceof ConcurrentChangeError && attempt < 5) continue;
      throw error;
    }
  }
}

/** Never at the same time as a tier placement of the same shop (ADR 012 "Program changes"). */
export const tierReviewJob: ShopJob = { name: "tier-review", runBatch: runTierReviewBatch, exclusive: TIERS_LOCK };
