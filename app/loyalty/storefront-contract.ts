/**
 * The storefront API contract: what the app proxy (`/apps/keepsake/*` → `/proxy/*`) answers and what
 * the theme app extension reads. One file so the server and the widget cannot drift apart; the
 * integration tests and the widget's Chromium tests both hold the app to it.
 *
 * Amounts of money are decimal strings in the shop's currency ("5.00"), never floats.
 */

export type RewardKind =
  | "amount_off" // fixed amount off the order
  | "percent_off" // percentage off the order
  | "free_shipping"
  | "free_product" // one chosen variant, free
  | "sliding_scale" // any multiple of `sliding.pointsPerStep` for `sliding.amountPerStep` each
  | "donation"; // points pledged to a cause the merchant names; no code is issued

export interface StorefrontReward {
  id: string;
  kind: RewardKind;
  /** The merchant's title, e.g. "$5 off your order". */
  name: string;
  /** Points it costs; for `sliding_scale` the cost of one step. */
  pointsCost: number;
  /** Whether the logged-in member can afford it now (always false for guests). */
  affordable: boolean;
  /** Minimum order subtotal for the issued code, shop currency, or null. */
  minimumSubtotal: string | null;
  /** Only for `sliding_scale`. */
  sliding: { pointsPerStep: number; amountPerStep: string; minPoints: number; maxPoints: number } | null;
}

export interface WayToEarn {
  /** "order" (points per one unit of shop currency), "signup", later "birthday", "referral", "social_*"… */
  kind: string;
  points: number;
  /** A short English fallback; the widget translates by `kind` (actions: the merchant's label). */
  description: string;
  /** Ways to earn of the EarnAction kinds (social_follow, social_share, newsletter, review, custom): its key. */
  key?: string;
  /** Social actions: the network and the page the widget opens before POST /apps/keepsake/action {key}. */
  network?: string | null;
  url?: string | null;
  /** GET member only, social actions: this member has already been awarded it. */
  done?: boolean;
}

export interface ProgramInfo {
  /** ISO 4217 code of the shop currency. */
  currency: string;
  waysToEarn: WayToEarn[];
  rewards: StorefrontReward[];
  /**
   * Bonus campaigns running now that this shopper can get (GET member only, absent when none: they
   * depend on the time, so the published program metafield never carries them).
   */
  campaigns?: RunningCampaign[];
  /** Present (true) when referrals are on: the widget then asks GET referral for the member's link. */
  referrals?: true;
  /** Present (true) when birthday rewards are on: the widget offers the birthday form (GET/POST birthday). */
  birthdays?: true;
  /** The visible VIP tier ladder, base first (hidden tiers never appear); absent while tiers are off. */
  tiers?: StorefrontTier[];
}

export interface StorefrontTier {
  handle: string;
  name: string;
  perks: string;
  /** Points multiplier on orders, decimal text ("1.5"). */
  multiplier: string;
  /** What qualifies: points_earned | amount_spent | orders_count, with the threshold (an amount in shop currency for amount_spent). */
  kind: string;
  threshold: string;
}

/** The member's tier and what is left to reach the next visible one ("spend $40 more to reach Gold"). */
export interface MemberTier {
  handle: string;
  name: string;
  perks: string;
  multiplier: string;
  /** Null at the top of the visible ladder. `remaining`/`threshold`/`current` are decimal text in `kind`'s unit. */
  next: { handle: string; name: string; kind: string; remaining: string; threshold: string; current: string } | null;
}

export interface RunningCampaign {
  name: string;
  kind: "multiplier" | "fixed_bonus";
  /** multiplier: "2", "1.5"; fixed_bonus: whole points per order ("200"). */
  value: string;
  /** Minimum order (merchandise after discounts, shop currency), or null. */
  minimumOrderAmount: string | null;
  /** When it stops (exclusive), ISO instant. */
  endsAt: string;
  /** The last shop-local day it runs, yyyy-mm-dd (what "through <date>" shows). */
  lastDay: string;
}

export interface IssuedCode {
  code: string;
  rewardId: string;
  rewardName: string;
  kind: RewardKind;
  issuedAt: string;
  expiresAt: string | null;
}

export interface HistoryItem {
  kind: string;
  delta: number;
  createdAt: string;
  description: string;
}

/** GET /apps/keepsake/member?limit=&cursor= */
export type MemberResponse =
  | { enrolled: false; program: ProgramInfo }
  | {
      enrolled: true;
      balance: number;
      history: HistoryItem[];
      nextCursor: string | null;
      /** Codes issued to this member and not yet used, newest first. */
      codes: IssuedCode[];
      program: ProgramInfo;
      /** "X points expire on <date>": the soonest expiry (shop-local yyyy-mm-dd), null when nothing expires. */
      expiry: ExpiryNotice | null;
      /** The member's VIP tier and progress, null before their first tier; absent while tiers are off. */
      tier?: MemberTier | null;
      /** The member's birthday (year optional), null when not given; absent while birthdays are off. */
      birthday?: { month: number; day: number; year: number | null } | null;
      /** What the birthday form explains, and when the date may be changed again; absent while birthdays are off. */
      birthdayRules?: BirthdayRules;
    };

/** The shop's anti-gaming rules for birthdays (issue 5), as the panel explains them. */
export interface BirthdayRules {
  /** A birthday entered fewer days than this before it falls gets its first gift the next year (0: no such rule). */
  minLeadDays: number;
  /** The birthday can be changed once per this many days (0: any time). */
  cooldownDays: number;
  /** Shop-local yyyy-mm-dd from which the member may change their birthday again; null when they may now. */
  nextChangeOn: string | null;
}

export interface ExpiryNotice {
  points: number;
  expiresOn: string;
}

/** POST /apps/keepsake/redeem, JSON body. `requestId` makes retries safe: same id → same answer. */
export interface RedeemRequest {
  rewardId: string;
  /** 8–64 characters of [A-Za-z0-9_-]; the widget sends a fresh crypto.randomUUID() per click. */
  requestId: string;
  /** Only for `sliding_scale`: how many points to spend (a multiple of pointsPerStep within min..max). */
  points?: number;
}

export interface RedeemSuccess {
  /** null for donations (nothing to apply at checkout). */
  code: string | null;
  expiresAt: string | null;
  rewardId: string;
  rewardName: string;
  kind: RewardKind;
  pointsSpent: number;
  /** The member's balance after the redemption. */
  balance: number;
}

export type StorefrontErrorCode =
  | "invalid_query" // 400
  | "invalid_body" // 400
  | "not_logged_in" // 401
  | "not_enrolled" // 403
  | "reward_not_found" // 404
  | "reward_inactive" // 409
  | "not_enough_points" // 409
  | "invalid_points" // 422 (sliding scale amount out of range or not a multiple)
  | "rate_limited" // 429 (with Retry-After)
  | "request_in_progress" // 409 (with Retry-After): the same requestId is still being redeemed; retry it
  | "shopify_unavailable"; // 502 (points were restored)

export interface StorefrontError {
  error: { code: StorefrontErrorCode; message: string };
}

// ---------------------------------------------------------------------------------------------
// referrals (issue 5; docs/decisions/016-referrals.md)

/** What a referral link (`?kp_ref=<code>`) offers the friend: the merchant's friend reward. */
export interface ReferralOffer {
  rewardName: string;
  kind: RewardKind;
}

/** The logged-in member's own referral code, link and results. */
export interface OwnReferral {
  code: string;
  /** `https://<shop>/?kp_ref=<code>` */
  link: string;
  /** What the member earns per friend: points, or a reward of the catalog (its name). */
  referrerReward: { points: number | null; rewardName: string | null };
  /** What the friend gets (null when the merchant set no friend reward). */
  friendReward: ReferralOffer | null;
  stats: {
    /** Friends who claimed their code (accepted claims). */
    claimed: number;
    /** Friends whose first order earned the member the reward (and was not taken back). */
    rewarded: number;
    /** Points earned from referrals, net of reversals. */
    pointsEarned: number;
  };
}

/** GET /apps/keepsake/referral?ref=<code> */
export interface ReferralResponse {
  /** Referrals are on for this shop (and the program is). */
  enabled: boolean;
  /** The friend's offer for `ref`; null without a ref, for an unknown code, or when referrals are off. */
  offer: ReferralOffer | null;
  /** The logged-in member's referral; null for guests, customers who are not members, or when off. */
  own: OwnReferral | null;
}

/** POST /apps/keepsake/referral/claim, JSON body. */
export interface ReferralClaimRequest {
  /** The referrer's code (the `kp_ref` of the link). */
  ref: string;
  email: string;
}

export interface ReferralClaimSuccess {
  /** The friend's own single-use discount code (`KR-…`). Claiming again with the same email and link returns it again. */
  code: string;
  rewardName: string;
  kind: RewardKind;
  expiresAt: string | null;
}

export type ReferralClaimErrorCode =
  | "invalid_body" // 400 (bad JSON, missing ref, not an email)
  | "referrals_disabled" // 403 (off, or no friend reward set)
  | "referral_not_found" // 404 (no member has this code)
  | "self_referral" // 422 the friend is the referrer
  | "existing_customer" // 422 the email already has orders with the shop
  | "email_used" // 409 this email already received a friend reward
  | "ip_limit" // 429 too many claims from this network today
  | "rate_limited" // 429 (with Retry-After)
  | "request_in_progress" // 409 (with Retry-After): the same claim is still being created
  | "shopify_unavailable"; // 502 nothing was recorded; try again

export interface ReferralClaimError {
  error: { code: ReferralClaimErrorCode; message: string };
}
