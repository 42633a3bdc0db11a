import { describe, expect, it } from "vitest";
import {
  computeOrderEarning,
  lineEligibleMicros,
  pointsForAmount,
  refundedMerchandise,
  reversalTarget,
  type EarnSettings,
  type OrderLineFacts,
  type PaidOrderFacts,
} from "~/loyalty/earning";
import { toMicros } from "~/loyalty/money";

const settings: EarnSettings = {
  programEnabled: true,
  earnRate: "1",
  rounding: "floor",
  minimumOrderAmount: null,
  includePosOrders: true,
  includeTestOrders: false,
};

let lineCounter = 0;
function line(overrides: Partial<OrderLineFacts> = {}): OrderLineFacts {
  lineCounter += 1;
  return {
    lineGid: `gid://shopify/LineItem/${lineCounter}`,
    quantity: 1,
    unitPrice: "10.00",
    discount: "0",
    includedTax: "0",
    giftCard: false,
    ...overrides,
  };
}

function order(overrides: Partial<PaidOrderFacts> = {}): PaidOrderFacts {
  return {
    orderGid: "gid://shopify/Order/1",
    orderName: "#1001",
    customerGid: "gid://shopify/Customer/7",
    email: "ada@example.com",
    test: false,
    sourceName: "web",
    currencyCode: "USD",
    lines: [line({ unitPrice: "25.50", quantity: 2 })],
    ...overrides,
  };
}

describe("line eligibility", () => {
  it("is price × quantity less discounts and included tax", () => {
    expect(lineEligibleMicros(line({ unitPrice: "20", quantity: 3, discount: "5", includedTax: "2.5" }))).toBe(
      toMicros("52.5"),
    );
  });
  it("excludes gift cards and never goes negative", () => {
    expect(lineEligibleMicros(line({ giftCard: true, unitPrice: "50" }))).toBe(0n);
    expect(lineEligibleMicros(line({ unitPrice: "5", discount: "9" }))).toBe(0n);
    expect(lineEligibleMicros(line({ quantity: 0 }))).toBe(0n);
  });
});

describe("points for an amount", () => {
  it("applies the rate with the configured rounding", () => {
    expect(pointsForAmount(toMicros("51"), "1", "floor")).toBe(51);
    expect(pointsForAmount(toMicros("10.99"), "1", "floor")).toBe(10);
    expect(pointsForAmount(toMicros("10.50"), "1", "round")).toBe(11);
    expect(pointsForAmount(toMicros("10.49"), "1", "round")).toBe(10);
    expect(pointsForAmount(toMicros("10.01"), "1", "ceil")).toBe(11);
    expect(pointsForAmount(toMicros("19.99"), "0.5", "floor")).toBe(9);
    expect(pointsForAmount(toMicros("3.33"), "10", "floor")).toBe(33);
    expect(pointsForAmount(toMicros("0.1") + toMicros("0.2"), "10", "floor")).toBe(3); // floats would say 2
    expect(pointsForAmount(0n, "5", "ceil")).toBe(0);
    expect(pointsForAmount(toMicros("100"), "0", "ceil")).toBe(0);
  });
});

describe("computeOrderEarning", () => {
  it("earns on merchandise after discounts, freezing the rule", () => {
    const result = computeOrderEarning(
      order({
        lines: [
          line({ unitPrice: "40.00", quantity: 2, discount: "8.00" }),
          line({ unitPrice: "25.00", giftCard: true }),
        ],
      }),
      { ...settings, earnRate: "2" },
    );
    expect(result.eligibleAmount).toBe("72");
    expect(result.points).toBe(144);
    expect(result.skipReason).toBeNull();
    expect(result.rule).toEqual({ earnRate: "2", rounding: "floor", minimumOrderAmount: null, currencyCode: "USD" });
    expect(result.lines.map((l) => l.eligibleAmount)).toEqual(["72", "0"]);
  });

  it("excludes tax only when prices include it (tax-exclusive tax is not in line prices)", () => {
    const taxed = computeOrderEarning(order({ lines: [line({ unitPrice: "12.00", includedTax: "2.00" })] }), settings);
    expect(taxed.points).toBe(10);
  });

  it("ignores test orders unless enabled", () => {
    expect(computeOrderEarning(order({ test: true }), settings)).toMatchObject({ points: 0, skipReason: "test_order" });
    expect(computeOrderEarning(order({ test: true }), { ...settings, includeTestOrders: true }).points).toBe(51);
  });

  it("includes POS orders by default and can exclude them", () => {
    expect(computeOrderEarning(order({ sourceName: "pos" }), settings).points).toBe(51);
    expect(computeOrderEarning(order({ sourceName: "pos" }), { ...settings, includePosOrders: false })).toMatchObject({
      points: 0,
      skipReason: "pos_order",
    });
  });

  it("respects the minimum order on the eligible amount", () => {
    expect(computeOrderEarning(order(), { ...settings, minimumOrderAmount: "51.01" })).toMatchObject({
      points: 0,
      skipReason: "below_minimum",
    });
    expect(computeOrderEarning(order(), { ...settings, minimumOrderAmount: "51.00" }).points).toBe(51);
  });

  it("earns nothing while the program is off", () => {
    expect(computeOrderEarning(order(), { ...settings, programEnabled: false })).toMatchObject({
      points: 0,
      skipReason: "program_disabled",
    });
  });

  it("reports orders with nothing eligible (gift cards only)", () => {
    expect(computeOrderEarning(order({ lines: [line({ giftCard: true })] }), settings)).toMatchObject({
      points: 0,
      skipReason: "nothing_eligible",
      eligibleAmount: "0",
    });
  });
});

describe("refunds", () => {
  const paidLines = [
    { lineGid: "gid://shopify/LineItem/a", quantity: 3, eligibleAmount: "30" },
    { lineGid: "gid://shopify/LineItem/b", quantity: 1, eligibleAmount: "0" }, // gift card
  ];

  it("values refunded lines at what they were eligible for when paid", () => {
    expect(refundedMerchandise(paidLines, [{ lineGid: "gid://shopify/LineItem/a", quantity: 1 }])).toBe(toMicros("10"));
    expect(refundedMerchandise(paidLines, [{ lineGid: "gid://shopify/LineItem/b", quantity: 1 }])).toBe(0n);
    expect(refundedMerchandise(paidLines, [{ lineGid: "gid://shopify/LineItem/zz", quantity: 1 }])).toBe(0n);
    // More than was bought counts as all of it.
    expect(refundedMerchandise(paidLines, [{ lineGid: "gid://shopify/LineItem/a", quantity: 9 }])).toBe(toMicros("30"));
  });

  it("reverses proportionally and cumulatively, never more than the award", () => {
    expect(reversalTarget(100, "30", "10")).toBe(33);
    expect(reversalTarget(100, "30", "20")).toBe(67);
    expect(reversalTarget(100, "30", "30")).toBe(100);
    expect(reversalTarget(100, "30", "45")).toBe(100);
    expect(reversalTarget(0, "30", "30")).toBe(0);
    expect(reversalTarget(10, "0", "5")).toBe(0);
  });

  it("three partial refunds of thirds add up to exactly the award", () => {
    const award = 10;
    let reversed = 0;
    let refunded = 0n;
    for (let i = 0; i < 3; i += 1) {
      refunded += toMicros("10");
      const target = reversalTarget(award, "30", (Number(refunded) / 1e6).toString());
      reversed += target - reversed;
    }
    expect(reversed).toBe(award);
  });
});
