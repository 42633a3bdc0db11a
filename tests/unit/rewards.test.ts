import { describe, expect, it } from "vitest";
import {
  CODE_ALPHABET,
  codeExpiry,
  generateCode,
  isKeepsakeCode,
  normalizeCode,
  parseRewardDefinition,
  percentageFraction,
  redemptionCost,
  rewardFromColumns,
  rewardToColumns,
  slidingScaleAmount,
  storefrontReward,
  type Reward,
  type RewardDefinition,
} from "~/loyalty/rewards";

function definition(input: Record<string, unknown>): RewardDefinition {
  const parsed = parseRewardDefinition(input);
  if (!parsed.success) throw new Error(JSON.stringify(parsed.error.issues));
  return parsed.data;
}

function issuesOf(input: Record<string, unknown>): string[] {
  const parsed = parseRewardDefinition(input);
  expect(parsed.success).toBe(false);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

const sliding = { pointsPerStep: 100, amountPerStep: "1.00", minPoints: 500, maxPoints: 5000 };

describe("reward definitions", () => {
  it("accepts each kind and defaults to no stacking with other discounts", () => {
    const amountOff = definition({ kind: "amount_off", name: "$5 off", pointsCost: 500, amount: "5.00" });
    expect(amountOff).toMatchObject({
      kind: "amount_off",
      amount: "5.00",
      active: true,
      combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: false },
    });
    expect(definition({ kind: "percent_off", name: "10%", pointsCost: 800, percentage: "10" }).percentage).toBe("10");
    expect(definition({ kind: "free_shipping", name: "Free shipping", pointsCost: 300 }).kind).toBe("free_shipping");
    expect(
      definition({ kind: "free_product", name: "Mug", pointsCost: 900, variantGid: "gid://shopify/ProductVariant/42" })
        .variantGid,
    ).toBe("gid://shopify/ProductVariant/42");
    const slidingScale = definition({ kind: "sliding_scale", name: "Points for cash", sliding });
    expect(slidingScale.pointsCost).toBe(100); // one step
    const donation = definition({ kind: "donation", name: "Plant a tree", pointsCost: 200, donationCause: "Trees" });
    expect(donation).toMatchObject({ donationCause: "Trees", codeExpiresInDays: null, minimumSubtotal: null });
  });

  it("drops fields that do not belong to the kind", () => {
    const reward = definition({
      kind: "free_shipping",
      name: "Ship",
      pointsCost: 10,
      amount: "5",
      percentage: "10",
      donationCause: "x",
      combinesWith: { orderDiscounts: true },
    });
    expect(reward).toMatchObject({ amount: null, percentage: null, donationCause: null });
    expect(reward.combinesWith).toEqual({ orderDiscounts: true, productDiscounts: false, shippingDiscounts: false });
  });

  it("explains what is missing or wrong", () => {
    expect(issuesOf({ kind: "amount_off", name: "x", pointsCost: 5 })).toEqual(["amount: is required for amount_off"]);
    expect(issuesOf({ kind: "amount_off", name: "x", pointsCost: 5, amount: "-1" })).toHaveLength(1);
    expect(issuesOf({ kind: "amount_off", name: "x", pointsCost: 5, amount: "0" })[0]).toContain("more than 0");
    expect(issuesOf({ kind: "percent_off", name: "x", pointsCost: 5, percentage: "150" })[0]).toContain("at most 100");
    expect(issuesOf({ kind: "free_product", name: "x", pointsCost: 5, variantGid: "gid://shopify/Product/1" })[0]).toContain(
      "ProductVariant",
    );
    expect(issuesOf({ kind: "sliding_scale", name: "x", sliding: { ...sliding, minPoints: 550 } })[0]).toContain("multiples");
    expect(issuesOf({ kind: "sliding_scale", name: "x", sliding: { ...sliding, maxPoints: 400 } })[0]).toContain(
      "below minPoints",
    );
    expect(issuesOf({ kind: "donation", name: "x", pointsCost: 5 })).toEqual(["donationCause: is required for donation"]);
    expect(issuesOf({ kind: "gift", name: "x", pointsCost: 5 })[0]).toMatch(/^kind/);
    expect(issuesOf({ kind: "amount_off", name: " ", pointsCost: 5, amount: "1" })[0]).toMatch(/^name/);
    expect(issuesOf({ kind: "amount_off", name: "x", pointsCost: 1.5, amount: "1" })[0]).toMatch(/^pointsCost/);
    expect(issuesOf({ kind: "amount_off", name: "x", pointsCost: 5, amount: "1", codeExpiresInDays: 0 })[0]).toMatch(
      /^codeExpiresInDays/,
    );
  });

  it("round-trips through the stored columns", () => {
    const reward = definition({
      kind: "sliding_scale",
      name: "Cash",
      sliding,
      minimumSubtotal: "20.00",
      codeExpiresInDays: 30,
      tierIds: ["gold"],
      combinesWith: { shippingDiscounts: true },
    });
    const row = { id: "r1", ...rewardToColumns(reward) };
    expect(rewardFromColumns(row)).toEqual({ id: "r1", ...reward });
    expect(rewardFromColumns({ ...row, kind: "mystery" })).toBeNull();
    expect(rewardFromColumns({ ...row, pointsPerStep: null })).toBeNull();
  });
});

describe("redemption cost", () => {
  it("spends a multiple of the step within min..max, worth amountPerStep each, exactly", () => {
    expect(slidingScaleAmount(sliding, 500)).toEqual({ ok: true, points: 500, amount: "5" });
    expect(slidingScaleAmount(sliding, 5000)).toEqual({ ok: true, points: 5000, amount: "50" });
    expect(slidingScaleAmount({ ...sliding, amountPerStep: "0.10" }, 3000)).toEqual({ ok: true, points: 3000, amount: "3" });
    expect(slidingScaleAmount({ ...sliding, amountPerStep: "0.1" }, 700)).toMatchObject({ amount: "0.7" });
  });

  it("refuses amounts off the scale", () => {
    for (const points of [undefined, 400, 5100, 550, 1.5, Number.NaN]) {
      expect(slidingScaleAmount(sliding, points)).toMatchObject({ ok: false, reason: "invalid_points" });
    }
  });

  it("prices every kind", () => {
    const base = { minimumSubtotal: null, codeExpiresInDays: null, active: true, tierIds: null };
    expect(redemptionCost(definition({ kind: "amount_off", name: "x", pointsCost: 500, amount: "5.00", ...base }))).toEqual({
      ok: true,
      points: 500,
      value: { type: "amount", amount: "5.00" },
    });
    expect(redemptionCost(definition({ kind: "percent_off", name: "x", pointsCost: 5, percentage: "12.5" }))).toEqual({
      ok: true,
      points: 5,
      value: { type: "percentage", fraction: 0.125 },
    });
    expect(redemptionCost(definition({ kind: "free_shipping", name: "x", pointsCost: 5 })).ok).toBe(true);
    expect(
      redemptionCost(definition({ kind: "free_product", name: "x", pointsCost: 5, variantGid: "gid://shopify/ProductVariant/7" })),
    ).toMatchObject({ value: { type: "free_product", variantGid: "gid://shopify/ProductVariant/7" } });
    expect(redemptionCost(definition({ kind: "donation", name: "x", pointsCost: 5, donationCause: "c" }))).toEqual({
      ok: true,
      points: 5,
      value: null,
    });
    const scale = definition({ kind: "sliding_scale", name: "x", sliding });
    expect(redemptionCost(scale, 1200)).toEqual({ ok: true, points: 1200, value: { type: "amount", amount: "12" } });
    expect(redemptionCost(scale)).toMatchObject({ ok: false });
    // A stray `points` on a fixed-price reward does not change its price.
    expect(redemptionCost(definition({ kind: "free_shipping", name: "x", pointsCost: 5 }), 1)).toMatchObject({ points: 5 });
  });

  it("turns percentages into Shopify's 0..1 fraction", () => {
    expect(percentageFraction("10")).toBe(0.1);
    expect(percentageFraction("100")).toBe(1);
    expect(percentageFraction("2.5")).toBe(0.025);
  });
});

describe("codes", () => {
  it("are prefixed, 12 symbols from a readable alphabet without 0, O, 1 or I", () => {
    const codes = Array.from({ length: 2000 }, () => generateCode());
    for (const code of codes) {
      expect(code).toMatch(/^KS-[A-HJ-NP-Z2-9]{12}$/);
      expect(isKeepsakeCode(code)).toBe(true);
    }
    expect(new Set(codes).size).toBe(codes.length);
    expect(CODE_ALPHABET).toHaveLength(32);
    expect(CODE_ALPHABET).not.toMatch(/[01IO]/);
  });

  it("come from the random source given (every byte maps to a symbol)", () => {
    expect(generateCode((size) => new Uint8Array(size).fill(0))).toBe("KS-AAAAAAAAAAAA");
    expect(generateCode((size) => new Uint8Array(size).fill(255))).toBe("KS-999999999999");
    expect(generateCode((size) => Uint8Array.from({ length: size }, (_, i) => i + 32))).toBe("KS-ABCDEFGHJKLM");
  });

  it("are matched case-insensitively, and only Keepsake's count", () => {
    expect(normalizeCode(" ks-abcdefghjklm ")).toBe("KS-ABCDEFGHJKLM");
    expect(isKeepsakeCode("ks-abcdefghjklm")).toBe(true);
    expect(isKeepsakeCode("SUMMER10")).toBe(false);
    expect(isKeepsakeCode("KS-SHORT")).toBe(false);
  });

  it("expire after the reward's days, or never", () => {
    const issued = new Date("2026-11-23T10:00:00.000Z");
    expect(codeExpiry(issued, 30)?.toISOString()).toBe("2026-12-23T10:00:00.000Z");
    expect(codeExpiry(issued, null)).toBeNull();
  });
});

describe("storefront projection", () => {
  const reward: Reward = {
    id: "r1",
    ...definition({ kind: "sliding_scale", name: "Cash", sliding, minimumSubtotal: "10.00", tierIds: ["vip"] }),
  };

  it("shows what the widget needs and nothing internal", () => {
    expect(storefrontReward(reward, 499)).toEqual({
      id: "r1",
      kind: "sliding_scale",
      name: "Cash",
      pointsCost: 100,
      affordable: false,
      minimumSubtotal: "10.00",
      sliding,
    });
  });

  it("is affordable from the fewest points that redeem it, never for guests", () => {
    expect(storefrontReward(reward, 500).affordable).toBe(true);
    expect(storefrontReward(reward, null).affordable).toBe(false);
    const fixed: Reward = { id: "r2", ...definition({ kind: "amount_off", name: "x", pointsCost: 300, amount: "3" }) };
    expect(storefrontReward(fixed, 299).affordable).toBe(false);
    expect(storefrontReward(fixed, 300).affordable).toBe(true);
  });
});
