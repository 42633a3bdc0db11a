import { featureStrings } from "../admin";

const en = {
  title: "Points expiry",
  intro:
    "Unused points can expire so your program's liability stays under control. Members are reminded before their points expire, and no point expires before a full notice period after you turn expiry on.",
  modeHeading: "Expiry rule",
  mode: "When points expire",
  modeOff: "Never",
  modeInactivity: "After a period without activity",
  modePerEarning: "A fixed time after each earning",
  modeHelpOff: "Points never expire.",
  modeHelpInactivity: "The whole balance expires when a member has not earned or redeemed for this many months.",
  modeHelpPerEarning: "Each earning expires this many months after it was earned; points spent come from the oldest first.",
  months: "Months",
  monthsHelp: "1 to 120 months.",
  remindersHeading: "Reminders",
  reminderDays: "Remind members this many days before",
  reminderDaysHelp: "Up to 5, separated by commas (for example 30, 3). Each reminder is a \"points expiring\" notice with a Shopify Flow trigger payload.",
  statusHeading: "Status",
  statusOff: "Expiry is off.",
  statusOn: "Expiry counts from {enabledOn}. No points expire before {earliest} (the notice period). Days are in the shop's time zone ({timezone}).",
  restartNote: "Turning expiry on, switching the rule or shortening the months starts a new notice period today.",
  savedToast: "Expiry settings saved",
  confirmOnTitle: "Turn on points expiry?",
  confirmChangeTitle: "Start a new notice period?",
  confirmBody:
    "Saving starts a new notice period today. From then on members' unused points expire by this rule, and members are reminded before they do. Shoppers see the date their points expire in the rewards widget.",
  confirmSave: "Save and start notice period",
  cancel: "Cancel",
  changesHeading: "Recent changes",
  changeLine: "{at} by {who}: {fields}",
  staffUnknown: "unknown staff",
  noChanges: "No changes yet.",
  /** The settings a change line names (the audit log's keys). */
  fieldNames: {
    expiryMode: "rule",
    expiryMonths: "months",
    expiryEnabledOn: "notice start",
    expiryReminderDays: "reminders",
    expiryChangedAt: "notice start",
  } as Record<string, string>,
};

const ko: typeof en = {
  title: "포인트 소멸",
  intro:
    "사용하지 않은 포인트가 소멸되도록 하여 프로그램 부채를 관리할 수 있습니다. 회원은 포인트가 소멸되기 전에 알림을 받으며, 소멸을 켠 후 전체 알림 기간이 지나기 전에는 어떤 포인트도 소멸되지 않습니다.",
  modeHeading: "소멸 규칙",
  mode: "포인트 소멸 시점",
  modeOff: "소멸 안 함",
  modeInactivity: "일정 기간 활동이 없을 때",
  modePerEarning: "적립할 때마다 일정 기간 후",
  modeHelpOff: "포인트가 소멸되지 않습니다.",
  modeHelpInactivity: "회원이 이 개월 수 동안 적립이나 사용을 하지 않으면 전체 잔액이 소멸됩니다.",
  modeHelpPerEarning: "각 적립분은 적립 후 이 개월 수가 지나면 소멸되며, 사용한 포인트는 가장 오래된 것부터 차감됩니다.",
  months: "개월",
  monthsHelp: "1~120개월.",
  remindersHeading: "알림",
  reminderDays: "소멸 며칠 전에 회원에게 알릴지",
  reminderDaysHelp: "최대 5개, 쉼표로 구분합니다(예: 30, 3). 각 알림은 Shopify Flow 트리거 페이로드가 포함된 \"포인트 소멸 예정\" 알림입니다.",
  statusHeading: "상태",
  statusOff: "포인트 소멸이 꺼져 있습니다.",
  statusOn: "소멸은 {enabledOn}부터 적용됩니다. {earliest} 이전에는 어떤 포인트도 소멸되지 않습니다(알림 기간). 날짜는 상점 시간대({timezone}) 기준입니다.",
  restartNote: "소멸을 켜거나, 규칙을 바꾸거나, 개월 수를 줄이면 오늘부터 새 알림 기간이 시작됩니다.",
  savedToast: "소멸 설정을 저장했습니다",
  confirmOnTitle: "포인트 소멸을 켤까요?",
  confirmChangeTitle: "새 알림 기간을 시작할까요?",
  confirmBody:
    "저장하면 오늘부터 새 알림 기간이 시작됩니다. 그 후 회원의 사용하지 않은 포인트는 이 규칙에 따라 소멸되며, 소멸 전에 회원에게 알림이 갑니다. 고객은 리워드 위젯에서 포인트 소멸 날짜를 볼 수 있습니다.",
  confirmSave: "저장하고 알림 기간 시작",
  cancel: "취소",
  changesHeading: "최근 변경",
  changeLine: "{at}, {who}: {fields}",
  staffUnknown: "알 수 없는 직원",
  noChanges: "아직 변경 사항이 없습니다.",
  fieldNames: {
    expiryMode: "규칙",
    expiryMonths: "개월 수",
    expiryEnabledOn: "알림 기간 시작",
    expiryReminderDays: "알림",
    expiryChangedAt: "알림 기간 시작",
  },
};

export const expiryStrings = featureStrings({ en, ko });
export const dictionaries = expiryStrings.dictionaries;
