import { describe, expect, it } from "vitest";
import {
  bestCampaignFor,
  campaignBonusPoints,
  campaignBonusReversal,
  campaignWindow,
  CampaignSchema,
  isCampaignActive,
  type Campaign,
  type CampaignContext,
  type CampaignInput,
  type CampaignOrder,
} from "~/loyalty/campaigns";
import { reversalTarget } from "~/loyalty/earning";

const NY = "America/New_York";
const SEOUL = "Asia/Seoul";

function campaign(overrides: Partial<CampaignInput> = {}): Campaign {
  return CampaignSchema.parse({
    id: "c1",
    name: "Double points",
    startsAt: "2026-11-27T00:00",
    endsAt: "2026-12-01T00:00",
    kind: "multiplier",
    value: "2",
    ...overrides,
  });
}

function order(overrides: Partial<CampaignOrder> = {}): CampaignOrder {
  return {
    orderRef: "gid://shopify/Order/1",
    paidAt: new Date("2026-11-28T17:00:00Z"),
    eligibleAmount: "120",
    basePoints: 120,
    ...overrides,
  };
}

const context: CampaignContext = { memberId: "m1", memberTier: "silver", alreadyUsedOnce: [], timeZone: NY };

describe("campaign definition", () => {
  it("applies defaults", () => {
    expect(campaign()).toMatchObject({ minimumOrderAmount: null, targetTiers: null, oncePerMember: false });
  });

  it("rejects bad windows and values", () => {
    const problems = (input: Partial<CampaignInput>) => {
      const result = CampaignSchema.safeParse({ ...campaign(), ...input });
      return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    };
    expect(problems({ endsAt: "2026-11-27T00:00" })).toEqual(["endsAt: must be after startsAt"]);
    expect(problems({ endsAt: "2026-11-26T23:59:59" })).toEqual(["endsAt: must be after startsAt"]);
    expect(problems({ startsAt: "2026-11-27" })).toHaveLength(1);
    expect(problems({ value: "1" })).toEqual(["value: a multiplier greater than 1, such as 2 or 1.5"]);
    expect(problems({ value: "0.5" })).toHaveLength(1);
    expect(problems({ kind: "fixed_bonus", value: "2.5" })).toEqual(["value: whole points, at least 1"]);
    expect(problems({ kind: "fixed_bonus", value: "0" })).toHaveLength(1);
    expect(problems({ kind: "fixed_bonus", value: "200" })).toEqual([]);
    expect(problems({ minimumOrderAmount: "-1" })).toEqual(["minimumOrderAmount: an amount such as 50.00"]);
  });
});

describe("bonus points", () => {
  it("a multiplier adds base × (m − 1), floored; a fixed bonus is its value", () => {
    expect(campaignBonusPoints({ kind: "multiplier", value: "2" }, 120)).toBe(120);
    expect(campaignBonusPoints({ kind: "multiplier", value: "1.5" }, 7)).toBe(3); // 10.5 → 10, minus 7
    expect(campaignBonusPoints({ kind: "multiplier", value: "3" }, 0)).toBe(0);
    expect(campaignBonusPoints({ kind: "fixed_bonus", value: "200" }, 0)).toBe(200);
  });
});

describe("windows in the shop's time zone", () => {
  it("starts and ends at shop-local times (end exclusive)", () => {
    const c = campaign();
    expect(campaignWindow(c, NY)).toEqual({ start: new Date("2026-11-27T05:00:00Z"), end: new Date("2026-12-01T05:00:00Z") });
    expect(campaignWindow(c, SEOUL)).toEqual({ start: new Date("2026-11-26T15:00:00Z"), end: new Date("2026-11-30T15:00:00Z") });
    expect(isCampaignActive(c, new Date("2026-11-27T04:59:59.999Z"), NY)).toBe(false);
    expect(isCampaignActive(c, new Date("2026-11-27T05:00:00Z"), NY)).toBe(true);
    expect(isCampaignActive(c, new Date("2026-12-01T04:59:59.999Z"), NY)).toBe(true);
    expect(isCampaignActive(c, new Date("2026-12-01T05:00:00Z"), NY)).toBe(false);
  });

  it("the same instant is inside for one shop and outside for another", () => {
    const paidAt = new Date("2026-11-30T20:00:00Z"); // Nov 30 15:00 New York, Dec 1 05:00 Seoul
    expect(bestCampaignFor(order({ paidAt }), [campaign()], context)?.bonusPoints).toBe(120);
    expect(bestCampaignFor(order({ paidAt }), [campaign()], { ...context, timeZone: SEOUL })).toBeNull();
  });

  it("handles DST: a weekend window is 49 hours when clocks go back, 47 when they go forward", () => {
    const fallBack = campaign({ startsAt: "2026-10-31T00:00", endsAt: "2026-11-02T00:00" });
    const spring = campaign({ startsAt: "2026-03-07T00:00", endsAt: "2026-03-09T00:00" });
    const hours = (c: Campaign, zone: string) => {
      const { start, end } = campaignWindow(c, zone);
      return (end.getTime() - start.getTime()) / 3_600_000;
    };
    expect(hours(fallBack, NY)).toBe(49);
    expect(hours(spring, NY)).toBe(47);
    expect(hours(fallBack, SEOUL)).toBe(48);
    // Sunday Nov 1 23:30 EST is 04:30Z Monday: still inside.
    expect(bestCampaignFor(order({ paidAt: new Date("2026-11-02T04:30:00Z") }), [fallBack], context)).not.toBeNull();
    expect(bestCampaignFor(order({ paidAt: new Date("2026-11-02T05:00:00Z") }), [fallBack], context)).toBeNull();
  });

  it("a window starting in the skipped hour starts at 03:00 EDT", () => {
    const c = campaign({ startsAt: "2026-03-08T02:30", endsAt: "2026-03-08T12:00" });
    expect(campaignWindow(c, NY).start.toISOString()).toBe("2026-03-08T07:30:00.000Z");
  });
});

describe("eligibility", () => {
  it("respects the minimum order on eligible merchandise", () => {
    const c = campaign({ kind: "fixed_bonus", value: "200", minimumOrderAmount: "100" });
    expect(bestCampaignFor(order({ eligibleAmount: "99.99" }), [c], context)).toBeNull();
    expect(bestCampaignFor(order({ eligibleAmount: "100" }), [c], context)?.bonusPoints).toBe(200);
  });

  it("targets tiers", () => {
    const c = campaign({ targetTiers: ["gold", "platinum"] });
    expect(bestCampaignFor(order(), [c], context)).toBeNull();
    expect(bestCampaignFor(order(), [c], { ...context, memberTier: null })).toBeNull();
    expect(bestCampaignFor(order(), [c], { ...context, memberTier: "gold" })).not.toBeNull();
    expect(bestCampaignFor(order(), [campaign({ targetTiers: [] })], { ...context, memberTier: null })).not.toBeNull();
  });

  it("once per member", () => {
    const c = campaign({ oncePerMember: true });
    expect(bestCampaignFor(order(), [c], context)).toMatchObject({
      campaignId: "c1",
      oncePerMemberKey: "campaign-once:c1:m1",
      idempotencyKey: "order:gid://shopify/Order/1:campaign-bonus",
    });
    expect(bestCampaignFor(order(), [c], { ...context, alreadyUsedOnce: ["c1"] })).toBeNull();
    expect(bestCampaignFor(order(), [c], { ...context, alreadyUsedOnce: new Set(["c1"]) })).toBeNull();
    expect(bestCampaignFor(order(), [campaign()], { ...context, alreadyUsedOnce: ["c1"] })?.oncePerMemberKey).toBeNull();
  });

  it("gives nothing to an order without eligible merchandise, or a zero bonus", () => {
    expect(bestCampaignFor(order({ eligibleAmount: "0", basePoints: 0 }), [campaign({ kind: "fixed_bonus", value: "50" })], context)).toBeNull();
    expect(bestCampaignFor(order({ basePoints: 0 }), [campaign()], context)).toBeNull();
    expect(bestCampaignFor(order({ basePoints: 1 }), [campaign({ value: "1.5" })], context)).toBeNull(); // floor(1.5) − 1 = 0
  });
});

describe("overlapping campaigns", () => {
  const double = campaign({ id: "double", value: "2" });
  const triple = campaign({ id: "triple", value: "3", startsAt: "2026-11-28T00:00" });
  const flat = campaign({ id: "flat", kind: "fixed_bonus", value: "150" });

  it("the one giving the most points wins, whatever the list order", () => {
    const result = bestCampaignFor(order(), [double, triple, flat], context);
    expect(result).toMatchObject({ campaignId: "triple", kind: "multiplier", value: "3", bonusPoints: 240 });
    expect(bestCampaignFor(order(), [flat, triple, double], context)?.campaignId).toBe("triple");
    // On a small order the fixed bonus beats the multipliers.
    expect(bestCampaignFor(order({ basePoints: 40, eligibleAmount: "40" }), [double, triple, flat], context)).toMatchObject({
      campaignId: "flat",
      bonusPoints: 150,
    });
  });

  it("ties go to the earliest start, then the smallest id", () => {
    const early = campaign({ id: "zz-early", kind: "fixed_bonus", value: "120", startsAt: "2026-11-20T00:00" });
    expect(bestCampaignFor(order(), [double, early], context)?.campaignId).toBe("zz-early");
    const sameStart = campaign({ id: "a-same", kind: "fixed_bonus", value: "120" });
    expect(bestCampaignFor(order(), [double, sameStart], context)?.campaignId).toBe("a-same");
    expect(bestCampaignFor(order(), [sameStart, double], context)?.campaignId).toBe("a-same");
  });

  it("a campaign outside its window does not win", () => {
    const paidAt = new Date("2026-11-27T17:00:00Z"); // before triple starts
    expect(bestCampaignFor(order({ paidAt }), [double, triple], context)?.campaignId).toBe("double");
  });

  it("a used once-per-member campaign leaves the next best", () => {
    const onceTriple = campaign({ id: "triple", value: "3", oncePerMember: true });
    expect(bestCampaignFor(order(), [double, onceTriple], { ...context, alreadyUsedOnce: ["triple"] })?.campaignId).toBe("double");
  });
});

describe("bonus reversal", () => {
  it("follows the base points' proportional, cumulative rule", () => {
    // Bonus 120 on 120.00 of merchandise; three partial refunds in any order.
    let reversed = 0;
    const refunds = ["30", "45.50", "44.50"];
    let cumulative = 0;
    for (const amount of refunds) {
      cumulative += Number(amount);
      const delta = campaignBonusReversal({ bonusAwarded: 120, eligibleAmount: "120", refundedAmount: String(cumulative), alreadyReversed: reversed });
      reversed += delta;
    }
    expect(reversed).toBe(120);
  });

  it("rounds like earning.ts and never reverses more than the bonus", () => {
    expect(campaignBonusReversal({ bonusAwarded: 7, eligibleAmount: "30", refundedAmount: "10", alreadyReversed: 0 })).toBe(
      reversalTarget(7, "30", "10"),
    );
    expect(campaignBonusReversal({ bonusAwarded: 7, eligibleAmount: "30", refundedAmount: "10", alreadyReversed: 0 })).toBe(2);
    expect(campaignBonusReversal({ bonusAwarded: 7, eligibleAmount: "30", refundedAmount: "20", alreadyReversed: 2 })).toBe(3);
    expect(campaignBonusReversal({ bonusAwarded: 7, eligibleAmount: "30", refundedAmount: "45", alreadyReversed: 5 })).toBe(2);
    expect(campaignBonusReversal({ bonusAwarded: 7, eligibleAmount: "30", refundedAmount: "45", alreadyReversed: 7 })).toBe(0);
    // A duplicate refund delivery (same cumulative amount) reverses nothing more.
    expect(campaignBonusReversal({ bonusAwarded: 200, eligibleAmount: "100", refundedAmount: "50", alreadyReversed: 100 })).toBe(0);
    expect(campaignBonusReversal({ bonusAwarded: 0, eligibleAmount: "100", refundedAmount: "50", alreadyReversed: 0 })).toBe(0);
  });
});
