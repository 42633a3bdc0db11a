/**
 * Birthdays (issue 5, docs/decisions/015): what the storefront shows a shopper (the pop-up and the
 * panel's form), saving a member's birthday with the lead and cooldown rules, and issuing the yearly
 * birthday reward (points through the ledger, or a catalog reward as a free code) — the daily job
 * (app/jobs/birthday-rewards.server.ts) calls `issueBirthdayReward`.
 */
import type { Member, Shop } from "@prisma/client";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { promoteIfQualified } from "./tiers.server";
import {
  birthDateValue,
  birthdayGrantKey,
  birthdayPointsKey,
  birthdayProblem,
  changeAllowed,
  firstRewardYear,
  sameBirthday,
  windowYearOn,
  type Birthday,
  type BirthdayIssueOn,
  type BirthdayProblem,
} from "~/loyalty/birthdays";
import { appendCredit, isUniqueViolation, runOnce } from "~/loyalty/ledger.server";
import { localDateOf, type LocalDate } from "~/loyalty/schedule";
import { customerGidOf, GRANT_PREFIX, grantRewardCode } from "./redemptions.server";
import { queueBirthDateSync } from "./shopify-outbox.server";

export type BirthdayShop = Pick<
  Shop,
  | "id"
  | "domain"
  | "ianaTimezone"
  | "programEnabled"
  | "birthdayEnabled"
  | "birthdayRewardPoints"
  | "birthdayRewardId"
  | "birthdayIssueOn"
  | "birthdayMinLeadDays"
  | "birthdayChangeCooldownDays"
  | "birthdayPopupGuests"
>;

const SHOP_SELECT = {
  id: true,
  domain: true,
  ianaTimezone: true,
  programEnabled: true,
  birthdayEnabled: true,
  birthdayRewardPoints: true,
  birthdayRewardId: true,
  birthdayIssueOn: true,
  birthdayMinLeadDays: true,
  birthdayChangeCooldownDays: true,
  birthdayPopupGuests: true,
} as const;

export const issueOnOf = (shop: Pick<Shop, "birthdayIssueOn">): BirthdayIssueOn =>
  shop.birthdayIssueOn === "month_start" ? "month_start" : "day";

export function birthdayOf(member: Pick<Member, "birthdayMonth" | "birthdayDay" | "birthdayYear">): Birthday | null {
  if (member.birthdayMonth === null || member.birthdayDay === null) return null;
  return { month: member.birthdayMonth, day: member.birthdayDay, year: member.birthdayYear };
}

/** The birthday program is on and gives something. */
export function birthdaysActive(shop: BirthdayShop): boolean {
  return shop.programEnabled && shop.birthdayEnabled && ((shop.birthdayRewardPoints ?? 0) > 0 || !!shop.birthdayRewardId);
}

// ---------------------------------------------------------------------------------------------------
// the storefront's view (GET /apps/keepsake/birthday)

export interface BirthdayGift {
  year: number;
  points: number | null;
  rewardName: string | null;
  code: string | null;
  expiresAt: string | null;
}

/** What the shopper's pop-up and the panel's form need. */
export interface BirthdayView {
  /** invite: a member without a birthday; gift: in the birthday window with this year's gift; join: a guest invited to join. */
  popup: "none" | "invite" | "gift" | "join";
  loggedIn: boolean;
  enrolled: boolean;
  /** The birthday program is on (the form is shown only then). */
  active: boolean;
  /** Points of the birthday reward, or null when it is a catalog reward. */
  rewardPoints: number | null;
  rewardName: string | null;
  birthday: Birthday | null;
  /** The first year the reward may come (the lead rule), when a birthday is set. */
  firstRewardYear: number | null;
  /** When the birthday may be changed again (null: now). */
  nextChangeOn: LocalDate | null;
  minLeadDays: number;
  cooldownDays: number;
  gift: BirthdayGift | null;
}

async function rewardNameOf(shop: BirthdayShop): Promise<string | null> {
  if (!shop.birthdayRewardId) return null;
  const reward = await db.reward.findFirst({ where: { id: shop.birthdayRewardId, shopId: shop.id }, select: { name: true } });
  return reward?.name ?? null;
}

async function giftOf(shop: BirthdayShop, member: Pick<Member, "id" | "customerGid">, year: number): Promise<BirthdayGift | null> {
  const [entry, grant] = await Promise.all([
    db.ledgerEntry.findUnique({
      where: { shopId_idempotencyKey: { shopId: shop.id, idempotencyKey: birthdayPointsKey(member.customerGid, year) } },
      select: { delta: true },
    }),
    db.redemption.findFirst({
      where: { shopId: shop.id, memberId: member.id, requestId: GRANT_PREFIX + birthdayGrantKey(member.id, year), status: { in: ["issued", "used"] } },
      select: { code: true, rewardName: true, expiresAt: true },
    }),
  ]);
  if (!entry && !grant) return null;
  return {
    year,
    points: entry?.delta ?? null,
    rewardName: grant?.rewardName ?? null,
    code: grant?.code ?? null,
    expiresAt: grant?.expiresAt?.toISOString() ?? null,
  };
}

export async function birthdayView(shopDomain: string, customerNumericId: string, now = new Date()): Promise<BirthdayView> {
  const shop = await db.shop.findUnique({ where: { domain: shopDomain }, select: SHOP_SELECT });
  const loggedIn = customerNumericId !== "";
  const member =
    shop && loggedIn
      ? await db.member.findUnique({ where: { shopId_customerGid: { shopId: shop.id, customerGid: customerGidOf(customerNumericId) } } })
      : null;
  const view: BirthdayView = {
    popup: "none",
    loggedIn,
    enrolled: !!member,
    active: false,
    rewardPoints: null,
    rewardName: null,
    birthday: null,
    firstRewardYear: null,
    nextChangeOn: null,
    minLeadDays: shop?.birthdayMinLeadDays ?? 30,
    cooldownDays: shop?.birthdayChangeCooldownDays ?? 365,
    gift: null,
  };
  if (!shop || !birthdaysActive(shop)) return view;
  view.active = true;
  view.rewardPoints = shop.birthdayRewardPoints && shop.birthdayRewardPoints > 0 && !shop.birthdayRewardId ? shop.birthdayRewardPoints : null;
  view.rewardName = await rewardNameOf(shop);
  if (!member) {
    view.popup = !loggedIn && shop.birthdayPopupGuests ? "join" : "none";
    return view;
  }
  const today = localDateOf(now, shop.ianaTimezone);
  const birthday = birthdayOf(member);
  view.birthday = birthday;
  view.firstRewardYear = member.birthdayFirstYear;
  const change = changeAllowed(member.birthdaySetAt ? localDateOf(member.birthdaySetAt, shop.ianaTimezone) : null, today, shop.birthdayChangeCooldownDays);
  view.nextChangeOn = change.allowed ? null : change.nextChangeOn;
  if (member.excludedAt || member.redactedAt) return view;
  if (!birthday) {
    view.popup = "invite";
    return view;
  }
  const year = windowYearOn(birthday, today, issueOnOf(shop));
  if (year !== null) {
    view.gift = await giftOf(shop, member, year);
    if (view.gift) view.popup = "gift";
  }
  return view;
}

// ---------------------------------------------------------------------------------------------------
// saving (POST /apps/keepsake/birthday)

export type SaveBirthdayOutcome =
  | { ok: true; view: BirthdayView }
  | { ok: false; code: "not_logged_in" | "not_enrolled" | "birthdays_off"; message: string }
  | { ok: false; code: "invalid_birthday"; problem: BirthdayProblem; message: string }
  | { ok: false; code: "change_too_soon"; nextChangeOn: LocalDate; message: string };

const PROBLEM_MESSAGES: Record<BirthdayProblem, string> = {
  month: "Choose a month.",
  day: "This day does not exist in that month.",
  year: "Enter a year between 1900 and this year, or leave it empty.",
  future: "A birthday cannot be in the future.",
};

export async function saveBirthday(
  shopDomain: string,
  customerNumericId: string,
  birthday: Birthday,
  now = new Date(),
): Promise<SaveBirthdayOutcome> {
  if (!customerNumericId) return { ok: false, code: "not_logged_in", message: "Log in to add your birthday." };
  const shop = await db.shop.findUnique({ where: { domain: shopDomain }, select: SHOP_SELECT });
  const customerGid = customerGidOf(customerNumericId);
  const member = shop
    ? await db.member.findUnique({ where: { shopId_customerGid: { shopId: shop.id, customerGid } } })
    : null;
  if (!shop || !member || member.redactedAt) return { ok: false, code: "not_enrolled", message: "Join the rewards program first." };
  if (!birthdaysActive(shop)) return { ok: false, code: "birthdays_off", message: "Birthday rewards are not offered right now." };
  const today = localDateOf(now, shop.ianaTimezone);
  const problem = birthdayProblem(birthday, today);
  if (problem) return { ok: false, code: "invalid_birthday", problem, message: PROBLEM_MESSAGES[problem] };

  const current = birthdayOf(member);
  if (current && sameBirthday(current, birthday)) return { ok: true, view: await birthdayView(shopDomain, customerNumericId, now) };
  const setOn = member.birthdaySetAt ? localDateOf(member.birthdaySetAt, shop.ianaTimezone) : null;
  const change = changeAllowed(current ? setOn : null, today, shop.birthdayChangeCooldownDays);
  if (!change.allowed) {
    return {
      ok: false,
      code: "change_too_soon",
      nextChangeOn: change.nextChangeOn,
      message: `Your birthday can be changed again on ${change.nextChangeOn}.`,
    };
  }
  const firstYear = firstRewardYear(birthday, today, { issueOn: issueOnOf(shop), minLeadDays: shop.birthdayMinLeadDays });
  const birthDate = birthDateValue(birthday);
  const changed = await db.$transaction(async (tx) => {
    // Conditional on what was read: two saves at once cannot both pass the cooldown.
    const updated = await tx.member.updateMany({
      where: { id: member.id, shopId: shop.id, birthdaySetAt: member.birthdaySetAt },
      data: {
        birthdayMonth: birthday.month,
        birthdayDay: birthday.day,
        birthdayYear: birthday.year,
        birthdaySetAt: now,
        // A later change never brings the first reward year forward (no second gift by moving the date).
        birthdayFirstYear: Math.max(firstYear, member.birthdayFirstYear ?? firstYear),
      },
    });
    if (updated.count !== 1) return false;
    // Without a year the standard birth-date metafield (a full date) is removed: an older date must not stay.
    await queueBirthDateSync(tx, { shopId: shop.id, memberId: member.id, customerGid, birthDate });
    return true;
  });
  if (!changed) {
    const nextChangeOn = changeAllowed(today, today, shop.birthdayChangeCooldownDays);
    return {
      ok: false,
      code: "change_too_soon",
      nextChangeOn: nextChangeOn.allowed ? today : nextChangeOn.nextChangeOn,
      message: "Your birthday was just changed.",
    };
  }
  return { ok: true, view: await birthdayView(shopDomain, customerNumericId, now) };
}

// ---------------------------------------------------------------------------------------------------
// issuing (the daily job)

export type IssueOutcome = "issued" | "already" | "failed" | "nothing";

/** Why a catalog birthday gift could not be given (a permanent problem: retrying would not help). */
export type NotIssuedReason = "reward_archived" | "reward_not_found" | "reward_not_grantable";

/** Notification kind of a gift that could not be given: for staff (the Birthdays page), never sent to the member. */
export const BIRTHDAY_NOT_ISSUED_KIND = "birthday_reward_not_issued";
const notIssuedKey = (memberId: string, year: number) => `birthday-not-issued:${memberId}:${year}`;

/**
 * Records, once per member and year, that the birthday gift could not be given (the reward was
 * archived or deleted, or is no longer a kind that can be given away), so staff see it on the
 * Birthdays page. Nothing else is given instead: the merchant chose that reward.
 */
async function recordNotIssued(shop: BirthdayShop, member: Pick<Member, "id" | "customerGid">, year: number, rewardId: string, reason: NotIssuedReason) {
  logger.warn({ shop: shop.domain, memberId: member.id, year, reason }, "birthday gift not issued");
  try {
    await db.notification.create({
      data: {
        shopId: shop.id,
        memberId: member.id,
        kind: BIRTHDAY_NOT_ISSUED_KIND,
        idempotencyKey: notIssuedKey(member.id, year),
        payload: JSON.stringify({ customerId: member.customerGid, year, rewardId, reason }),
      },
      select: { id: true },
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
}

/** The catalog reward can still be given: not archived, not deleted (a grant already made stays valid). */
async function rewardProblem(shop: BirthdayShop, memberId: string, rewardId: string, year: number): Promise<NotIssuedReason | null> {
  const [reward, grant] = await Promise.all([
    db.reward.findFirst({ where: { id: rewardId, shopId: shop.id }, select: { active: true } }),
    db.redemption.findFirst({ where: { shopId: shop.id, memberId, requestId: GRANT_PREFIX + birthdayGrantKey(memberId, year) }, select: { id: true } }),
  ]);
  if (grant) return null;
  if (!reward) return "reward_not_found";
  return reward.active ? null : "reward_archived";
}

/**
 * Gives `member` their birthday reward for `year` once: points under `birthday:<customer>:<year>`,
 * or a catalog reward as a free code under grant key `birthday:<member>:<year>`, plus a
 * Notification (same key) for the email/Flow issue. Re-running gives nothing twice.
 */
export async function issueBirthdayReward(
  shop: BirthdayShop,
  member: Pick<Member, "id" | "customerGid">,
  year: number,
): Promise<IssueOutcome> {
  const notification = (tx: Pick<typeof db, "notification">, payload: Record<string, unknown>) =>
    tx.notification.create({
      data: {
        shopId: shop.id,
        memberId: member.id,
        kind: "birthday_reward",
        idempotencyKey: birthdayGrantKey(member.id, year),
        payload: JSON.stringify({ customerId: member.customerGid, year, ...payload }),
      },
    });
  if (shop.birthdayRewardId) {
    const rewardId = shop.birthdayRewardId;
    const problem = await rewardProblem(shop, member.id, rewardId, year);
    if (problem) {
      await recordNotIssued(shop, member, year, rewardId, problem);
      return "nothing";
    }
    const granted = await grantRewardCode(shop.id, member.id, rewardId, birthdayGrantKey(member.id, year), { reason: "birthday" });
    if (!granted.ok && granted.reason === "shopify_unavailable") return "failed";
    if (!granted.ok) {
      await recordNotIssued(shop, member, year, rewardId, granted.reason === "reward_not_found" ? "reward_not_found" : "reward_not_grantable");
      return "nothing";
    }
    try {
      await notification(db, { rewardId: shop.birthdayRewardId, code: granted.code });
      return "issued";
    } catch (error) {
      if (isUniqueViolation(error)) return "already";
      throw error;
    }
  }
  const points = shop.birthdayRewardPoints ?? 0;
  if (points <= 0) return "nothing";
  const outcome = await runOnce(db, async (tx) => {
    await appendCredit(tx, {
      shopId: shop.id,
      memberId: member.id,
      kind: "birthday_reward",
      delta: points,
      idempotencyKey: birthdayPointsKey(member.customerGid, year),
      description: `Birthday reward ${year}`,
      rule: { birthdayRewardPoints: points, year },
    });
    await notification(tx, { points });
  });
  // Birthday points count toward VIP tiers: promotion is immediate (ADR 011).
  if (outcome.applied) await promoteIfQualified(shop.id, member.id, birthdayPointsKey(member.customerGid, year));
  return outcome.applied ? "issued" : "already";
}

export async function birthdayShopById(shopId: string): Promise<BirthdayShop | null> {
  return db.shop.findUnique({ where: { id: shopId }, select: SHOP_SELECT });
}
