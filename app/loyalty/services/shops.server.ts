/**
 * Shops: install state, scopes, program settings, and the end of a shop's data (shop/redact).
 */
import type { Shop } from "@prisma/client";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { offlineAccess } from "~/shopify/admin-api.server";
import { forgetSessionsOf } from "~/shopify/session-storage.server";
import { fetchShopSettings } from "~/shopify/graphql/shop-settings";
import { isUniqueViolation } from "~/loyalty/ledger.server";
import type { EarnSettings } from "~/loyalty/earning";
import type { Rounding } from "~/loyalty/money";
import { queueProgramSync } from "./shopify-outbox.server";

export type ShopRecord = Shop;

/** The shop's row, created on first contact (install or its first webhook). */
export async function ensureShop(domain: string): Promise<ShopRecord> {
  const existing = await db.shop.findUnique({ where: { domain } });
  if (existing) return existing;
  try {
    return await db.shop.create({ data: { domain } });
  } catch (error) {
    // Two first webhooks at once: the other one created it.
    if (isUniqueViolation(error)) return db.shop.findUniqueOrThrow({ where: { domain } });
    throw error;
  }
}

export async function findShop(domain: string): Promise<ShopRecord | null> {
  return db.shop.findUnique({ where: { domain } });
}

const ROUNDINGS: readonly Rounding[] = ["floor", "round", "ceil"];

export function earnSettingsOf(shop: ShopRecord): EarnSettings {
  const rounding = ROUNDINGS.includes(shop.earnRounding as Rounding)
    ? (shop.earnRounding as Rounding)
    : "floor";
  return {
    programEnabled: shop.programEnabled,
    earnRate: shop.earnRate,
    rounding,
    minimumOrderAmount: shop.minimumOrderAmount,
    includePosOrders: shop.includePosOrders,
    includeTestOrders: shop.includeTestOrders,
  };
}

/** (Re)install: the shop is active again with its data intact. */
export async function markInstalled(domain: string, details: { scopes?: string } = {}): Promise<ShopRecord> {
  const shop = await ensureShop(domain);
  // (Re)publish the program's app-data metafields: a new installation starts without them.
  const [installed] = await db.$transaction([
    db.shop.update({
      where: { id: shop.id },
      data: { uninstalledAt: null, ...(details.scopes !== undefined ? { scopes: details.scopes } : {}) },
    }),
    queueProgramSync(db, shop.id),
  ]);
  return installed;
}

/**
 * After install: read the shop's currency and timezone from Shopify. A failure is logged, not
 * fatal — the defaults stay and the next install/auth tries again.
 */
export async function syncShopDetails(domain: string): Promise<boolean> {
  try {
    const settings = await fetchShopSettings(await offlineAccess(domain));
    // The program shown on the storefront names the shop currency: its sync commits with it.
    await db.$transaction(async (tx) => {
      const shop = await tx.shop.update({ where: { domain }, data: settings, select: { id: true } });
      await queueProgramSync(tx, shop.id);
    });
    return true;
  } catch (error) {
    logger.warn({ shop: domain, error: error instanceof Error ? error.message : String(error) }, "shop details not synced");
    return false;
  }
}

/** app/uninstalled: sessions go (the token is dead), the shop's data stays until shop/redact. */
export async function markUninstalled(domain: string): Promise<void> {
  forgetSessionsOf(domain);
  await db.$transaction([
    db.session.deleteMany({ where: { shop: domain } }),
    db.shop.updateMany({ where: { domain }, data: { uninstalledAt: new Date() } }),
  ]);
}

/** app/scopes_update: keep the granted scopes on the shop and on its sessions. */
export async function updateScopes(domain: string, scopes: string[]): Promise<void> {
  const scope = scopes.join(",");
  forgetSessionsOf(domain);
  await db.$transaction([
    db.session.updateMany({ where: { shop: domain }, data: { scope } }),
    db.shop.updateMany({ where: { domain }, data: { scopes: scope } }),
  ]);
}

/** shop/redact (48 h after uninstall): every row of the shop goes, by cascade from Shop. */
export async function redactShop(domain: string): Promise<void> {
  forgetSessionsOf(domain);
  await db.$transaction([
    db.session.deleteMany({ where: { shop: domain } }),
    db.webhookDelivery.deleteMany({ where: { shopDomain: domain } }),
    db.shop.deleteMany({ where: { domain } }),
  ]);
}
