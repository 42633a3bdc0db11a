/**
 * The metafields the storefront widget renders on first paint (extensions/keepsake-theme/blocks/*.liquid,
 * ADR 008), and the Admin GraphQL calls that write them (ADR 009):
 *
 * | Liquid                                           | owner                  | namespace / key          | type           |
 * |--------------------------------------------------|------------------------|--------------------------|----------------|
 * | `customer.metafields['$app:keepsake'].balance`   | the customer           | `$app:keepsake` balance  | number_integer |
 * | `app.metafields.keepsake.earn_rate`              | the app's installation | `keepsake` earn_rate     | number_decimal |
 * | `app.metafields.keepsake.program`                | the app's installation | `keepsake` program       | json           |
 *
 * `$app:` is Shopify's app-reserved namespace: only Keepsake can write it, whatever the merchant's
 * other apps do. App-data metafields live on the AppInstallation, which only its own app can see.
 * Writing the customer's needs `write_customers`; the installation's needs no scope.
 */
import type { ProgramInfo } from "~/loyalty/storefront-contract";
import { adminGraphql, assertNoUserErrors, ShopifyApiError, type AdminAccess, type UserError } from "./admin-api.server";
import { CURRENT_APP_INSTALLATION } from "./graphql/current-app-installation";
import { METAFIELDS_DELETE } from "./graphql/metafields-delete";
import { METAFIELDS_SET } from "./graphql/metafields-set";

/** Shopify's limit per metafieldsSet call. */
export const MAX_METAFIELDS_PER_CALL = 25;

export const BALANCE_METAFIELD = { namespace: "$app:keepsake", key: "balance", type: "number_integer" } as const;
export const EARN_RATE_METAFIELD = { namespace: "keepsake", key: "earn_rate", type: "number_decimal" } as const;
export const PROGRAM_METAFIELD = { namespace: "keepsake", key: "program", type: "json" } as const;

/** MetafieldsSetInput as Keepsake sends it (always with a type: no definition is relied on). */
export interface MetafieldInput {
  ownerId: string;
  namespace: string;
  key: string;
  type: string;
  value: string;
}

export interface MetafieldIdentifier {
  ownerId: string;
  namespace: string;
  key: string;
}

export function balanceMetafield(customerGid: string, balance: number): MetafieldInput {
  if (!Number.isSafeInteger(balance)) throw new RangeError("a balance is a whole number of points");
  return { ownerId: customerGid, ...BALANCE_METAFIELD, value: String(balance) };
}

/** What Shopify accepts as a number_decimal (up to 13 digits, 9 decimals); the rate is never negative. */
const DECIMAL = /^\d{1,13}(\.\d{1,9})?$/;

/**
 * The program's app-data metafields. A null (or unreadable) earn rate is removed rather than written
 * as 0: the product block renders nothing when it is missing, but "Earn 0 points" when it is 0.
 */
export function programMetafields(
  installationId: string,
  program: ProgramInfo,
  earnRate: string | null,
): { set: MetafieldInput[]; remove: MetafieldIdentifier[] } {
  const set: MetafieldInput[] = [{ ownerId: installationId, ...PROGRAM_METAFIELD, value: JSON.stringify(program) }];
  const remove: MetafieldIdentifier[] = [];
  const rate = earnRate?.trim() ?? "";
  if (DECIMAL.test(rate)) set.unshift({ ownerId: installationId, ...EARN_RATE_METAFIELD, value: rate });
  else {
    remove.push({ ownerId: installationId, namespace: EARN_RATE_METAFIELD.namespace, key: EARN_RATE_METAFIELD.key });
  }
  return { set, remove };
}

/**
 * Splits items into groups whose sizes add up to at most `limit`, keeping each item whole and the
 * order as given (an item bigger than the limit gets a group of its own; the caller refuses it).
 */
export function chunkBySize<T>(items: readonly T[], sizeOf: (item: T) => number, limit = MAX_METAFIELDS_PER_CALL): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let used = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && used + size > limit) {
      chunks.push(current);
      current = [];
      used = 0;
    }
    current.push(item);
    used += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** metafieldsSet refused some inputs; nothing of the call was saved (the mutation is atomic). */
export class MetafieldsRejectedError extends ShopifyApiError {
  constructor(
    message: string,
    /** The inputs at fault, or null when Shopify did not say (then every input is suspect). */
    readonly elementIndexes: number[] | null,
  ) {
    super(message, "user_errors", false);
    this.name = "MetafieldsRejectedError";
  }
}

interface SetUserError extends UserError {
  code?: string | null;
  elementIndex?: number | null;
}

export async function setMetafields(access: AdminAccess, metafields: readonly MetafieldInput[]): Promise<void> {
  if (metafields.length === 0) return;
  if (metafields.length > MAX_METAFIELDS_PER_CALL) {
    throw new RangeError(`metafieldsSet takes at most ${MAX_METAFIELDS_PER_CALL} metafields a call`);
  }
  const data = await adminGraphql<{ metafieldsSet: { userErrors: SetUserError[] } | null }>(access, METAFIELDS_SET, {
    metafields,
  });
  if (!data.metafieldsSet) throw new ShopifyApiError("MetafieldsSet: no payload", "graphql", false);
  const { userErrors } = data.metafieldsSet;
  try {
    assertNoUserErrors("MetafieldsSet", userErrors);
  } catch (error) {
    if (!(error instanceof ShopifyApiError)) throw error;
    const indexes = userErrors.map((e) => e.elementIndex);
    const known = indexes.every((index): index is number => typeof index === "number" && index >= 0 && index < metafields.length);
    throw new MetafieldsRejectedError(error.message, known ? [...new Set(indexes)] : null);
  }
}

export async function deleteMetafields(access: AdminAccess, metafields: readonly MetafieldIdentifier[]): Promise<void> {
  if (metafields.length === 0) return;
  const data = await adminGraphql<{ metafieldsDelete: { userErrors: UserError[] } | null }>(access, METAFIELDS_DELETE, {
    metafields,
  });
  if (!data.metafieldsDelete) throw new ShopifyApiError("MetafieldsDelete: no payload", "graphql", false);
  assertNoUserErrors("MetafieldsDelete", data.metafieldsDelete.userErrors);
}

/**
 * Installation ids by shop and token. A reinstall brings a new token (and a new installation), so it
 * misses the cache instead of writing to the old owner. Bounded by the shops this process serves.
 */
const installationIds = new Map<string, string>();

export async function currentAppInstallationId(access: AdminAccess): Promise<string> {
  const cacheKey = `${access.shop}\n${access.accessToken}`;
  const cached = installationIds.get(cacheKey);
  if (cached) return cached;
  const data = await adminGraphql<{ currentAppInstallation: { id: string } | null }>(access, CURRENT_APP_INSTALLATION);
  const id = data.currentAppInstallation?.id;
  if (!id) throw new ShopifyApiError("CurrentAppInstallation: no installation returned", "graphql", false);
  forgetAppInstallation(access.shop);
  installationIds.set(cacheKey, id);
  return id;
}

/** Shopify refused the cached owner (say, a reinstall kept its token): ask again next time. */
export function forgetAppInstallation(shop: string): void {
  for (const key of installationIds.keys()) if (key.startsWith(`${shop}\n`)) installationIds.delete(key);
}
