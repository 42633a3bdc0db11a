/**
 * The Tiers settings page (/app/tiers) and the member page's "change tier" action. The ladder is
 * validated with TierLadderSchema (app/loyalty/tiers.ts); a save replaces the shop's Tier rows and
 * settings in one transaction with its audit entry, the storefront program sync and, when the save
 * owes the members something (app/loyalty/tier-placement.ts placementPlan), the `tier-placement`
 * run that re-places them in the background (tier-placement.server.ts, ADR 012 "Program changes"):
 * promotions a lowered threshold or a newly enabled ladder allows, members of a removed tier moved,
 * tags and metafields resent where a name or the progress text changed, everything removed when tiers
 * are turned off. Nobody is demoted by a save (a raised threshold applies at the member's review; a
 * changed qualification period reschedules the reviews).
 */
import { z } from "zod";
import db from "~/db.server";
import { businessDay, type LocalDate } from "~/loyalty/schedule";
import { runOnce } from "~/loyalty/ledger.server";
import { TierLadderSchema, type TierInput, type TierLadder } from "~/loyalty/tiers";
import { placementPlan } from "~/loyalty/tier-placement";
import { auditTrail, writeAudit } from "./audit-log.server";
import { ensureShop } from "./shops.server";
import { queueProgramSync } from "./shopify-outbox.server";
import { queueTierPlacement, tierPlacementStatus, type TierPlacementStatus } from "./tier-placement.server";
import {
  loadLadder,
  memberTierView,
  nextReviewOn,
  tierHistory,
  tierOf,
  writeTierChange,
  type MemberTierView,
  type TierHistoryItem,
} from "./tiers.server";

import { DEFAULT_LADDER, type TierForm, type TierSettingsView } from "~/loyalty/tier-form";

export { DEFAULT_LADDER, type TierForm, type TierSettingsView };

const FormBoolean = z.enum(["true", "false"]).transform((value) => value === "true");

const TierFormSchema = z.object({
  handle: z.string(),
  name: z.string(),
  thresholdKind: z.string(),
  thresholdValue: z.string(),
  qualificationPeriod: z.string(),
  earnMultiplier: z.string(),
  entryRewardKind: z.enum(["none", "points", "reward"]),
  entryRewardPoints: z.string().default(""),
  entryRewardId: z.string().default(""),
  perks: z.string().default(""),
  hidden: z.boolean().default(false),
  /** "" = staff assign the hidden tier; else a segment (validated by TierLadderSchema). */
  assignSegment: z.string().default(""),
});

/** What the form posts: settings as strings and the ladder as one JSON field. */
export const TierSettingsInput = z.object({
  tiersEnabled: FormBoolean,
  tierDowngrade: z.enum(["to_qualifying", "one_level"]),
  tierGraceDays: z
    .string()
    .trim()
    .regex(/^\d+$/, "Enter a whole number of days (0 for none)")
    .transform(Number)
    .refine((days) => days <= 365, "At most 365 days"),
  tierRefundsDemote: FormBoolean,
  tiers: z.string().transform((text, ctx) => {
    try {
      return z.array(TierFormSchema).parse(JSON.parse(text));
    } catch {
      ctx.addIssue({ code: "custom", message: "The ladder could not be read; reload the page" });
      return z.NEVER;
    }
  }),
});

export type TierSettingsUpdate = z.output<typeof TierSettingsInput>;
export type FieldErrors = Record<string, string>;

function ladderInput(tiers: readonly z.output<typeof TierFormSchema>[]): { input: TierInput[]; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const input = tiers.map((tier, index): TierInput => {
    let entryReward: TierInput["entryReward"] = null;
    if (tier.entryRewardKind === "points") {
      const points = Number(tier.entryRewardPoints.trim());
      if (!/^\d+$/.test(tier.entryRewardPoints.trim()) || points < 1 || points > 1_000_000) {
        errors[`tiers.${index}.entryRewardPoints`] = "Enter 1 to 1,000,000 points";
      }
      entryReward = { kind: "points", points };
    } else if (tier.entryRewardKind === "reward") {
      if (!tier.entryRewardId) errors[`tiers.${index}.entryRewardId`] = "Choose a reward";
      entryReward = { kind: "reward", rewardId: tier.entryRewardId };
    }
    return {
      handle: tier.handle.trim(),
      name: tier.name,
      thresholdKind: tier.thresholdKind as TierInput["thresholdKind"],
      thresholdValue: tier.thresholdValue,
      qualificationPeriod: tier.qualificationPeriod as TierInput["qualificationPeriod"],
      earnMultiplier: tier.earnMultiplier,
      entryReward,
      perks: tier.perks,
      hidden: tier.hidden,
      assignSegment: tier.assignSegment === "" ? null : (tier.assignSegment as TierInput["assignSegment"]),
    };
  });
  return { input, errors };
}

function formOf(ladder: TierLadder): TierForm[] {
  return ladder.map((tier) => ({
    handle: tier.handle,
    name: tier.name,
    thresholdKind: tier.thresholdKind,
    thresholdValue: tier.thresholdValue,
    qualificationPeriod: tier.qualificationPeriod,
    earnMultiplier: tier.earnMultiplier,
    entryRewardKind: tier.entryReward?.kind ?? "none",
    entryRewardPoints: tier.entryReward?.kind === "points" ? String(tier.entryReward.points) : "",
    entryRewardId: tier.entryReward?.kind === "reward" ? tier.entryReward.rewardId : "",
    perks: tier.perks,
    hidden: tier.hidden,
    assignSegment: tier.assignSegment ?? "",
  }));
}

async function settingsOf(shopId: string): Promise<TierSettingsView> {
  const shop = await db.shop.findUniqueOrThrow({
    where: { id: shopId },
    select: { tiersEnabled: true, tierDowngrade: true, tierGraceDays: true, tierRefundsDemote: true },
  });
  const ladder = await loadLadder(shopId);
  return {
    tiersEnabled: shop.tiersEnabled,
    tierDowngrade: shop.tierDowngrade === "one_level" ? "one_level" : "to_qualifying",
    tierGraceDays: String(shop.tierGraceDays),
    tierRefundsDemote: shop.tierRefundsDemote,
    tiers: ladder.length ? formOf(ladder) : DEFAULT_LADDER,
  };
}

export interface TiersPage {
  settings: TierSettingsView;
  /** Catalog rewards that can be given as an entry reward. */
  rewards: { id: string; name: string }[];
  /** Members per tier handle. */
  memberCounts: Record<string, number>;
  changes: { id: string; at: string; staffId: string | null }[];
  /** The members' re-placement after a save, while it is owed or under way (null when none). */
  placement: TierPlacementStatus | null;
}

export async function tiersPage(shopDomain: string): Promise<TiersPage> {
  const shop = await ensureShop(shopDomain);
  const [settings, rewards, counts, trail, placement] = await Promise.all([
    settingsOf(shop.id),
    db.reward.findMany({
      where: { shopId: shop.id, active: true, kind: { in: ["amount_off", "percent_off", "free_shipping", "free_product"] } },
      orderBy: { createdAt: "asc" },
      select: { id: true, name: true },
      take: 200,
    }),
    db.member.groupBy({ by: ["tierHandle"], where: { shopId: shop.id, tierHandle: { not: null } }, _count: { _all: true } }),
    auditTrail(shopDomain, { type: "shop", id: shop.id }, 20),
    tierPlacementStatus(shop.id),
  ]);
  return {
    settings,
    rewards,
    memberCounts: Object.fromEntries(counts.map((row) => [row.tierHandle ?? "", row._count._all])),
    changes: trail
      .filter((item) => item.action === "tiers.update")
      .slice(0, 5)
      .map((item) => ({ id: item.id, at: item.createdAt, staffId: item.staffId })),
    placement,
  };
}

export type SaveTiersResult = { ok: true; settings: TierSettingsView } | { ok: false; errors: FieldErrors };

export async function saveTierSettings(
  shopDomain: string,
  update: TierSettingsUpdate,
  staffId: string | null,
  now: Date = new Date(),
): Promise<SaveTiersResult> {
  const shop = await ensureShop(shopDomain);
  const { input, errors } = ladderInput(update.tiers);
  const parsed = TierLadderSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [index, field] = issue.path;
      const name = field === "entryReward" ? (input[Number(index)]?.entryReward?.kind === "reward" ? "entryRewardId" : "entryRewardPoints") : field;
      const key = typeof index === "number" && name !== undefined ? `tiers.${index}.${String(name)}` : "tiers";
      errors[key] ??= issue.message;
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  const ladder = parsed.data;

  const rewardIds = ladder.flatMap((tier) => (tier.entryReward?.kind === "reward" ? [tier.entryReward.rewardId] : []));
  if (rewardIds.length) {
    const found = new Set(
      (await db.reward.findMany({ where: { shopId: shop.id, id: { in: rewardIds } }, select: { id: true } })).map((row) => row.id),
    );
    ladder.forEach((tier, index) => {
      if (tier.entryReward?.kind === "reward" && !found.has(tier.entryReward.rewardId)) {
        errors[`tiers.${index}.entryRewardId`] = "This reward does not exist in this shop";
      }
    });
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  // A removed tier's members are moved by the placement run (the highest remaining tier they qualify for).
  const kept = new Set(ladder.map((tier) => tier.handle));

  const before = await settingsOf(shop.id);
  const beforeLadder = await loadLadder(shop.id);
  const owed = placementPlan({ enabled: before.tiersEnabled, ladder: beforeLadder }, { enabled: update.tiersEnabled, ladder });
  const settings = {
    tiersEnabled: update.tiersEnabled,
    tierDowngrade: update.tierDowngrade,
    tierGraceDays: update.tierGraceDays,
    tierRefundsDemote: update.tierRefundsDemote,
  };
  await db.$transaction(async (tx) => {
    await tx.tier.deleteMany({ where: { shopId: shop.id, handle: { notIn: [...kept] } } });
    for (const [position, tier] of ladder.entries()) {
      const data = {
        name: tier.name,
        position,
        thresholdKind: tier.thresholdKind,
        thresholdValue: tier.thresholdValue,
        qualificationPeriod: tier.qualificationPeriod,
        earnMultiplier: tier.earnMultiplier,
        entryRewardPoints: tier.entryReward?.kind === "points" ? tier.entryReward.points : null,
        entryRewardId: tier.entryReward?.kind === "reward" ? tier.entryReward.rewardId : null,
        perks: tier.perks,
        hidden: tier.hidden,
        assignSegment: tier.assignSegment,
      };
      await tx.tier.upsert({
        where: { shopId_handle: { shopId: shop.id, handle: tier.handle } },
        create: { shopId: shop.id, handle: tier.handle, ...data },
        update: data,
      });
    }
    await tx.shop.update({ where: { id: shop.id }, data: settings });
    await queueProgramSync(tx, shop.id);
    await queueTierPlacement(tx, shop.id, owed, now);
    await writeAudit(tx, {
      shopId: shop.id,
      staffId,
      action: "tiers.update",
      subjectType: "shop",
      subjectId: shop.id,
      before: { ...before, tierGraceDays: Number(before.tierGraceDays) },
      after: { ...settings, tiers: formOf(ladder) },
    });
  });
  if (before.tiers[0]?.qualificationPeriod !== ladder[0]?.qualificationPeriod) {
    await rescheduleReviews(shop.id, ladder, businessDay(now, shop.ianaTimezone));
  }
  return { ok: true, settings: await settingsOf(shop.id) };
}

/** The qualification period changed: every member's next review follows the new period. */
async function rescheduleReviews(shopId: string, ladder: TierLadder, today: LocalDate): Promise<void> {
  let cursor: string | undefined;
  for (;;) {
    const members = await db.member.findMany({
      where: { shopId, tierHandle: { not: null }, ...(cursor ? { id: { gt: cursor } } : {}) },
      orderBy: { id: "asc" },
      take: 1000,
      select: { id: true, tierHandle: true, tierSince: true },
    });
    if (members.length === 0) return;
    const groups = new Map<string, string[]>();
    for (const member of members) {
      const reviewOn = member.tierHandle ? nextReviewOn(ladder, member.tierHandle, member.tierSince ?? today, today) : null;
      const key = reviewOn ?? "";
      groups.set(key, [...(groups.get(key) ?? []), member.id]);
    }
    await db.$transaction(
      [...groups].map(([reviewOn, ids]) =>
        db.member.updateMany({ where: { id: { in: ids } }, data: { tierReviewOn: reviewOn === "" ? null : reviewOn } }),
      ),
    );
    cursor = members[members.length - 1]?.id;
  }
}

// ---------------------------------------------------------------------------------------------
// Member page: staff change a member's tier

export const ChangeTierInput = z.object({
  tierHandle: z.string().min(1, "Choose a tier"),
  /** Made in the browser per click: a retried request changes the tier once. */
  requestId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "Missing request id; reload the page"),
  note: z.string().trim().max(500).optional().default(""),
});

export type ChangeTierResult =
  | { ok: true; changed: boolean; tierHandle: string }
  | { ok: false; errors: FieldErrors; status: 404 | 400 };

export async function changeMemberTier(
  shopDomain: string,
  memberId: string,
  input: z.output<typeof ChangeTierInput>,
  staffId: string | null,
  now: Date = new Date(),
): Promise<ChangeTierResult> {
  const shop = await ensureShop(shopDomain);
  const member = await db.member.findFirst({ where: { id: memberId, shopId: shop.id }, select: { id: true, tierHandle: true } });
  if (!member) return { ok: false, status: 404, errors: { form: "Member not found" } };
  // With tiers off the daily review clears every member's tier: a manual tier would not last.
  if (!shop.tiersEnabled) return { ok: false, status: 400, errors: { tierHandle: "Turn VIP tiers on before changing a member's tier" } };
  const ladder = await loadLadder(shop.id);
  const target = tierOf(ladder, input.tierHandle);
  if (!target) return { ok: false, status: 400, errors: { tierHandle: "Choose a tier of this shop's ladder" } };
  if (member.tierHandle === target.handle) return { ok: true, changed: false, tierHandle: target.handle };
  const today = businessDay(now, shop.ianaTimezone);
  const done = await runOnce(db, async (tx) => {
    await writeTierChange(tx, {
      shopId: shop.id,
      memberId: member.id,
      from: member.tierHandle,
      to: target.handle,
      reason: "manual",
      idempotencyKey: `manual:${input.requestId}`,
      ladder,
      today,
      staffId,
      note: input.note || null,
    });
    await writeAudit(tx, {
      shopId: shop.id,
      staffId,
      action: "member.change_tier",
      subjectType: "member",
      subjectId: member.id,
      before: { tierHandle: member.tierHandle },
      after: { tierHandle: target.handle, note: input.note || null },
    });
  });
  return { ok: true, changed: done.applied, tierHandle: target.handle };
}

export interface MemberTiersPanel {
  enabled: boolean;
  view: MemberTierView;
  history: TierHistoryItem[];
  /** Tiers staff can choose from (hidden ones included: staff assign them). */
  ladder: { handle: string; name: string; hidden: boolean }[];
}

/** The member page's tier card: tier, progress to the next, history, the ladder to choose from. */
export async function memberTiersPanel(shopDomain: string, memberId: string, now: Date = new Date()): Promise<MemberTiersPanel | null> {
  const shop = await ensureShop(shopDomain);
  const member = await db.member.findFirst({
    where: { id: memberId, shopId: shop.id },
    select: {
      id: true,
      customerGid: true,
      tierHandle: true,
      tierSince: true,
      tierReviewOn: true,
      tierPendingHandle: true,
      tierPendingOn: true,
    },
  });
  if (!member) return null;
  const ladder = await loadLadder(shop.id);
  return {
    enabled: shop.tiersEnabled,
    view: await memberTierView(shop, member, ladder, now),
    history: await tierHistory(shop.id, member.id),
    ladder: ladder.map((tier) => ({ handle: tier.handle, name: tier.name, hidden: tier.hidden })),
  };
}
