/**
 * Ways to earn beyond orders (issue 5, docs/decisions/015): social follow/share per network (honor
 * system, once per member), newsletter (once, when Shopify says the customer is subscribed), and
 * reviews/custom actions awarded by the merchant's integrations through the signed endpoint (once
 * per event id). Pure: definitions, validation, idempotency keys, the signed request's rules.
 */
import { z } from "zod";

export const SOCIAL_NETWORKS = ["instagram", "tiktok", "facebook", "x", "youtube", "pinterest"] as const;
export type SocialNetwork = (typeof SOCIAL_NETWORKS)[number];

export const ACTION_KINDS = ["social_follow", "social_share", "newsletter", "review", "custom"] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

export const NEWSLETTER_KEY = "newsletter";
export const MAX_ACTION_POINTS = 100_000;
export const MAX_ACTIONS_PER_SHOP = 50;

const KEY = /^[a-z0-9](?:[a-z0-9_-]{0,46}[a-z0-9])?$/;

/** Shoppers award these themselves (proxy POST action): once per member, ever. */
export function isShopperAction(kind: string): kind is "social_follow" | "social_share" {
  return kind === "social_follow" || kind === "social_share";
}

/** Integrations award these through the signed endpoint: once per event id. */
export function isIntegrationAction(kind: string): kind is "review" | "custom" {
  return kind === "review" || kind === "custom";
}

export function defaultActionKey(kind: ActionKind, network?: SocialNetwork | null): string {
  if (kind === "social_follow") return `${network ?? "social"}-follow`;
  if (kind === "social_share") return `${network ?? "social"}-share`;
  if (kind === "newsletter") return NEWSLETTER_KEY;
  if (kind === "review") return "review";
  return "custom";
}

const httpsUrl = z
  .string()
  .trim()
  .max(500)
  .url()
  .refine((value) => value.startsWith("https://"), "must start with https://");

/** One way to earn as the admin saves it. Social actions need a network and the page to open. */
export const EarnActionInput = z
  .object({
    kind: z.enum(ACTION_KINDS),
    key: z.string().trim().toLowerCase().regex(KEY, "use 1–48 lowercase letters, digits, - or _").optional(),
    network: z.enum(SOCIAL_NETWORKS).nullish(),
    url: z.union([httpsUrl, z.literal("")]).nullish(),
    label: z.string().trim().min(1, "is required").max(80),
    points: z.coerce.number().int("must be a whole number").min(1, "must be at least 1").max(MAX_ACTION_POINTS),
    active: z.boolean().default(true),
  })
  .superRefine((value, context) => {
    if (isShopperAction(value.kind)) {
      if (!value.network) context.addIssue({ code: "custom", path: ["network"], message: "is required for a social action" });
      if (!value.url) context.addIssue({ code: "custom", path: ["url"], message: "is required for a social action" });
    }
    if (value.kind === "newsletter" && value.key && value.key !== NEWSLETTER_KEY) {
      context.addIssue({ code: "custom", path: ["key"], message: `must be "${NEWSLETTER_KEY}"` });
    }
  })
  .transform((value) => ({
    kind: value.kind,
    key: value.key ?? defaultActionKey(value.kind, value.network),
    network: isShopperAction(value.kind) ? (value.network ?? null) : null,
    url: isShopperAction(value.kind) ? value.url || null : null,
    label: value.label,
    points: value.points,
    active: value.active,
  }));
export type EarnActionDefinition = z.output<typeof EarnActionInput>;

/** Ledger key of an action a member earns once (social, newsletter). */
export const onceActionKey = (actionKey: string, customerGid: string) => `action:${actionKey}:${customerGid}`;
/** Ledger key of an integration's award: once per action and event id. */
export const eventActionKey = (actionKey: string, eventId: string) => `action:${actionKey}:event:${eventId}`;

// ---------------------------------------------------------------------------------------------------
// the signed endpoint (POST /api/actions)

/** Header names, in Shopify's style (the HMAC is computed like a Shopify webhook's). */
export const INTEGRATION_HEADERS = {
  hmac: "x-keepsake-hmac-sha256",
  shop: "x-keepsake-shop-domain",
} as const;

const CUSTOMER_GID = /^gid:\/\/shopify\/Customer\/(\d{1,20})$/;

/** Body of POST /api/actions; the customer is a numeric id or a Customer GID. */
export const IntegrationAwardBody = z
  .object({
    action: z.string().trim().toLowerCase().regex(KEY, "must be the key of a review or custom action"),
    event_id: z.string().trim().min(1).max(128).regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces"),
    customer_id: z.union([z.string().trim(), z.number().int().positive()]),
  })
  .transform((value, context) => {
    const text = String(value.customer_id);
    const numeric = /^\d{1,20}$/.test(text) ? text : CUSTOMER_GID.exec(text)?.[1];
    if (!numeric) {
      context.addIssue({ code: "custom", path: ["customer_id"], message: "must be a customer id or gid://shopify/Customer/<id>" });
      return z.NEVER;
    }
    return { actionKey: value.action, eventId: value.event_id, customerGid: `gid://shopify/Customer/${numeric}` };
  });
export type IntegrationAward = z.output<typeof IntegrationAwardBody>;

export const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

/** The shop's integration secret: 32 random bytes, base64url, with a recognisable prefix. */
export function formatIntegrationSecret(randomBytes: Uint8Array): string {
  if (randomBytes.length < 32) throw new RangeError("an integration secret needs 32 random bytes");
  return `kps_${Buffer.from(randomBytes).toString("base64url")}`;
}
