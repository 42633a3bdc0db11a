/**
 * Strings of the admin pages, one dictionary per locale (en is the source; ko follows it key for key —
 * the `satisfies` below makes a missing Korean key a type error). Pages read them with `useAdminStrings()`;
 * `{name}` placeholders are filled by `format()`. Shopify passes the staff member's locale as `?locale=`
 * when it opens the app; app/routes/app.tsx reads it once.
 */
import { useRouteLoaderData } from "@remix-run/react";

const en = {
  nav: { dashboard: "Dashboard", program: "Program", rewards: "Rewards", members: "Members", settings: "Settings" },
  common: {
    save: "Save",
    discard: "Discard",
    saved: "Saved",
    points: "{count} points",
    previous: "Previous",
    next: "Next",
    fixErrors: "Fix the highlighted fields and save again.",
    notFound: "Not found",
  },
  program: {
    title: "Program",
    intro: "Changes apply to orders and sign-ups from now on. Points already earned keep the rule they were earned under.",
    statusHeading: "Program status",
    programEnabled: "Customers earn points",
    programEnabledHelp: "When off, orders earn nothing and rewards cannot be redeemed.",
    earningHeading: "Earning",
    earnRate: "Points per 1 {currency} spent",
    earnRateHelp: "On merchandise after discounts, excluding shipping and taxes.",
    earnRounding: "Rounding",
    roundingFloor: "Round down",
    roundingRound: "Round to nearest",
    roundingCeil: "Round up",
    minimumOrderAmount: "Minimum order ({currency})",
    minimumOrderAmountHelp: "Orders below this earn nothing. Leave empty for no minimum.",
    includePosOrders: "Point of Sale orders earn points",
    includeTestOrders: "Test orders earn points",
    signupHeading: "Sign-up bonus",
    signupBonusPoints: "Points for joining",
    signupBonusPointsHelp: "0 = no bonus.",
    savedToast: "Program saved",
    changesHeading: "Recent changes",
    changesEmpty: "No changes saved yet.",
    changeLine: "{when} — staff {who}: {what}",
    nothingChanged: "saved without changes",
    settingNames: {
      programEnabled: "program on/off",
      earnRate: "points rate",
      earnRounding: "rounding",
      minimumOrderAmount: "minimum order",
      includePosOrders: "POS orders",
      includeTestOrders: "test orders",
      signupBonusPoints: "sign-up bonus",
    },
  },
  rewards: {
    title: "Rewards",
    create: "Create reward",
    emptyHeading: "Offer your first reward",
    emptyBody: "Customers spend points on rewards: an amount or percentage off, free shipping, a free product, or a donation. Create one to show it in your storefront.",
    name: "Name",
    kind: "Type",
    cost: "Cost",
    status: "Status",
    redemptions: "Redemptions",
    active: "Active",
    archived: "Archived",
    kinds: {
      amount_off: "Amount off",
      percent_off: "Percentage off",
      free_shipping: "Free shipping",
      free_product: "Free product",
      sliding_scale: "Sliding scale",
      donation: "Donation",
    },
  },
  reward: {
    newTitle: "New reward",
    details: "Details",
    pointsCost: "Points cost",
    amount: "Discount amount ({currency})",
    percentage: "Percentage off",
    variantGid: "Product variant ID",
    variantGidHelp: "gid://shopify/ProductVariant/…",
    pointsPerStep: "Points per step",
    amountPerStep: "Amount per step ({currency})",
    minPoints: "Minimum points",
    maxPoints: "Maximum points",
    donationCause: "Cause",
    minimumSubtotal: "Minimum order subtotal ({currency})",
    codeExpiresInDays: "Code expires after (days)",
    codeExpiresInDaysHelp: "Leave empty for codes that never expire.",
    combinesHeading: "Combines with",
    combinesWithOrderDiscounts: "Order discounts",
    combinesWithProductDiscounts: "Product discounts",
    combinesWithShippingDiscounts: "Shipping discounts",
    previewHeading: "What shoppers see",
    previewValue: {
      amount_off: "{amount} {currency} off",
      percent_off: "{percentage}% off",
      free_shipping: "Free shipping",
      free_product: "A free product",
      sliding_scale: "{amount} {currency} off per {points} points ({min}–{max} points)",
      donation: "A donation to {cause}",
    },
    archive: "Archive",
    unarchive: "Make active again",
    archiveHelp: "Archived rewards disappear from the storefront. Codes already issued keep working.",
    createdToast: "Reward created",
    savedToast: "Reward saved",
    archivedToast: "Reward archived",
    unarchivedToast: "Reward active again",
  },
  members: {
    title: "Members",
    searchLabel: "Search members",
    searchPlaceholder: "Search by name or email",
    name: "Name",
    email: "Email",
    balance: "Balance",
    joined: "Joined",
    lastActivity: "Last activity",
    sortBalance: "Balance",
    sortJoined: "Joined",
    sortActivity: "Last activity",
    sortLabel: "Sort by",
    emptyHeading: "No members yet",
    emptyBody: "Customers become members when they create an account or place an order.",
    noMatches: "No members match “{query}”.",
    erased: "(erased customer)",
    noName: "(no name)",
  },
  member: {
    balance: "Balance",
    joined: "Member since {date}",
    history: "Points history",
    historyEmpty: "No points activity yet.",
    activity: "Activity",
    points: "Points",
    when: "When",
    rewardsHeading: "Rewards issued",
    rewardsEmpty: "No rewards redeemed yet.",
    reward: "Reward",
    code: "Code",
    status: "Status",
    cancel: "Cancel unused reward",
    cancelledToast: "Reward cancelled, {count} points returned",
    adjustHeading: "Adjust points",
    adjustDelta: "Points (+ to add, − to remove)",
    adjustReason: "Reason",
    adjustReasonHelp: "Required. Kept on the ledger entry with your staff id.",
    adjustSubmit: "Adjust points",
    adjustedToast: "Balance is now {balance} points",
    statuses: { pending: "Pending", issued: "Unused", failed: "Failed", used: "Used", cancelled: "Cancelled" },
  },
};

export type AdminStrings = typeof en;

/** Every key of `en`, as a string: a translation may not drop or add a key. */
type Shape<T> = { [K in keyof T]: T[K] extends string ? string : Shape<T[K]> };

const ko = {
  nav: { dashboard: "대시보드", program: "프로그램", rewards: "리워드", members: "회원", settings: "설정" },
  common: {
    save: "저장",
    discard: "취소",
    saved: "저장됨",
    points: "{count}포인트",
    previous: "이전",
    next: "다음",
    fixErrors: "표시된 항목을 고친 후 다시 저장하세요.",
    notFound: "찾을 수 없음",
  },
  program: {
    title: "프로그램",
    intro: "변경 사항은 지금부터의 주문과 가입에 적용됩니다. 이미 적립된 포인트는 적립 당시의 규칙을 유지합니다.",
    statusHeading: "프로그램 상태",
    programEnabled: "고객이 포인트를 적립함",
    programEnabledHelp: "끄면 주문에 포인트가 적립되지 않고 리워드를 사용할 수 없습니다.",
    earningHeading: "적립",
    earnRate: "1 {currency}당 포인트",
    earnRateHelp: "할인 후 상품 금액 기준(배송비와 세금 제외).",
    earnRounding: "반올림",
    roundingFloor: "내림",
    roundingRound: "반올림",
    roundingCeil: "올림",
    minimumOrderAmount: "최소 주문 금액({currency})",
    minimumOrderAmountHelp: "이 금액 미만의 주문은 적립되지 않습니다. 비워 두면 최소 금액이 없습니다.",
    includePosOrders: "POS 주문도 포인트 적립",
    includeTestOrders: "테스트 주문도 포인트 적립",
    signupHeading: "가입 보너스",
    signupBonusPoints: "가입 시 포인트",
    signupBonusPointsHelp: "0 = 보너스 없음.",
    savedToast: "프로그램이 저장되었습니다",
    changesHeading: "최근 변경",
    changesEmpty: "아직 저장된 변경이 없습니다.",
    changeLine: "{when} — 직원 {who}: {what}",
    nothingChanged: "변경 없이 저장",
    settingNames: {
      programEnabled: "프로그램 켜기/끄기",
      earnRate: "적립률",
      earnRounding: "반올림",
      minimumOrderAmount: "최소 주문 금액",
      includePosOrders: "POS 주문",
      includeTestOrders: "테스트 주문",
      signupBonusPoints: "가입 보너스",
    },
  },
  rewards: {
    title: "리워드",
    create: "리워드 만들기",
    emptyHeading: "첫 리워드를 만들어 보세요",
    emptyBody: "고객은 포인트로 리워드를 받습니다: 금액 또는 비율 할인, 무료 배송, 무료 상품, 기부. 리워드를 만들면 스토어에 표시됩니다.",
    name: "이름",
    kind: "유형",
    cost: "비용",
    status: "상태",
    redemptions: "사용 횟수",
    active: "활성",
    archived: "보관됨",
    kinds: {
      amount_off: "금액 할인",
      percent_off: "비율 할인",
      free_shipping: "무료 배송",
      free_product: "무료 상품",
      sliding_scale: "슬라이딩 스케일",
      donation: "기부",
    },
  },
  reward: {
    newTitle: "새 리워드",
    details: "세부 정보",
    pointsCost: "필요 포인트",
    amount: "할인 금액({currency})",
    percentage: "할인율",
    variantGid: "상품 옵션 ID",
    variantGidHelp: "gid://shopify/ProductVariant/…",
    pointsPerStep: "단계당 포인트",
    amountPerStep: "단계당 금액({currency})",
    minPoints: "최소 포인트",
    maxPoints: "최대 포인트",
    donationCause: "기부처",
    minimumSubtotal: "최소 주문 소계({currency})",
    codeExpiresInDays: "코드 만료(일)",
    codeExpiresInDaysHelp: "비워 두면 코드가 만료되지 않습니다.",
    combinesHeading: "함께 사용 가능",
    combinesWithOrderDiscounts: "주문 할인",
    combinesWithProductDiscounts: "상품 할인",
    combinesWithShippingDiscounts: "배송 할인",
    previewHeading: "고객에게 보이는 모습",
    previewValue: {
      amount_off: "{amount} {currency} 할인",
      percent_off: "{percentage}% 할인",
      free_shipping: "무료 배송",
      free_product: "무료 상품",
      sliding_scale: "{points}포인트당 {amount} {currency} 할인({min}–{max}포인트)",
      donation: "{cause}에 기부",
    },
    archive: "보관",
    unarchive: "다시 활성화",
    archiveHelp: "보관된 리워드는 스토어에서 사라집니다. 이미 발급된 코드는 계속 사용할 수 있습니다.",
    createdToast: "리워드가 생성되었습니다",
    savedToast: "리워드가 저장되었습니다",
    archivedToast: "리워드가 보관되었습니다",
    unarchivedToast: "리워드가 다시 활성화되었습니다",
  },
  members: {
    title: "회원",
    searchLabel: "회원 검색",
    searchPlaceholder: "이름 또는 이메일로 검색",
    name: "이름",
    email: "이메일",
    balance: "잔액",
    joined: "가입일",
    lastActivity: "최근 활동",
    sortBalance: "잔액",
    sortJoined: "가입일",
    sortActivity: "최근 활동",
    sortLabel: "정렬",
    emptyHeading: "아직 회원이 없습니다",
    emptyBody: "고객이 계정을 만들거나 주문하면 회원이 됩니다.",
    noMatches: "“{query}”와 일치하는 회원이 없습니다.",
    erased: "(삭제된 고객)",
    noName: "(이름 없음)",
  },
  member: {
    balance: "잔액",
    joined: "{date}부터 회원",
    history: "포인트 내역",
    historyEmpty: "아직 포인트 활동이 없습니다.",
    activity: "활동",
    points: "포인트",
    when: "일시",
    rewardsHeading: "발급된 리워드",
    rewardsEmpty: "아직 사용한 리워드가 없습니다.",
    reward: "리워드",
    code: "코드",
    status: "상태",
    cancel: "미사용 리워드 취소",
    cancelledToast: "리워드가 취소되어 {count}포인트가 반환되었습니다",
    adjustHeading: "포인트 조정",
    adjustDelta: "포인트(+ 추가, − 차감)",
    adjustReason: "사유",
    adjustReasonHelp: "필수. 직원 ID와 함께 원장 항목에 기록됩니다.",
    adjustSubmit: "포인트 조정",
    adjustedToast: "잔액: {balance}포인트",
    statuses: { pending: "대기 중", issued: "미사용", failed: "실패", used: "사용됨", cancelled: "취소됨" },
  },
} satisfies Shape<AdminStrings>;

export const ADMIN_LOCALES = ["en", "ko"] as const;
export type AdminLocale = (typeof ADMIN_LOCALES)[number];

const DICTIONARIES: Record<AdminLocale, AdminStrings> = { en, ko };

/** "ko-KR" → "ko"; anything we have no translation for → "en". */
export function adminLocale(requested: string | null | undefined): AdminLocale {
  const language = (requested ?? "").toLowerCase().split(/[-_]/)[0];
  return (ADMIN_LOCALES as readonly string[]).includes(language ?? "") ? (language as AdminLocale) : "en";
}

export function adminStrings(locale: AdminLocale): AdminStrings {
  return DICTIONARIES[locale];
}

export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));
}

/** The strings of the locale app/routes/app.tsx chose for this admin session. */
export function useAdminStrings(): { locale: AdminLocale; t: AdminStrings } {
  const data = useRouteLoaderData<{ locale?: AdminLocale }>("routes/app");
  const locale = data?.locale ?? "en";
  return { locale, t: adminStrings(locale) };
}

/**
 * A feature's own admin strings (tiers, campaigns, expiry, birthdays, referrals, …), kept in
 * app/i18n/features/<feature>.ts so each feature's pages don't all edit this file. The module must
 * export `dictionaries` (the value passed here); tests/unit/admin-i18n.test.ts checks every such file
 * like the main dictionary (ko has every en key, nothing empty, same placeholders).
 */
export function featureStrings<T extends object>(dictionaries: Record<AdminLocale, T>) {
  return {
    dictionaries,
    strings: (locale: AdminLocale): T => dictionaries[locale],
    /** In a component under app/routes/app.tsx: the feature's strings in the admin's language. */
    useStrings: (): { locale: AdminLocale; t: T; common: AdminStrings } => {
      const { locale, t } = useAdminStrings();
      return { locale, t: dictionaries[locale], common: t };
    },
  };
}
