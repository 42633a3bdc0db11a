import { featureStrings } from "../admin";

/**
 * What the admin's tables call their rows (Polaris IndexTable `resourceName`: "Loading rewards…",
 * "Select all 4 rewards"), one entry per list page.
 */
const en = {
  reward: { singular: "reward", plural: "rewards" },
  campaign: { singular: "campaign", plural: "campaigns" },
  referral: { singular: "referral", plural: "referrals" },
  member: { singular: "member", plural: "members" },
  auditEntry: { singular: "entry", plural: "entries" },
};

const ko: typeof en = {
  reward: { singular: "리워드", plural: "리워드" },
  campaign: { singular: "캠페인", plural: "캠페인" },
  referral: { singular: "추천", plural: "추천" },
  member: { singular: "회원", plural: "회원" },
  auditEntry: { singular: "기록", plural: "기록" },
};

export const listStrings = featureStrings({ en, ko });
export const dictionaries = listStrings.dictionaries;
