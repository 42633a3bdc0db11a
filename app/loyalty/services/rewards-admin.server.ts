/**
 * The Rewards pages: the catalog with its redemption counts, a reward's form values, edits and
 * archiving. Creating goes through createReward (redemptions.server.ts); every write validates with
 * parseRewardDefinition (app/loyalty/rewards.ts), so a stored row is always one the redeem path
 * understands. Rewards are archived (`active = false`), never deleted: redemptions point at them.
 */
import db from "~/db.server";
import type { RewardFormValues } from "~/loyalty/reward-form";
import { REWARD_KINDS, parseRewardDefinition, rewardToColumns, type RewardInput } from "~/loyalty/rewards";
import type { RewardKind } from "~/loyalty/storefront-contract";
import { writeAudit, type AuditAction } from "./audit-log.server";
import { createReward } from "./redemptions.server";
import { ensureShop } from "./shops.server";
import { queueProgramSync } from "./shopify-outbox.server";

export interface RewardListItem {
  id: string;
  kind: string;
  name: string;
  pointsCost: number;
  minPoints: number | null;
  maxPoints: number | null;
  active: boolean;
  redemptions: number;
}

export type FieldErrors = Record<string, string>;

const text = (form: Record<string, unknown>, key: string) => {
  const value = form[key];
  return typeof value === "string" ? value.trim() : "";
};
/** An empty field is "not given"; anything else must be a number (zod reports NaN as not a number). */
const number = (form: Record<string, unknown>, key: string) => {
  const value = text(form, key);
  return value === "" ? undefined : Number(value);
};
const flag = (form: Record<string, unknown>, key: string) => form[key] === "true" || form[key] === "on";

/**
 * The posted form → the input parseRewardDefinition checks. Only the fields of the chosen kind are
 * passed on, so a hidden field left over from another kind never fails validation.
 */
export function rewardInputFromForm(form: Record<string, unknown>): RewardInput {
  const kind = text(form, "kind") as RewardKind;
  const optionalText = (key: string) => text(form, key) || null;
  const base: RewardInput = {
    kind,
    name: text(form, "name"),
    minimumSubtotal: optionalText("minimumSubtotal"),
    codeExpiresInDays: number(form, "codeExpiresInDays") ?? null,
    active: flag(form, "active"),
    combinesWith: {
      orderDiscounts: flag(form, "combinesWithOrderDiscounts"),
      productDiscounts: flag(form, "combinesWithProductDiscounts"),
      shippingDiscounts: flag(form, "combinesWithShippingDiscounts"),
    },
  };
  if (kind === "sliding_scale") {
    return {
      ...base,
      sliding: {
        pointsPerStep: number(form, "pointsPerStep") as number,
        amountPerStep: text(form, "amountPerStep"),
        minPoints: number(form, "minPoints") as number,
        maxPoints: number(form, "maxPoints") as number,
      },
    };
  }
  return {
    ...base,
    pointsCost: number(form, "pointsCost"),
    ...(kind === "amount_off" ? { amount: optionalText("amount") } : {}),
    ...(kind === "percent_off" ? { percentage: optionalText("percentage") } : {}),
    ...(kind === "free_product" ? { variantGid: optionalText("variantGid") } : {}),
    ...(kind === "donation" ? { donationCause: optionalText("donationCause") } : {}),
  };
}

/** zod's issue paths → the form field each message belongs next to. */
export function rewardFieldErrors(issues: readonly { path: readonly PropertyKey[]; message: string }[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const [head, child] = issue.path.map(String);
    let field = head ?? "name";
    if (head === "sliding") field = child ?? "minPoints";
    if (head === "combinesWith") field = "combinesWith";
    errors[field] ??= issue.message;
  }
  return errors;
}

export function validateRewardForm(form: Record<string, unknown>) {
  const parsed = parseRewardDefinition(rewardInputFromForm(form));
  return parsed.success
    ? ({ ok: true, input: rewardInputFromForm(form) } as const)
    : ({ ok: false, errors: rewardFieldErrors(parsed.error.issues) } as const);
}

export async function listRewards(shopDomain: string): Promise<RewardListItem[]> {
  const shop = await ensureShop(shopDomain);
  const rewards = await db.reward.findMany({
    where: { shopId: shop.id },
    orderBy: [{ active: "desc" }, { createdAt: "asc" }, { id: "asc" }],
    select: {
      id: true,
      kind: true,
      name: true,
      pointsCost: true,
      minPoints: true,
      maxPoints: true,
      active: true,
      _count: { select: { redemptions: true } },
    },
  });
  return rewards.map(({ _count, ...reward }) => ({ ...reward, redemptions: _count.redemptions }));
}

export interface RewardDetail {
  id: string;
  values: RewardFormValues;
  redemptions: number;
}

export interface RewardEditor {
  currencyCode: string;
  /** null: a new reward (or none of this shop's with that id, when `found` is false). */
  reward: RewardDetail | null;
  found: boolean;
}

/** The editor's data: `rewardId` "new" opens an empty form. */
export async function rewardEditor(shopDomain: string, rewardId: string): Promise<RewardEditor> {
  const shop = await ensureShop(shopDomain);
  if (rewardId === "new") return { currencyCode: shop.currencyCode, reward: null, found: true };
  const reward = await rewardForEditing(shop.id, rewardId);
  return { currencyCode: shop.currencyCode, reward, found: reward !== null };
}

async function rewardForEditing(shopId: string, rewardId: string): Promise<RewardDetail | null> {
  const reward = await db.reward.findFirst({
    where: { id: rewardId, shopId },
    include: { _count: { select: { redemptions: true } } },
  });
  if (!reward) return null;
  const kind = (REWARD_KINDS as readonly string[]).includes(reward.kind) ? (reward.kind as RewardKind) : "amount_off";
  const str = (value: string | number | null) => (value === null ? "" : String(value));
  return {
    id: reward.id,
    redemptions: reward._count.redemptions,
    values: {
      kind,
      name: reward.name,
      pointsCost: kind === "sliding_scale" ? "" : String(reward.pointsCost),
      amount: str(reward.amount),
      percentage: str(reward.percentage),
      variantGid: str(reward.variantGid),
      pointsPerStep: str(reward.pointsPerStep),
      amountPerStep: str(reward.amountPerStep),
      minPoints: str(reward.minPoints),
      maxPoints: str(reward.maxPoints),
      minimumSubtotal: str(reward.minimumSubtotal),
      codeExpiresInDays: str(reward.codeExpiresInDays),
      donationCause: str(reward.donationCause),
      combinesWithOrderDiscounts: reward.combinesWithOrderDiscounts,
      combinesWithProductDiscounts: reward.combinesWithProductDiscounts,
      combinesWithShippingDiscounts: reward.combinesWithShippingDiscounts,
      active: reward.active,
    },
  };
}

export type RewardWriteOutcome = { ok: true } | { ok: false; reason: "not_found" } | { ok: false; reason: "invalid"; errors: FieldErrors };

/**
 * Replaces a reward's definition. Redemptions froze the kind, name, points and amount they were
 * issued with, so an edit changes only what future redemptions get.
 */
export async function updateReward(
  shopDomain: string,
  rewardId: string,
  input: unknown,
  staffId: string | null = null,
): Promise<RewardWriteOutcome> {
  const parsed = parseRewardDefinition(input);
  if (!parsed.success) return { ok: false, reason: "invalid", errors: rewardFieldErrors(parsed.error.issues) };
  const shop = await ensureShop(shopDomain);
  // tierIds belong to the tiers issue; the form does not edit them, so an edit keeps what is stored.
  const { tierIds: _tierIds, ...columns } = rewardToColumns(parsed.data);
  const found = await writeAndSync(shop.id, rewardId, columns, { action: "reward.update", staffId });
  return found ? { ok: true } : { ok: false, reason: "not_found" };
}

/**
 * One reward of this shop changes and the storefront's program gets its pending sync, in one
 * transaction; another shop's (or no) reward changes nothing at all, not even the outbox.
 */
async function writeAndSync(
  shopId: string,
  rewardId: string,
  data: Record<string, unknown>,
  audit: { action: AuditAction; staffId: string | null },
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const before = await tx.reward.findFirst({ where: { id: rewardId, shopId } });
    if (!before) return false;
    const after = await tx.reward.update({ where: { id: before.id }, data });
    await queueProgramSync(tx, shopId);
    await writeAudit(tx, { shopId, staffId: audit.staffId, action: audit.action, subjectType: "reward", subjectId: rewardId, before, after });
    return true;
  });
}

/**
 * createReward (the one creator, shared with seeds and tests) and then the audit entry. Two
 * transactions: a crash between them loses the entry, never the reward.
 */
export async function createRewardAsStaff(
  shopDomain: string,
  input: unknown,
  staffId: string | null,
): Promise<{ ok: true; id: string } | { ok: false; issues: string[] }> {
  const created = await createReward(shopDomain, input);
  if (!created.ok) return created;
  const reward = await db.reward.findUniqueOrThrow({ where: { id: created.id } });
  await writeAudit(db, { shopId: reward.shopId, staffId, action: "reward.create", subjectType: "reward", subjectId: reward.id, after: reward });
  return created;
}

/** Archive (inactive: gone from the storefront, issued codes still work) or bring back. */
export async function setRewardActive(
  shopDomain: string,
  rewardId: string,
  active: boolean,
  staffId: string | null = null,
): Promise<RewardWriteOutcome> {
  const shop = await ensureShop(shopDomain);
  const found = await writeAndSync(shop.id, rewardId, { active }, { action: active ? "reward.unarchive" : "reward.archive", staffId });
  return found ? { ok: true } : { ok: false, reason: "not_found" };
}
