/**
 * The reward editor's form shape, shared by the page (browser) and rewards-admin.server.ts. Kept
 * apart from rewards.ts because that module uses node:crypto (codes) and must stay out of the
 * client bundle.
 */
import type { RewardKind } from "./storefront-contract";

/** The kinds the editor offers, in menu order (the same set as rewards.ts REWARD_KINDS). */
export const REWARD_FORM_KINDS = [
  "amount_off",
  "percent_off",
  "free_shipping",
  "free_product",
  "sliding_scale",
  "donation",
] as const satisfies readonly RewardKind[];

export function isRewardFormKind(kind: string): kind is RewardKind {
  return (REWARD_FORM_KINDS as readonly string[]).includes(kind);
}

/** The form's fields: strings and booleans, as the admin edits them. */
export interface RewardFormValues {
  kind: RewardKind;
  name: string;
  pointsCost: string;
  amount: string;
  percentage: string;
  variantGid: string;
  pointsPerStep: string;
  amountPerStep: string;
  minPoints: string;
  maxPoints: string;
  minimumSubtotal: string;
  codeExpiresInDays: string;
  donationCause: string;
  combinesWithOrderDiscounts: boolean;
  combinesWithProductDiscounts: boolean;
  combinesWithShippingDiscounts: boolean;
  active: boolean;
}

export const EMPTY_REWARD_FORM: RewardFormValues = {
  kind: "amount_off",
  name: "",
  pointsCost: "",
  amount: "",
  percentage: "",
  variantGid: "",
  pointsPerStep: "",
  amountPerStep: "",
  minPoints: "",
  maxPoints: "",
  minimumSubtotal: "",
  codeExpiresInDays: "",
  donationCause: "",
  combinesWithOrderDiscounts: false,
  combinesWithProductDiscounts: false,
  combinesWithShippingDiscounts: false,
  active: true,
};
