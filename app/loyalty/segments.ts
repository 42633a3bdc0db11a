/**
 * Member segments from recency, frequency and monetary value (RFM), with rules the merchant tunes
 * (docs/decisions/017-members-at-scale.md). Pure: the rules' validation and one member's segment.
 *
 * Evaluated in this order, first match wins:
 *   new      enrolled less than `newDays` days ago;
 *   churned  no activity for `churnDays` days or more;
 *   at_risk  no activity for `atRiskDays` days or more;
 *   loyal    at least `loyalMinOrders` paid orders AND at least `loyalMinSpent` spent (net of refunds)
 *            in the last `windowDays` days;
 *   active   everyone else (active within `atRiskDays`).
 * Activity = the latest of the member's last paid order and last points activity; a member with
 * neither counts from the day they enrolled.
 */
import { z } from "zod";
import { isDecimalAmount, toMicros, type Micros } from "./money";

export const SEGMENTS = ["new", "active", "loyal", "at_risk", "churned"] as const;
export type Segment = (typeof SEGMENTS)[number];

export interface SegmentRules {
  newDays: number;
  atRiskDays: number;
  churnDays: number;
  windowDays: number;
  loyalMinOrders: number;
  loyalMinSpent: string; // shop currency, decimal text
}

export const DEFAULT_SEGMENT_RULES: SegmentRules = {
  newDays: 30,
  atRiskDays: 90,
  churnDays: 365,
  windowDays: 365,
  loyalMinOrders: 3,
  loyalMinSpent: "150",
};

const days = (min: number, max: number) =>
  z.coerce
    .number({ message: "Enter a number of days" })
    .int("Enter a whole number of days")
    .min(min, `Must be at least ${min}`)
    .max(max, `Must be at most ${max}`);

/** The settings form's fields (strings from FormData, or numbers from stored JSON). */
export const SegmentRulesInput = z
  .object({
    newDays: days(1, 365),
    atRiskDays: days(7, 1825),
    churnDays: days(14, 3650),
    windowDays: days(30, 1825),
    loyalMinOrders: z.coerce
      .number({ message: "Enter a number of orders" })
      .int("Enter a whole number of orders")
      .min(1, "Must be at least 1")
      .max(10_000, "Must be at most 10000"),
    loyalMinSpent: z
      .string()
      .trim()
      .refine(isDecimalAmount, "Enter an amount like 150 or 99.50")
      .refine((text) => !isDecimalAmount(text) || toMicros(text) <= 100_000_000n * 1_000_000n, "Amount too large"),
  })
  .refine((rules) => rules.churnDays > rules.atRiskDays, {
    path: ["churnDays"],
    message: "Must be more than the at-risk days",
  });

/** Stored JSON (Shop.segmentRules) → rules; anything unreadable means the defaults. */
export function readSegmentRules(json: string | null | undefined): SegmentRules {
  if (!json) return DEFAULT_SEGMENT_RULES;
  try {
    const parsed = SegmentRulesInput.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : DEFAULT_SEGMENT_RULES;
  } catch {
    return DEFAULT_SEGMENT_RULES;
  }
}

/** What is known of one member when segments are computed. */
export interface SegmentFacts {
  enrolledAt: Date;
  /** Latest of last paid order and last points activity; null when neither. */
  lastActiveAt: Date | null;
  /** Paid, not cancelled orders in the window. */
  ordersInWindow: number;
  /** Spent in the window, net of refunds, in micros of the shop currency. */
  spentInWindow: Micros;
}

const DAY_MS = 86_400_000;

/** Whole days from `from` to `now` (never negative). */
function daysSince(from: Date, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - from.getTime()) / DAY_MS));
}

export function segmentOf(facts: SegmentFacts, rules: SegmentRules, now: Date): Segment {
  if (daysSince(facts.enrolledAt, now) < rules.newDays) return "new";
  const idle = daysSince(facts.lastActiveAt ?? facts.enrolledAt, now);
  if (idle >= rules.churnDays) return "churned";
  if (idle >= rules.atRiskDays) return "at_risk";
  if (facts.ordersInWindow >= rules.loyalMinOrders && facts.spentInWindow >= toMicros(rules.loyalMinSpent)) return "loyal";
  return "active";
}

/** The instant the frequency/monetary window starts. */
export function windowStart(rules: SegmentRules, now: Date): Date {
  return new Date(now.getTime() - rules.windowDays * DAY_MS);
}

/** Which rules changed between two versions (for the audit log and the toast). */
export function changedRules(before: SegmentRules, after: SegmentRules): (keyof SegmentRules)[] {
  return (Object.keys(DEFAULT_SEGMENT_RULES) as (keyof SegmentRules)[]).filter((key) => String(before[key]) !== String(after[key]));
}
