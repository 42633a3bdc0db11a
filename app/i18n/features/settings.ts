import { featureStrings } from "../admin";

const en = {
  title: "Settings",
  intro: "Set up each part of your program. Changes apply to future events only; every change is logged.",
  open: "Open",
  sections: {
    program: { title: "Points", body: "Earn rate, rounding, minimum order, POS and test orders, sign-up bonus." },
    rewards: { title: "Rewards", body: "What members can redeem their points for." },
    campaigns: { title: "Bonus campaigns", body: "Double points days and extra points on orders, in your shop's time zone." },
    tiers: { title: "VIP tiers", body: "Tier ladder, thresholds, points multipliers, entry rewards, perks and retention." },
    expiry: { title: "Points expiry", body: "Expire unused points after inactivity or a time after each earning, with reminders before." },
    referrals: { title: "Referrals", body: "Friend's discount, referrer's reward, pending days and limits against abuse; rejected referrals." },
    birthdays: { title: "Birthdays", body: "A yearly birthday gift (points or a reward code), when it comes, notice and change rules, the birthday pop-up." },
    earn: { title: "Ways to earn", body: "Points for social follows and shares, newsletter sign-ups, reviews and custom actions; the integration secret." },
    segments: { title: "Segments", body: "New, active, loyal, at-risk and churned members: tune the recency, frequency and spend rules." },
    import: { title: "Import and export", body: "Import members and balances from a CSV (Smile.io, LoyaltyLion or generic); export members and the ledger." },
    widget: { title: "Storefront widget", body: "The rewards launcher, birthday pop-up and page blocks: colors, position and texts in the theme editor." },
    audit: { title: "Audit log", body: "Every change staff made to settings, rewards, campaigns and members: who, when, and what changed from what." },
  },
};

const ko: typeof en = {
  title: "설정",
  intro: "프로그램의 각 부분을 설정하세요. 변경 사항은 이후 이벤트에만 적용되며 모든 변경이 기록됩니다.",
  open: "열기",
  sections: {
    program: { title: "포인트", body: "적립률, 반올림, 최소 주문 금액, POS 및 테스트 주문, 가입 보너스." },
    rewards: { title: "리워드", body: "회원이 포인트로 교환할 수 있는 항목." },
    campaigns: { title: "보너스 캠페인", body: "상점 시간대 기준의 포인트 두 배 행사와 주문 추가 포인트." },
    tiers: { title: "VIP 등급", body: "등급 구성, 기준, 포인트 배수, 진입 보상, 혜택 및 등급 유지." },
    expiry: { title: "포인트 소멸", body: "활동이 없거나 적립 후 일정 기간이 지나면 사용하지 않은 포인트를 소멸하고, 그 전에 알림을 보냅니다." },
    referrals: { title: "추천", body: "친구 할인, 추천인 리워드, 보류 기간, 악용 방지 한도 및 거부된 추천." },
    birthdays: { title: "생일", body: "매년 생일 선물(포인트 또는 리워드 코드), 지급 시점, 등록·변경 규칙, 생일 팝업." },
    earn: { title: "적립 방법", body: "소셜 팔로우·공유, 뉴스레터 구독, 리뷰와 사용자 지정 활동 포인트, 연동 비밀 키." },
    segments: { title: "세그먼트", body: "신규, 활성, 충성, 이탈 위험, 이탈 회원: 최근성, 빈도, 구매 금액 규칙을 조정합니다." },
    import: { title: "가져오기 및 내보내기", body: "CSV(Smile.io, LoyaltyLion 또는 일반 형식)로 회원과 잔액을 가져오고 회원과 원장을 내보냅니다." },
    widget: { title: "스토어 위젯", body: "리워드 런처, 생일 팝업, 페이지 블록: 색상, 위치, 문구는 테마 편집기에서 설정합니다." },
    audit: { title: "감사 로그", body: "직원이 설정, 리워드, 캠페인, 회원에 대해 변경한 모든 내용: 누가, 언제, 무엇을 무엇으로 바꿨는지." },
  },
};

export const settingsStrings = featureStrings({ en, ko });
export const dictionaries = settingsStrings.dictionaries;
