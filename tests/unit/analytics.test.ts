import { describe, expect, it } from "vitest";
import {
  addDelta,
  change,
  classifyDelta,
  computeKpis,
  decodeSketch,
  encodeSketch,
  InvalidRangeError,
  liabilityMicros,
  mergeRewardCounts,
  mergeSketches,
  orderRevenue,
  pointValueOf,
  presetRange,
  previousPeriod,
  ratio,
  resolveRange,
  sketchCount,
  sketchOf,
  SKETCH_EXACT_LIMIT,
  sumFigures,
  zeroFigures,
  type DayFigures,
  type RewardForValue,
} from "~/loyalty/analytics";
import { toMicros } from "~/loyalty/money";

const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

function day(date: string, patch: Partial<DayFigures> = {}): DayFigures {
  return { ...zeroFigures(date), ...patch };
}

describe("date ranges", () => {
  it("resolves presets on the shop's day, today included, with the previous period of the same length", () => {
    expect(presetRange("last_7_days", "2026-03-10")).toEqual({ from: "2026-03-04", to: "2026-03-10" });
    expect(presetRange("last_30_days", "2026-03-10")).toEqual({ from: "2026-02-09", to: "2026-03-10" });
    expect(presetRange("month_to_date", "2026-03-10")).toEqual({ from: "2026-03-01", to: "2026-03-10" });
    expect(presetRange("year_to_date", "2026-03-10")).toEqual({ from: "2026-01-01", to: "2026-03-10" });
    expect(presetRange("last_12_months", "2028-02-29")).toEqual({ from: "2027-03-01", to: "2028-02-29" });
    expect(previousPeriod({ from: "2026-03-01", to: "2026-03-10" })).toEqual({ from: "2026-02-19", to: "2026-02-28" });
    const range = resolveRange({}, "2026-03-10");
    expect(range).toMatchObject({ preset: "last_30_days", days: 30, previous: { from: "2026-01-10", to: "2026-02-08" } });
  });

  it("accepts a custom range and names the field of each mistake", () => {
    expect(resolveRange({ preset: "custom", from: "2024-02-28", to: "2024-03-01" }, "2026-03-10")).toMatchObject({
      days: 3,
      previous: { from: "2024-02-25", to: "2024-02-27" },
    });
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ preset: "custom", from: "2026-13-01", to: "2026-03-01" }, "from", /YYYY-MM-DD/],
      [{ preset: "custom", from: "2026-03-01", to: "tomorrow" }, "to", /YYYY-MM-DD/],
      [{ preset: "custom", from: "2026-03-01", to: "2026-03-11" }, "to", /future/],
      [{ preset: "custom", from: "2026-03-05", to: "2026-03-04" }, "from", /on or before/],
      [{ preset: "custom", from: "2024-01-01", to: "2026-03-01" }, "from", /at most 731 days/],
      [{ preset: "last_1000_days" }, "preset", /listed/],
    ];
    for (const [input, field, message] of cases) {
      const attempt = () => resolveRange(input, "2026-03-10");
      expect(attempt, JSON.stringify(input)).toThrow(InvalidRangeError);
      expect(attempt).toThrow(message);
      try {
        attempt();
      } catch (error) {
        expect((error as InvalidRangeError).field).toBe(field);
      }
    }
  });
});

describe("distinct active members sketch", () => {
  it("is exact up to its limit, survives encoding, and unions without double counting", () => {
    const a = sketchOf(ids("m", 300));
    const b = sketchOf(ids("m", 400).slice(100));
    expect(sketchCount(a)).toBe(300);
    expect(sketchCount(decodeSketch(encodeSketch(a)))).toBe(300);
    expect(sketchCount(mergeSketches(a, b))).toBe(400);
    expect(sketchCount(sketchOf([]))).toBe(0);
  });

  it("estimates within 5 % past the exact limit, merged from many days", () => {
    const many = sketchOf(ids("member-", 50_000));
    expect(many.kind).toBe("hll");
    expect(Math.abs(sketchCount(many) - 50_000) / 50_000).toBeLessThan(0.05);
    let merged = sketchOf([]);
    for (let dayIndex = 0; dayIndex < 30; dayIndex += 1) {
      merged = mergeSketches(merged, decodeSketch(encodeSketch(sketchOf(ids("member-", 5_000 + dayIndex * 200)))));
    }
    expect(Math.abs(sketchCount(merged) - 10_800) / 10_800).toBeLessThan(0.05);
    const justOver = sketchOf(ids("x", SKETCH_EXACT_LIMIT + 1));
    expect(Math.abs(sketchCount(justOver) - (SKETCH_EXACT_LIMIT + 1))).toBeLessThan(15);
  });

  it("refuses text that is not a sketch", () => {
    expect(() => decodeSketch("r:AAAA")).toThrow(/sketch/);
    expect(() => decodeSketch("q:")).toThrow(/sketch/);
  });
});

describe("ledger classification", () => {
  it("sorts every delta into issued, redeemed, expired or reversed so they add up to the net", () => {
    const figures = zeroFigures("2026-03-01");
    const deltas: [string, number][] = [
      ["order_earn", 120],
      ["signup_bonus", 50],
      ["manual_adjustment", 10],
      ["manual_adjustment", -4],
      ["redemption", -100],
      ["redemption_restore", 30],
      ["redemption_cancel", 20],
      ["refund_reversal", -12],
      ["expiry", -7],
      ["campaign_bonus", 0],
    ];
    for (const [kind, delta] of deltas) addDelta(figures, kind, delta);
    expect(figures).toMatchObject({ pointsIssued: 180, pointsRedeemed: 50, pointsExpired: 7, pointsReversed: 16, netPoints: 107 });
    expect(figures.pointsIssued - figures.pointsRedeemed - figures.pointsExpired - figures.pointsReversed).toBe(figures.netPoints);
    expect(classifyDelta("campaign_bonus", 0)).toBeNull();
  });

  it("counts an order's revenue net of refunds, never below zero", () => {
    expect(orderRevenue("100.10", "0.20")).toBe(toMicros("99.9"));
    expect(orderRevenue("10", "12.5")).toBe(0n);
    expect(orderRevenue(null, "0")).toBe(0n);
  });
});

describe("KPIs", () => {
  const rewards: RewardForValue[] = [
    { id: "pct", name: "10 % off", kind: "percent_off", pointsCost: 50, amount: null, pointsPerStep: null, amountPerStep: null },
    { id: "five", name: "$5 off", kind: "amount_off", pointsCost: 500, amount: "5.00", pointsPerStep: null, amountPerStep: null },
    { id: "slide", name: "Sliding", kind: "sliding_scale", pointsCost: 300, amount: null, pointsPerStep: 300, amountPerStep: "2.50" },
  ];

  it("values points with the money reward of the lowest points cost, exactly", () => {
    const value = pointValueOf(rewards);
    expect(value).toMatchObject({ rewardId: "slide", points: 300, amount: toMicros("2.5") });
    // 1,000,003 points × 2.50 / 300 = 8333.358333…: floored to the micro.
    expect(liabilityMicros(1_000_003, value)).toBe(8_333_358_333n);
    expect(pointValueOf([rewards[0]!])).toBeNull();
    expect(liabilityMicros(100, null)).toBeNull();
    expect(liabilityMicros(-5, value)).toBe(0n);
  });

  it("computes ratios and changes, with nothing to compare against as null", () => {
    expect(ratio(1, 4)).toBe(0.25);
    expect(ratio(1, 0)).toBeNull();
    expect(ratio(toMicros("1"), toMicros("3"))).toBeCloseTo(0.333333, 6);
    expect(change(150, 100)).toBe(0.5);
    expect(change(50, 100)).toBe(-0.5);
    expect(change(0, 0)).toBe(0);
    expect(change(5, 0)).toBeNull();
  });

  it("sums a range and compares it with the previous period", () => {
    const current = sumFigures([
      day("2026-03-02", {
        pointsIssued: 300,
        pointsRedeemed: 100,
        newMembers: 3,
        activeMembers: 2,
        activeSketch: sketchOf(["a", "b"]),
        memberOrders: 4,
        memberRepeatOrders: 1,
        memberRevenue: toMicros("100.05"),
        otherOrders: 2,
        otherRevenue: toMicros("50"),
        rewardCounts: [{ rewardId: "r1", name: "$5 off", count: 1, points: 100 }],
      }),
      day("2026-03-03", {
        pointsIssued: 100,
        pointsRedeemed: 100,
        pointsExpired: 20,
        activeMembers: 2,
        activeSketch: sketchOf(["b", "c"]),
        memberOrders: 4,
        memberRepeatOrders: 3,
        memberRevenue: toMicros("0.15"),
        otherOrders: 2,
        otherRepeatOrders: 1,
        rewardCounts: [
          { rewardId: "r2", name: "Free shipping", count: 1, points: 200 },
          { rewardId: "r1", name: "$5 off", count: 1, points: 100 },
        ],
      }),
    ]);
    expect(current).toMatchObject({ pointsIssued: 400, pointsRedeemed: 200, activeMembers: 3, days: 2, memberRevenue: toMicros("100.2") });
    expect(current.rewardCounts.map((r) => [r.rewardId, r.count])).toEqual([["r1", 2], ["r2", 1]]);
    const previous = sumFigures([day("2026-02-28", { pointsIssued: 200, pointsRedeemed: 20, activeSketch: sketchOf(["a"]), activeMembers: 1 }), day("2026-03-01")]);
    const kpis = computeKpis(
      current,
      previous,
      {
        current: { members: 4, memberRevenue: toMicros("300.01"), outstandingPoints: 2000 },
        previous: { members: 1, memberRevenue: toMicros("199.81"), outstandingPoints: 1000 },
      },
      pointValueOf(rewards),
    );
    expect(kpis.pointsIssued).toEqual({ current: 400, previous: 200, change: 1 });
    expect(kpis.activeMembers).toEqual({ current: 3, previous: 1, change: 2 });
    expect(kpis.redemptionRate).toEqual({ current: 0.5, previous: 0.1, change: 4 });
    expect(kpis.memberRepeatRate.current).toBe(0.5);
    expect(kpis.otherRepeatRate.current).toBe(0.25);
    expect(kpis.otherRepeatRate.previous).toBeNull();
    expect(kpis.memberRevenue.current).toBe("100.2");
    expect(kpis.memberShareOfRevenue.current).toBeCloseTo(100.2 / 150.2, 5);
    expect(kpis.averageLifetimeValue.current).toBe("75.0025");
    expect(kpis.averageLifetimeValue.previous).toBe("199.81");
    expect(kpis.liability.current).toBe("16.666666");
    expect(kpis.liability.previous).toBe("8.333333");
    expect(kpis.totalMembers).toEqual({ current: 4, previous: 1, change: 3 });
  });

  it("keeps a single day's exact active count", () => {
    expect(sumFigures([day("2026-03-01", { activeMembers: 7, activeSketch: sketchOf(ids("z", 7)) })]).activeMembers).toBe(7);
    expect(mergeRewardCounts([])).toEqual([]);
  });
});

describe("sumFigures' sketch union (merged in place)", () => {
  it("equals folding mergeSketches over the days, whatever mix of exact sets and registers, and leaves the days' sketches alone", () => {
    const sizes = [3, 700, 0, 200, 400, 2_000, 5];
    const days = sizes.map((size, index) => ({ ...zeroFigures(`2026-01-0${index + 1}`), activeSketch: sketchOf(ids(`d${index % 3}-`, size)) }));
    const before = days.map((day) => encodeSketch(day.activeSketch));
    const folded = days.reduce((sketch, day) => mergeSketches(sketch, day.activeSketch), sketchOf([]));
    const totals = sumFigures(days);
    expect(encodeSketch(totals.activeSketch)).toBe(encodeSketch(folded));
    expect(totals.activeMembers).toBe(sketchCount(folded));
    expect(days.map((day) => encodeSketch(day.activeSketch))).toEqual(before);
    // Small days stay an exact set through the union.
    const small = sumFigures(days.filter((day) => day.activeSketch.kind === "set" && day.activeSketch.hashes.size < 100));
    expect(small.activeSketch.kind).toBe("set");
    expect(small.activeMembers).toBe(new Set([...ids("d0-", 3), ...ids("d2-", 0), ...ids("d0-", 5)]).size);
  });
});
