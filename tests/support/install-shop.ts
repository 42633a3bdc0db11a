/**
 * A shop as it is right after install: its Shop row (with program settings) and its offline
 * session. In production the library writes the session (token exchange) and afterAuth the row;
 * offline there is no Shopify to exchange a token with, so tests, the demo seed and the benchmarks
 * write both through this one function.
 */
import type { PrismaClient } from "@prisma/client";

export interface ProgramSettings {
  earnRate: string;
  earnRounding: string;
  minimumOrderAmount: string | null;
  includePosOrders: boolean;
  includeTestOrders: boolean;
  signupBonusPoints: number;
  programEnabled: boolean;
}

export const DEFAULT_TEST_SCOPES = "read_orders,write_customers,write_discounts";

export async function installShopRecords(
  prisma: PrismaClient,
  domain: string,
  options: { scope?: string; accessToken?: string; settings?: Partial<ProgramSettings> } = {},
) {
  const scope = options.scope ?? DEFAULT_TEST_SCOPES;
  const accessToken = options.accessToken ?? `shpat_test_${domain}`;
  const settings = options.settings ?? {};
  await prisma.session.upsert({
    where: { id: `offline_${domain}` },
    create: { id: `offline_${domain}`, shop: domain, state: "installed", isOnline: false, scope, accessToken },
    update: { scope, accessToken },
  });
  return prisma.shop.upsert({
    where: { domain },
    create: { domain, scopes: scope, ...settings },
    update: { scopes: scope, uninstalledAt: null, ...settings },
  });
}
