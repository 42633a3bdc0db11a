/**
 * Admin GraphQL client for work done outside a request (installs, background jobs): graphql-request
 * over the shop's offline token. Every document lives in its own file under app/shopify/graphql/
 * and is validated against the 2026-07 schema by tests/integration/graphql-documents.test.ts.
 */
import { ClientError, GraphQLClient } from "graphql-request";
import db from "~/db.server";
import { env } from "~/env.server";

import { ADMIN_API_VERSION } from "./api-version";

export interface AdminAccess {
  shop: string;
  accessToken: string;
}

export type ShopifyApiErrorKind = "throttled" | "graphql" | "http" | "user_errors" | "no_access";

export class ShopifyApiError extends Error {
  constructor(
    message: string,
    readonly kind: ShopifyApiErrorKind,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "ShopifyApiError";
  }
}

/**
 * https://<shop>/admin/api/2026-07/graphql.json. The offline demo and the benchmarks point
 * SHOPIFY_ADMIN_API_ORIGIN at a local stand-in of Shopify (env.server.ts refuses it elsewhere).
 */
export function adminApiEndpoint(shop: string): string {
  const origin = env().SHOPIFY_ADMIN_API_ORIGIN ?? `https://${shop}`;
  return `${origin}/admin/api/${ADMIN_API_VERSION}/graphql.json`;
}

export async function offlineAccess(shop: string): Promise<AdminAccess> {
  const session = await db.session.findUnique({
    where: { id: `offline_${shop}` },
    select: { accessToken: true },
  });
  if (!session?.accessToken) throw new ShopifyApiError(`no offline session for ${shop}`, "no_access", false);
  return { shop, accessToken: session.accessToken };
}

export async function adminGraphql<TData>(
  access: AdminAccess,
  document: string,
  variables?: Record<string, unknown>,
): Promise<TData> {
  const client = new GraphQLClient(adminApiEndpoint(access.shop), {
    headers: {
      "X-Shopify-Access-Token": access.accessToken,
      // Lets a local stand-in (one origin for every shop) know whose store is asked.
      "X-Keepsake-Shop": access.shop,
    },
  });
  try {
    return await client.request<TData>(document, variables);
  } catch (error) {
    if (error instanceof ClientError) {
      const errors = error.response.errors ?? [];
      const throttled = errors.some((e) => e.extensions?.code === "THROTTLED");
      if (throttled) throw new ShopifyApiError("Shopify throttled the request", "throttled", true);
      if (errors.length > 0) {
        throw new ShopifyApiError(errors.map((e) => e.message).join("; "), "graphql", false);
      }
      const status = error.response.status;
      throw new ShopifyApiError(`Shopify answered HTTP ${status}`, "http", status >= 500 || status === 429);
    }
    throw new ShopifyApiError(error instanceof Error ? error.message : String(error), "http", true);
  }
}

export interface UserError {
  field?: readonly string[] | null;
  message: string;
}

/** Mutations report business errors in userErrors with HTTP 200: never ignore them. */
export function assertNoUserErrors(operation: string, userErrors: readonly UserError[] | null | undefined): void {
  if (!userErrors || userErrors.length === 0) return;
  const text = userErrors.map((e) => (e.field?.length ? `${e.field.join(".")}: ${e.message}` : e.message)).join("; ");
  throw new ShopifyApiError(`${operation}: ${text}`, "user_errors", false);
}
