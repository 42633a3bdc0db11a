/**
 * The Program page: the points settings kept on the Shop row. A save changes only future events —
 * every ledger entry and order record froze the rule it was written under (`rule` JSON).
 */
import { z } from "zod";
import db from "~/db.server";
import { isDecimalAmount, toMicros } from "~/loyalty/money";
import { auditTrail, writeAudit } from "./audit-log.server";
import { ensureShop } from "./shops.server";
import { queueProgramSync } from "./shopify-outbox.server";

export interface ProgramSettingsView {
  currencyCode: string;
  programEnabled: boolean;
  earnRate: string;
  earnRounding: "floor" | "round" | "ceil";
  minimumOrderAmount: string;
  includePosOrders: boolean;
  includeTestOrders: boolean;
  signupBonusPoints: string;
}

const FormBoolean = z.enum(["true", "false"]).transform((value) => value === "true");

/** What the Program form posts (every value a string, as FormData has them). */
export const ProgramSettingsInput = z.object({
  programEnabled: FormBoolean,
  earnRate: z
    .string()
    .trim()
    .refine(isDecimalAmount, "Enter a number like 1 or 0.5")
    .refine((text) => !isDecimalAmount(text) || toMicros(text) > 0n, "Must be more than 0")
    .refine((text) => !isDecimalAmount(text) || toMicros(text) <= 1_000n * 1_000_000n, "Must be at most 1000"),
  earnRounding: z.enum(["floor", "round", "ceil"]),
  minimumOrderAmount: z
    .string()
    .trim()
    .refine((text) => text === "" || isDecimalAmount(text), "Enter an amount like 25.00, or leave it empty")
    .transform((text) => (text === "" || toMicros(text) === 0n ? null : text)),
  includePosOrders: FormBoolean,
  includeTestOrders: FormBoolean,
  signupBonusPoints: z
    .string()
    .trim()
    .regex(/^\d+$/, "Enter a whole number of points (0 for none)")
    .transform(Number)
    .refine((points) => points <= 1_000_000, "Must be at most 1,000,000"),
});

export type ProgramSettingsUpdate = z.output<typeof ProgramSettingsInput>;

export async function programSettings(shopDomain: string): Promise<ProgramSettingsView> {
  const shop = await ensureShop(shopDomain);
  return {
    currencyCode: shop.currencyCode,
    programEnabled: shop.programEnabled,
    earnRate: shop.earnRate,
    earnRounding: shop.earnRounding === "round" || shop.earnRounding === "ceil" ? shop.earnRounding : "floor",
    minimumOrderAmount: shop.minimumOrderAmount ?? "",
    includePosOrders: shop.includePosOrders,
    includeTestOrders: shop.includeTestOrders,
    signupBonusPoints: String(shop.signupBonusPoints),
  };
}

const SETTINGS = {
  programEnabled: true,
  earnRate: true,
  earnRounding: true,
  minimumOrderAmount: true,
  includePosOrders: true,
  includeTestOrders: true,
  signupBonusPoints: true,
} as const;

/**
 * Writes validated settings. In the same transaction: the storefront's program metafield gets its
 * pending sync (ADR 009) and the audit log records who changed the settings from what to what.
 */
export async function updateProgramSettings(
  shopDomain: string,
  update: ProgramSettingsUpdate,
  staffId: string | null = null,
): Promise<ProgramSettingsView> {
  const shop = await ensureShop(shopDomain);
  await db.$transaction(async (tx) => {
    const before = await tx.shop.findUniqueOrThrow({ where: { id: shop.id }, select: SETTINGS });
    const after = await tx.shop.update({ where: { id: shop.id }, data: update, select: SETTINGS });
    await queueProgramSync(tx, shop.id);
    await writeAudit(tx, { shopId: shop.id, staffId, action: "program.update", subjectType: "shop", subjectId: shop.id, before, after });
  });
  return programSettings(shopDomain);
}

export type SettingName = keyof typeof SETTINGS;

export interface ProgramChange {
  id: string;
  at: string;
  staffId: string | null;
  /** The settings this save changed (a save that changed nothing lists none). */
  changed: SettingName[];
}

/** The Program page: the settings and the latest changes to them (from the audit log). */
export async function programPage(shopDomain: string): Promise<{ settings: ProgramSettingsView; changes: ProgramChange[] }> {
  const settings = await programSettings(shopDomain);
  const shop = await ensureShop(shopDomain);
  const trail = await auditTrail(shopDomain, { type: "shop", id: shop.id }, 5);
  const names = Object.keys(SETTINGS) as SettingName[];
  const changes = trail.map((item) => {
    const before = (item.before ?? {}) as Record<string, unknown>;
    const after = (item.after ?? {}) as Record<string, unknown>;
    return { id: item.id, at: item.createdAt, staffId: item.staffId, changed: names.filter((name) => before[name] !== after[name]) };
  });
  return { settings, changes };
}
