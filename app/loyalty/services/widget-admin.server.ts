/**
 * The Storefront widget page: where each part of the theme app extension is set up. Appearance and
 * texts are theme settings (per theme, previewed live in Shopify's theme editor), so Keepsake links
 * there instead of keeping a second copy of them (docs/decisions/010).
 */
import { env } from "~/env.server";
import { LAUNCHER_EMBED_HANDLE, themeEditorAppBlockUrl, themeEditorEmbedUrl } from "~/loyalty/onboarding";
import { ensureShop } from "./shops.server";

/** The storefront languages the theme extension ships (extensions/keepsake-theme/locales). */
export const STOREFRONT_LANGUAGES = ["English", "한국어", "日本語", "Français", "Deutsch", "Español"] as const;

export interface WidgetPage {
  launcherUrl: string;
  birthdayPopupUrl: string;
  productBlockUrl: string;
  rewardsPageBlockUrl: string;
  storefrontUrl: string;
  languages: readonly string[];
}

export async function widgetPage(shopDomain: string): Promise<WidgetPage> {
  const shop = await ensureShop(shopDomain);
  const apiKey = env().SHOPIFY_API_KEY;
  return {
    launcherUrl: themeEditorEmbedUrl(shop.domain, apiKey, LAUNCHER_EMBED_HANDLE),
    birthdayPopupUrl: themeEditorEmbedUrl(shop.domain, apiKey, "birthday-popup"),
    productBlockUrl: themeEditorAppBlockUrl(shop.domain, apiKey, "product-points", "product"),
    rewardsPageBlockUrl: themeEditorAppBlockUrl(shop.domain, apiKey, "rewards-page", "page"),
    storefrontUrl: `https://${shop.domain}/`,
    languages: STOREFRONT_LANGUAGES,
  };
}
