/**
 * The Birthdays admin page: the birthday settings on the Shop row (reward as points or a catalog
 * reward given as a code, issue day, the lead and cooldown rules, the pop-up's guest invitation).
 * Every save is audited with the staff user, and republishes the storefront program (ways to earn).
 */
import { z } from "zod";
import db from "~/db.server";
import { auditTrail, writeAudit } from "./audit-log.server";
import { BIRTHDAY_NOT_ISSUED_KIND, type NotIssuedReason } from "./birthdays.server";
import { ensureShop } from "./shops.server";
import { queueProgramSync } from "./shopify-outbox.server";

export type FieldErrors = Record<string, string>;

export interface BirthdaySettingsView {
  birthdayEnabled: boolean;
  rewardType: "points" | "reward";
  birthdayRewardPoints: string;
  birthdayRewardId: string;
  birthdayIssueOn: "day" | "month_start";
  birthdayMinLeadDays: string;
  birthdayChangeCooldownDays: string;
  birthdayPopupGuests: boolean;
}

const FormBoolean = z.enum(["true", "false"]).transform((value) => value === "true");
const days = (max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `Enter a whole number of days (0 to ${max})`)
    .transform(Number)
    .refine((value) => value <= max, `Must be at most ${max}`);

export const BirthdaySettingsInput = z
  .object({
    birthdayEnabled: FormBoolean,
    rewardType: z.enum(["points", "reward"]),
    birthdayRewardPoints: z.string().trim(),
    birthdayRewardId: z.string().trim().max(64),
    birthdayIssueOn: z.enum(["day", "month_start"]),
    birthdayMinLeadDays: days(365),
    birthdayChangeCooldownDays: days(3650),
    birthdayPopupGuests: FormBoolean,
  })
  .superRefine((input, ctx) => {
    if (input.rewardType === "points") {
      const points = Number(input.birthdayRewardPoints);
      if (!/^\d+$/.test(input.birthdayRewardPoints) || points < 1 || points > 1_000_000) {
        ctx.addIssue({ code: "custom", path: ["birthdayRewardPoints"], message: "Enter a whole number of points from 1 to 1,000,000" });
      }
    } else if (!input.birthdayRewardId) {
      ctx.addIssue({ code: "custom", path: ["birthdayRewardId"], message: "Choose the reward members get on their birthday" });
    }
  });
export type BirthdaySettingsUpdate = z.output<typeof BirthdaySettingsInput>;

const GRANTABLE_KINDS = ["amount_off", "percent_off", "free_shipping", "free_product"];

const SETTINGS = {
  birthdayEnabled: true,
  birthdayRewardPoints: true,
  birthdayRewardId: true,
  birthdayIssueOn: true,
  birthdayMinLeadDays: true,
  birthdayChangeCooldownDays: true,
  birthdayPopupGuests: true,
} as const;

type SettingsRow = {
  birthdayEnabled: boolean;
  birthdayRewardPoints: number | null;
  birthdayRewardId: string | null;
  birthdayIssueOn: string;
  birthdayMinLeadDays: number;
  birthdayChangeCooldownDays: number;
  birthdayPopupGuests: boolean;
};

function viewOf(shop: SettingsRow): BirthdaySettingsView {
  return {
    birthdayEnabled: shop.birthdayEnabled,
    rewardType: shop.birthdayRewardId ? "reward" : "points",
    birthdayRewardPoints: shop.birthdayRewardPoints === null ? "" : String(shop.birthdayRewardPoints),
    birthdayRewardId: shop.birthdayRewardId ?? "",
    birthdayIssueOn: shop.birthdayIssueOn === "month_start" ? "month_start" : "day",
    birthdayMinLeadDays: String(shop.birthdayMinLeadDays),
    birthdayChangeCooldownDays: String(shop.birthdayChangeCooldownDays),
    birthdayPopupGuests: shop.birthdayPopupGuests,
  };
}

/** What is wrong with the chosen catalog reward: members get nothing until staff fix it. */
export type ChosenRewardProblem = { kind: "archived"; name: string } | { kind: "missing" } | null;

export interface NotIssuedGift {
  id: string;
  memberId: string;
  year: number;
  reason: NotIssuedReason;
  at: string;
}

export interface BirthdaysPage {
  settings: BirthdaySettingsView;
  rewards: { id: string; name: string }[];
  /** Members with a birthday on file, and birthday rewards given this calendar year (UTC). */
  stats: { withBirthday: number; rewardedThisYear: number };
  changes: { id: string; at: string; staffId: string | null }[];
  /** The chosen catalog reward is archived or deleted (a warning on the page). */
  rewardProblem: ChosenRewardProblem;
  /** Gifts the daily job could not give this calendar year (UTC): how many, and the latest few. */
  notIssued: { count: number; latest: NotIssuedGift[] };
}

const NOT_ISSUED_REASONS: readonly NotIssuedReason[] = ["reward_archived", "reward_not_found", "reward_not_grantable"];

function notIssuedOf(row: { id: string; memberId: string; payload: string; createdAt: Date }): NotIssuedGift {
  let payload: { year?: unknown; reason?: unknown } = {};
  try {
    payload = JSON.parse(row.payload) as typeof payload;
  } catch {
    // an unreadable payload still shows the member and the date
  }
  const reason = NOT_ISSUED_REASONS.find((known) => known === payload.reason) ?? "reward_not_found";
  return { id: row.id, memberId: row.memberId, year: typeof payload.year === "number" ? payload.year : row.createdAt.getUTCFullYear(), reason, at: row.createdAt.toISOString() };
}

async function chosenRewardProblem(shopId: string, rewardId: string | null): Promise<ChosenRewardProblem> {
  if (!rewardId) return null;
  const reward = await db.reward.findFirst({ where: { id: rewardId, shopId }, select: { name: true, active: true } });
  if (!reward) return { kind: "missing" };
  return reward.active ? null : { kind: "archived", name: reward.name };
}

async function grantableRewards(shopId: string) {
  return db.reward.findMany({
    where: { shopId, active: true, kind: { in: GRANTABLE_KINDS } },
    orderBy: [{ name: "asc" }, { id: "asc" }],
    select: { id: true, name: true },
    take: 200,
  });
}

export async function birthdaysPage(shopDomain: string, now = new Date()): Promise<BirthdaysPage> {
  const shop = await ensureShop(shopDomain);
  const yearStart = new Date(Date.UTC(now.getUTCFullYear(), 0, 1));
  const notIssuedThisYear = { shopId: shop.id, kind: BIRTHDAY_NOT_ISSUED_KIND, createdAt: { gte: yearStart } };
  const [rewards, withBirthday, rewardedThisYear, trail, rewardProblem, notIssuedCount, notIssuedRows] = await Promise.all([
    grantableRewards(shop.id),
    db.member.count({ where: { shopId: shop.id, birthdayMonth: { not: null } } }),
    db.notification.count({ where: { shopId: shop.id, kind: "birthday_reward", createdAt: { gte: yearStart } } }),
    auditTrail(shopDomain, { type: "shop", id: shop.id }, 20),
    chosenRewardProblem(shop.id, shop.birthdayRewardId),
    db.notification.count({ where: notIssuedThisYear }),
    db.notification.findMany({
      where: notIssuedThisYear,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: 5,
      select: { id: true, memberId: true, payload: true, createdAt: true },
    }),
  ]);
  return {
    settings: viewOf(shop),
    rewards,
    rewardProblem,
    notIssued: { count: notIssuedCount, latest: notIssuedRows.map(notIssuedOf) },
    stats: { withBirthday, rewardedThisYear },
    changes: trail.filter((item) => item.action === "birthdays.update").slice(0, 5).map((item) => ({ id: item.id, at: item.createdAt, staffId: item.staffId })),
  };
}

export type SaveBirthdaysResult = { ok: true; settings: BirthdaySettingsView } | { ok: false; errors: FieldErrors };

export async function saveBirthdaySettings(shopDomain: string, input: BirthdaySettingsUpdate, staffId: string | null): Promise<SaveBirthdaysResult> {
  const shop = await ensureShop(shopDomain);
  if (input.rewardType === "reward") {
    const reward = await db.reward.findFirst({ where: { id: input.birthdayRewardId, shopId: shop.id, active: true, kind: { in: GRANTABLE_KINDS } } });
    if (!reward) return { ok: false, errors: { birthdayRewardId: "Choose an active fixed discount, free shipping or free product reward" } };
  }
  const data = {
    birthdayEnabled: input.birthdayEnabled,
    birthdayRewardPoints: input.rewardType === "points" ? Number(input.birthdayRewardPoints) : null,
    birthdayRewardId: input.rewardType === "reward" ? input.birthdayRewardId : null,
    birthdayIssueOn: input.birthdayIssueOn,
    birthdayMinLeadDays: input.birthdayMinLeadDays,
    birthdayChangeCooldownDays: input.birthdayChangeCooldownDays,
    birthdayPopupGuests: input.birthdayPopupGuests,
  };
  const after = await db.$transaction(async (tx) => {
    const before = await tx.shop.findUniqueOrThrow({ where: { id: shop.id }, select: SETTINGS });
    const updated = await tx.shop.update({ where: { id: shop.id }, data, select: SETTINGS });
    await queueProgramSync(tx, shop.id);
    await writeAudit(tx, { shopId: shop.id, staffId, action: "birthdays.update", subjectType: "shop", subjectId: shop.id, before, after: updated });
    return updated;
  });
  return { ok: true, settings: viewOf(after) };
}
