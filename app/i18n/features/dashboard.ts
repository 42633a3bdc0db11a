import { featureStrings } from "../admin";

const en = {
  title: "Dashboard",
  statusHeading: "Program status",
  on: "On",
  off: "Off",
  earning: "Customers earn {rate} point(s) per 1 {currency} spent on merchandise ({details}).",
  rounding: { floor: "rounded down", round: "rounded to nearest", ceil: "rounded up" },
  minimumOrder: "orders from {amount} {currency}",
  posIncluded: "POS orders included",
  posExcluded: "POS orders excluded",
  detailsSeparator: ", ",
  signupBonus: "New customers get {count} points.",
  members: "Members",
  pointsOutstanding: "Points outstanding",
  activityHeadings: { member: "Member", activity: "Activity", points: "Points", when: "When" },
  activityEmptyHeading: "No points activity yet",
  activityEmptyBody: "Points appear here as soon as a customer's order is paid.",
  dataRequestsHeading: "Customer data requests",
  dataRequestsBody: "Shopify asked for the data Keepsake holds on these customers. Download each document and send it to the customer.",
  dataRequestLine: "Request {id} — customer {customer} ({date})",
  download: "Download",
  downloadLabel: "Download data request {id}",
  downloadFailed: "The document could not be downloaded; try again.",
};

const ko: typeof en = {
  title: "대시보드",
  statusHeading: "프로그램 상태",
  on: "켜짐",
  off: "꺼짐",
  earning: "고객은 상품 구매 1 {currency}당 {rate}포인트를 적립합니다({details}).",
  rounding: { floor: "내림", round: "반올림", ceil: "올림" },
  minimumOrder: "{amount} {currency} 이상 주문",
  posIncluded: "POS 주문 포함",
  posExcluded: "POS 주문 제외",
  detailsSeparator: ", ",
  signupBonus: "신규 고객은 {count}포인트를 받습니다.",
  members: "회원",
  pointsOutstanding: "미사용 포인트",
  activityHeadings: { member: "회원", activity: "활동", points: "포인트", when: "일시" },
  activityEmptyHeading: "아직 포인트 활동이 없습니다",
  activityEmptyBody: "고객의 주문이 결제되면 바로 여기에 포인트가 표시됩니다.",
  dataRequestsHeading: "고객 데이터 요청",
  dataRequestsBody: "Shopify가 Keepsake에 저장된 이 고객들의 데이터를 요청했습니다. 각 문서를 다운로드하여 고객에게 보내세요.",
  dataRequestLine: "요청 {id} — 고객 {customer} ({date})",
  download: "다운로드",
  downloadLabel: "데이터 요청 {id} 다운로드",
  downloadFailed: "문서를 다운로드하지 못했습니다. 다시 시도하세요.",
};

export const dashboardStrings = featureStrings({ en, ko });
export const dictionaries = dashboardStrings.dictionaries;
