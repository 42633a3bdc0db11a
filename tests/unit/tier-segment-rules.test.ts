/**
 * Hidden tiers assigned by segment (docs/decisions/012 addendum): the ladder's validation of the rule
 * and the pure decision the daily segment refresh applies to each member.
 */
import { describe, expect, it } from "vitest";
import { segmentRuleMove, TierLadderSchema, type SegmentRuleMember, type TierInput, type TierLadder } from "~/loyalty/tiers";

function tier(handle: string, thresholdValue: string, overrides: Partial<TierInput> = {}): TierInput {
  return { handle, name: handle, thresholdKind: "points_earned", thresholdValue, qualificationPeriod: "calendar_year", earnMultiplier: "1", ...overrides };
}

function issues(input: unknown): string[] {
  const result = TierLadderSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}

const ladder: TierLadder = TierLadderSchema.parse([
  tier("bronze", "0"),
  tier("silver", "500", { entryReward: { kind: "points", points: 50 } }),
  tier("comeback", "700", { hidden: true, assignSegment: "at_risk", entryReward: { kind: "points", points: 200 } }),
  tier("gold", "1500", { entryReward: { kind: "reward", rewardId: "rw_gold" } }),
  tier("staff-vip", "3000", { hidden: true }),
  tier("winback", "4000", { hidden: true, assignSegment: "churned" }),
]);

const points = (pointsEarned: number) => ({ pointsEarned, amountSpent: "0", ordersCount: 0 });
const member = (overrides: Partial<SegmentRuleMember>): SegmentRuleMember => ({
  memberId: "m1",
  tier: "bronze",
  segment: "active",
  excluded: false,
  placedByRule: null,
  progress: null,
  ...overrides,
});

describe("segment rule validation", () => {
  it("accepts a rule on a hidden tier and defaults to no rule", () => {
    expect(ladder[2]?.assignSegment).toBe("at_risk");
    expect(ladder[1]?.assignSegment).toBeNull();
  });

  it("refuses a rule on a visible tier", () => {
    expect(issues([tier("bronze", "0"), tier("silver", "500", { assignSegment: "at_risk" })])).toContain(
      "1.assignSegment: only a hidden tier can be assigned by segment",
    );
    expect(issues([tier("bronze", "0", { assignSegment: "new" })])).toContain("0.assignSegment: only a hidden tier can be assigned by segment");
  });

  it("refuses an unknown segment with a clear message", () => {
    expect(issues([tier("bronze", "0"), tier("vip", "500", { hidden: true, assignSegment: "vip_buyers" as never })])).toContain(
      "1.assignSegment: is not a segment Keepsake computes",
    );
  });

  it("refuses two hidden tiers assigning the same segment", () => {
    expect(
      issues([tier("bronze", "0"), tier("a", "500", { hidden: true, assignSegment: "loyal" }), tier("b", "900", { hidden: true, assignSegment: "loyal" })]),
    ).toEqual(["2.assignSegment: another hidden tier already assigns this segment"]);
  });

  it("reports the rule even when a threshold is wrong", () => {
    expect(issues([tier("bronze", "0"), tier("silver", "x", { assignSegment: "at_risk" })])).toEqual([
      "1.thresholdValue: is not a valid points_earned threshold",
      "1.assignSegment: only a hidden tier can be assigned by segment",
    ]);
  });
});

describe("segmentRuleMove", () => {
  it("places a member of the segment in the rule's tier when it ranks above theirs, with its entry reward", () => {
    expect(segmentRuleMove(ladder, member({ tier: "silver", segment: "at_risk" }))).toEqual({
      move: true,
      to: "comeback",
      entryRewards: [{ tierHandle: "comeback", reward: { kind: "points", points: 200 }, idempotencyKey: "tier-entry:m1:comeback" }],
    });
    expect(segmentRuleMove(ladder, member({ tier: null, segment: "at_risk" }))).toMatchObject({ move: true, to: "comeback" });
  });

  it("never demotes: an earned higher tier or a staff-assigned higher hidden tier stays", () => {
    expect(segmentRuleMove(ladder, member({ tier: "gold", segment: "at_risk" }))).toEqual({ move: false });
    expect(segmentRuleMove(ladder, member({ tier: "staff-vip", segment: "at_risk" }))).toEqual({ move: false });
  });

  it("never places an excluded member", () => {
    expect(segmentRuleMove(ladder, member({ segment: "at_risk", excluded: true }))).toEqual({ move: false });
  });

  it("keeps a rule-placed member while they stay in the segment", () => {
    expect(segmentRuleMove(ladder, member({ tier: "comeback", segment: "at_risk", placedByRule: { from: "silver" } }))).toEqual({ move: false });
  });

  it("asks for progress, then takes a member who left the segment back to the higher of where they came from and what they qualify for", () => {
    const left = member({ tier: "comeback", segment: "active", placedByRule: { from: "silver" } });
    expect(segmentRuleMove(ladder, left)).toEqual({ move: false, needsProgress: true });
    expect(segmentRuleMove(ladder, { ...left, progress: points(10) })).toEqual({ move: true, to: "silver", entryRewards: [] });
    // Qualifies for less than they held: they keep what they held (no demotion mid-period).
    expect(segmentRuleMove(ladder, { ...left, placedByRule: { from: "bronze" }, progress: points(600) })).toEqual({
      move: true,
      to: "silver",
      entryRewards: [{ tierHandle: "silver", reward: { kind: "points", points: 50 }, idempotencyKey: "tier-entry:m1:silver" }],
    });
    expect(segmentRuleMove(ladder, { ...left, placedByRule: { from: null }, progress: points(0) })).toEqual({ move: true, to: "bronze", entryRewards: [] });
  });

  it("leaves a hidden tier staff assigned (or reached otherwise) alone when the member is not in its segment", () => {
    expect(segmentRuleMove(ladder, member({ tier: "comeback", segment: "active", placedByRule: null, progress: points(0) }))).toEqual({ move: false });
  });

  it("takes rule-placed members back when the rule is removed", () => {
    const noRule = ladder.map((item) => (item.handle === "comeback" ? { ...item, assignSegment: null } : item));
    expect(segmentRuleMove(noRule, member({ tier: "comeback", segment: "at_risk", placedByRule: { from: "silver" }, progress: points(0) }))).toMatchObject({
      move: true,
      to: "silver",
    });
  });

  it("moves a rule-placed member to the rule tier of their new segment when it ranks above where they would go back", () => {
    expect(segmentRuleMove(ladder, member({ tier: "comeback", segment: "churned", placedByRule: { from: "silver" }, progress: points(0) }))).toEqual({
      move: true,
      to: "winback",
      entryRewards: [],
    });
  });
});
