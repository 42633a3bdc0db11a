/**
 * Rewards: what a merchant offers for points, and the pure rules of redeeming one (no Prisma, no
 * Shopify, no clock or randomness that a caller cannot pass in).
 *
 * - A definition is checked with zod once, when it is written, so the redeem path can trust it.
 * - Sliding scale: the shopper picks how many points to spend, a multiple of `pointsPerStep`
 *   within `minPoints..maxPoints`, and gets `amountPerStep` per step, computed exactly in micros.
 * - Codes are unguessable (crypto random, 60 bits) and easy to read aloud or type: no 0/O/1/I.
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { fromMicros, isDecimalAmount, toMicros } from "./money";
import type { RewardKind, StorefrontReward } from "./storefront-contract";

export const REWARD_KINDS = [
  "amount_off",
  "percent_off",
  "free_shipping",
  "free_product",
  "sliding_scale",
  "donation",
] as const satisfies readonly RewardKind[];

export interface CombinesWith {
  orderDiscounts: boolean;
  productDiscounts: boolean;
  shippingDiscounts: boolean;
}

export interface SlidingScale {
  pointsPerStep: number;
  amountPerStep: string;
  minPoints: number;
  maxPoints: number;
}

/** A reward as the rules see it, whatever the storage. */
export interface RewardDefinition {
  kind: RewardKind;
  name: string;
  /** For sliding_scale, the points of one step. */
  pointsCost: number;
  amount: string | null;
  /** "10" = 10 %. */
  percentage: string | null;
  variantGid: string | null;
  sliding: SlidingScale | null;
  minimumSubtotal: string | null;
  codeExpiresInDays: number | null;
  combinesWith: CombinesWith;
  active: boolean;
  tierIds: string[] | null;
  donationCause: string | null;
}

export interface Reward extends RewardDefinition {
  id: string;
}

// ---------------------------------------------------------------------------------------------
// validation

const MAX_POINTS = 10_000_000;

const PositiveAmount = z
  .string()
  .trim()
  .refine(isDecimalAmount, "must be a decimal amount like 5.00")
  .refine((text) => !isDecimalAmount(text) || toMicros(text) > 0n, "must be more than 0");

const NonNegativeAmount = z
  .string()
  .trim()
  .refine(isDecimalAmount, "must be a decimal amount like 50.00")
  .refine((text) => !isDecimalAmount(text) || toMicros(text) >= 0n, "must not be negative");

const Points = z.number().int().min(1).max(MAX_POINTS);

const RewardInput = z.object({
  kind: z.enum(REWARD_KINDS),
  name: z.string().trim().min(1).max(100),
  pointsCost: Points.optional(),
  amount: PositiveAmount.nullish(),
  percentage: PositiveAmount.nullish(),
  variantGid: z
    .string()
    .regex(/^gid:\/\/shopify\/ProductVariant\/\d+$/, "must be a ProductVariant GID")
    .nullish(),
  sliding: z
    .object({ pointsPerStep: Points, amountPerStep: PositiveAmount, minPoints: Points, maxPoints: Points })
    .nullish(),
  minimumSubtotal: NonNegativeAmount.nullish(),
  codeExpiresInDays: z.number().int().min(1).max(3650).nullish(),
  combinesWith: z
    .object({
      orderDiscounts: z.boolean().default(false),
      productDiscounts: z.boolean().default(false),
      shippingDiscounts: z.boolean().default(false),
    })
    .nullish(),
  active: z.boolean().default(true),
  tierIds: z.array(z.string().min(1)).nullish(),
  donationCause: z.string().trim().min(1).max(200).nullish(),
});

export type RewardInput = z.input<typeof RewardInput>;

function required(ctx: z.RefinementCtx, path: string, present: boolean, kind: string): void {
  if (!present) ctx.addIssue({ code: "custom", path: [path], message: `is required for ${kind}` });
}

/**
 * A reward definition from untrusted input (the admin form, a seed). Fields that do not apply to
 * the kind are dropped so a stored row never carries contradictory values.
 */
export const RewardDefinitionSchema = RewardInput.superRefine((input, ctx) => {
  const { kind } = input;
  if (kind === "sliding_scale") {
    required(ctx, "sliding", Boolean(input.sliding), kind);
    const s = input.sliding;
    if (s) {
      if (s.minPoints % s.pointsPerStep !== 0 || s.maxPoints % s.pointsPerStep !== 0) {
        ctx.addIssue({ code: "custom", path: ["sliding"], message: "minPoints and maxPoints must be multiples of pointsPerStep" });
      }
      if (s.maxPoints < s.minPoints) {
        ctx.addIssue({ code: "custom", path: ["sliding", "maxPoints"], message: "must not be below minPoints" });
      }
    }
  } else {
    required(ctx, "pointsCost", input.pointsCost !== undefined, kind);
  }
  if (kind === "amount_off") required(ctx, "amount", Boolean(input.amount), kind);
  if (kind === "percent_off") {
    required(ctx, "percentage", Boolean(input.percentage), kind);
    if (input.percentage && isDecimalAmount(input.percentage) && toMicros(input.percentage) > 100n * 1_000_000n) {
      ctx.addIssue({ code: "custom", path: ["percentage"], message: "must be at most 100" });
    }
  }
  if (kind === "free_product") required(ctx, "variantGid", Boolean(input.variantGid), kind);
  if (kind === "donation") required(ctx, "donationCause", Boolean(input.donationCause), kind);
}).transform((input): RewardDefinition => {
  const { kind } = input;
  const sliding = kind === "sliding_scale" && input.sliding ? input.sliding : null;
  const issuesCode = kind !== "donation";
  return {
    kind,
    name: input.name,
    pointsCost: sliding ? sliding.pointsPerStep : (input.pointsCost ?? 0),
    amount: kind === "amount_off" ? (input.amount ?? null) : null,
    percentage: kind === "percent_off" ? (input.percentage ?? null) : null,
    variantGid: kind === "free_product" ? (input.variantGid ?? null) : null,
    sliding,
    minimumSubtotal: issuesCode ? (input.minimumSubtotal ?? null) : null,
    codeExpiresInDays: issuesCode ? (input.codeExpiresInDays ?? null) : null,
    combinesWith: {
      orderDiscounts: issuesCode && (input.combinesWith?.orderDiscounts ?? false),
      productDiscounts: issuesCode && (input.combinesWith?.productDiscounts ?? false),
      shippingDiscounts: issuesCode && (input.combinesWith?.shippingDiscounts ?? false),
    },
    active: input.active,
    tierIds: input.tierIds ?? null,
    donationCause: kind === "donation" ? (input.donationCause ?? null) : null,
  };
});

export function parseRewardDefinition(input: unknown) {
  return RewardDefinitionSchema.safeParse(input);
}

// ---------------------------------------------------------------------------------------------
// storage shape ↔ definition

/** The columns of a stored reward (structurally what the database returns). */
export interface RewardColumns {
  id: string;
  kind: string;
  name: string;
  pointsCost: number;
  amount: string | null;
  percentage: string | null;
  variantGid: string | null;
  pointsPerStep: number | null;
  amountPerStep: string | null;
  minPoints: number | null;
  maxPoints: number | null;
  minimumSubtotal: string | null;
  codeExpiresInDays: number | null;
  combinesWithOrderDiscounts: boolean;
  combinesWithProductDiscounts: boolean;
  combinesWithShippingDiscounts: boolean;
  active: boolean;
  tierIds: string | null;
  donationCause: string | null;
}

export function isRewardKind(kind: string): kind is RewardKind {
  return (REWARD_KINDS as readonly string[]).includes(kind);
}

/** Null when the stored row is not a reward these rules understand (a kind from a newer version). */
export function rewardFromColumns(row: RewardColumns): Reward | null {
  if (!isRewardKind(row.kind)) return null;
  const sliding =
    row.kind === "sliding_scale" &&
    row.pointsPerStep !== null &&
    row.amountPerStep !== null &&
    row.minPoints !== null &&
    row.maxPoints !== null
      ? { pointsPerStep: row.pointsPerStep, amountPerStep: row.amountPerStep, minPoints: row.minPoints, maxPoints: row.maxPoints }
      : null;
  if (row.kind === "sliding_scale" && !sliding) return null;
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    pointsCost: row.pointsCost,
    amount: row.amount,
    percentage: row.percentage,
    variantGid: row.variantGid,
    sliding,
    minimumSubtotal: row.minimumSubtotal,
    codeExpiresInDays: row.codeExpiresInDays,
    combinesWith: {
      orderDiscounts: row.combinesWithOrderDiscounts,
      productDiscounts: row.combinesWithProductDiscounts,
      shippingDiscounts: row.combinesWithShippingDiscounts,
    },
    active: row.active,
    tierIds: row.tierIds ? (JSON.parse(row.tierIds) as string[]) : null,
    donationCause: row.donationCause,
  };
}

export function rewardToColumns(definition: RewardDefinition): Omit<RewardColumns, "id"> {
  return {
    kind: definition.kind,
    name: definition.name,
    pointsCost: definition.pointsCost,
    amount: definition.amount,
    percentage: definition.percentage,
    variantGid: definition.variantGid,
    pointsPerStep: definition.sliding?.pointsPerStep ?? null,
    amountPerStep: definition.sliding?.amountPerStep ?? null,
    minPoints: definition.sliding?.minPoints ?? null,
    maxPoints: definition.sliding?.maxPoints ?? null,
    minimumSubtotal: definition.minimumSubtotal,
    codeExpiresInDays: definition.codeExpiresInDays,
    combinesWithOrderDiscounts: definition.combinesWith.orderDiscounts,
    combinesWithProductDiscounts: definition.combinesWith.productDiscounts,
    combinesWithShippingDiscounts: definition.combinesWith.shippingDiscounts,
    active: definition.active,
    tierIds: definition.tierIds ? JSON.stringify(definition.tierIds) : null,
    donationCause: definition.donationCause,
  };
}

// ---------------------------------------------------------------------------------------------
// what a redemption costs and gives

/** What the issued code takes off, in terms the Shopify layer can send. */
export type DiscountValue =
  | { type: "amount"; amount: string }
  | { type: "percentage"; fraction: number }
  | { type: "free_shipping" }
  | { type: "free_product"; variantGid: string };

export type RedemptionCost =
  | { ok: true; points: number; value: DiscountValue | null }
  | { ok: false; reason: "invalid_points"; message: string };

/** "12.5" → 0.125: Shopify takes percentages as a Float between 0 and 1. */
export function percentageFraction(percentage: string): number {
  return Number(toMicros(percentage)) / 100_000_000;
}

/** The points a sliding-scale request spends and the amount it is worth. */
export function slidingScaleAmount(
  sliding: SlidingScale,
  requested: number | undefined,
): { ok: true; points: number; amount: string } | { ok: false; reason: "invalid_points"; message: string } {
  const { pointsPerStep, minPoints, maxPoints } = sliding;
  if (requested === undefined || !Number.isSafeInteger(requested)) {
    return { ok: false, reason: "invalid_points", message: `Choose how many points to spend (${minPoints}–${maxPoints}).` };
  }
  if (requested < minPoints || requested > maxPoints) {
    return { ok: false, reason: "invalid_points", message: `Spend between ${minPoints} and ${maxPoints} points.` };
  }
  if (requested % pointsPerStep !== 0) {
    return { ok: false, reason: "invalid_points", message: `Spend a multiple of ${pointsPerStep} points.` };
  }
  const steps = BigInt(requested / pointsPerStep);
  return { ok: true, points: requested, amount: fromMicros(steps * toMicros(sliding.amountPerStep)) };
}

/**
 * The points a redemption of `reward` spends and what its code is worth. `requestedPoints` only
 * matters for sliding_scale (other kinds have one price; a stray value is ignored).
 */
export function redemptionCost(reward: RewardDefinition, requestedPoints?: number): RedemptionCost {
  switch (reward.kind) {
    case "sliding_scale": {
      if (!reward.sliding) return { ok: false, reason: "invalid_points", message: "This reward is not set up." };
      const result = slidingScaleAmount(reward.sliding, requestedPoints);
      if (!result.ok) return result;
      return { ok: true, points: result.points, value: { type: "amount", amount: result.amount } };
    }
    case "amount_off":
      return { ok: true, points: reward.pointsCost, value: { type: "amount", amount: reward.amount ?? "0" } };
    case "percent_off":
      return {
        ok: true,
        points: reward.pointsCost,
        value: { type: "percentage", fraction: percentageFraction(reward.percentage ?? "0") },
      };
    case "free_shipping":
      return { ok: true, points: reward.pointsCost, value: { type: "free_shipping" } };
    case "free_product":
      return { ok: true, points: reward.pointsCost, value: { type: "free_product", variantGid: reward.variantGid ?? "" } };
    case "donation":
      return { ok: true, points: reward.pointsCost, value: null };
  }
}

/** The fewest points that redeem the reward (a sliding scale's minimum). */
export function minimumPointsFor(reward: RewardDefinition): number {
  return reward.sliding ? reward.sliding.minPoints : reward.pointsCost;
}

// ---------------------------------------------------------------------------------------------
// codes and dates

/** 32 symbols (A–Z without I and O, 2–9): a random byte maps to one without bias (256 = 8 × 32). */
export const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
export const CODE_PREFIX = "KS-";
/** 12 symbols × 5 bits = 60 bits: guessing one of a shop's codes is hopeless at any request rate. */
export const CODE_LENGTH = 12;

export function generateCode(random: (size: number) => Uint8Array = randomBytes): string {
  const bytes = random(CODE_LENGTH);
  let code = CODE_PREFIX;
  for (let i = 0; i < CODE_LENGTH; i += 1) code += CODE_ALPHABET[(bytes[i] ?? 0) % CODE_ALPHABET.length];
  return code;
}

/** Shopify matches codes case-insensitively; ours are stored upper case. */
export function normalizeCode(code: string): string {
  return code.trim().toUpperCase();
}

export function isKeepsakeCode(code: string): boolean {
  const normalized = normalizeCode(code);
  return normalized.startsWith(CODE_PREFIX) && normalized.length === CODE_PREFIX.length + CODE_LENGTH;
}

const DAY_MS = 86_400_000;

/** When a code issued at `issuedAt` stops working; null = never. */
export function codeExpiry(issuedAt: Date, codeExpiresInDays: number | null): Date | null {
  return codeExpiresInDays ? new Date(issuedAt.getTime() + codeExpiresInDays * DAY_MS) : null;
}

// ---------------------------------------------------------------------------------------------
// storefront

/** A reward as the storefront widget sees it; `balance` null = a guest (nothing is affordable). */
export function storefrontReward(reward: Reward, balance: number | null): StorefrontReward {
  return {
    id: reward.id,
    kind: reward.kind,
    name: reward.name,
    pointsCost: reward.pointsCost,
    affordable: balance !== null && reward.active && balance >= minimumPointsFor(reward),
    minimumSubtotal: reward.minimumSubtotal,
    sliding: reward.sliding ? { ...reward.sliding } : null,
  };
}
