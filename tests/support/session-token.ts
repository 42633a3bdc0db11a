/**
 * Session tokens as Shopify's admin (App Bridge) issues them: HS256 JWTs signed with the app
 * secret, aud = API key, dest = the shop. Minted with @shopify/shopify-api's own test helper.
 */
import { getJwt } from "@shopify/shopify-api/test-helpers";

export async function sessionToken(shop: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const { token } = await getJwt(
    shop.replace(/\.myshopify\.com$/, ""), // the helper appends the domain itself
    process.env.SHOPIFY_API_KEY ?? "test-api-key",
    process.env.SHOPIFY_API_SECRET ?? "test-api-secret",
    overrides,
  );
  return token;
}

/** A data request from the embedded admin (fetch with the bearer token, as App Bridge sends it). */
export async function adminRequest(path: string, shop: string, init: RequestInit & { token?: string } = {}): Promise<Request> {
  const token = init.token ?? (await sessionToken(shop));
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${token}`);
  headers.set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36");
  return new Request(`https://keepsake.test${path}`, { ...init, headers });
}
