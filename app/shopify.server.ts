/**
 * The Shopify app (shopify-app-remix). API version 2026-07 is pinned here, in shopify.app.toml and
 * in app/shopify/admin-api.server.ts; tests/integration/api-version.test.ts keeps them equal.
 */
import "@shopify/shopify-app-remix/adapters/node";
import {
  ApiVersion,
  AppDistribution,
  LogSeverity,
  shopifyApp,
} from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import prisma from "./db.server";
import { CachedSessionStorage } from "./shopify/session-storage.server";
import { env } from "./env.server";
import { logger } from "./logger.server";
import { markInstalled, syncShopDetails } from "./loyalty/services/shops.server";

export const API_VERSION = ApiVersion.July26;

const config = env();

const shopify = shopifyApp({
  apiKey: config.SHOPIFY_API_KEY,
  apiSecretKey: config.SHOPIFY_API_SECRET,
  apiVersion: API_VERSION,
  scopes: config.SCOPES,
  appUrl: config.SHOPIFY_APP_URL,
  authPathPrefix: "/auth",
  sessionStorage: new CachedSessionStorage(new PrismaSessionStorage(prisma)),
  distribution: AppDistribution.AppStore,
  future: {
    unstable_newEmbeddedAuthStrategy: true,
  },
  logger: {
    // The library logs request parameters at debug level; keep it quiet unless asked.
    level: config.LOG_LEVEL === "debug" || config.LOG_LEVEL === "trace" ? LogSeverity.Debug : LogSeverity.Error,
    log: (severity, message) => {
      if (severity <= LogSeverity.Error) logger.error({ source: "shopify" }, message);
      else logger.debug({ source: "shopify" }, message);
    },
  },
  hooks: {
    afterAuth: async ({ session }) => {
      await markInstalled(session.shop, { scopes: session.scope ?? undefined });
      await syncShopDetails(session.shop);
    },
  },
  ...(config.SHOP_CUSTOM_DOMAIN ? { customShopDomains: [config.SHOP_CUSTOM_DOMAIN] } : {}),
});

export default shopify;
export const apiVersion = API_VERSION;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const sessionStorage = shopify.sessionStorage;
