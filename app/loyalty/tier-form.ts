/**
 * The Tiers settings form's shapes and the default ladder. Plain data with no server imports: the
 * page's browser bundle uses them (a `.server` module may not be imported by client code).
 */
import type { QUALIFICATION_PERIODS, THRESHOLD_KINDS } from "./tiers";

/** One tier as the form edits it (all strings/booleans, like the page state). */
export interface TierForm {
  handle: string;
  name: string;
  thresholdKind: (typeof THRESHOLD_KINDS)[number];
  thresholdValue: string;
  qualificationPeriod: (typeof QUALIFICATION_PERIODS)[number];
  earnMultiplier: string;
  entryRewardKind: "none" | "points" | "reward";
  entryRewardPoints: string;
  entryRewardId: string;
  perks: string;
  hidden: boolean;
  /** A hidden tier's rule: "" = staff assign it, else the segment whose members the daily refresh places in it. */
  assignSegment: string;
}

export interface TierSettingsView {
  tiersEnabled: boolean;
  tierDowngrade: "to_qualifying" | "one_level";
  tierGraceDays: string;
  tierRefundsDemote: boolean;
  tiers: TierForm[];
}

/** The ladder a shop starts from when it has none. */
export const DEFAULT_LADDER: TierForm[] = [
  ["bronze", "Bronze", "0", "1"],
  ["silver", "Silver", "500", "1.25"],
  ["gold", "Gold", "1500", "1.5"],
].map(([handle, name, thresholdValue, earnMultiplier]) => ({
  handle: handle ?? "",
  name: name ?? "",
  thresholdKind: "points_earned",
  thresholdValue: thresholdValue ?? "0",
  qualificationPeriod: "calendar_year",
  earnMultiplier: earnMultiplier ?? "1",
  entryRewardKind: "none",
  entryRewardPoints: "",
  entryRewardId: "",
  perks: "",
  hidden: false,
  assignSegment: "",
}));

