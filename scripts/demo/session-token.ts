/**
 * Shopify session tokens, as the admin hands them to an embedded app (App Bridge `shopify.idToken()`):
 * HS256 JWTs signed with the app's client secret, `aud` = client id (API key), `dest` = https://<shop>,
 * `iss` = https://<shop>/admin, valid for one minute. See /shopify.dev "Session tokens".
 */
import { createHmac, randomUUID } from "node:crypto";

export interface SessionTokenOptions {
  shop: string;
  apiKey: string;
  secret: string;
  /** Staff member id (`sub`). */
  userId?: string;
  /** Seconds. Shopify's tokens live 60 s. */
  lifetime?: number;
  now?: Date;
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString("base64url");

export function signSessionToken(options: SessionTokenOptions): string {
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const header = { alg: "HS256", typ: "JWT" };
  const payload = {
    iss: `https://${options.shop}/admin`,
    dest: `https://${options.shop}`,
    aud: options.apiKey,
    sub: options.userId ?? "1",
    exp: issuedAt + (options.lifetime ?? 60),
    nbf: issuedAt,
    iat: issuedAt,
    jti: randomUUID(),
    sid: randomUUID(),
  };
  const unsigned = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const signature = createHmac("sha256", options.secret).update(unsigned).digest("base64url");
  return `${unsigned}.${signature}`;
}

/** The admin's `host` parameter: base64 of "admin.shopify.com/store/<store handle>". */
export function adminHostParam(shop: string): string {
  const handle = shop.replace(/\.myshopify\.com$/, "");
  return Buffer.from(`admin.shopify.com/store/${handle}`).toString("base64");
}
