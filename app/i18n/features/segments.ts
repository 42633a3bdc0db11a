import { featureStrings } from "../admin";

const en = {
  title: "Segments",
  intro:
    "Members are grouped by how recently they were active, how often they order and how much they spend. Rules apply in this order: new, churned, at risk, loyal, active. Saving recomputes every member's segment in the background.",
  countsHeading: "Members per segment",
  view: "View members",
  export: "Export CSV",
  unassigned: "Not yet computed: {count}",
  rulesHeading: "Rules",
  newDays: "New: enrolled less than (days)",
  atRiskDays: "At risk: no activity for (days)",
  churnDays: "Churned: no activity for (days)",
  windowDays: "Frequency and spend counted over the last (days)",
  loyalMinOrders: "Loyal: at least this many orders",
  loyalMinSpent: "Loyal: and at least this spent ({currency})",
  savedToast: "Segment rules saved",
  changesHeading: "Recent changes",
  changesEmpty: "No changes saved yet.",
  changeLine: "{when} — staff {who}: {what}",
  segments: {
    new: { title: "New", body: "Joined recently." },
    active: { title: "Active", body: "Active recently, not (yet) loyal." },
    loyal: { title: "Loyal", body: "Order often and spend well." },
    at_risk: { title: "At risk", body: "Quiet for a while." },
    churned: { title: "Churned", body: "Quiet for a long time." },
  },
};

const ko: typeof en = {
  title: "세그먼트",
  intro:
    "회원은 최근 활동 시점, 주문 빈도, 구매 금액으로 분류됩니다. 규칙은 신규, 이탈, 이탈 위험, 충성, 활성 순서로 적용됩니다. 저장하면 모든 회원의 세그먼트가 백그라운드에서 다시 계산됩니다.",
  countsHeading: "세그먼트별 회원 수",
  view: "회원 보기",
  export: "CSV 내보내기",
  unassigned: "아직 계산되지 않음: {count}",
  rulesHeading: "규칙",
  newDays: "신규: 가입 후 (일) 미만",
  atRiskDays: "이탈 위험: 활동 없음 (일)",
  churnDays: "이탈: 활동 없음 (일)",
  windowDays: "빈도와 구매 금액 집계 기간 (최근 일수)",
  loyalMinOrders: "충성: 최소 주문 수",
  loyalMinSpent: "충성: 최소 구매 금액 ({currency})",
  savedToast: "세그먼트 규칙을 저장했습니다",
  changesHeading: "최근 변경 사항",
  changesEmpty: "아직 저장된 변경 사항이 없습니다.",
  changeLine: "{when} — 직원 {who}: {what}",
  segments: {
    new: { title: "신규", body: "최근에 가입했습니다." },
    active: { title: "활성", body: "최근 활동했지만 아직 충성 고객은 아닙니다." },
    loyal: { title: "충성", body: "자주 주문하고 많이 구매합니다." },
    at_risk: { title: "이탈 위험", body: "한동안 활동이 없습니다." },
    churned: { title: "이탈", body: "오랫동안 활동이 없습니다." },
  },
};

export const segmentsStrings = featureStrings({ en, ko });
export const dictionaries = segmentsStrings.dictionaries;
