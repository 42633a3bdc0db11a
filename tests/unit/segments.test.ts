/**
 * RFM segments: the order the rules apply in, each boundary, spend net of refunds against the loyal
 * minimum, the rules' validation, and unreadable stored rules meaning the defaults.
 */
import { describe, expect, it } from "vitest";
import { toMicros } from "~/loyalty/money";
import { changedRules, DEFAULT_SEGMENT_RULES, readSegmentRules, segmentOf, SegmentRulesInput, windowStart } from "~/loyalty/segments";

const NOW = new Date("2026-11-23T12:00:00Z");
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000);
const rules = DEFAULT_SEGMENT_RULES; // new 30, at risk 90, churn 365, window 365, loyal 3 orders + 150
const facts = (over: Partial<Parameters<typeof segmentOf>[0]> = {}) => ({
  enrolledAt: daysAgo(400),
  lastActiveAt: daysAgo(5),
  ordersInWindow: 1,
  spentInWindow: toMicros("20"),
  ...over,
});

describe("segmentOf", () => {
  it("new members stay new for newDays, whatever they did", () => {
    expect(segmentOf(facts({ enrolledAt: daysAgo(29), ordersInWindow: 10, spentInWindow: toMicros("999") }), rules, NOW)).toBe("new");
    expect(segmentOf(facts({ enrolledAt: daysAgo(30) }), rules, NOW)).toBe("active");
  });

  it("recency decides at risk and churned (churned first)", () => {
    expect(segmentOf(facts({ lastActiveAt: daysAgo(89) }), rules, NOW)).toBe("active");
    expect(segmentOf(facts({ lastActiveAt: daysAgo(90) }), rules, NOW)).toBe("at_risk");
    expect(segmentOf(facts({ lastActiveAt: daysAgo(364), ordersInWindow: 9, spentInWindow: toMicros("900") }), rules, NOW)).toBe("at_risk");
    expect(segmentOf(facts({ lastActiveAt: daysAgo(365) }), rules, NOW)).toBe("churned");
  });

  it("a member never active counts from enrollment", () => {
    expect(segmentOf(facts({ lastActiveAt: null, enrolledAt: daysAgo(60) }), rules, NOW)).toBe("active");
    expect(segmentOf(facts({ lastActiveAt: null, enrolledAt: daysAgo(100) }), rules, NOW)).toBe("at_risk");
  });

  it("loyal needs both the orders and the spend", () => {
    expect(segmentOf(facts({ ordersInWindow: 3, spentInWindow: toMicros("150") }), rules, NOW)).toBe("loyal");
    expect(segmentOf(facts({ ordersInWindow: 3, spentInWindow: toMicros("149.99") }), rules, NOW)).toBe("active");
    expect(segmentOf(facts({ ordersInWindow: 2, spentInWindow: toMicros("5000") }), rules, NOW)).toBe("active");
  });

  it("follows tuned rules", () => {
    const tuned = { ...rules, newDays: 7, atRiskDays: 30, loyalMinOrders: 1, loyalMinSpent: "10" };
    expect(segmentOf(facts({ enrolledAt: daysAgo(10) }), tuned, NOW)).toBe("loyal");
    expect(segmentOf(facts({ lastActiveAt: daysAgo(31) }), tuned, NOW)).toBe("at_risk");
    expect(windowStart(tuned, NOW).toISOString()).toBe(daysAgo(365).toISOString());
  });
});

describe("rules", () => {
  it("validates each field with a message, churn after at-risk", () => {
    const bad = SegmentRulesInput.safeParse({ newDays: "0", atRiskDays: "100", churnDays: "90", windowDays: "abc", loyalMinOrders: "1.5", loyalMinSpent: "ten" });
    expect(bad.success).toBe(false);
    const fields = new Set(bad.error?.issues.map((issue) => String(issue.path[0])));
    expect([...fields].sort()).toEqual(["loyalMinOrders", "loyalMinSpent", "newDays", "windowDays"]);
    const order = SegmentRulesInput.safeParse({ ...rules, atRiskDays: "100", churnDays: "90" });
    expect(order.error?.issues).toMatchObject([{ path: ["churnDays"], message: "Must be more than the at-risk days" }]);
    expect(SegmentRulesInput.parse({ newDays: "14", atRiskDays: "60", churnDays: "180", windowDays: "180", loyalMinOrders: "2", loyalMinSpent: "99.50" })).toEqual({
      newDays: 14,
      atRiskDays: 60,
      churnDays: 180,
      windowDays: 180,
      loyalMinOrders: 2,
      loyalMinSpent: "99.50",
    });
  });

  it("reads stored JSON, falling back to the defaults when unreadable", () => {
    expect(readSegmentRules(null)).toEqual(DEFAULT_SEGMENT_RULES);
    expect(readSegmentRules("{not json")).toEqual(DEFAULT_SEGMENT_RULES);
    expect(readSegmentRules(JSON.stringify({ ...rules, churnDays: 10 }))).toEqual(DEFAULT_SEGMENT_RULES);
    expect(readSegmentRules(JSON.stringify({ ...rules, newDays: 7 })).newDays).toBe(7);
  });

  it("names the changed rules", () => {
    expect(changedRules(rules, { ...rules, newDays: 7, loyalMinSpent: "150" })).toEqual(["newDays"]);
  });
});
