import { describe, expect, it } from "vitest";
import { divideRounded, fromMicros, InvalidAmountError, toMicros } from "~/loyalty/money";

describe("exact decimal money", () => {
  it("parses decimal text exactly", () => {
    expect(toMicros("414.95")).toBe(414_950_000n);
    expect(toMicros("0.1") + toMicros("0.2")).toBe(toMicros("0.3"));
    expect(toMicros("-2.5")).toBe(-2_500_000n);
    expect(toMicros(89.99)).toBe(89_990_000n);
    expect(toMicros("1000")).toBe(1_000_000_000n);
  });

  it("rejects what is not a decimal amount", () => {
    for (const bad of ["", "abc", "1.2.3", "1e5", "12.1234567", " ", "NaN"]) {
      expect(() => toMicros(bad), bad).toThrow(InvalidAmountError);
    }
    expect(() => toMicros(Number.NaN)).toThrow(InvalidAmountError);
  });

  it("prints the shortest exact text", () => {
    expect(fromMicros(12_500_000n)).toBe("12.5");
    expect(fromMicros(0n)).toBe("0");
    expect(fromMicros(-1n)).toBe("-0.000001");
    expect(fromMicros(toMicros("414.95"))).toBe("414.95");
  });

  it("divides with each rounding mode", () => {
    expect(divideRounded(7n, 2n, "floor")).toBe(3n);
    expect(divideRounded(7n, 2n, "ceil")).toBe(4n);
    expect(divideRounded(7n, 2n, "round")).toBe(4n);
    expect(divideRounded(5n, 4n, "round")).toBe(1n);
    expect(divideRounded(6n, 4n, "round")).toBe(2n);
    expect(divideRounded(8n, 4n, "ceil")).toBe(2n);
    expect(() => divideRounded(1n, 0n, "floor")).toThrow(RangeError);
  });
});
