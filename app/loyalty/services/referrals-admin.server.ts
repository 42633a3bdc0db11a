/**
 * The Referrals admin page: the settings on the Shop row (who gets what, the pending days and the
 * fraud limits) and the list of referrals, rejected ones with their reason. Every save is audited.
 */
import { z } from "zod";
import db from "~/db.server";
import type { RejectReason, ReferralStatus } from "~/loyalty/referrals";
import { auditTrail, writeAudit } from "./audit-log.server";
import { ensureShop } from "./shops.server";
import { queueProgramSync } from "./shopify-outbox.server";

export type FieldErrors = Record<string, string>;

/** The form's values, all strings or booleans as the form holds them. */
export interface ReferralSettingsView {
  referralsEnabled: boolean;
  referrerRewardType: "points" | "reward";
  referrerRewardPoints: string;
  referrerRewardId: string;
  friendRewardId: string;
  referralPendingDays: string;
  referralMonthlyCap: string;
  referralIpClaimsPerDay: string;
}

const FormBoolean = z.enum(["true", "false"]).transform((value) => value === "true");
const whole = (max: number, message: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, message)
    .transform(Number)
    .refine((value) => value <= max, `Must be at most ${max.toLocaleString("en")}`);

/** What the form posts. Which reward fields are required depends on the others (checked below). */
export const ReferralSettingsInput = z
  .object({
    referralsEnabled: FormBoolean,
    referrerRewardType: z.enum(["points", "reward"]),
    referrerRewardPoints: z.string().trim(),
    referrerRewardId: z.string().trim().max(64),
    friendRewardId: z.string().trim().max(64),
    referralPendingDays: whole(365, "Enter a whole number of days (0 to 365)"),
    referralMonthlyCap: whole(1000, "Enter a whole number of referrals").refine((value) => value >= 1, "Must be at least 1"),
    referralIpClaimsPerDay: whole(1000, "Enter a whole number of claims").refine((value) => value >= 1, "Must be at least 1"),
  })
  .superRefine((input, ctx) => {
    if (input.referrerRewardType === "points") {
      const points = Number(input.referrerRewardPoints);
      if (!/^\d+$/.test(input.referrerRewardPoints) || points < 1 || points > 1_000_000) {
        ctx.addIssue({ code: "custom", path: ["referrerRewardPoints"], message: "Enter a whole number of points from 1 to 1,000,000" });
      }
    } else if (!input.referrerRewardId) {
      ctx.addIssue({ code: "custom", path: ["referrerRewardId"], message: "Choose the reward the referrer gets" });
    }
    if (input.referralsEnabled && !input.friendRewardId) {
      ctx.addIssue({ code: "custom", path: ["friendRewardId"], message: "Choose the friend's reward before turning referrals on" });
    }
  });

export type ReferralSettingsUpdate = z.output<typeof ReferralSettingsInput>;

const GRANTABLE_KINDS = ["amount_off", "percent_off", "free_shipping", "free_product"];

const SETTINGS = {
  referralsEnabled: true,
  referrerRewardPoints: true,
  referrerRewardId: true,
  friendRewardId: true,
  referralPendingDays: true,
  referralMonthlyCap: true,
  referralIpClaimsPerDay: true,
} as const;

function viewOf(shop: {
  referralsEnabled: boolean;
  referrerRewardPoints: number | null;
  referrerRewardId: string | null;
  friendRewardId: string | null;
  referralPendingDays: number;
  referralMonthlyCap: number;
  referralIpClaimsPerDay: number;
}): ReferralSettingsView {
  return {
    referralsEnabled: shop.referralsEnabled,
    referrerRewardType: shop.referrerRewardId ? "reward" : "points",
    referrerRewardPoints: shop.referrerRewardPoints === null ? "" : String(shop.referrerRewardPoints),
    referrerRewardId: shop.referrerRewardId ?? "",
    friendRewardId: shop.friendRewardId ?? "",
    referralPendingDays: String(shop.referralPendingDays),
    referralMonthlyCap: String(shop.referralMonthlyCap),
    referralIpClaimsPerDay: String(shop.referralIpClaimsPerDay),
  };
}

export interface ReferralRow {
  id: string;
  status: ReferralStatus;
  rejectReason: RejectReason | null;
  /** null once erased (customers/redact). */
  friendEmail: string | null;
  referrer: { memberId: string; name: string; email: string | null };
  orderGid: string | null;
  createdAt: string;
  rewardedAt: string | null;
  reversedAt: string | null;
}

export type ReferralFilter = "all" | "rejected";

export interface ReferralsPage {
  settings: ReferralSettingsView;
  /** Catalog rewards that can be given as a code (friend reward, referrer reward). */
  rewards: { id: string; name: string }[];
  filter: ReferralFilter;
  referrals: ReferralRow[];
  counts: Record<ReferralStatus, number>;
  changes: { id: string; at: string; staffId: string | null }[];
}

export const REFERRALS_LIST_LIMIT = 100;

const rowOf = (referral: {
  id: string;
  status: string;
  rejectReason: string | null;
  friendEmail: string | null;
  orderGid: string | null;
  createdAt: Date;
  rewardedAt: Date | null;
  reversedAt: Date | null;
  referrer: { id: string; firstName: string | null; lastName: string | null; email: string | null };
}): ReferralRow => ({
  id: referral.id,
  status: referral.status as ReferralStatus,
  rejectReason: referral.rejectReason as RejectReason | null,
  friendEmail: referral.friendEmail,
  referrer: {
    memberId: referral.referrer.id,
    name: [referral.referrer.firstName, referral.referrer.lastName].filter(Boolean).join(" "),
    email: referral.referrer.email,
  },
  orderGid: referral.orderGid,
  createdAt: referral.createdAt.toISOString(),
  rewardedAt: referral.rewardedAt?.toISOString() ?? null,
  reversedAt: referral.reversedAt?.toISOString() ?? null,
});

const REFERRAL_ROW_SELECT = {
  id: true,
  status: true,
  rejectReason: true,
  friendEmail: true,
  orderGid: true,
  createdAt: true,
  rewardedAt: true,
  reversedAt: true,
  referrer: { select: { id: true, firstName: true, lastName: true, email: true } },
} as const;

export async function referralsPage(shopDomain: string, filter: ReferralFilter = "all"): Promise<ReferralsPage> {
  const shop = await ensureShop(shopDomain);
  const [rewards, referrals, grouped, trail] = await Promise.all([
    db.reward.findMany({
      where: { shopId: shop.id, active: true, kind: { in: GRANTABLE_KINDS } },
      orderBy: { createdAt: "asc" },
      select: { id: true, name: true },
      take: 200,
    }),
    db.referral.findMany({
      where: { shopId: shop.id, ...(filter === "rejected" ? { status: "rejected" } : {}) },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: REFERRALS_LIST_LIMIT,
      select: REFERRAL_ROW_SELECT,
    }),
    db.referral.groupBy({ by: ["status"], where: { shopId: shop.id }, _count: { _all: true } }),
    auditTrail(shopDomain, { type: "shop", id: shop.id }, 20),
  ]);
  const counts: Record<ReferralStatus, number> = { claimed: 0, pending: 0, rewarded: 0, reversed: 0, rejected: 0 };
  for (const row of grouped) counts[row.status as ReferralStatus] = row._count._all;
  return {
    settings: viewOf(shop),
    rewards,
    filter,
    referrals: referrals.map(rowOf),
    counts,
    changes: trail
      .filter((item) => item.action === "referrals.update")
      .slice(0, 5)
      .map((item) => ({ id: item.id, at: item.createdAt, staffId: item.staffId })),
  };
}

/** A member's referrals (their friends), newest first: for the staff member page. */
export async function memberReferrals(shopId: string, memberId: string, take = 20): Promise<ReferralRow[]> {
  const rows = await db.referral.findMany({
    where: { shopId, referrerId: memberId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
    select: REFERRAL_ROW_SELECT,
  });
  return rows.map(rowOf);
}

/** The member page's card: the member's referrals in the token's shop (none for another shop's member). */
export async function memberReferralsFor(shopDomain: string, memberId: string): Promise<ReferralRow[]> {
  const shop = await ensureShop(shopDomain);
  return memberReferrals(shop.id, memberId);
}

export type SaveReferralsResult = { ok: true; settings: ReferralSettingsView } | { ok: false; errors: FieldErrors };

/**
 * Saves validated settings: the chosen rewards must be this shop's active, fixed-value rewards.
 * Applies to future claims and orders (a friend's code already issued keeps its value). Audited.
 */
export async function saveReferralSettings(
  shopDomain: string,
  update: ReferralSettingsUpdate,
  staffId: string | null,
): Promise<SaveReferralsResult> {
  const shop = await ensureShop(shopDomain);
  const wanted = [update.friendRewardId, update.referrerRewardType === "reward" ? update.referrerRewardId : ""].filter(Boolean);
  const found = await db.reward.findMany({
    where: { shopId: shop.id, id: { in: wanted }, active: true, kind: { in: GRANTABLE_KINDS } },
    select: { id: true },
  });
  const known = new Set(found.map((reward) => reward.id));
  const errors: FieldErrors = {};
  const unusable = "Choose an active reward with a fixed value (not a sliding scale or a donation)";
  if (update.friendRewardId && !known.has(update.friendRewardId)) errors.friendRewardId = unusable;
  if (update.referrerRewardType === "reward" && !known.has(update.referrerRewardId)) errors.referrerRewardId = unusable;
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const data = {
    referralsEnabled: update.referralsEnabled,
    referrerRewardPoints: update.referrerRewardType === "points" ? Number(update.referrerRewardPoints) : null,
    referrerRewardId: update.referrerRewardType === "reward" ? update.referrerRewardId : null,
    friendRewardId: update.friendRewardId || null,
    referralPendingDays: update.referralPendingDays,
    referralMonthlyCap: update.referralMonthlyCap,
    referralIpClaimsPerDay: update.referralIpClaimsPerDay,
  };
  const after = await db.$transaction(async (tx) => {
    const before = await tx.shop.findUniqueOrThrow({ where: { id: shop.id }, select: SETTINGS });
    const saved = await tx.shop.update({ where: { id: shop.id }, data, select: SETTINGS });
    // The published program carries the referral way to earn and the referrals flag (ADR 009).
    await queueProgramSync(tx, shop.id);
    await writeAudit(tx, { shopId: shop.id, staffId, action: "referrals.update", subjectType: "shop", subjectId: shop.id, before, after: saved });
    return saved;
  });
  return { ok: true, settings: viewOf(after) };
}
