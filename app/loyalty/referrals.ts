/**
 * Referrals (issue 5), the pure rules: codes and links, who a friend's order is attributed to, every
 * fraud check, and when a reward is taken back. No database, no Shopify: the services
 * (app/loyalty/services/referrals.server.ts) gather the facts and act on these answers.
 * docs/decisions/016-referrals.md explains the choices.
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import { isIP } from "node:net";
import { CODE_ALPHABET, normalizeCode } from "./rewards";
import { addMonths, startOfLocalDay, localDateOf } from "./schedule";

// ---------------------------------------------------------------------------------------------
// codes and links

/** A member's own referral code: 8 symbols of A–Z 2–9 without I/O (40 bits; it is shared publicly). */
export const REFERRAL_CODE_LENGTH = 8;
/** A friend's discount code: `KR-` + 12 symbols (60 bits, like reward codes; KS- is a reward code). */
export const FRIEND_CODE_PREFIX = "KR-";
export const FRIEND_CODE_LENGTH = 12;

function symbols(count: number, random: (size: number) => Uint8Array): string {
  const bytes = random(count);
  let text = "";
  // 256 is a multiple of 32: one byte per symbol, no bias.
  for (let i = 0; i < count; i += 1) text += CODE_ALPHABET[(bytes[i] ?? 0) % CODE_ALPHABET.length];
  return text;
}

export function generateReferralCode(random: (size: number) => Uint8Array = randomBytes): string {
  return symbols(REFERRAL_CODE_LENGTH, random);
}

export function generateFriendCode(random: (size: number) => Uint8Array = randomBytes): string {
  return FRIEND_CODE_PREFIX + symbols(FRIEND_CODE_LENGTH, random);
}

const REFERRAL_CODE_PATTERN = new RegExp(`^[${CODE_ALPHABET}]{${REFERRAL_CODE_LENGTH}}$`);

/** A `kp_ref` value as typed or pasted → the stored form, or null if it cannot be a referral code. */
export function normalizeReferralCode(text: string | null | undefined): string | null {
  const code = (text ?? "").trim().toUpperCase();
  return REFERRAL_CODE_PATTERN.test(code) ? code : null;
}

export function isFriendCode(code: string): boolean {
  const normalized = normalizeCode(code);
  return normalized.startsWith(FRIEND_CODE_PREFIX) && normalized.length === FRIEND_CODE_PREFIX.length + FRIEND_CODE_LENGTH;
}

/** The friend codes among an order's discount codes (normalized, without repeats). */
export function friendCodesIn(discountCodes: readonly string[]): string[] {
  return [...new Set(discountCodes.filter(isFriendCode).map(normalizeCode))];
}

/** The link a member shares: the shop's storefront with `kp_ref` (the app embed keeps it for the visit). */
export function referralLink(shopDomain: string, code: string): string {
  return `https://${shopDomain}/?kp_ref=${encodeURIComponent(code)}`;
}

// ---------------------------------------------------------------------------------------------
// personal data kept only as hashes

export function normalizeEmailAddress(email: string | null | undefined): string | null {
  const trimmed = email?.trim().toLowerCase();
  return trimmed ? trimmed : null;
}

/** sha256 of the lowercased email: survives erasure of the email itself (one friend reward per email). */
export function hashEmail(email: string): string {
  return createHash("sha256").update(normalizeEmailAddress(email) ?? "").digest("hex");
}

/**
 * The claiming IP, keyed with the app secret: IPv4 has only 2^32 addresses, so a plain sha256
 * could be reversed by trying them all; an HMAC cannot without the secret.
 */
export function hashIp(ip: string, secret: string): string {
  return createHmac("sha256", secret).update(`ip:${ip.toLowerCase()}`).digest("hex");
}

/**
 * The shopper's address from the app proxy's X-Forwarded-For (docs/decisions/016). Shopify's app proxy
 * sets the header to the shopper's address; each proxy of the app's own in front of it (load balancer,
 * ingress) may append the address it saw. `trustedHops` null (TRUSTED_PROXY_HOPS unset): the FIRST
 * entry. A number N: the (N+1)-th entry from the right — the N entries after it are the app's own proxies,
 * so whatever a client may have sent before Shopify's entry is never read. `1.2.3.4:5678` and
 * `[::1]:80` lose their port. Null when absent, out of range or not an IP.
 */
export function shopperAddress(header: string | null | undefined, trustedHops: number | null): string | null {
  const entries = (header ?? "").split(",").map((entry) => entry.trim());
  const index = trustedHops === null ? 0 : entries.length - 1 - trustedHops;
  const entry = index >= 0 ? entries[index] : undefined;
  if (!entry) return null;
  let candidate = entry;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(candidate);
  if (bracketed?.[1]) candidate = bracketed[1];
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(candidate)) candidate = candidate.slice(0, candidate.lastIndexOf(":"));
  return isIP(candidate) ? candidate : null;
}

/** Digits only, the last 10 kept (so "+1 (613) 555-0100" and "613 555 0100" match); null if under 7. */
export function normalizePhone(phone: string | null | undefined): string | null {
  const digits = (phone ?? "").replace(/\D/g, "");
  return digits.length >= 7 ? digits.slice(-10) : null;
}

export interface AddressFacts {
  address1?: string | null;
  address2?: string | null;
  zip?: string | null;
  countryCode?: string | null;
}

/** Street + unit + postcode + country, case, spacing and punctuation ignored; null without a street. */
export function addressKey(address: AddressFacts | null | undefined): string | null {
  const clean = (text: string | null | undefined) =>
    (text ?? "")
      .normalize("NFKC")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, " ")
      .trim();
  const street = clean(address?.address1);
  if (!street) return null;
  return [street, clean(address?.address2), clean(address?.zip).replace(/ /g, ""), clean(address?.countryCode)].join("|");
}

// ---------------------------------------------------------------------------------------------
// fraud rules

/** Who someone is, as far as a referral can tell: any one shared fact makes it a self-referral. */
export interface Identity {
  customerGid?: string | null;
  emails?: readonly (string | null | undefined)[];
  phones?: readonly (string | null | undefined)[];
  addresses?: readonly (AddressFacts | null | undefined)[];
}

export type SelfReferralMatch = "customer" | "email" | "phone" | "address";

/** The first fact the referrer and the friend share, or null if they share none. */
export function selfReferralMatch(referrer: Identity, friend: Identity): SelfReferralMatch | null {
  if (referrer.customerGid && friend.customerGid && referrer.customerGid === friend.customerGid) return "customer";
  const overlap = <T>(a: readonly T[], b: readonly T[]) => a.some((value) => value !== null && b.includes(value));
  const emails = (identity: Identity) => (identity.emails ?? []).map(normalizeEmailAddress).filter(Boolean);
  if (overlap(emails(referrer), emails(friend))) return "email";
  const phones = (identity: Identity) => (identity.phones ?? []).map(normalizePhone).filter(Boolean);
  if (overlap(phones(referrer), phones(friend))) return "phone";
  const addresses = (identity: Identity) => (identity.addresses ?? []).map(addressKey).filter(Boolean);
  if (overlap(addresses(referrer), addresses(friend))) return "address";
  return null;
}

/** Why a claim or a friend's order earns nothing; recorded on the referral for staff. */
export type RejectReason =
  | "self_referral" // the friend is the referrer (same customer, email, phone or shipping address)
  | "existing_customer" // the friend already has orders with the shop
  | "email_used" // this email already received a friend reward
  | "ip_limit" // too many claims from one IP address in 24 hours
  | "monthly_cap" // the referrer reached the rewarded referrals allowed this calendar month
  | "referrals_disabled"; // referrals were switched off before the friend's order

export const REJECT_REASONS: readonly RejectReason[] = [
  "self_referral",
  "existing_customer",
  "email_used",
  "ip_limit",
  "monthly_cap",
  "referrals_disabled",
];

export type Verdict = { ok: true } | { ok: false; reason: RejectReason };

export interface ClaimFacts {
  referrer: Identity;
  /** The friend as the claim shows them: the email typed, and the logged-in customer if any. */
  friend: Identity;
  /** Keepsake has paid orders for that email or customer. */
  friendHasOrders: boolean;
  /** Another accepted claim already holds this email. */
  emailAlreadyRewarded: boolean;
  /** Claims already recorded from this IP in the last 24 hours (accepted or not); null = no IP known. */
  claimsFromIpToday: number | null;
  ipClaimsPerDay: number;
}

/** A friend's claim of a referral link. Checks run in this order; the first failing one is the reason. */
export function checkClaim(facts: ClaimFacts): Verdict {
  if (selfReferralMatch(facts.referrer, facts.friend)) return { ok: false, reason: "self_referral" };
  if (facts.friendHasOrders) return { ok: false, reason: "existing_customer" };
  if (facts.emailAlreadyRewarded) return { ok: false, reason: "email_used" };
  if (facts.claimsFromIpToday !== null && facts.claimsFromIpToday >= facts.ipClaimsPerDay) {
    return { ok: false, reason: "ip_limit" };
  }
  return { ok: true };
}

export interface OrderFacts {
  referrer: Identity;
  /** The friend's order: its customer, email, phone(s) and shipping address. */
  friend: Identity;
  /** Paid orders of that customer or email other than this one (it must be their first). */
  friendEarlierOrders: number;
  /** The referrer's referrals rewarded this calendar month (shop time), not counting this one. */
  rewardedThisMonth: number;
  monthlyCap: number;
  referralsEnabled: boolean;
}

/** A customer's orders as Shopify reports them (app/shopify/customer-order-history.server.ts). */
export interface OrderHistory {
  /** When the order being checked was created; null if Shopify did not return it. */
  orderCreatedAt: string | null;
  /** Every order of the customer, ever (Shopify counts past the 60 days the app may read). */
  numberOfOrders: number;
  /** The customer's first orders by creation time, as far as the app may read them (up to 2). */
  earliestOrders: readonly { id: string; createdAt: string }[];
}

/**
 * Did the customer order before `orderGid`? Yes when a readable order other than this one was created
 * before it (or, with no creation time for this one, sorts before it), or when Shopify counts more
 * orders than the app can see while every readable one is this order: the unseen one is older than
 * the app's 60-day read window (a later order would be readable). Orders made after this one (a
 * delayed webhook) never count.
 */
export function orderedBefore(history: OrderHistory | null, orderGid: string): boolean {
  if (!history) return false;
  const orders = history.earliestOrders;
  const at = history.orderCreatedAt ? Date.parse(history.orderCreatedAt) : Number.NaN;
  const before = Number.isNaN(at)
    ? orders.length > 0 && orders[0]?.id !== orderGid && orders.some((order) => order.id === orderGid)
    : orders.some((order) => order.id !== orderGid && Date.parse(order.createdAt) < at);
  if (before) return true;
  const onlyThis = orders.every((order) => order.id === orderGid);
  return orders.length < 2 && onlyThis && history.numberOfOrders >= 2;
}

/** The friend's order paid with their code: does the referrer earn the reward? */
export function checkReferralOrder(facts: OrderFacts): Verdict {
  if (!facts.referralsEnabled) return { ok: false, reason: "referrals_disabled" };
  if (selfReferralMatch(facts.referrer, facts.friend)) return { ok: false, reason: "self_referral" };
  if (facts.friendEarlierOrders > 0) return { ok: false, reason: "existing_customer" };
  if (facts.rewardedThisMonth >= facts.monthlyCap) return { ok: false, reason: "monthly_cap" };
  return { ok: true };
}

export type ReferralStatus = "claimed" | "pending" | "rewarded" | "reversed" | "rejected";

/**
 * What an order carrying a referral's friend code does to it:
 * - `evaluate`: a claimed referral's first order — run checkReferralOrder;
 * - `resume`: this very order was already attributed (a redelivery): finish what may be unfinished
 *   (the reward code, a reversal), decide nothing again;
 * - `ignore`: the referral was rejected, or belongs to another order.
 */
export function attributionStep(
  referral: { status: string; orderGid: string | null },
  orderGid: string,
): "evaluate" | "resume" | "ignore" {
  if (referral.orderGid === orderGid && (referral.status === "rewarded" || referral.status === "reversed")) return "resume";
  if (referral.status === "claimed" && (referral.orderGid === null || referral.orderGid === orderGid)) return "evaluate";
  return "ignore";
}

// ---------------------------------------------------------------------------------------------
// reversal

export interface QuantityLine {
  lineGid: string;
  quantity: number;
}

/**
 * Every unit of every paid line has been refunded (partial refunds leave the reward alone). An order
 * without lines is never "fully refunded" by lines (cancellation covers it).
 */
export function isFullyRefunded(paidLines: readonly QuantityLine[], refunds: readonly (readonly QuantityLine[])[]): boolean {
  const counted = paidLines.filter((line) => line.quantity > 0);
  if (counted.length === 0) return false;
  const refunded = new Map<string, number>();
  for (const refund of refunds) {
    for (const line of refund) refunded.set(line.lineGid, (refunded.get(line.lineGid) ?? 0) + line.quantity);
  }
  return counted.every((line) => (refunded.get(line.lineGid) ?? 0) >= line.quantity);
}

const DAY_MS = 86_400_000;

/** A full refund or a cancellation at `at` takes the reward back if within `pendingDays` of payment. */
export function withinPendingPeriod(paidAt: Date, at: Date, pendingDays: number): boolean {
  return at.getTime() - paidAt.getTime() <= pendingDays * DAY_MS;
}

/** The calendar month (shop time) containing `now`: [start, end). */
export function monthWindow(now: Date, timeZone: string): { start: Date; end: Date } {
  const first = `${localDateOf(now, timeZone).slice(0, 7)}-01`;
  return { start: startOfLocalDay(first, timeZone), end: startOfLocalDay(addMonths(first, 1), timeZone) };
}

// ---------------------------------------------------------------------------------------------
// idempotency keys

export const referralRewardKey = (referralId: string) => `referral:${referralId}:reward`;
export const referralReverseKey = (referralId: string) => `referral:${referralId}:reverse`;
