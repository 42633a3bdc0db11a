/**
 * Hidden tiers assigned by segment (docs/decisions/012 addendum "Hidden tiers assigned by segment"):
 * a hidden tier may carry a rule, `Tier.assignSegment` — "members in segment X". The daily segment
 * refresh (app/jobs/segment-refresh.server.ts) calls `applySegmentTierRules` with each batch it has
 * just recomputed, under the same JobRun lease, so the rule reads today's segments and costs no
 * extra walk of the members.
 *
 * Per batch (the decision is tiers.ts `segmentRuleMove`):
 * - members in a rule's segment whose tier ranks below the rule's tier are placed in it;
 * - members the rule placed (their latest TierChange is a `segment_rule` into their current hidden
 *   tier) who left its segment, or whose tier lost its rule, go back to the higher of the visible
 *   tier they came from and the visible tier today's progress reaches;
 * - everything else (staff-assigned hidden tiers, higher earned tiers, excluded members) stays.
 *
 * Reads: the latest tier change of the batch's members in hidden tiers outside their tier's segment
 * (one statement, `(memberId, createdAt)` index), today's progress of those leaving (one statement,
 * progressOfMembers). Writes, one transaction: the keys already recorded, writeTierChanges (TierChange
 * `segment_rule`, key `segment-rule:<member>:<day>`, members fenced on the tier read, the
 * `customer_tier` outbox rows), points entry rewards through the ledger (`tier-entry:<member>:<tier>`,
 * once per member ever, as promotions). Catalog entry rewards are codes issued after the commit with
 * grantRewardCode under the same key (a refusal stays `failed` and is retried at the member's next
 * earning, as promotions do). A shop without hidden tiers, or with tiers off, costs one shop read.
 */
import { Prisma } from "@prisma/client";
import db, { directQuery } from "~/db.server";
import { logger } from "~/logger.server";
import { appendCredits, ConcurrentChangeError } from "~/loyalty/ledger.server";
import type { LocalDate } from "~/loyalty/schedule";
import { SEGMENTS, type Segment } from "~/loyalty/segments";
import { segmentRuleMove, type TierEntryRewardGrant, type TierLadder } from "~/loyalty/tiers";
import { grantRewardCode } from "./redemptions.server";
import type { SegmentedMember } from "./segments.server";
import { indexedBy, jsonRows } from "./sql-rows.server";
import { loadLadder, progressOfMembers, TIER_SHOP_SELECT, tierOf, writeTierChanges } from "./tiers.server";

export const SEGMENT_RULE_REASON = "segment_rule";
export const segmentRuleKey = (memberId: string, day: LocalDate) => `segment-rule:${memberId}:${day}`;

interface Move {
  member: SegmentedMember;
  to: string;
  key: string;
  entryRewards: TierEntryRewardGrant[];
}

/**
 * For members in a hidden tier outside its segment: the tier they came from when their latest tier
 * change was a segment rule placing them in their current tier; absent otherwise.
 */
async function placedByRule(shopId: string, members: readonly SegmentedMember[]): Promise<Map<string, { from: string | null }>> {
  const placed = new Map<string, { from: string | null }>();
  if (members.length === 0) return placed;
  const rows = await directQuery(
    db,
    Prisma.sql`SELECT "memberId", "fromHandle", "toHandle", "reason" FROM "TierChange" ${indexedBy("TierChange_memberId_createdAt_idx")} WHERE "memberId" IN (SELECT v.c0 FROM ${jsonRows(
      members.map((member) => [member.id]),
      1,
    )} AS v) AND "shopId" = ${shopId} ORDER BY "memberId", "createdAt" DESC, "id" DESC`,
  );
  const seen = new Set<string>();
  const tierOfMember = new Map(members.map((member) => [member.id, member.tierHandle]));
  for (const row of rows) {
    const memberId = String(row.memberId);
    if (seen.has(memberId)) continue;
    seen.add(memberId);
    if (row.reason === SEGMENT_RULE_REASON && row.toHandle === tierOfMember.get(memberId)) {
      placed.set(memberId, { from: row.fromHandle === null || row.fromHandle === undefined ? null : String(row.fromHandle) });
    }
  }
  return placed;
}

async function plan(shop: { id: string; ianaTimezone: string }, ladder: TierLadder, day: LocalDate, members: readonly SegmentedMember[]): Promise<Move[]> {
  const outside = members.filter((member) => {
    const tier = tierOf(ladder, member.tierHandle);
    return tier?.hidden && tier.assignSegment !== member.segment;
  });
  const placed = await placedByRule(shop.id, outside);
  const input = (member: SegmentedMember) => ({
    memberId: member.id,
    tier: member.tierHandle,
    segment: member.segment,
    excluded: member.excluded,
    placedByRule: placed.get(member.id) ?? null,
    progress: null,
  });
  const leaving = members.filter((member) => {
    const decision = segmentRuleMove(ladder, input(member));
    return !decision.move && decision.needsProgress === true;
  });
  const progress = leaving.length > 0 ? await progressOfMembers(shop, ladder, leaving, day) : new Map();
  return members.flatMap((member): Move[] => {
    const decision = segmentRuleMove(ladder, { ...input(member), progress: progress.get(member.id) ?? null });
    return decision.move ? [{ member, to: decision.to, key: segmentRuleKey(member.id, day), entryRewards: decision.entryRewards }] : [];
  });
}

/** The batch's moves in one transaction; answers the moves written (keys already recorded are skipped). */
async function write(shopId: string, ladder: TierLadder, day: LocalDate, moves: Move[]): Promise<Move[]> {
  return db.$transaction(
    async (tx) => {
      const recorded = new Set(
        (
          await tx.$queryRaw<{ idempotencyKey: string }[]>`SELECT "idempotencyKey" FROM "TierChange" WHERE "shopId" = ${shopId} AND "idempotencyKey" IN (SELECT v.c0 FROM ${jsonRows(
            moves.map((move) => [move.key]),
            1,
          )} AS v)`
        ).map((row) => row.idempotencyKey),
      );
      const fresh = moves.filter((move) => !recorded.has(move.key));
      await writeTierChanges(
        tx,
        shopId,
        fresh.map((move) => ({ memberId: move.member.id, from: move.member.tierHandle, to: move.to, idempotencyKey: move.key })),
        { reason: SEGMENT_RULE_REASON, ladder, today: day },
      );
      const pointGrants = fresh.flatMap((move) => move.entryRewards.filter((grant) => grant.reward.kind === "points").map((grant) => ({ move, grant })));
      if (pointGrants.length > 0) {
        const given = new Set(
          (
            await tx.ledgerEntry.findMany({
              where: { shopId, idempotencyKey: { in: pointGrants.map(({ grant }) => grant.idempotencyKey) } },
              select: { idempotencyKey: true },
            })
          ).map((entry) => entry.idempotencyKey),
        );
        // Set-based, like the rest of the batch: one createMany and one balance update for all of them.
        await appendCredits(
          tx,
          pointGrants.flatMap(({ move, grant }) =>
            grant.reward.kind !== "points" || given.has(grant.idempotencyKey)
              ? []
              : [
                  {
                    shopId,
                    memberId: move.member.id,
                    kind: "tier_entry_reward" as const,
                    delta: grant.reward.points,
                    idempotencyKey: grant.idempotencyKey,
                    rule: { tier: grant.tierHandle, points: grant.reward.points, segmentRule: true },
                    description: `Welcome to ${tierOf(ladder, grant.tierHandle)?.name ?? grant.tierHandle}`,
                  },
                ],
          ),
        );
      }
      return fresh;
    },
    { maxWait: 10_000, timeout: 120_000 },
  );
}

/** The batch's members as they are now (a retry after a concurrent tier change). */
async function reread(shopId: string, members: readonly SegmentedMember[]): Promise<SegmentedMember[]> {
  const segments = new Map(members.map((member) => [member.id, member.segment]));
  // By primary key only (a shopId condition makes SQLite walk a (shopId, …) index); the shop is checked here.
  const rows = await db.member.findMany({
    where: { id: { in: members.map((member) => member.id) } },
    select: { id: true, shopId: true, customerGid: true, tierHandle: true, excludedAt: true, segment: true },
  });
  return rows
    .filter((row) => row.shopId === shopId)
    .map((row) => ({
      id: row.id,
      customerGid: row.customerGid,
      tierHandle: row.tierHandle,
      excluded: row.excludedAt !== null,
      segment: (SEGMENTS as readonly string[]).includes(row.segment ?? "") ? (row.segment as Segment) : (segments.get(row.id) ?? "active"),
    }));
}

/**
 * Applies the shop's hidden-tier segment rules to a batch the segment refresh just recomputed.
 * Answers the number of tier changes written.
 */
export async function applySegmentTierRules(shopId: string, day: LocalDate, batch: readonly SegmentedMember[]): Promise<number> {
  if (batch.length === 0) return 0;
  const shop = await db.shop.findUnique({ where: { id: shopId }, select: TIER_SHOP_SELECT });
  if (!shop?.tiersEnabled) return 0;
  const ladder = await loadLadder(shopId);
  if (!ladder.some((tier) => tier.hidden)) return 0;
  const hasRule = ladder.some((tier) => tier.assignSegment !== null);
  let members = [...batch];
  if (!hasRule && !members.some((member) => tierOf(ladder, member.tierHandle)?.hidden)) return 0;
  for (let attempt = 1; ; attempt += 1) {
    const moves = await plan(shop, ladder, day, members);
    if (moves.length === 0) return 0;
    let written: Move[];
    try {
      written = await write(shopId, ladder, day, moves);
    } catch (error) {
      // A member's tier changed between the read and the write (an order's promotion, staff): read again.
      if (error instanceof ConcurrentChangeError && attempt < 5) {
        members = await reread(shopId, members);
        continue;
      }
      throw error;
    }
    for (const move of written) {
      for (const grant of move.entryRewards) {
        if (grant.reward.kind !== "reward") continue;
        const granted = await grantRewardCode(shopId, move.member.id, grant.reward.rewardId, grant.idempotencyKey, {
          reason: `tier entry: ${grant.tierHandle}`,
        });
        if (!granted.ok) logger.warn({ shopId, memberId: move.member.id, tier: grant.tierHandle, reason: granted.reason }, "tier entry reward not issued yet");
      }
    }
    return written.length;
  }
}
