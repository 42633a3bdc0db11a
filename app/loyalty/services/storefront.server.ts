/**
 * What a shopper may see of the program and of their own membership (through the app proxy). The
 * shopper is the `logged_in_customer_id` Shopify signed into the request — never an id from a body
 * or query. Answers the storefront contract (app/loyalty/storefront-contract.ts).
 */
import db from "~/db.server";
import { changeAllowed } from "~/loyalty/birthdays";
import { isShopperAction } from "~/loyalty/earn-actions";
import { rewardFromColumns, storefrontReward } from "~/loyalty/rewards";
import { localDateOf } from "~/loyalty/schedule";
import type { BirthdayRules, MemberResponse, ProgramInfo, WayToEarn } from "~/loyalty/storefront-contract";
import { runningCampaignsFor } from "./campaigns.server";
import { memberExpiry, SHOP_EXPIRY_SELECT } from "./expiry.server";
import { actionsDoneBy, activeActionsOf, type EarnActionRow } from "./earn-actions.server";
import { customerGidOf, unusedCodesOf } from "./redemptions.server";
import { storefrontLadder, storefrontMemberTier } from "./tiers.server";

export type { HistoryItem } from "~/loyalty/storefront-contract";

export type MemberView = MemberResponse;

export const HISTORY_PAGE_MAX = 50;

interface HistoryCursor {
  createdAt: Date;
  id: string;
}

export function encodeCursor(cursor: HistoryCursor): string {
  return Buffer.from(`${cursor.createdAt.toISOString()}|${cursor.id}`).toString("base64url");
}

export function decodeCursor(text: string): HistoryCursor | null {
  const [iso, id] = Buffer.from(text, "base64url").toString("utf8").split("|");
  if (!iso || !id) return null;
  const createdAt = new Date(iso);
  return Number.isNaN(createdAt.getTime()) ? null : { createdAt, id };
}

interface ProgramShop {
  id: string;
  currencyCode: string;
  programEnabled: boolean;
  earnRate: string;
  signupBonusPoints: number;
  referralsEnabled: boolean;
  referrerRewardPoints: number | null;
  friendRewardId: string | null;
  birthdayEnabled: boolean;
  birthdayRewardPoints: number | null;
  birthdayRewardId: string | null;
  tiersEnabled: boolean;
}

/** What programInfo reads of the shop (both callers select it). */
const PROGRAM_SHOP_SELECT = {
  id: true,
  tiersEnabled: true,
  ianaTimezone: true,
  currencyCode: true,
  programEnabled: true,
  earnRate: true,
  signupBonusPoints: true,
  referralsEnabled: true,
  referrerRewardPoints: true,
  friendRewardId: true,
  birthdayEnabled: true,
  birthdayRewardPoints: true,
  birthdayRewardId: true,
} as const;

const referralsOn = (shop: ProgramShop) => shop.programEnabled && shop.referralsEnabled && shop.friendRewardId !== null;

const birthdaysOn = (shop: ProgramShop) =>
  shop.programEnabled && shop.birthdayEnabled && ((shop.birthdayRewardPoints ?? 0) > 0 || shop.birthdayRewardId !== null);

/** The birthday gift and the merchant's active actions (social, newsletter, reviews, custom), in the admin's order. */
function extraWays(shop: ProgramShop, actions: readonly EarnActionRow[]): WayToEarn[] {
  const ways: WayToEarn[] = [];
  if (birthdaysOn(shop)) {
    ways.push(
      shop.birthdayRewardId
        ? { kind: "birthday_gift", points: 0, description: "A gift on your birthday" }
        : { kind: "birthday", points: shop.birthdayRewardPoints ?? 0, description: "Points on your birthday" },
    );
  }
  for (const action of actions) {
    ways.push({
      kind: action.kind,
      key: action.key,
      points: action.points,
      description: action.label,
      ...(isShopperAction(action.kind) ? { network: action.network, url: action.url } : {}),
    });
  }
  return ways;
}

function waysToEarn(shop: ProgramShop): WayToEarn[] {
  if (!shop.programEnabled) return [];
  const ways: WayToEarn[] = [];
  const rate = Number(shop.earnRate);
  if (Number.isFinite(rate) && rate > 0) {
    ways.push({ kind: "order", points: rate, description: `${shop.earnRate} point${rate === 1 ? "" : "s"} per ${shop.currencyCode} 1 spent` });
  }
  if (shop.signupBonusPoints > 0) {
    ways.push({ kind: "signup", points: shop.signupBonusPoints, description: "Points for joining" });
  }
  if (referralsOn(shop) && (shop.referrerRewardPoints ?? 0) > 0) {
    ways.push({ kind: "referral", points: shop.referrerRewardPoints ?? 0, description: "Points for each friend you refer" });
  }
  return ways;
}

/** Program info for everyone; `balance` null = a guest (nothing is affordable). */
async function programInfo(shop: ProgramShop | null, balance: number | null): Promise<ProgramInfo> {
  if (!shop) return { currency: "USD", waysToEarn: [], rewards: [] };
  const rows = shop.programEnabled
    ? await db.reward.findMany({
        where: { shopId: shop.id, active: true },
        orderBy: [{ pointsCost: "asc" }, { createdAt: "asc" }, { id: "asc" }],
        take: 100,
      })
    : [];
  const rewards = rows.flatMap((row) => {
    const reward = rewardFromColumns(row);
    return reward ? [storefrontReward(reward, balance)] : [];
  });
  const actions = shop.programEnabled ? await activeActionsOf(shop.id) : [];
  return {
    currency: shop.currencyCode,
    waysToEarn: [...waysToEarn(shop), ...(shop.programEnabled ? extraWays(shop, actions) : [])],
    rewards,
    ...(referralsOn(shop) ? { referrals: true as const } : {}),
    ...(birthdaysOn(shop) ? { birthdays: true as const } : {}),
    ...(shop.programEnabled && shop.tiersEnabled ? { tiers: await storefrontLadder(shop.id) } : {}),
  };
}

/**
 * What the storefront's app-data metafields publish (app/jobs/shopify-outbox.server.ts): the program
 * as a guest sees it, built by the same code as GET member so the first paint and the panel never
 * disagree, and the earn rate for the product block — null while the program is paused or earns
 * nothing, so no page promises points. Null when the shop is unknown.
 */
export async function publishedProgram(shopId: string): Promise<{ program: ProgramInfo; earnRate: string | null } | null> {
  const shop = await db.shop.findUnique({
    where: { id: shopId },
    select: PROGRAM_SHOP_SELECT,
  });
  if (!shop) return null;
  const rate = Number(shop.earnRate);
  const earnRate = shop.programEnabled && Number.isFinite(rate) && rate > 0 ? shop.earnRate : null;
  return { program: await programInfo(shop, null), earnRate };
}

/** The program as GET member shows it: with the bonus campaigns running now, when there are any. */
async function withCampaigns(
  program: ProgramInfo,
  shop: { id: string; ianaTimezone: string; programEnabled: boolean },
  member: { id: string; tierHandle: string | null } | null,
): Promise<ProgramInfo> {
  if (!shop.programEnabled) return program;
  const campaigns = await runningCampaignsFor(shop, member);
  return campaigns.length > 0 ? { ...program, campaigns } : program;
}

/** GET member: marks the social actions this member has already been awarded (`done`). */
async function withActionsDone(program: ProgramInfo, shopId: string, member: { id: string; customerGid: string }): Promise<ProgramInfo> {
  const keys = program.waysToEarn.flatMap((way) => (way.key && isShopperAction(way.kind) ? [way.key] : []));
  if (keys.length === 0) return program;
  const done = new Set(await actionsDoneBy(shopId, member.id, member.customerGid, keys));
  return {
    ...program,
    waysToEarn: program.waysToEarn.map((way) => (way.key && isShopperAction(way.kind) ? { ...way, done: done.has(way.key) } : way)),
  };
}

export async function memberView(
  shopDomain: string,
  customerNumericId: string,
  page: { limit: number; cursor: HistoryCursor | null },
): Promise<MemberView> {
  const shop = await db.shop.findUnique({
    where: { domain: shopDomain },
    select: { ...PROGRAM_SHOP_SELECT, ...SHOP_EXPIRY_SELECT, birthdayMinLeadDays: true, birthdayChangeCooldownDays: true },
  });
  const member =
    shop && customerNumericId
      ? await db.member.findUnique({
          where: { shopId_customerGid: { shopId: shop.id, customerGid: customerGidOf(customerNumericId) } },
          select: { id: true, balance: true, tierHandle: true, customerGid: true, birthdayMonth: true, birthdayDay: true, birthdayYear: true, birthdaySetAt: true },
        })
      : null;
  if (!shop || !member) {
    const program = await programInfo(shop, null);
    return { enrolled: false, program: shop ? await withCampaigns(program, shop, null) : program };
  }
  const { cursor } = page;
  const entries = await db.ledgerEntry.findMany({
    where: {
      shopId: shop.id,
      memberId: member.id,
      ...(cursor
        ? {
            OR: [
              { createdAt: { lt: cursor.createdAt } },
              { createdAt: cursor.createdAt, id: { lt: cursor.id } },
            ],
          }
        : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: page.limit + 1,
    select: { id: true, kind: true, delta: true, createdAt: true, description: true },
  });
  const pageEntries = entries.slice(0, page.limit);
  const last = pageEntries[pageEntries.length - 1];
  return {
    enrolled: true,
    balance: member.balance,
    history: pageEntries.map((entry) => ({
      kind: entry.kind,
      delta: entry.delta,
      createdAt: entry.createdAt.toISOString(),
      description: entry.description,
    })),
    nextCursor: entries.length > page.limit && last ? encodeCursor(last) : null,
    codes: await unusedCodesOf(shop.id, member.id),
    program: await withActionsDone(await withCampaigns(await programInfo(shop, member.balance), shop, member), shop.id, member),
    expiry: await memberExpiry(shop, member.id),
    ...(shop.programEnabled && shop.tiersEnabled ? { tier: await storefrontMemberTier(shop, member.id) } : {}),
    ...(birthdaysOn(shop) ? memberBirthday(shop, member) : {}),
  };
}

/** The member's birthday and the rules the panel explains (the cooldown counted as saveBirthday counts it). */
function memberBirthday(
  shop: { ianaTimezone: string; birthdayMinLeadDays: number; birthdayChangeCooldownDays: number },
  member: { birthdayMonth: number | null; birthdayDay: number | null; birthdayYear: number | null; birthdaySetAt: Date | null },
  now = new Date(),
): { birthday: { month: number; day: number; year: number | null } | null; birthdayRules: BirthdayRules } {
  const birthday = member.birthdayMonth !== null && member.birthdayDay !== null ? { month: member.birthdayMonth, day: member.birthdayDay, year: member.birthdayYear } : null;
  const setOn = birthday && member.birthdaySetAt ? localDateOf(member.birthdaySetAt, shop.ianaTimezone) : null;
  const change = changeAllowed(setOn, localDateOf(now, shop.ianaTimezone), shop.birthdayChangeCooldownDays);
  return {
    birthday,
    birthdayRules: {
      minLeadDays: shop.birthdayMinLeadDays,
      cooldownDays: shop.birthdayChangeCooldownDays,
      nextChangeOn: change.allowed ? null : change.nextChangeOn,
    },
  };
}
