/**
 * The `tier-placement` run a tier settings save queues (app/loyalty/services/tier-placement.server.ts,
 * docs/decisions/012 addendum "Program changes"): every member of the shop, in keyset batches over
 * `(shopId, enrolledAt, id)`, placed as the current ladder says. Run by the scheduler like the daily
 * jobs (JobRun row, lease, cursor), and never at the same time as the shop's tier review (both hold
 * the shop's `tiers` lock, scheduler.server.ts `exclusive`).
 *
 * Per batch, one transaction, a constant number of statements whatever the batch's mix:
 * - tiers on: progress for the batch in one statement (tiers.server.ts progressOfMembers, the
 *   review's SQL path), `placementOf` per member (promotion only; members of a removed tier to the
 *   highest remaining tier they qualify for), the moves with `writeTierChanges` (TierChange reason
 *   `program_change`, key `program:<run>:<member>`, fenced on the tier read, outbox rows), points
 *   entry rewards with the ledger's `appendCredits` (`tier-entry:<member>:<tier>`, once ever), and `customer_tier`
 *   syncs for the members who stay but whose tier's name or progress text changed;
 * - tiers off: every member with a tier loses it (one `UPDATE … FROM`, fenced on the tier read) and
 *   gets a sync, which removes the tag and the metafields.
 * Catalog entry rewards are codes (a Shopify call each), issued after the commit with their usual
 * grant keys; one Shopify refused stays `failed` and is retried on the member's next earning.
 *
 * Idempotent: a member already placed is not moved again (the decision reads the current tier), a
 * replayed batch finds its TierChange keys recorded and its entry keys in the ledger.
 */
import db from "~/db.server";
import { appendCredits, ConcurrentChangeError, type Tx } from "~/loyalty/ledger.server";
import { businessDay, type LocalDate } from "~/loyalty/schedule";
import { needsSync, placementOf, type PlacementPlan } from "~/loyalty/tier-placement";
import { tierEntryKey, type TierLadder } from "~/loyalty/tiers";
import { grantRewardCode } from "~/loyalty/services/redemptions.server";
import { queueTierSyncs } from "~/loyalty/services/shopify-outbox.server";
import { jsonRows } from "~/loyalty/services/sql-rows.server";
import { planOfPayload, TIER_PLACEMENT_JOB } from "~/loyalty/services/tier-placement.server";
import {
  loadLadder,
  progressOfMembers,
  TIER_SHOP_SELECT,
  tierOf,
  writeTierChanges,
  type TierShop,
} from "~/loyalty/services/tiers.server";
import type { BatchResult, ShopJob, ShopJobContext } from "./job-types";
import { TIERS_LOCK } from "./shop-lock.server";

interface BatchMember {
  id: string;
  customerGid: string;
  tierHandle: string | null;
  excludedAt: Date | null;
  enrolledAt: Date;
}

const MEMBER_SELECT = { id: true, customerGid: true, tierHandle: true, excludedAt: true, enrolledAt: true } as const;

/** Cursor `<enrolledAt ISO> <id>`: the last member of the previous batch. */
function cursorOf(member: BatchMember): string {
  return `${member.enrolledAt.toISOString()} ${member.id}`;
}

/**
 * The next members after `cursor` by `(enrolledAt, id)`: `enrolledAt >= v` starts the range on the
 * `(shopId, enrolledAt, id)` index, the OR only filters the members enrolled at that same instant
 * (members-list.server.ts walks the same way).
 */
async function nextMembers(shopId: string, cursor: string | null, take: number): Promise<BatchMember[]> {
  const [at, id] = cursor ? cursor.split(" ") : [];
  const after = at && id ? { enrolledAt: { gte: new Date(at) }, OR: [{ enrolledAt: { gt: new Date(at) } }, { id: { gt: id } }] } : {};
  return db.member.findMany({
    where: { shopId, ...after },
    orderBy: [{ enrolledAt: "asc" }, { id: "asc" }],
    take,
    select: MEMBER_SELECT,
  });
}

interface Move {
  member: BatchMember;
  to: string;
  key: string;
  points: { tierHandle: string; points: number; key: string }[];
}

/** The catalog entry rewards owed for a move from `from` to `to`: every visible tier entered. */
function catalogGrants(ladder: TierLadder, from: string | null, to: string, memberId: string) {
  const fromRank = ladder.findIndex((tier) => tier.handle === from);
  const toRank = ladder.findIndex((tier) => tier.handle === to);
  return ladder
    .slice(fromRank + 1, toRank + 1)
    .flatMap((tier) => (!tier.hidden && tier.entryReward?.kind === "reward" ? [{ tier, rewardId: tier.entryReward.rewardId }] : []))
    .map(({ tier, rewardId }) => ({ tierHandle: tier.handle, rewardId, key: tierEntryKey(memberId, tier.handle) }));
}

/** Tiers on: promotions, members of removed tiers placed, syncs for the rest whose text changed. */
async function placeBatch(
  context: ShopJobContext,
  run: { id: string },
  shop: TierShop,
  ladder: TierLadder,
  plan: PlacementPlan,
  members: BatchMember[],
  today: LocalDate,
): Promise<number> {
  const inLadder = (member: BatchMember) => tierOf(ladder, member.tierHandle) !== null;
  // Excluded members are never promoted; one left in a removed tier is still placed (or it would keep
  // a tier that no longer exists).
  const placeable = plan.place ? members.filter((member) => !member.excludedAt || (member.tierHandle !== null && !inLadder(member))) : [];
  const progress = await progressOfMembers(shop, ladder, placeable, today);
  const moves: Move[] = placeable.flatMap((member) => {
    const measured = progress.get(member.id);
    const placement = measured ? placementOf(ladder, member, measured) : null;
    if (!placement) return [];
    const points = placement.entryRewards.flatMap((grant) =>
      grant.reward.kind === "points" ? [{ tierHandle: grant.tierHandle, points: grant.reward.points, key: grant.idempotencyKey }] : [],
    );
    return [{ member, to: placement.to, key: `program:${run.id}:${member.id}`, points }];
  });
  const moved = new Set(moves.map((move) => move.member.id));
  const resync = members.filter((member) => !moved.has(member.id) && inLadder(member) && needsSync(plan, member.tierHandle));

  let written = 0;
  const done: { memberId: string; from: string | null; to: string }[] = [];
  await db.$transaction(
    async (tx) => {
      const recorded = await recordedChanges(tx, context.shop.id, moves.map((move) => move.key));
      const fresh = moves.filter((move) => !recorded.has(move.key));
      await writeTierChanges(
        tx,
        context.shop.id,
        fresh.map((move) => ({ memberId: move.member.id, from: move.member.tierHandle, to: move.to, idempotencyKey: move.key })),
        { reason: "program_change", ladder, today },
      );
      written += fresh.length;
      written += await creditEntryRewards(tx, context.shop.id, ladder, fresh);
      await queueTierSyncs(
        tx,
        context.shop.id,
        resync.map((member) => member.id),
      );
      written += resync.length;
      done.push(...moves.map((move) => ({ memberId: move.member.id, from: move.member.tierHandle, to: move.to })));
    },
    { maxWait: 10_000, timeout: 120_000 },
  );
  await grantCatalogRewards(context, ladder, done);
  return written;
}

/** TierChange keys of this batch already recorded (a replayed batch). */
async function recordedChanges(tx: Tx, shopId: string, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await tx.$queryRaw<{ idempotencyKey: string }[]>`SELECT "idempotencyKey" FROM "TierChange" WHERE "shopId" = ${shopId} AND "idempotencyKey" IN (SELECT v.c0 FROM ${jsonRows(
    keys.map((key) => [key]),
    1,
  )} AS v)`;
  return new Set(rows.map((row) => row.idempotencyKey));
}

/**
 * Points entry rewards of the moves, each once per member and tier ever (keys already in the ledger
 * skipped), set-based like the rest of the batch: one `appendCredits` for all of them.
 */
async function creditEntryRewards(tx: Tx, shopId: string, ladder: TierLadder, moves: Move[]): Promise<number> {
  const grants = moves.flatMap((move) => move.points.map((grant) => ({ ...grant, memberId: move.member.id })));
  if (grants.length === 0) return 0;
  const existing = new Set(
    (
      await tx.ledgerEntry.findMany({
        where: { shopId, idempotencyKey: { in: grants.map((grant) => grant.key) } },
        select: { idempotencyKey: true },
      })
    ).map((entry) => entry.idempotencyKey),
  );
  const fresh = grants.filter((grant) => !existing.has(grant.key));
  await appendCredits(
    tx,
    fresh.map((grant) => ({
      shopId,
      memberId: grant.memberId,
      kind: "tier_entry_reward" as const,
      delta: grant.points,
      idempotencyKey: grant.key,
      rule: { tier: grant.tierHandle, points: grant.points, reason: "program_change" },
      description: `Welcome to ${tierOf(ladder, grant.tierHandle)?.name ?? grant.tierHandle}`,
    })),
  );
  return fresh.length;
}

/** Catalog entry rewards (codes), after the commit; idempotent per grant key like promotions'. */
async function grantCatalogRewards(context: ShopJobContext, ladder: TierLadder, moves: { memberId: string; from: string | null; to: string }[]) {
  for (const move of moves) {
    for (const grant of catalogGrants(ladder, tierOf(ladder, move.from)?.handle ?? null, move.to, move.memberId)) {
      const outcome = await grantRewardCode(context.shop.id, move.memberId, grant.rewardId, grant.key, { reason: `tier entry: ${grant.tierHandle}` });
      if (!outcome.ok) context.log.warn({ memberId: move.memberId, tier: grant.tierHandle, reason: outcome.reason }, "tier entry reward not issued yet");
    }
  }
}

/** Tiers off: every member of the batch with a tier loses it; the sync removes the tag and metafields. */
async function clearBatch(context: ShopJobContext, members: BatchMember[]): Promise<number> {
  const tiered = members.filter((member) => member.tierHandle !== null);
  if (tiered.length === 0) return 0;
  const shopId = context.shop.id;
  await db.$transaction(
    async (tx) => {
      // c0 member, c1 the tier read (the member is left alone if it moved meanwhile: the batch is reread)
      const rows = jsonRows(
        tiered.map((member) => [member.id, member.tierHandle]),
        2,
      );
      const cleared = await tx.$executeRaw`UPDATE "Member" AS m SET "tierHandle" = NULL, "tierSince" = NULL, "tierReviewOn" = NULL, "tierPendingHandle" = NULL, "tierPendingOn" = NULL, "updatedAt" = ${new Date()} FROM ${rows} AS v WHERE m."id" = v.c0 AND COALESCE(m."shopId", '') = ${shopId} AND m."tierHandle" = v.c1`;
      if (cleared !== tiered.length) throw new ConcurrentChangeError(`tiers of ${tiered.length - cleared} member(s) of a placement batch`);
      await queueTierSyncs(
        tx,
        shopId,
        tiered.map((member) => member.id),
      );
    },
    { maxWait: 10_000, timeout: 120_000 },
  );
  return tiered.length;
}

export async function runTierPlacementBatch(context: ShopJobContext, cursor: string | null, batchSize: number): Promise<BatchResult> {
  // A queued run's "day" is its period key (scheduler.server.ts runQueuedJobs).
  const run = await db.jobRun.findUnique({
    where: { shopId_job_periodKey: { shopId: context.shop.id, job: TIER_PLACEMENT_JOB, periodKey: context.day } },
    select: { id: true, payload: true },
  });
  const plan = planOfPayload(run?.payload ?? null);
  const shop = await db.shop.findUnique({ where: { id: context.shop.id }, select: TIER_SHOP_SELECT });
  if (!run || !plan || !shop) return { processed: 0, written: 0, nextCursor: null };
  const ladder = shop.tiersEnabled ? await loadLadder(shop.id) : [];
  const today = businessDay(context.now, shop.ianaTimezone);
  for (let attempt = 1; ; attempt += 1) {
    const members = await nextMembers(shop.id, cursor, batchSize);
    const last = members[members.length - 1];
    if (!last) return { processed: 0, written: 0, nextCursor: null };
    try {
      const written = shop.tiersEnabled
        ? ladder.length > 0
          ? await placeBatch(context, run, shop, ladder, plan, members, today)
          : 0
        : await clearBatch(context, members);
      return { processed: members.length, written, nextCursor: members.length === batchSize ? cursorOf(last) : null };
    } catch (error) {
      // A member's tier changed between the read and the write (an order's promotion): read again.
      if (error instanceof ConcurrentChangeError && attempt < 5) continue;
      throw error;
    }
  }
}

export const tierPlacementJob: ShopJob = { name: TIER_PLACEMENT_JOB, runBatch: runTierPlacementBatch, exclusive: TIERS_LOCK };
