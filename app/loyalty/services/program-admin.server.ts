/**
 * The Program page: the points settings kept on the Shop row. A save changes only future events —
 * every ledger entry and order record froze the rule it was written under (`rule` JSON).
 */
import { z } from "zod";
import db from "~/db.server";
import { isDecimalAmount, toMicros } from "~/loyalty/money";
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

/** Writes validated settings; the storefront's program metafield is re-sent with them (same transaction). */
export async function updateProgramSettings(shopDomain: string, update: ProgramSettingsUpdate): Promise<ProgramSettingsView> {
  const shop = await ensureShop(shopDomain);
  await db.$transaction([db.shop.update({ where: { id: shop.id }, data: update }), queueProgramSync(db, shop.id)]);
  return programSettings(shopDomain);
}
