/**
 * Re-placing members after the program changes (docs/decisions/012, addendum "Program changes"):
 * what a save of the tier settings owes the members, and where one member goes. Pure functions over
 * plain data (no Prisma, no clock); tests/unit/tier-placement.test.ts covers every rule.
 *
 * - A save that can move members (tiers turned on, a tier removed, a threshold lowered, a tier
 *   unhidden or added, the threshold kind or period changed) owes a **placement pass**: every member
 *   is promoted to the highest visible tier their progress reaches now. Nobody is demoted by a save:
 *   a raised threshold is applied at the member's own review (ADR 011 retention), like a refund.
 * - Members of a removed tier go to the highest remaining visible tier they qualify for (the base
 *   tier at least), crossing tiers as a member without a tier would (entry rewards once per tier,
 *   ever, by their usual keys, so a member who already had them gets nothing twice).
 * - A save that changes what a member's Shopify metafields say (a tier's name; the next tier's name,
 *   handle or threshold, which the progress text names; the kind or period, which change the numbers)
 *   owes a **sync** of the members of the tiers concerned, and only them.
 * - Tiers turned off: every member with a tier loses it and their tag and metafields are removed;
 *   turned on: every member is placed (a member left with a tier from before is only promoted).
 */
import {
  evaluatePromotion,
  thresholdUnits,
  type Tier,
  type TierEntryRewardGrant,
  type TierLadder,
  type TierProgress,
} from "./tiers";

/** What a save owes the members: a placement pass, and the tiers whose members' metafields changed. */
export interface PlacementPlan {
  place: boolean;
  sync: "all" | string[];
}

export interface ProgramState {
  enabled: boolean;
  ladder: TierLadder;
}

/** The next visible tier above `rank` (what the progress text names), or null at the top. */
function nextVisible(ladder: TierLadder, rank: number): Tier | null {
  return ladder.slice(rank + 1).find((tier) => !tier.hidden) ?? null;
}

/** What a member of `tier` is shown in Shopify that comes from the ladder (tierSyncOf's payload). */
function shownOf(ladder: TierLadder, rank: number): string {
  const tier = ladder[rank];
  const next = nextVisible(ladder, rank);
  return JSON.stringify([
    tier?.name,
    next ? [next.handle, next.name, next.thresholdKind, thresholdUnits(next).toString()] : null,
  ]);
}

/** True when some member may now reach a tier they could not reach before (or lost theirs). */
function canMoveMembers(before: TierLadder, after: TierLadder): boolean {
  const first = (ladder: TierLadder) => ladder[0];
  if (first(before)?.thresholdKind !== first(after)?.thresholdKind) return true;
  if (first(before)?.qualificationPeriod !== first(after)?.qualificationPeriod) return true;
  const old = new Map(before.map((tier) => [tier.handle, tier]));
  const kept = new Set(after.map((tier) => tier.handle));
  if (before.some((tier) => !kept.has(tier.handle))) return true;
  return after.some((tier) => {
    if (tier.hidden) return false;
    const was = old.get(tier.handle);
    return !was || was.hidden || thresholdUnits(tier) < thresholdUnits(was);
  });
}

/**
 * What a save from `before` to `after` owes the members; null when nothing (perks, multipliers,
 * entry rewards, a raised threshold of the top tier: nothing a member is shown or qualifies for).
 */
export function placementPlan(before: ProgramState, after: ProgramState): PlacementPlan | null {
  if (!after.enabled) return before.enabled ? { place: false, sync: "all" } : null;
  // Turned on: every member is placed, and each placement queues its own sync.
  if (!before.enabled) return { place: true, sync: [] };
  const place = canMoveMembers(before.ladder, after.ladder);
  const kind = (ladder: TierLadder) => [ladder[0]?.thresholdKind, ladder[0]?.qualificationPeriod].join();
  if (kind(before.ladder) !== kind(after.ladder)) return { place, sync: "all" };
  const oldRank = new Map(before.ladder.map((tier, rank) => [tier.handle, rank]));
  const sync = after.ladder.flatMap((tier, rank) => {
    const was = oldRank.get(tier.handle);
    return was === undefined || shownOf(before.ladder, was) !== shownOf(after.ladder, rank) ? [tier.handle] : [];
  });
  return place || sync.length > 0 ? { place, sync } : null;
}

/** Two saves before the pass ran (or finished): the pass owes both. */
export function mergePlans(a: PlacementPlan | null, b: PlacementPlan | null): PlacementPlan | null {
  if (!a) return b;
  if (!b) return a;
  const sync = a.sync === "all" || b.sync === "all" ? "all" : [...new Set([...a.sync, ...b.sync])].sort();
  return { place: a.place || b.place, sync };
}

/** Whether a member still in `tierHandle` (not moved by the pass) needs their metafields resent. */
export function needsSync(plan: PlacementPlan, tierHandle: string | null): boolean {
  return tierHandle !== null && (plan.sync === "all" || plan.sync.includes(tierHandle));
}

export interface Placement {
  from: string | null;
  to: string;
  /** Entry rewards of the visible tiers entered (each once per member, ever, by its key). */
  entryRewards: TierEntryRewardGrant[];
}

/**
 * Where a member goes in the placement pass, or null when they stay. A member in a tier of the
 * ladder is only ever promoted (never demoted by a save); a member without a tier, or in a tier
 * that no longer exists, is placed in the highest visible tier they qualify for (the base at least).
 */
export function placementOf(
  ladder: TierLadder,
  member: { id: string; tierHandle: string | null },
  progress: Omit<TierProgress, "window">,
): Placement | null {
  if (ladder.length === 0) return null;
  const current = ladder.some((tier) => tier.handle === member.tierHandle) ? member.tierHandle : null;
  const decision = evaluatePromotion(ladder, current, progress, { memberId: member.id });
  if (!decision.promoted) return null;
  return { from: member.tierHandle, to: decision.to, entryRewards: decision.entryRewards };
}
