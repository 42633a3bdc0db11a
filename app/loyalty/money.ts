/**
 * Exact decimal money for the earning rules. Shopify sends amounts as decimal strings ("414.95");
 * floating point would turn 0.1 + 0.2 into 0.30000000000000004 and, a million orders later, into a
 * wrong balance. Amounts are held as bigint micro-units (1e-6), enough for every ISO 4217 currency.
 */
export type Micros = bigint;

export const MICROS_PER_UNIT = 1_000_000n;

const DECIMAL = /^(-)?(\d+)(?:\.(\d{1,6}))?$/;

export class InvalidAmountError extends Error {
  constructor(readonly input: unknown) {
    super(`Not a decimal amount: ${JSON.stringify(input)}`);
    this.name = "InvalidAmountError";
  }
}

/** "12.5" → 12_500_000n. Accepts numbers too (refund payloads carry some as numbers). */
export function toMicros(input: string | number): Micros {
  const text = typeof input === "number" ? numberToDecimalText(input) : input.trim();
  const match = DECIMAL.exec(text);
  if (!match) throw new InvalidAmountError(input);
  const [, minus, whole = "0", fraction = ""] = match;
  const micros = BigInt(whole) * MICROS_PER_UNIT + BigInt(fraction.padEnd(6, "0"));
  return minus ? -micros : micros;
}

function numberToDecimalText(value: number): string {
  if (!Number.isFinite(value)) throw new InvalidAmountError(value);
  // toFixed(6) is exact enough for currency amounts that were decimals with ≤ 3 places.
  return value.toFixed(6).replace(/\.?0+$/, "");
}

/** 12_500_000n → "12.5"; always the shortest exact text. */
export function fromMicros(micros: Micros): string {
  const negative = micros < 0n;
  const abs = negative ? -micros : micros;
  const whole = abs / MICROS_PER_UNIT;
  const fraction = (abs % MICROS_PER_UNIT).toString().padStart(6, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}

export function isDecimalAmount(text: string): boolean {
  return DECIMAL.test(text.trim());
}

export type Rounding = "floor" | "round" | "ceil";

/** numerator / denominator for non-negative integers, rounded as asked (round = half up). */
export function divideRounded(numerator: bigint, denominator: bigint, rounding: Rounding): bigint {
  if (denominator <= 0n) throw new RangeError("denominator must be positive");
  if (numerator < 0n) throw new RangeError("numerator must not be negative");
  switch (rounding) {
    case "floor":
      return numerator / denominator;
    case "ceil":
      return (numerator + denominator - 1n) / denominator;
    case "round":
      return (numerator * 2n + denominator) / (denominator * 2n);
  }
}

export function minMicros(a: Micros, b: Micros): Micros {
  return a < b ? a : b;
}

export function maxMicros(a: Micros, b: Micros): Micros {
  return a > b ? a : b;
}
