import { describe, expect, it } from "vitest";
import {
  applyMultiplier,
  confirmPendingDowngrade,
  currentPeriodEnd,
  evaluatePromotion,
  evaluateRefundDemotion,
  evaluateRetention,
  progressToNext,
  qualifyingProgress,
  qualifyingTier,
  TierLadderSchema,
  UnknownTierError,
  type QualifyingEvent,
  type TierInput,
  type TierLadder,
} from "~/loyalty/tiers";

const NY = "America/New_York";
const SEOUL = "Asia/Seoul";

function tier(handle: string, thresholdValue: string, overrides: Partial<TierInput> = {}): TierInput {
  return {
    handle,
    name: handle[0]?.toUpperCase() + handle.slice(1),
    thresholdKind: "amount_spent",
    thresholdValue,
    qualificationPeriod: "calendar_year",
    earnMultiplier: "1",
    ...overrides,
  };
}

function ladder(tiers: TierInput[]): TierLadder {
  return TierLadderSchema.parse(tiers);
}

const spendLadder = ladder([
  tier("bronze", "0"),
  tier("silver", "200", { earnMultiplier: "1.25", entryReward: { kind: "points", points: 100 } }),
  tier("gold", "500", { earnMultiplier: "1.5", entryReward: { kind: "reward", rewardId: "rw_gold" }, perks: "Free shipping" }),
  tier("platinum", "1000", { earnMultiplier: "2", entryReward: { kind: "points", points: 500 } }),
]);

const progress = (amountSpent: string, pointsEarned = 0, ordersCount = 0) => ({ amountSpent, pointsEarned, ordersCount });

function issues(input: unknown): string[] {
  const result = TierLadderSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}

describe("ladder validation", () => {
  it("accepts a valid ladder and applies defaults", () => {
    const parsed = ladder([tier("bronze", "0"), tier("silver", "100.50")]);
    expect(parsed[0]).toMatchObject({ hidden: false, perks: "", entryReward: null });
  });

  it("rejects duplicate handles", () => {
    expect(issues([tier("bronze", "0"), tier("bronze", "100")])).toContain("1.handle: is used by another tier");
  });

  it("requires exactly one base tier with threshold 0, first", () => {
    expect(issues([tier("silver", "100"), tier("gold", "200")])).toEqual([
      "0.thresholdValue: exactly one base tier, the first, has threshold 0",
    ]);
    expect(issues([tier("bronze", "0"), tier("other", "0")])).toContain(
      "0.thresholdValue: exactly one base tier, the first, has threshold 0",
    );
    expect(issues([tier("bronze", "0.00"), tier("silver", "100")])).toEqual([]);
  });

  it("requires strictly increasing thresholds", () => {
    expect(issues([tier("bronze", "0"), tier("silver", "100"), tier("gold", "100")])).toEqual([
      "2.thresholdValue: thresholds must strictly increase up the ladder",
    ]);
    expect(issues([tier("bronze", "0"), tier("gold", "500"), tier("silver", "200")])).toEqual([
      "2.thresholdValue: thresholds must strictly increase up the ladder",
    ]);
    expect(issues([tier("bronze", "0"), tier("silver", "99.99"), tier("gold", "100")])).toEqual([]);
  });

  it("requires one threshold kind and one period", () => {
    expect(issues([tier("bronze", "0"), tier("silver", "5", { thresholdKind: "orders_count" })])).toContain(
      "1.thresholdKind: every tier uses the same threshold kind",
    );
    expect(issues([tier("bronze", "0"), tier("silver", "5", { qualificationPeriod: "lifetime" })])).toContain(
      "1.qualificationPeriod: every tier uses the same qualification period",
    );
  });

  it("checks thresholds by kind", () => {
    const points = { thresholdKind: "points_earned" as const };
    expect(issues([tier("bronze", "0", points), tier("silver", "100.5", points)])).toContain(
      "1.thresholdValue: is not a valid points_earned threshold",
    );
    expect(issues([tier("bronze", "0"), tier("silver", "-5")])).toContain("1.thresholdValue: is not a valid amount_spent threshold");
    expect(issues([tier("bronze", "0"), tier("silver", "abc")])).toContain("1.thresholdValue: is not a valid amount_spent threshold");
  });

  it("requires multipliers ≥ 1 written as exact decimals", () => {
    expect(issues([tier("bronze", "0", { earnMultiplier: "0.5" })])).toContain("0.earnMultiplier: must be at least 1");
    expect(issues([tier("bronze", "0", { earnMultiplier: "1.5x" })]).length).toBe(1);
    expect(issues([tier("bronze", "0", { earnMultiplier: "1.000001" })])).toEqual([]);
  });

  it("rejects a hidden base tier, bad handles and bad entry rewards", () => {
    expect(issues([tier("bronze", "0", { hidden: true })])).toContain("0.hidden: the base tier cannot be hidden");
    expect(issues([tier("Bronze Tier", "0")]).length).toBe(1);
    expect(issues([tier("bronze", "0", { entryReward: { kind: "points", points: 0 } })]).length).toBe(1);
    expect(issues([])).not.toEqual([]);
  });
});

describe("applyMultiplier", () => {
  it("is exact and floored", () => {
    expect(applyMultiplier(7, "1.5")).toBe(10);
    expect(applyMultiplier(100, "1.25")).toBe(125);
    expect(applyMultiplier(3, "1.333333")).toBe(3);
    expect(applyMultiplier(3, "1.333334")).toBe(4);
    expect(applyMultiplier(10, "1.1")).toBe(11); // floats: 10 * 1.1 = 11.000000000000002
    expect(applyMultiplier(0, "2")).toBe(0);
    expect(applyMultiplier(9_007_199, "1000")).toBe(9_007_199_000);
    expect(() => applyMultiplier(1.5, "2")).toThrow(RangeError);
    expect(() => applyMultiplier(5, "two")).toThrow(RangeError);
  });
});

const at = (iso: string) => new Date(iso);
function order(ref: string, iso: string, amount: string, points = 0): QualifyingEvent {
  return { type: "order", orderRef: ref, at: at(iso), amount, points };
}
function refund(ref: string, iso: string, amount: string, points = 0): QualifyingEvent {
  return { type: "refund", orderRef: ref, at: at(iso), amount, points };
}

describe("qualifying progress per period", () => {
  const events: QualifyingEvent[] = [
    order("o1", "2025-03-10T15:00:00Z", "100", 100),
    order("o2", "2025-12-20T15:00:00Z", "50", 50),
    order("o3", "2026-01-01T04:30:00Z", "30", 30), // Dec 31 23:30 in New York, Jan 1 13:30 in Seoul
    order("o4", "2026-06-01T15:00:00Z", "20.25", 20),
    { type: "earn", ref: "birthday:2026", at: at("2026-06-02T15:00:00Z"), points: 40 },
  ];

  it("lifetime counts everything up to the day", () => {
    const p = qualifyingProgress(events, { period: "lifetime", asOf: "2026-11-23", timeZone: NY });
    expect(p).toMatchObject({ amountSpent: "200.25", pointsEarned: 240, ordersCount: 4 });
    const earlier = qualifyingProgress(events, { period: "lifetime", asOf: "2025-12-31", timeZone: NY });
    expect(earlier).toMatchObject({ amountSpent: "180", ordersCount: 3 });
  });

  it("calendar year uses the shop-local date", () => {
    expect(qualifyingProgress(events, { period: "calendar_year", asOf: "2026-11-23", timeZone: NY })).toMatchObject({
      amountSpent: "20.25",
      ordersCount: 1,
      pointsEarned: 60,
    });
    expect(qualifyingProgress(events, { period: "calendar_year", asOf: "2026-11-23", timeZone: SEOUL })).toMatchObject({
      amountSpent: "50.25",
      ordersCount: 2,
    });
  });

  it("rolling 12 months ends on the day", () => {
    const p = qualifyingProgress(events, { period: "rolling_12_months", asOf: "2026-03-10", timeZone: NY });
    // window 2025-03-11..2026-03-10: o1 (Mar 10 2025) is out
    expect(p.window).toEqual({ start: "2025-03-11", end: "2026-03-10" });
    expect(p).toMatchObject({ amountSpent: "80", ordersCount: 2 });
    const inclusive = qualifyingProgress(events, { period: "rolling_12_months", asOf: "2026-03-09", timeZone: NY });
    expect(inclusive).toMatchObject({ amountSpent: "180", ordersCount: 3 });
  });

  it("leap years: Feb 29 counts in its own year", () => {
    const leap = [order("l1", "2028-02-29T15:00:00Z", "60")];
    expect(qualifyingProgress(leap, { period: "rolling_12_months", asOf: "2029-03-01", timeZone: NY }).amountSpent).toBe("0");
    // The 12 months ending Feb 28 2029 start on Feb 29 2028 (366 days).
    expect(qualifyingProgress(leap, { period: "rolling_12_months", asOf: "2029-02-28", timeZone: NY }).amountSpent).toBe("60");
    expect(qualifyingProgress(leap, { period: "calendar_year", asOf: "2028-12-31", timeZone: NY }).amountSpent).toBe("60");
  });

  it("refunds reduce the order's own period, capped at the order", () => {
    const withRefunds = [
      ...events,
      refund("o2", "2026-01-05T15:00:00Z", "20", 20), // lowers 2025, not 2026
      refund("o4", "2026-06-10T15:00:00Z", "15", 15),
      refund("o4", "2026-06-11T15:00:00Z", "15", 15), // over-refund: capped at the order
    ];
    expect(qualifyingProgress(withRefunds, { period: "calendar_year", asOf: "2026-11-23", timeZone: NY })).toMatchObject({
      amountSpent: "0",
      ordersCount: 0,
      pointsEarned: 40,
    });
    // Reviewing 2025 on Dec 31 does not see the January refund; a later look at 2025 does.
    expect(qualifyingProgress(withRefunds, { period: "calendar_year", asOf: "2025-12-31", timeZone: NY }).amountSpent).toBe("180");
    expect(
      qualifyingProgress(withRefunds, { period: "calendar_year", asOf: "2025-12-31", refundsThrough: "2026-01-31", timeZone: NY })
        .amountSpent,
    ).toBe("160"); // o1 100 + o2 50 − 20 + o3 30 (Dec 31 23:30 in New York)
    // In Seoul o3 is a 2026 order and the o2 refund does not touch 2026.
    expect(qualifyingProgress(withRefunds, { period: "calendar_year", asOf: "2026-01-31", timeZone: SEOUL })).toMatchObject({
      amountSpent: "30",
      ordersCount: 1,
    });
  });

  it("ignores refunds after the day reviewed, refunds of unknown orders and duplicate orders", () => {
    const list: QualifyingEvent[] = [
      order("a", "2026-05-01T15:00:00Z", "100"),
      order("a", "2026-05-01T15:00:00Z", "100"),
      refund("a", "2027-01-02T15:00:00Z", "100"),
      refund("zzz", "2026-05-02T15:00:00Z", "100"),
      { type: "earn", ref: "birthday:2026", at: at("2026-06-02T15:00:00Z"), points: 40 },
      { type: "earn", ref: "birthday:2026", at: at("2026-06-02T15:00:00Z"), points: 40 },
    ];
    expect(qualifyingProgress(list, { period: "calendar_year", asOf: "2026-12-31", timeZone: NY })).toMatchObject({
      amountSpent: "100",
      ordersCount: 1,
      pointsEarned: 40,
    });
    expect(qualifyingProgress(list, { period: "lifetime", asOf: "2027-01-02", timeZone: NY }).ordersCount).toBe(0);
  });
});

describe("promotion", () => {
  it("promotes immediately and issues the entry reward", () => {
    const result = evaluatePromotion(spendLadder, "bronze", progress("200"), { memberId: "m1" });
    expect(result).toEqual({
      promoted: true,
      from: "bronze",
      to: "silver",
      crossed: ["silver"],
      entryRewards: [{ tierHandle: "silver", reward: { kind: "points", points: 100 }, idempotencyKey: "tier-entry:m1:silver" }],
    });
  });

  it("skipping two tiers issues each skipped tier's reward once", () => {
    const result = evaluatePromotion(spendLadder, "bronze", progress("1500"), { memberId: "m1" });
    expect(result.to).toBe("platinum");
    expect(result.crossed).toEqual(["silver", "gold", "platinum"]);
    expect(result.entryRewards.map((grant) => grant.idempotencyKey)).toEqual([
      "tier-entry:m1:silver",
      "tier-entry:m1:gold",
      "tier-entry:m1:platinum",
    ]);
    expect(result.entryRewards[1]?.reward).toEqual({ kind: "reward", rewardId: "rw_gold" });
  });

  it("does nothing below the next threshold or for a member already there", () => {
    expect(evaluatePromotion(spendLadder, "bronze", progress("199.99"), { memberId: "m1" })).toMatchObject({
      promoted: false,
      to: "bronze",
      entryRewards: [],
    });
    expect(evaluatePromotion(spendLadder, "gold", progress("600"), { memberId: "m1" }).promoted).toBe(false);
    // Never demotes, even when progress dropped after a refund.
    expect(evaluatePromotion(spendLadder, "gold", progress("10"), { memberId: "m1" })).toMatchObject({ promoted: false, to: "gold" });
  });

  it("places a new member in the base tier (with its reward if any)", () => {
    const welcome = ladder([tier("bronze", "0", { entryReward: { kind: "points", points: 10 } }), tier("silver", "100")]);
    expect(evaluatePromotion(welcome, null, progress("0"), { memberId: "m2" })).toMatchObject({
      promoted: true,
      from: null,
      to: "bronze",
      entryRewards: [{ idempotencyKey: "tier-entry:m2:bronze" }],
    });
  });

  it("never promotes into a hidden tier, but moves a member up out of one", () => {
    const withHidden = ladder([tier("bronze", "0"), tier("vip", "100", { hidden: true, entryReward: { kind: "points", points: 5 } }), tier("gold", "500")]);
    expect(evaluatePromotion(withHidden, "bronze", progress("300"), { memberId: "m" })).toMatchObject({ promoted: false, to: "bronze" });
    const up = evaluatePromotion(withHidden, "bronze", progress("600"), { memberId: "m" });
    expect(up.crossed).toEqual(["gold"]);
    expect(up.entryRewards).toEqual([]);
    expect(evaluatePromotion(withHidden, "vip", progress("600"), { memberId: "m" })).toMatchObject({ promoted: true, from: "vip", to: "gold" });
  });

  it("promotes on points and on order counts", () => {
    const byOrders = ladder([
      tier("member", "0", { thresholdKind: "orders_count" }),
      tier("regular", "3", { thresholdKind: "orders_count" }),
    ]);
    expect(evaluatePromotion(byOrders, "member", progress("999", 999, 2), { memberId: "m" }).promoted).toBe(false);
    expect(evaluatePromotion(byOrders, "member", progress("0", 0, 3), { memberId: "m" }).to).toBe("regular");
    const byPoints = ladder([tier("a", "0", { thresholdKind: "points_earned" }), tier("b", "1000", { thresholdKind: "points_earned" })]);
    expect(qualifyingTier(byPoints, progress("5000", 999)).handle).toBe("a");
    expect(qualifyingTier(byPoints, progress("0", 1000)).handle).toBe("b");
  });

  it("rejects an unknown current tier", () => {
    expect(() => evaluatePromotion(spendLadder, "diamond", progress("0"), { memberId: "m" })).toThrow(UnknownTierError);
  });

  it("a refund after promotion does not demote mid-period (unless configured)", () => {
    const events = [order("o1", "2026-04-01T15:00:00Z", "520")];
    const before = qualifyingProgress(events, { period: "calendar_year", asOf: "2026-04-01", timeZone: NY });
    const promoted = evaluatePromotion(spendLadder, "bronze", before, { memberId: "m" });
    expect(promoted.to).toBe("gold");
    const after = qualifyingProgress([...events, refund("o1", "2026-04-05T15:00:00Z", "400")], {
      period: "calendar_year",
      asOf: "2026-04-05",
      timeZone: NY,
    });
    expect(after.amountSpent).toBe("120");
    expect(evaluatePromotion(spendLadder, "gold", after, { memberId: "m" }).to).toBe("gold");
    expect(evaluateRefundDemotion(spendLadder, "gold", after, { refundsDemote: false })).toEqual({ demote: false });
    expect(evaluateRefundDemotion(spendLadder, "gold", after, { refundsDemote: true })).toEqual({ demote: true, to: "bronze" });
    expect(evaluateRefundDemotion(spendLadder, "gold", progress("600"), { refundsDemote: true })).toEqual({ demote: false });
    // …but the period's review does see it.
    expect(evaluateRetention(spendLadder, "gold", after, { downgrade: "to_qualifying", graceDays: 0, periodEnd: "2026-12-31" }).to).toBe(
      "bronze",
    );
  });
});

describe("retention", () => {
  const review = { graceDays: 0, periodEnd: "2026-12-31" };

  it("keeps a member who still qualifies", () => {
    expect(evaluateRetention(spendLadder, "gold", progress("500"), { ...review, downgrade: "to_qualifying" })).toEqual({
      decision: "retain",
      reason: "qualified",
      from: "gold",
      to: "gold",
      effectiveOn: "2027-01-01",
    });
  });

  it("downgrades to the qualifying tier", () => {
    expect(evaluateRetention(spendLadder, "platinum", progress("250"), { ...review, downgrade: "to_qualifying" })).toMatchObject({
      decision: "downgrade",
      to: "silver",
    });
  });

  it("or one level at a time", () => {
    expect(evaluateRetention(spendLadder, "platinum", progress("0"), { ...review, downgrade: "one_level" })).toMatchObject({
      decision: "downgrade",
      to: "gold",
    });
    expect(evaluateRetention(spendLadder, "silver", progress("0"), { ...review, downgrade: "one_level" }).to).toBe("bronze");
  });

  it("never below the base tier", () => {
    expect(evaluateRetention(spendLadder, "bronze", progress("0"), { ...review, downgrade: "one_level" })).toMatchObject({
      decision: "retain",
      to: "bronze",
    });
  });

  it("one level skips hidden tiers and keeps hidden members", () => {
    const withHidden = ladder([tier("bronze", "0"), tier("vip", "100", { hidden: true }), tier("gold", "500")]);
    expect(evaluateRetention(withHidden, "gold", progress("0"), { ...review, downgrade: "one_level" }).to).toBe("bronze");
    expect(evaluateRetention(withHidden, "vip", progress("0"), { ...review, downgrade: "to_qualifying" })).toMatchObject({
      decision: "retain",
      reason: "hidden_tier",
    });
  });

  it("a grace period delays the effective day, across years and leap days", () => {
    expect(evaluateRetention(spendLadder, "gold", progress("0"), { downgrade: "to_qualifying", graceDays: 30, periodEnd: "2026-12-31" }).effectiveOn).toBe(
      "2027-01-31",
    );
    expect(evaluateRetention(spendLadder, "gold", progress("0"), { downgrade: "to_qualifying", graceDays: 1, periodEnd: "2028-02-27" }).effectiveOn).toBe(
      "2028-02-29",
    );
    expect(() => evaluateRetention(spendLadder, "gold", progress("0"), { downgrade: "one_level", graceDays: -1, periodEnd: "2026-12-31" })).toThrow(
      RangeError,
    );
  });

  it("a pending downgrade is confirmed, softened or cancelled on its day", () => {
    const pending = { from: "platinum", to: "bronze" };
    expect(confirmPendingDowngrade(spendLadder, pending, "platinum", progress("0"))).toEqual({ apply: true, to: "bronze" });
    expect(confirmPendingDowngrade(spendLadder, pending, "platinum", progress("600"))).toEqual({ apply: true, to: "gold" });
    expect(confirmPendingDowngrade(spendLadder, pending, "platinum", progress("1000"))).toEqual({ apply: false });
    expect(confirmPendingDowngrade(spendLadder, pending, "silver", progress("0"))).toEqual({ apply: false });
  });

  it("reviews at the end of the member's period", () => {
    expect(currentPeriodEnd("lifetime", "2026-03-15", "2026-11-23")).toBeNull();
    expect(currentPeriodEnd("calendar_year", "2026-03-15", "2026-11-23")).toBe("2026-12-31");
    expect(currentPeriodEnd("rolling_12_months", "2026-03-15", "2026-11-23")).toBe("2027-03-14");
    expect(currentPeriodEnd("rolling_12_months", "2026-03-15", "2027-03-14")).toBe("2027-03-14");
    expect(currentPeriodEnd("rolling_12_months", "2026-03-15", "2027-03-15")).toBe("2028-03-14");
    expect(currentPeriodEnd("rolling_12_months", "2028-02-29", "2029-01-01")).toBe("2029-02-27");
    expect(currentPeriodEnd("rolling_12_months", "2028-02-29", "2031-06-01")).toBe("2032-02-28");
  });
});

describe("progress to the next tier", () => {
  it("says exactly how much more to spend", () => {
    expect(progressToNext(spendLadder, "silver", progress("460"))).toEqual({
      tier: "gold",
      name: "Gold",
      kind: "amount_spent",
      remaining: "40",
      threshold: "500",
      current: "460",
    });
    expect(progressToNext(spendLadder, "bronze", progress("0.1"))?.remaining).toBe("199.9");
  });

  it("counts points and orders", () => {
    const byPoints = ladder([tier("a", "0", { thresholdKind: "points_earned" }), tier("b", "1000", { thresholdKind: "points_earned" })]);
    expect(progressToNext(byPoints, "a", progress("0", 875))).toMatchObject({ remaining: "125", kind: "points_earned" });
    const byOrders = ladder([tier("a", "0", { thresholdKind: "orders_count" }), tier("b", "5", { thresholdKind: "orders_count" })]);
    expect(progressToNext(byOrders, "a", progress("0", 0, 4))).toMatchObject({ remaining: "1", tier: "b" });
  });

  it("is null at the top and never announces a hidden tier", () => {
    expect(progressToNext(spendLadder, "platinum", progress("5000"))).toBeNull();
    const withHidden = ladder([tier("bronze", "0"), tier("vip", "100", { hidden: true }), tier("gold", "500")]);
    expect(progressToNext(withHidden, "bronze", progress("50"))?.tier).toBe("gold");
    expect(progressToNext(ladder([tier("bronze", "0"), tier("vip", "1", { hidden: true })]), "bronze", progress("0"))).toBeNull();
  });

  it("says 0 remaining when a promotion is due (kept mid-period after a refund the other way)", () => {
    expect(progressToNext(spendLadder, "bronze", progress("250"))?.remaining).toBe("0");
  });
});
