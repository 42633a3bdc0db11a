/**
 * The shop's currency and timezone: points are earned on the shop currency, and later features
 * (campaign windows, birthdays, expiry) count days in the shop's timezone.
 */
import { adminGraphql, type AdminAccess } from "../admin-api.server";

export const SHOP_SETTINGS_QUERY = `#graphql
  query ShopSettings {
    shop {
      currencyCode
      ianaTimezone
    }
  }
`;

export interface ShopSettings {
  currencyCode: string;
  ianaTimezone: string;
}

export async function fetchShopSettings(access: AdminAccess): Promise<ShopSettings> {
  const data = await adminGraphql<{ shop: ShopSettings | null }>(access, SHOP_SETTINGS_QUERY);
  if (!data.shop) throw new Error("ShopSettings: Shopify returned no shop");
  return { currencyCode: data.shop.currencyCode, ianaTimezone: data.shop.ianaTimezone };
}
