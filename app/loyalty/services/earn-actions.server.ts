/**
 * Ways to earn beyond orders (issue 5, docs/decisions/015): the shop's EarnAction rows, awarding a
 * social action to the logged-in shopper (proxy POST action), awarding a review/custom action for an
 * integration (signed POST /api/actions), the newsletter check after customers/update (through the
 * Shopify outbox, which asks Shopify for the consent), and the admin's settings.
 *
 * Every award is one ledger credit (kind `action_award`) whose key makes it happen once:
 * `action:<key>:<customer gid>` for once-per-member actions, `action:<key>:event:<event id>` for
 * integrations. The database's unique constraint is the guard (runOnce), never a read.
 */
import { randomBytes } from "node:crypto";
import type { EarnAction } from "@prisma/client";
import db from "~/db.server";
import { promoteIfQualified } from "./tiers.server";
import {
  EarnActionInput,
  eventActionKey,
  formatIntegrationSecret,
  IntegrationAwardBody,
  isIntegrationAction,
  isShopperAction,
  MAX_ACTIONS_PER_SHOP,
  NEWSLETTER_KEY,
  onceActionKey,
  type EarnActionDefinition,
} from "~/loyalty/earn-actions";
import { appendCredit, runOnce } from "~/loyalty/ledger.server";
import type { AdminAccess } from "~/shopify/admin-api.server";
import { isSubscribedToEmail } from "~/shopify/customer-marketing.server";
import { isSignedByShopify } from "~/shopify/webhook-signature";
import { writeAudit } from "./audit-log.server";
import { customerGidOf } from "./redemptions.server";
import { ensureShop } from "./shops.server";
import { queueNewsletterCheck, queueProgramSync } from "./shopify-outbox.server";

export type EarnActionRow = EarnAction;

/** The active actions of a shop, in the admin's order (oldest first). */
export function activeActionsOf(shopId: string): Promise<EarnActionRow[]> {
  return db.earnAction.findMany({ where: { shopId, active: true }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], take: MAX_ACTIONS_PER_SHOP });
}

/** Keys of the once-per-member actions this member has already been awarded. */
export async function actionsDoneBy(shopId: string, memberId: string, customerGid: string, keys: readonly string[]): Promise<string[]> {
  if (keys.length === 0) return [];
  const entries = await db.ledgerEntry.findMany({
    where: { shopId, memberId, kind: "action_award", idempotencyKey: { in: keys.map((key) => onceActionKey(key, customerGid)) } },
    select: { idempotencyKey: true },
  });
  const done = new Set(entries.map((entry) => entry.idempotencyKey));
  return keys.filter((key) => done.has(onceActionKey(key, customerGid)));
}

async function award(
  action: Pick<EarnAction, "shopId" | "key" | "kind" | "points" | "label">,
  member: { id: string },
  idempotencyKey: string,
  extra: Record<string, unknown> = {},
): Promise<boolean> {
  const outcome = await runOnce(db, (tx) =>
    appendCredit(tx, {
      shopId: action.shopId,
      memberId: member.id,
      kind: "action_award",
      delta: action.points,
      idempotencyKey,
      description: action.label,
      rule: { action: action.key, kind: action.kind, points: action.points, ...extra },
    }),
  );
  // Points from actions count toward VIP tiers: promotion is immediate (ADR 011).
  if (outcome.applied) await promoteIfQualified(action.shopId, member.id, idempotencyKey);
  return outcome.applied;
}

// ---------------------------------------------------------------------------------------------------
// the shopper (POST /apps/keepsake/action)

export type ShopperAwardOutcome =
  | { ok: true; awarded: boolean; points: number; balance: number }
  | { ok: false; code: "not_logged_in" | "not_enrolled" | "action_not_found"; message: string };

export async function awardShopperAction(shopDomain: string, customerNumericId: string, actionKey: string): Promise<ShopperAwardOutcome> {
  if (!customerNumericId) return { ok: false, code: "not_logged_in", message: "Log in to earn points." };
  const shop = await db.shop.findUnique({ where: { domain: shopDomain }, select: { id: true, programEnabled: true } });
  const customerGid = customerGidOf(customerNumericId);
  const member = shop ? await db.member.findUnique({ where: { shopId_customerGid: { shopId: shop.id, customerGid } } }) : null;
  if (!shop || !member || member.redactedAt || member.excludedAt) {
    return { ok: false, code: "not_enrolled", message: "Join the rewards program to earn points." };
  }
  const action = shop.programEnabled
    ? await db.earnAction.findUnique({ where: { shopId_key: { shopId: shop.id, key: actionKey } } })
    : null;
  if (!action || !action.active || !isShopperAction(action.kind)) {
    return { ok: false, code: "action_not_found", message: "This way to earn is not available." };
  }
  const awarded = await award(action, member, onceActionKey(action.key, customerGid));
  const { balance } = await db.member.findUniqueOrThrow({ where: { id: member.id }, select: { balance: true } });
  return { ok: true, awarded, points: action.points, balance };
}

// ---------------------------------------------------------------------------------------------------
// integrations (POST /api/actions, signed with the shop's integration secret)

export type IntegrationAwardOutcome =
  | { ok: true; awarded: boolean; points: number; balance: number }
  | {
      ok: false;
      status: 400 | 401 | 404 | 409;
      code: "invalid_signature" | "invalid_body" | "action_not_found" | "customer_not_member" | "program_paused";
      message: string;
    };

/**
 * Verifies `signature` (base64 HMAC-SHA256 of the raw body with the shop's integration secret, like
 * Shopify's webhooks) before reading anything, then awards the action once per event id. An unknown
 * shop or a shop without a secret answers like a wrong signature (nothing learned about shops).
 */
export async function awardFromIntegration(shopDomain: string, rawBody: Uint8Array, signature: string): Promise<IntegrationAwardOutcome> {
  const shop = await db.shop.findUnique({ where: { domain: shopDomain }, select: { id: true, integrationSecret: true, programEnabled: true, uninstalledAt: true } });
  if (!shop?.integrationSecret || shop.uninstalledAt || !isSignedByShopify(rawBody, signature, shop.integrationSecret)) {
    return { ok: false, status: 401, code: "invalid_signature", message: "The signature does not match the body." };
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(rawBody).toString("utf8"));
  } catch {
    return { ok: false, status: 400, code: "invalid_body", message: "The body must be JSON." };
  }
  const parsed = IntegrationAwardBody.safeParse(json);
  if (!parsed.success) {
    return { ok: false, status: 400, code: "invalid_body", message: parsed.error.issues.map((i) => `${i.path.join(".") || "body"} ${i.message}`).join("; ") };
  }
  const { actionKey, eventId, customerGid } = parsed.data;
  if (!shop.programEnabled) return { ok: false, status: 409, code: "program_paused", message: "The rewards program is paused." };
  const action = await db.earnAction.findUnique({ where: { shopId_key: { shopId: shop.id, key: actionKey } } });
  if (!action || !action.active || !isIntegrationAction(action.kind)) {
    return { ok: false, status: 404, code: "action_not_found", message: `No active review or custom action "${actionKey}".` };
  }
  const member = await db.member.findUnique({ where: { shopId_customerGid: { shopId: shop.id, customerGid } } });
  if (!member || member.redactedAt || member.excludedAt) {
    return { ok: false, status: 404, code: "customer_not_member", message: "This customer is not a member of the program." };
  }
  const awarded = await award(action, member, eventActionKey(action.key, eventId), { eventId });
  const { balance } = await db.member.findUniqueOrThrow({ where: { id: member.id }, select: { balance: true } });
  return { ok: true, awarded, points: action.points, balance };
}

// ---------------------------------------------------------------------------------------------------
// newsletter

/**
 * customers/update: when the shop rewards newsletter sign-ups and this member has not been rewarded,
 * queue a consent check (the outbox asks Shopify, with retries). Cheap reads only on the webhook path.
 */
export async function noteCustomerUpdated(shopId: string, customerGid: string): Promise<void> {
  const action = await db.earnAction.findUnique({ where: { shopId_key: { shopId, key: NEWSLETTER_KEY } }, select: { active: true, kind: true } });
  if (!action?.active || action.kind !== "newsletter") return;
  const member = await db.member.findUnique({ where: { shopId_customerGid: { shopId, customerGid } }, select: { id: true, redactedAt: true, excludedAt: true } });
  if (!member || member.redactedAt || member.excludedAt) return;
  const done = await db.ledgerEntry.findUnique({
    where: { shopId_idempotencyKey: { shopId, idempotencyKey: onceActionKey(NEWSLETTER_KEY, customerGid) } },
    select: { id: true },
  });
  if (done) return;
  await queueNewsletterCheck(db, { shopId, memberId: member.id, customerGid });
}

/**
 * The outbox's newsletter row: asks Shopify whether the customer is subscribed now and, if so,
 * awards the newsletter action once. Throws ShopifyApiError when Shopify fails (the outbox retries).
 */
export async function checkNewsletter(access: AdminAccess, shopId: string, memberId: string, customerGid: string): Promise<boolean> {
  const action = await db.earnAction.findUnique({ where: { shopId_key: { shopId, key: NEWSLETTER_KEY } } });
  if (!action?.active || action.kind !== "newsletter") return false;
  const shop = await db.shop.findUnique({ where: { id: shopId }, select: { programEnabled: true } });
  if (!shop?.programEnabled) return false;
  if (!(await isSubscribedToEmail(access, customerGid))) return false;
  return award(action, { id: memberId }, onceActionKey(NEWSLETTER_KEY, customerGid));
}

// ---------------------------------------------------------------------------------------------------
// admin

export interface EarnSettingsView {
  actions: Array<EarnActionDefinition & { id: string }>;
  integrationSecret: string | null;
}

export async function earnSettings(shopId: string): Promise<EarnSettingsView> {
  const [rows, shop] = await Promise.all([
    db.earnAction.findMany({ where: { shopId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], take: MAX_ACTIONS_PER_SHOP }),
    db.shop.findUniqueOrThrow({ where: { id: shopId }, select: { integrationSecret: true } }),
  ]);
  return {
    actions: rows.map((row) => ({
      id: row.id,
      kind: row.kind as EarnActionDefinition["kind"],
      key: row.key,
      network: row.network as EarnActionDefinition["network"],
      url: row.url,
      label: row.label,
      points: row.points,
      active: row.active,
    })),
    integrationSecret: shop.integrationSecret,
  };
}

export type SaveActionsOutcome = { ok: true } | { ok: false; issues: Array<{ index: number; field: "key"; message: string }> };

/**
 * Replaces the shop's ways to earn with `actions` (validated by EarnActionInput): rows are matched by
 * key, so past awards keep their key; removed keys are deactivated, never deleted. One transaction
 * with the storefront's program sync and the audit entry.
 */
export async function saveEarnActions(shopId: string, actions: readonly EarnActionDefinition[], staffId: string | null): Promise<SaveActionsOutcome> {
  const seen = new Map<string, number>();
  const issues: Array<{ index: number; field: "key"; message: string }> = [];
  actions.forEach((action, index) => {
    if (seen.has(action.key)) issues.push({ index, field: "key", message: `"${action.key}" is used twice` });
    seen.set(action.key, index);
  });
  if (issues.length > 0) return { ok: false, issues };
  await db.$transaction(async (tx) => {
    const before = await tx.earnAction.findMany({ where: { shopId }, orderBy: { key: "asc" } });
    for (const action of actions) {
      await tx.earnAction.upsert({
        where: { shopId_key: { shopId, key: action.key } },
        create: { shopId, ...action },
        update: { kind: action.kind, network: action.network, url: action.url, label: action.label, points: action.points, active: action.active },
      });
    }
    await tx.earnAction.updateMany({ where: { shopId, key: { notIn: actions.map((a) => a.key) } }, data: { active: false } });
    const after = await tx.earnAction.findMany({ where: { shopId }, orderBy: { key: "asc" } });
    const snapshot = (rows: EarnAction[]) => rows.map(({ key, kind, network, url, label, points, active }) => ({ key, kind, network, url, label, points, active }));
    await queueProgramSync(tx, shopId);
    await writeAudit(tx, { shopId, staffId, action: "earn_actions.update", subjectType: "shop", subjectId: shopId, before: snapshot(before), after: snapshot(after) });
  });
  return { ok: true };
}

/** A new integration secret (the old one stops working at once). The audit log records who, not the secret. */
export async function rotateIntegrationSecret(shopId: string, staffId: string | null): Promise<string> {
  const secret = formatIntegrationSecret(randomBytes(32));
  await db.$transaction(async (tx) => {
    const before = await tx.shop.findUniqueOrThrow({ where: { id: shopId }, select: { integrationSecret: true } });
    await tx.shop.update({ where: { id: shopId }, data: { integrationSecret: secret } });
    await writeAudit(tx, {
      shopId,
      staffId,
      action: "integration_secret.rotate",
      subjectType: "shop",
      subjectId: shopId,
      before: { hadSecret: before.integrationSecret !== null },
      after: { hadSecret: true },
    });
  });
  return secret;
}

// ---------------------------------------------------------------------------------------------------
// the admin page (app/routes/app.earn.tsx)

/** Per-row errors keyed `<row index>.<field>` (or `form`). */
export type EarnFieldErrors = Record<string, string>;

/** The rows the page posts (JSON), validated one by one so each error lands next to its field. */
export function parseEarnActions(json: string): { ok: true; actions: EarnActionDefinition[] } | { ok: false; errors: EarnFieldErrors } {
  let rows: unknown;
  try {
    rows = JSON.parse(json);
  } catch {
    return { ok: false, errors: { form: "The form could not be read; reload the page." } };
  }
  if (!Array.isArray(rows)) return { ok: false, errors: { form: "The form could not be read; reload the page." } };
  if (rows.length > MAX_ACTIONS_PER_SHOP) return { ok: false, errors: { form: `At most ${MAX_ACTIONS_PER_SHOP} ways to earn.` } };
  const errors: EarnFieldErrors = {};
  const actions: EarnActionDefinition[] = [];
  rows.forEach((row, index) => {
    const parsed = EarnActionInput.safeParse(row);
    if (parsed.success) actions.push(parsed.data);
    else for (const issue of parsed.error.issues) errors[`${index}.${String(issue.path[0] ?? "form")}`] ??= issue.message;
  });
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, actions };
}

export async function earnPage(shopDomain: string): Promise<EarnSettingsView> {
  const shop = await ensureShop(shopDomain);
  return earnSettings(shop.id);
}

export type SaveEarnResult = { ok: true; intent: "save" | "rotate"; view: EarnSettingsView } | { ok: false; errors: EarnFieldErrors };

export async function saveEarnPage(shopDomain: string, actionsJson: string, staffId: string | null): Promise<SaveEarnResult> {
  const shop = await ensureShop(shopDomain);
  const parsed = parseEarnActions(actionsJson);
  if (!parsed.ok) return parsed;
  const saved = await saveEarnActions(shop.id, parsed.actions, staffId);
  if (!saved.ok) return { ok: false, errors: Object.fromEntries(saved.issues.map((issue) => [`${issue.index}.${issue.field}`, issue.message])) };
  return { ok: true, intent: "save", view: await earnSettings(shop.id) };
}

export async function rotateEarnSecret(shopDomain: string, staffId: string | null): Promise<SaveEarnResult> {
  const shop = await ensureShop(shopDomain);
  await rotateIntegrationSecret(shop.id, staffId);
  return { ok: true, intent: "rotate", view: await earnSettings(shop.id) };
}
