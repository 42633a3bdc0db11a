/**
 * Text the server writes in English — zod validation messages, services' error messages, route
 * errors, ledger entry descriptions — in the staff member's language, translated in the browser where
 * the admin pages show it (docs/decisions/010-admin-pages.md, "Server messages").
 *
 * The catalogue is keyed by the exact English text. `{name}` stands for a value the server filled in
 * (a number, a limit, a reward's name): the English key becomes a pattern, and the Korean text gets
 * the same values. tests/unit/server-messages.test.ts scans app/loyalty and app/routes/app* for every
 * message literal and fails when one has no Korean translation here.
 */
import { useAdminStrings, type AdminLocale } from "./admin";

export const SERVER_MESSAGES_KO: Record<string, string> = {
  // --- generic (routes, shared form fields) ---
  "Not found": "찾을 수 없음",
  "Unknown action": "알 수 없는 작업입니다",
  "Member not found": "회원을 찾을 수 없습니다",
  "Reward not found": "리워드를 찾을 수 없습니다",
  "Campaign not found": "캠페인을 찾을 수 없습니다",
  "No such data request for this shop": "이 상점에 해당 데이터 요청이 없습니다",
  "requestId must be a Shopify data request id": "requestId는 Shopify 데이터 요청 ID여야 합니다",
  "must be a Shopify data request id": "Shopify 데이터 요청 ID여야 합니다",
  "Missing request id; reload the page": "요청 ID가 없습니다. 페이지를 새로 고치세요",
  "At most 200 characters": "최대 200자",
  "Must be at least 1": "1 이상이어야 합니다",
  "Must be at least {min}": "{min} 이상이어야 합니다",
  "Must be at most {max}": "{max} 이하여야 합니다",
  "Must be at most 1000": "1000 이하여야 합니다",
  "Must be at most 10000": "10000 이하여야 합니다",
  "Must be at most 1,000,000": "1,000,000 이하여야 합니다",
  "Must be more than 0": "0보다 커야 합니다",
  "Must not be 0": "0이 아니어야 합니다",
  "Must be on or after the start date": "시작일과 같거나 이후여야 합니다",
  "Must be at least the minimum": "최솟값 이상이어야 합니다",
  "Use a date like 2026-01-31": "2026-01-31 같은 날짜를 입력하세요",
  "Enter a whole number of points from 1 to 1,000,000": "1에서 1,000,000 사이의 정수 포인트를 입력하세요",
  "The form could not be read; reload the page.": "양식을 읽을 수 없습니다. 페이지를 새로 고치세요.",
  // zod's own messages (only a tampered form reaches them)
  "Invalid option: expected one of {options}": "올바르지 않은 선택입니다: {options} 중 하나여야 합니다",
  "Invalid input: expected {expected}, received {received}": "올바르지 않은 입력입니다: {expected}이(가) 필요하지만 {received}을(를) 받았습니다",
  "Too small: expected {type} to have >={min} characters": "너무 짧습니다: {min}자 이상이어야 합니다",
  "Too big: expected {type} to have <={max} characters": "너무 깁니다: {max}자 이하여야 합니다",
  "Too small: expected {type} to be >={min}": "너무 작습니다: {min} 이상이어야 합니다",
  "Too big: expected {type} to be <={max}": "너무 큽니다: {max} 이하여야 합니다",
  "Invalid string: must match pattern {pattern}": "올바르지 않은 형식입니다: {pattern} 형식이어야 합니다",

  // --- dashboard onboarding ---
  "Choose a checklist step": "체크리스트 단계를 선택하세요",
  "This step is done from the shop's settings, not by hand": "이 단계는 직접 표시하지 않고 상점 설정에서 완료됩니다",
  "Finish every step before hiding the checklist": "체크리스트를 숨기기 전에 모든 단계를 완료하세요",

  // --- program ---
  "Enter a number like 1 or 0.5": "1 또는 0.5 같은 숫자를 입력하세요",
  "Enter an amount like 25.00, or leave it empty": "25.00 같은 금액을 입력하거나 비워 두세요",
  "Enter a whole number of points (0 for none)": "정수 포인트를 입력하세요(없으면 0)",

  // --- rewards ---
  "must be more than 0": "0보다 커야 합니다",
  "must be a decimal amount like 5.00": "5.00 같은 금액이어야 합니다",
  "must not be negative": "음수일 수 없습니다",
  "must be a decimal amount like 50.00": "50.00 같은 금액이어야 합니다",
  "must be a ProductVariant GID": "ProductVariant GID여야 합니다",
  "is required for {kind}": "{kind} 유형에는 필수입니다",
  "minPoints and maxPoints must be multiples of pointsPerStep": "최소·최대 포인트는 단계당 포인트의 배수여야 합니다",
  "must not be below minPoints": "최소 포인트보다 작을 수 없습니다",
  "must be at most 100": "100 이하여야 합니다",
  "Choose how many points to spend ({min}–{max}).": "사용할 포인트를 선택하세요({min}–{max}).",
  "Spend between {min} and {max} points.": "{min}~{max}포인트 사이로 사용하세요.",
  "Spend a multiple of {step} points.": "{step}포인트 단위로 사용하세요.",
  "This reward is not set up.": "이 리워드는 설정되지 않았습니다.",
  "The reward to grant does not exist.": "지급할 리워드가 없습니다.",
  "Only fixed discounts can be given away (not sliding scales or donations).": "고정 할인만 무료로 지급할 수 있습니다(슬라이딩 스케일이나 기부는 불가).",
  "This reward has no fixed value.": "이 리워드에는 고정 금액이 없습니다.",
  "This reward is being issued; try again shortly.": "이 리워드를 발급하는 중입니다. 잠시 후 다시 시도하세요.",
  "Shopify did not create the code; it will be retried.": "Shopify가 코드를 만들지 않았습니다. 다시 시도됩니다.",
  "The grant was given up meanwhile; it will be retried.": "그 사이 지급이 중단되었습니다. 다시 시도됩니다.",
  "short of {points} points": "{points}포인트 부족",

  // --- members ---
  "Enter a whole number of points, like 50 or -50": "50 또는 -50 같은 정수 포인트를 입력하세요",
  "Must be between -1,000,000 and 1,000,000": "-1,000,000에서 1,000,000 사이여야 합니다",
  "Say why (customers may ask)": "사유를 입력하세요(고객이 물어볼 수 있습니다)",
  "The balance is {balance} points: a member's points cannot go below zero.": "잔액이 {balance}포인트입니다. 회원의 포인트는 0 미만이 될 수 없습니다.",
  "This reward is {status}": "이 리워드는 {status} 상태입니다",
  "not cancellable": "취소할 수 없는",
  used: "사용됨",
  cancelled: "취소됨",
  failed: "실패",
  pending: "대기 중",
  issued: "미사용",
  "Enter a whole number of points, 0 or more": "0 이상의 정수 포인트를 입력하세요",
  "Unknown tier": "알 수 없는 등급입니다",
  "Unknown segment": "알 수 없는 세그먼트입니다",
  "Unknown sort": "알 수 없는 정렬입니다",
  "Unknown direction": "알 수 없는 정렬 방향입니다",
  "Choose a tier": "등급을 선택하세요",
  "Choose a tier of this shop's ladder": "이 상점의 등급 중에서 선택하세요",
  "Turn VIP tiers on before changing a member's tier": "회원의 등급을 바꾸려면 먼저 VIP 등급을 켜세요",

  // --- tiers ---
  "lower-case letters, digits and dashes": "영문 소문자, 숫자, 대시(-)만 사용할 수 있습니다",
  "a decimal such as 1.5": "1.5 같은 소수를 입력하세요",
  "is used by another tier": "다른 등급이 이미 사용 중입니다",
  "is not a valid {kind} threshold": "올바른 {kind} 기준값이 아닙니다",
  "must be at least 1": "1 이상이어야 합니다",
  "every tier uses the same threshold kind": "모든 등급은 같은 기준 유형을 사용해야 합니다",
  "every tier uses the same qualification period": "모든 등급은 같은 자격 기간을 사용해야 합니다",
  "exactly one base tier, the first, has threshold 0": "첫 번째 기본 등급 하나만 기준값이 0이어야 합니다",
  "the base tier cannot be hidden": "기본 등급은 숨길 수 없습니다",
  "only a hidden tier can be assigned by segment": "세그먼트 자동 지정은 숨김 등급에만 설정할 수 있습니다",
  "is not a segment Keepsake computes": "Keepsake가 계산하는 세그먼트가 아닙니다",
  "another hidden tier already assigns this segment": "다른 숨김 등급이 이미 이 세그먼트를 지정합니다",
  "thresholds must strictly increase up the ladder": "기준값은 위 등급으로 갈수록 커져야 합니다",
  "Enter a whole number of days (0 for none)": "정수 일수를 입력하세요(없으면 0)",
  "At most 365 days": "최대 365일",
  "The ladder could not be read; reload the page": "등급 구성을 읽을 수 없습니다. 페이지를 새로 고치세요",

  // --- campaigns ---
  "a local date-time yyyy-mm-ddThh:mm": "yyyy-mm-ddThh:mm 형식의 현지 날짜와 시간을 입력하세요",
  "must be after startsAt": "시작 시각 이후여야 합니다",
  "a multiplier greater than 1, such as 2 or 1.5": "2 또는 1.5처럼 1보다 큰 배수를 입력하세요",
  "whole points, at least 1": "1 이상의 정수 포인트를 입력하세요",
  "an amount such as 50.00": "50.00 같은 금액을 입력하세요",
  "unknown tier: {tiers}": "알 수 없는 등급: {tiers}",

  // --- expiry ---
  "a date yyyy-mm-dd": "yyyy-mm-dd 형식의 날짜를 입력하세요",
  "each reminder day once": "알림 일수는 한 번씩만 입력하세요",
  "Each reminder day once": "알림 일수는 한 번씩만 입력하세요",
  "At most 5 reminders": "알림은 최대 5개입니다",
  "Each reminder must be 1 to 365 days before": "각 알림은 1~365일 전이어야 합니다",
  "Enter days as numbers separated by commas, like 30, 3": "30, 3처럼 쉼표로 구분한 일수를 입력하세요",
  "Choose off, inactivity or per earning": "끄기, 비활성 기준 또는 적립별 기준 중에서 선택하세요",
  "Must be 1 to 120 months": "1~120개월이어야 합니다",
  "Enter a whole number of months": "정수 개월 수를 입력하세요",

  // --- segments ---
  "Enter a number of days": "일수를 입력하세요",
  "Enter a whole number of days": "정수 일수를 입력하세요",
  "Enter a number of orders": "주문 수를 입력하세요",
  "Enter a whole number of orders": "정수 주문 수를 입력하세요",
  "Amount too large": "금액이 너무 큽니다",
  "Enter an amount like 150 or 99.50": "150 또는 99.50 같은 금액을 입력하세요",
  "Must be more than the at-risk days": "이탈 위험 일수보다 커야 합니다",

  // --- birthdays, referrals ---
  "Enter a whole number of days (0 to {max})": "정수 일수를 입력하세요(0~{max})",
  "Choose the reward members get on their birthday": "회원이 생일에 받을 리워드를 선택하세요",
  "Choose an active fixed discount, free shipping or free product reward": "활성 상태의 고정 할인, 무료 배송 또는 무료 상품 리워드를 선택하세요",
  "Choose the reward the referrer gets": "추천인이 받을 리워드를 선택하세요",
  "Choose the friend's reward before turning referrals on": "추천을 켜기 전에 친구가 받을 리워드를 선택하세요",

  // --- ways to earn ---
  "must start with https://": "https://로 시작해야 합니다",
  "use 1–48 lowercase letters, digits, - or _": "영문 소문자, 숫자, - 또는 _를 1~48자로 사용하세요",
  "is required": "필수 항목입니다",
  "must be a whole number": "정수여야 합니다",
  "is required for a social action": "소셜 활동에는 필수입니다",
  'must be "{key}"': '"{key}"여야 합니다',
  "must be the key of a review or custom action": "리뷰 또는 사용자 지정 활동의 키여야 합니다",
  "must be printable ASCII without spaces": "공백 없는 출력 가능한 ASCII 문자여야 합니다",
  "must be a customer id or gid://shopify/Customer/<id>": "고객 ID 또는 gid://shopify/Customer/<id>여야 합니다",
  '"{key}" is used twice': '"{key}"이(가) 두 번 사용되었습니다',
  "At most {max} ways to earn.": "적립 방법은 최대 {max}개입니다.",

  // --- import and export ---
  "Choose a format": "형식을 선택하세요",
  "Choose a CSV file": "CSV 파일을 선택하세요",
  "The file is larger than {size} MB": "파일이 {size}MB보다 큽니다",
  "The file is empty": "파일이 비어 있습니다",
  "Not a readable CSV file: {reason}": "읽을 수 없는 CSV 파일입니다: {reason}",
  "The file has a header but no rows": "파일에 머리글만 있고 행이 없습니다",
  "At most {max} rows per file": "파일당 최대 {max}행",
  "The file has no customer column (expected one of: {columns})": "파일에 고객 열이 없습니다(다음 중 하나가 필요합니다: {columns})",
  "no member has this email; add the customer's Shopify id (customer_id) to create one": "이 이메일을 가진 회원이 없습니다. 회원을 만들려면 고객의 Shopify ID(customer_id)를 추가하세요",
  "several members have this email; add the customer's Shopify id (customer_id)": "이 이메일을 가진 회원이 여러 명입니다. 고객의 Shopify ID(customer_id)를 추가하세요",
  "needs a customer id or an email": "고객 ID 또는 이메일이 필요합니다",

  // --- analytics ---
  "Enter a start date as YYYY-MM-DD": "시작일을 YYYY-MM-DD 형식으로 입력하세요",
  "Enter an end date as YYYY-MM-DD": "종료일을 YYYY-MM-DD 형식으로 입력하세요",
  "The end date cannot be in the future": "종료일은 미래일 수 없습니다",
  "The start date must be on or before the end date": "시작일은 종료일과 같거나 이전이어야 합니다",
  "A range can span at most {days} days": "기간은 최대 {days}일까지 선택할 수 있습니다",
  "Choose one of the listed date ranges": "목록의 기간 중 하나를 선택하세요",

  // --- audit log ---
  "Choose a change from the list": "목록에서 변경 유형을 선택하세요",
  "Choose a subject type from the list": "목록에서 대상 유형을 선택하세요",
  "Choose the subject type of this id": "이 ID의 대상 유형을 선택하세요",

  // --- storefront and API answers (the same services; staff see them in logs and tests) ---
  "Log in to earn points.": "로그인하면 포인트를 적립할 수 있습니다.",
  "Join the rewards program to earn points.": "포인트를 적립하려면 리워드 프로그램에 가입하세요.",
  "This way to earn is not available.": "이 적립 방법은 사용할 수 없습니다.",
  "The signature does not match the body.": "서명이 본문과 일치하지 않습니다.",
  "The body must be JSON.": "본문은 JSON이어야 합니다.",
  "The rewards program is paused.": "리워드 프로그램이 일시 중지되었습니다.",
  'No active review or custom action "{key}".': '활성 상태의 리뷰 또는 사용자 지정 활동 "{key}"이(가) 없습니다.',
  "This customer is not a member of the program.": "이 고객은 프로그램 회원이 아닙니다.",
  "Log in to add your birthday.": "로그인하면 생일을 등록할 수 있습니다.",
  "Join the rewards program first.": "먼저 리워드 프로그램에 가입하세요.",
  "Birthday rewards are not offered right now.": "지금은 생일 리워드를 제공하지 않습니다.",
  "Your birthday can be changed again on {date}.": "생일은 {date}에 다시 변경할 수 있습니다.",
  "Your birthday was just changed.": "생일이 방금 변경되었습니다.",

  // --- ledger entry descriptions (points history, dashboard activity) ---
  "Sign-up bonus": "가입 보너스",
  "Order {order}": "주문 {order}",
  "Refund on order {order}": "주문 {order} 환불",
  "Order {order} cancelled": "주문 {order} 취소",
  'Bonus campaign "{name}" on order {order}': '주문 {order}의 보너스 캠페인 "{name}"',
  "Refund on order {order}: campaign bonus": "주문 {order} 환불: 캠페인 보너스",
  "Order {order} cancelled: campaign bonus": "주문 {order} 취소: 캠페인 보너스",
  "Birthday reward {year}": "{year}년 생일 리워드",
  "Points expired ({date})": "포인트 소멸({date})",
  "Imported balance ({format} file {file}, line {line})": "가져온 잔액({format} 파일 {file}, {line}행)",
  "Adjusted by staff: {reason}": "직원 조정: {reason}",
  "Redeemed: {reward}": "사용: {reward}",
  "Points restored: {reward}": "포인트 복원: {reward}",
  "Redemption cancelled: {reward}": "사용 취소: {reward}",
  "Referral reward: a friend's first order": "추천 리워드: 친구의 첫 주문",
  "Referral reward reversed: the friend's order was refunded or cancelled": "추천 리워드 회수: 친구의 주문이 환불 또는 취소됨",
  "Welcome to {tier}": "{tier} 등급 진입",
  "A gift on your birthday": "생일 선물",
  "Points on your birthday": "생일 포인트",
  "{rate} point{plural} per {currency} 1 spent": "{currency} 1당 {rate}포인트",
  "Points for joining": "가입 포인트",
  "Points for each friend you refer": "친구 추천마다 포인트",
};

const CATALOGUES: Record<AdminLocale, Record<string, string> | null> = { en: null, ko: SERVER_MESSAGES_KO };

interface Pattern {
  regex: RegExp;
  names: string[];
  target: string;
  /** Literal characters: a more specific pattern ("Order {order} cancelled") is tried before "Order {order}". */
  weight: number;
}

const PLACEHOLDER = /\{(\w*)\}/g;
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const patternCache = new Map<AdminLocale, Pattern[]>();

function patternsOf(locale: AdminLocale, catalogue: Record<string, string>): Pattern[] {
  let patterns = patternCache.get(locale);
  if (!patterns) {
    patterns = Object.entries(catalogue)
      .filter(([key]) => /\{\w*\}/.test(key))
      .map(([key, target]) => {
        const parts = key.split(PLACEHOLDER); // literal, name, literal, name, …, literal
        const literals = parts.filter((_, index) => index % 2 === 0);
        const names = parts.filter((_, index) => index % 2 === 1);
        return { regex: new RegExp(`^${literals.map(escapeRegExp).join("(.+?)")}$`, "s"), names, target, weight: literals.join("").length };
      })
      .sort((a, b) => b.weight - a.weight);
    patternCache.set(locale, patterns);
  }
  return patterns;
}

/** One server message in `locale`; a message the catalogue does not know stays as the server wrote it. */
export function translateServerMessage(message: string, locale: AdminLocale): string {
  const catalogue = CATALOGUES[locale];
  if (!catalogue || message === "") return message;
  const exact = catalogue[message];
  if (exact !== undefined) return exact;
  for (const pattern of patternsOf(locale, catalogue)) {
    const match = pattern.regex.exec(message);
    if (!match) continue;
    const values = new Map(pattern.names.map((name, index) => [name, match[index + 1] ?? ""]));
    // A value may be a status word ("This reward is used"); data (names, codes, reasons) stays as it is.
    return pattern.target.replace(PLACEHOLDER, (whole, name: string) => {
      const value = values.get(name);
      if (value === undefined) return whole;
      return /^[a-z][a-z ]*$/.test(value) ? (catalogue[value] ?? value) : value;
    });
  }
  // Several zod issues joined into one line ("…; …").
  if (message.includes("; ")) {
    const parts = message.split("; ");
    const translated = parts.map((part) => translateServerMessage(part, locale));
    if (translated.some((part, index) => part !== parts[index])) return translated.join("; ");
  }
  return message;
}

/** Every message of a `{ field: message }` answer in `locale`. */
export function translateFieldErrors<E extends Record<string, string>>(errors: E, locale: AdminLocale): E {
  if (!CATALOGUES[locale]) return errors;
  return Object.fromEntries(Object.entries(errors).map(([field, message]) => [field, translateServerMessage(message, locale)])) as E;
}

/** In a component under app/routes/app.tsx: server messages in the admin's language. */
export function useServerMessages(): {
  message: (text: string) => string;
  errors: <E extends Record<string, string>>(errors: E) => E;
} {
  const { locale } = useAdminStrings();
  return {
    message: (text) => translateServerMessage(text, locale),
    errors: (errors) => translateFieldErrors(errors, locale),
  };
}
