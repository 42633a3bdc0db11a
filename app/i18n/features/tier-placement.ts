import { featureStrings } from "../admin";

/** The Tiers page's notice while a settings save re-places the members (ADR 012 "Program changes"). */
const en = {
  title: "Updating members' tiers…",
  body: "Your last save changes who belongs in which tier. Members are being re-placed in the background: promoted where they now qualify, moved out of removed tiers, and their Shopify tags and tier metafields updated. Nobody is demoted before their own review.",
  progress: "{processed} of {total} members",
  progressLabel: "Members re-placed",
};

const ko: typeof en = {
  title: "회원 등급 업데이트 중…",
  body: "마지막 저장으로 등급 배정이 바뀌었습니다. 백그라운드에서 회원을 다시 배정하고 있습니다. 새로 자격을 갖춘 회원은 승급하고, 삭제된 등급의 회원은 다른 등급으로 옮기며, Shopify 태그와 등급 메타필드를 업데이트합니다. 각 회원의 심사일 전에는 아무도 강등되지 않습니다.",
  progress: "회원 {total}명 중 {processed}명",
  progressLabel: "다시 배정된 회원",
};

export const tierPlacementStrings = featureStrings({ en, ko });
export const dictionaries = tierPlacementStrings.dictionaries;
