/**
 * The earning rules: how many points a paid order earns, and how many a refund takes back.
 * Pure functions over plain data; every rule is unit-tested in tests/unit/earning.test.ts.
 */
import {
  divideRounded,
  fromMicros,
  maxMicros,
  minMicros,
  MICROS_PER_UNIT,
  toMicros,
  type Micros,
  type Rounding,
} from "./money";

export interface EarnSettings {
  programEnabled: boolean;
  /** Points per 1 unit of shop currency, decimal text ("1", "0.5", "10"). */
  earnRate: string;
  rounding: Rounding;
  /** Orders whose eligible amount is below this earn nothing; null = no minimum. */
  minimumOrderAmount: string | null;
  includePosOrders: boolean;
  includeTestOrders: boolean;
}

/** One line of a paid order, amounts in shop currency. */
export interface OrderLineFacts {
  lineGid: string;
  quantity: number;
  unitPrice: string;
  /** Every discount allocated to the line (line-level and the line's share of order-level ones). */
  discount: string;
  /** Tax included in the price (only when the shop's prices include tax), else "0". */
  includedTax: string;
  giftCard: boolean;
}

export interface PaidOrderFacts {
  orderGid: string;
  orderName: string | null;
  customerGid: string | null;
  email: string | null;
  test: boolean;
  /** Shopify's source_name: "web", "pos", "shopify_draft_order", an app id... */
  sourceName: string | null;
  currencyCode: string;
  lines: OrderLineFacts[];
}

/** The rule in force when an order earned, frozen on the ledger entry and the order record. */
export interface EarnRule {
  earnRate: string;
  rounding: Rounding;
  minimumOrderAmount: string | null;
  currencyCode: string;
}

export type SkipReason =
  | "program_disabled"
  | "test_order"
  | "pos_order"
  | "below_minimum"
  | "nothing_eligible";

export interface EligibleLine {
  lineGid: string;
  quantity: number;
  eligibleAmount: string;
}

export interface OrderEarning {
  points: number;
  eligibleAmount: string;
  lines: EligibleLine[];
  rule: EarnRule;
  skipReason: SkipReason | null;
}

export const POS_SOURCE_NAME = "pos";

/** Merchandise a line contributes: price × quantity − discounts − included tax, never negative. */
export function lineEligibleMicros(line: OrderLineFacts): Micros {
  if (line.giftCard || line.quantity <= 0) return 0n;
  const gross = toMicros(line.unitPrice) * BigInt(line.quantity);
  return maxMicros(0n, gross - toMicros(line.discount) - toMicros(line.includedTax));
}

export function pointsForAmount(amount: Micros, earnRate: string, rounding: Rounding): number {
  if (amount <= 0n) return 0;
  const rate = toMicros(earnRate);
  if (rate <= 0n) return 0;
  return Number(divideRounded(amount * rate, MICROS_PER_UNIT * MICROS_PER_UNIT, rounding));
}

export function computeOrderEarning(
  order: PaidOrderFacts,
  settings: EarnSettings,
): OrderEarning {
  const lines = order.lines.map((line) => ({
    lineGid: line.lineGid,
    quantity: line.quantity,
    eligible: lineEligibleMicros(line),
  }));
  const eligible = lines.reduce((sum, line) => sum + line.eligible, 0n);
  const rule: EarnRule = {
    earnRate: settings.earnRate,
    rounding: settings.rounding,
    minimumOrderAmount: settings.minimumOrderAmount,
    currencyCode: order.currencyCode,
  };
  const result = (points: number, skipReason: SkipReason | null): OrderEarning => ({
    points,
    eligibleAmount: fromMicros(eligible),
    lines: lines.map((line) => ({
      lineGid: line.lineGid,
      quantity: line.quantity,
      eligibleAmount: fromMicros(line.eligible),
    })),
    rule,
    skipReason,
  });

  if (!settings.programEnabled) return result(0, "program_disabled");
  if (order.test && !settings.includeTestOrders) return result(0, "test_order");
  if (order.sourceName === POS_SOURCE_NAME && !settings.includePosOrders) {
    return result(0, "pos_order");
  }
  if (settings.minimumOrderAmount !== null && eligible < toMicros(settings.minimumOrderAmount)) {
    return result(0, "below_minimum");
  }
  const points = pointsForAmount(eligible, settings.earnRate, settings.rounding);
  return result(points, points === 0 ? "nothing_eligible" : null);
}

export interface RefundLineFacts {
  lineGid: string;
  quantity: number;
}

/**
 * The merchandise a refund gives back, valued at what each line was eligible for when the order
 * was paid (so discounts and tax are treated exactly as they were at earn time). Lines the order
 * did not have (or gift cards, which were eligible for 0) count for nothing.
 */
export function refundedMerchandise(paidLines: EligibleLine[], refundLines: RefundLineFacts[]): Micros {
  const byGid = new Map(paidLines.map((line) => [line.lineGid, line]));
  let total = 0n;
  for (const refundLine of refundLines) {
    const paid = byGid.get(refundLine.lineGid);
    if (!paid || paid.quantity <= 0 || refundLine.quantity <= 0) continue;
    const quantity = BigInt(Math.min(refundLine.quantity, paid.quantity));
    total += divideRounded(toMicros(paid.eligibleAmount) * quantity, BigInt(paid.quantity), "round");
  }
  return total;
}

/**
 * How many of an order's awarded points should have been taken back once `refundedAmount` of its
 * `eligibleAmount` is refunded. Cumulative on purpose: each refund reverses target − already
 * reversed, so partial refunds add up to exactly the award when everything is refunded and never
 * more, whatever their number or order of arrival.
 */
export function reversalTarget(
  pointsAwarded: number,
  eligibleAmount: string,
  refundedAmount: string,
): number {
  const eligible = toMicros(eligibleAmount);
  if (pointsAwarded <= 0 || eligible <= 0n) return 0;
  const refunded = minMicros(maxMicros(toMicros(refundedAmount), 0n), eligible);
  return Number(divideRounded(BigInt(pointsAwarded) * refunded, eligible, "round"));
}

export function addAmounts(a: string, b: Micros): string {
  return fromMicros(toMicros(a) + b);
}
