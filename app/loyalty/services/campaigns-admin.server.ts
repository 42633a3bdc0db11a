/**
 * The Campaigns admin pages: list (upcoming / running / ended / archived, judged in the shop's time
 * zone), the editor's data, create/update validated with CampaignSchema (app/loyalty/campaigns.ts),
 * archive. Every change writes its audit entry in the change's own transaction. Campaigns are
 * archived, never deleted: bonus entries name them. Edits and archiving change only orders whose
 * bonus is decided afterwards (ADR 013); bonuses already written keep their frozen campaign.
 */
import type { Campaign as CampaignRow } from "@prisma/client";
import db from "~/db.server";
import { fieldErrors, type FieldErrors } from "~/components/admin-forms";
import type { CampaignFormValues } from "~/loyalty/campaign-form";
import { CAMPAIGN_KINDS, campaignWindow, CampaignSchema, type Campaign, type CampaignKind } from "~/loyalty/campaigns";
import { writeAudit } from "./audit-log.server";
import { shopTimeZone } from "./campaigns.server";
import { ensureShop } from "./shops.server";

export type CampaignStatus = "upcoming" | "running" | "ended" | "archived";

export interface CampaignListItem {
  id: string;
  name: string;
  kind: string;
  value: string;
  startsAt: string;
  endsAt: string;
  minimumOrderAmount: string | null;
  targetTiers: string[];
  oncePerMember: boolean;
  status: CampaignStatus;
}

function tiersOfRow(row: Pick<CampaignRow, "targetTiers">): string[] {
  if (row.targetTiers === null) return [];
  try {
    const parsed: unknown = JSON.parse(row.targetTiers);
    return Array.isArray(parsed) ? parsed.filter((handle): handle is string => typeof handle === "string") : [];
  } catch {
    return [];
  }
}

export function campaignStatus(row: Pick<CampaignRow, "startsAt" | "endsAt" | "archivedAt">, now: Date, timeZone: string): CampaignStatus {
  if (row.archivedAt) return "archived";
  try {
    const { start, end } = campaignWindow(row, timeZone);
    if (now.getTime() < start.getTime()) return "upcoming";
    return now.getTime() < end.getTime() ? "running" : "ended";
  } catch {
    return "ended"; // a row that no longer parses never applies
  }
}

const STATUS_ORDER: Record<CampaignStatus, number> = { running: 0, upcoming: 1, ended: 2, archived: 3 };

export async function listCampaigns(
  shopDomain: string,
  now: Date = new Date(),
): Promise<{ timeZone: string; currencyCode: string; campaigns: CampaignListItem[] }> {
  const shop = await ensureShop(shopDomain);
  const timeZone = shopTimeZone(shop);
  const rows = await db.campaign.findMany({ where: { shopId: shop.id }, orderBy: [{ startsAt: "asc" }, { id: "asc" }] });
  const campaigns = rows.map((row) => ({
    id: row.id,
    name: row.name,
    kind: row.kind,
    value: row.value,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    minimumOrderAmount: row.minimumOrderAmount,
    targetTiers: tiersOfRow(row),
    oncePerMember: row.oncePerMember,
    status: campaignStatus(row, now, timeZone),
  }));
  campaigns.sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status]);
  return { timeZone, currencyCode: shop.currencyCode, campaigns };
}

export interface CampaignEditor {
  timeZone: string;
  currencyCode: string;
  /** The shop's tiers to target (empty until the shop has a ladder). */
  tiers: { handle: string; name: string }[];
  campaign: { id: string; values: CampaignFormValues; status: CampaignStatus } | null;
  found: boolean;
}

/** The editor's data: `campaignId` "new" opens an empty form. Another shop's id is not found. */
export async function campaignEditor(shopDomain: string, campaignId: string, now: Date = new Date()): Promise<CampaignEditor> {
  const shop = await ensureShop(shopDomain);
  const timeZone = shopTimeZone(shop);
  const tiers = await db.tier.findMany({
    where: { shopId: shop.id },
    orderBy: [{ position: "asc" }, { id: "asc" }],
    select: { handle: true, name: true },
  });
  const base = { timeZone, currencyCode: shop.currencyCode, tiers };
  if (campaignId === "new") return { ...base, campaign: null, found: true };
  const row = await db.campaign.findFirst({ where: { id: campaignId, shopId: shop.id } });
  if (!row) return { ...base, campaign: null, found: false };
  return { ...base, campaign: { id: row.id, values: formValuesOf(row), status: campaignStatus(row, now, timeZone) }, found: true };
}

function formValuesOf(row: CampaignRow): CampaignFormValues {
  return {
    name: row.name,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    kind: (CAMPAIGN_KINDS as readonly string[]).includes(row.kind) ? (row.kind as CampaignKind) : "multiplier",
    value: row.value,
    minimumOrderAmount: row.minimumOrderAmount ?? "",
    targetTiers: tiersOfRow(row),
    oncePerMember: row.oncePerMember,
  };
}

const text = (form: Record<string, unknown>, key: string) => {
  const value = form[key];
  return typeof value === "string" ? value.trim() : "";
};

/** The posted form → CampaignSchema's input (an empty minimum = none, tiers comma-separated). */
export function campaignInputFromForm(form: Record<string, unknown>, id: string) {
  const tiers = text(form, "targetTiers")
    .split(",")
    .map((handle) => handle.trim())
    .filter((handle) => handle !== "");
  return {
    id,
    name: text(form, "name"),
    startsAt: text(form, "startsAt"),
    endsAt: text(form, "endsAt"),
    kind: text(form, "kind"),
    value: text(form, "value"),
    minimumOrderAmount: text(form, "minimumOrderAmount") || null,
    targetTiers: tiers.length > 0 ? [...new Set(tiers)] : null,
    oncePerMember: form.oncePerMember === "true" || form.oncePerMember === "on",
  };
}

export type CampaignValidation = { ok: true; campaign: Campaign } | { ok: false; errors: FieldErrors };

/** CampaignSchema, plus: every targeted tier is one of the shop's tiers. */
export async function validateCampaign(shopId: string, form: Record<string, unknown>, id: string): Promise<CampaignValidation> {
  const parsed = CampaignSchema.safeParse(campaignInputFromForm(form, id));
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error.issues) };
  const wanted = parsed.data.targetTiers ?? [];
  if (wanted.length > 0) {
    const known = await db.tier.findMany({ where: { shopId, handle: { in: wanted } }, select: { handle: true } });
    const missing = wanted.filter((handle) => !known.some((tier) => tier.handle === handle));
    if (missing.length > 0) return { ok: false, errors: { targetTiers: `unknown tier: ${missing.join(", ")}` } };
  }
  return { ok: true, campaign: parsed.data };
}

function columnsOf(campaign: Campaign) {
  return {
    name: campaign.name,
    startsAt: campaign.startsAt,
    endsAt: campaign.endsAt,
    kind: campaign.kind,
    value: campaign.value,
    minimumOrderAmount: campaign.minimumOrderAmount,
    targetTiers: campaign.targetTiers && campaign.targetTiers.length > 0 ? JSON.stringify(campaign.targetTiers) : null,
    oncePerMember: campaign.oncePerMember,
  };
}

export type CampaignWriteOutcome =
  | { ok: true; id: string }
  | { ok: false; reason: "invalid"; errors: FieldErrors }
  | { ok: false; reason: "not_found" };

export async function createCampaign(shopDomain: string, form: Record<string, unknown>, staffId: string | null): Promise<CampaignWriteOutcome> {
  const shop = await ensureShop(shopDomain);
  const valid = await validateCampaign(shop.id, form, "new");
  if (!valid.ok) return { ok: false, reason: "invalid", errors: valid.errors };
  const created = await db.$transaction(async (tx) => {
    const row = await tx.campaign.create({ data: { shopId: shop.id, ...columnsOf(valid.campaign) } });
    await writeAudit(tx, { shopId: shop.id, staffId, action: "campaign.create", subjectType: "campaign", subjectId: row.id, after: row });
    return row;
  });
  return { ok: true, id: created.id };
}

export async function updateCampaign(
  shopDomain: string,
  campaignId: string,
  form: Record<string, unknown>,
  staffId: string | null,
): Promise<CampaignWriteOutcome> {
  const shop = await ensureShop(shopDomain);
  const existing = await db.campaign.findFirst({ where: { id: campaignId, shopId: shop.id }, select: { id: true } });
  if (!existing) return { ok: false, reason: "not_found" };
  const valid = await validateCampaign(shop.id, form, campaignId);
  if (!valid.ok) return { ok: false, reason: "invalid", errors: valid.errors };
  return db.$transaction(async (tx) => {
    const before = await tx.campaign.findFirst({ where: { id: campaignId, shopId: shop.id } });
    if (!before) return { ok: false, reason: "not_found" } as const;
    const after = await tx.campaign.update({ where: { id: before.id }, data: columnsOf(valid.campaign) });
    await writeAudit(tx, { shopId: shop.id, staffId, action: "campaign.update", subjectType: "campaign", subjectId: before.id, before, after });
    return { ok: true, id: before.id } as const;
  });
}

/** Archive: no order decided from now on gets this campaign. Archiving twice changes nothing. */
export async function archiveCampaign(shopDomain: string, campaignId: string, staffId: string | null, now: Date = new Date()): Promise<CampaignWriteOutcome> {
  const shop = await ensureShop(shopDomain);
  return db.$transaction(async (tx) => {
    const before = await tx.campaign.findFirst({ where: { id: campaignId, shopId: shop.id } });
    if (!before) return { ok: false, reason: "not_found" } as const;
    // Conditional, so two archives at once write one audit entry.
    const archived = await tx.campaign.updateMany({ where: { id: before.id, archivedAt: null }, data: { archivedAt: now } });
    if (archived.count === 0) return { ok: true, id: before.id } as const;
    const after = await tx.campaign.findUniqueOrThrow({ where: { id: before.id } });
    await writeAudit(tx, { shopId: shop.id, staffId, action: "campaign.archive", subjectType: "campaign", subjectId: before.id, before, after });
    return { ok: true, id: before.id } as const;
  });
}
