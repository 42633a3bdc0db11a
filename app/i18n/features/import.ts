import { featureStrings } from "../admin";

const en = {
  title: "Import and export",
  importHeading: "Import members and balances",
  importIntro:
    "Upload a CSV file: Keepsake's own format (customer_id, email, first_name, last_name, points_balance, enrolled_at), or a Smile.io or LoyaltyLion member export. Points are added to each member's balance once — importing the same file again changes nothing.",
  file: "CSV file",
  fileHint: "Drop a .csv file here or click to choose one",
  chosen: "{name} ({size} KB)",
  format: "Format",
  formats: { auto: "Detect from the columns", generic: "Keepsake (generic)", smile: "Smile.io", loyaltylion: "LoyaltyLion" },
  start: "Import",
  startedToast: "Import started",
  historyHeading: "Imports",
  historyEmpty: "No imports yet.",
  progress: "{processed} of {total} rows",
  summary: "{imported} imported, {unchanged} unchanged, {errors} with errors",
  statuses: { queued: "Queued", running: "Running", done: "Done", failed: "Failed" },
  errorReport: "Download error report",
  exportHeading: "Export",
  exportMembers: "Export all members",
  exportLedgerHeading: "Points ledger for a date range",
  from: "From",
  to: "To",
  exportLedger: "Export ledger",
  exportFailed: "Export failed: {message}",
};

const ko: typeof en = {
  title: "가져오기 및 내보내기",
  importHeading: "회원 및 잔액 가져오기",
  importIntro:
    "CSV 파일을 업로드하세요: Keepsake 형식(customer_id, email, first_name, last_name, points_balance, enrolled_at) 또는 Smile.io, LoyaltyLion 회원 내보내기 파일. 포인트는 회원 잔액에 한 번만 추가되며, 같은 파일을 다시 가져와도 바뀌지 않습니다.",
  file: "CSV 파일",
  fileHint: ".csv 파일을 여기에 놓거나 클릭해서 선택하세요",
  chosen: "{name} ({size} KB)",
  format: "형식",
  formats: { auto: "열 이름으로 감지", generic: "Keepsake (일반)", smile: "Smile.io", loyaltylion: "LoyaltyLion" },
  start: "가져오기",
  startedToast: "가져오기를 시작했습니다",
  historyHeading: "가져오기 기록",
  historyEmpty: "아직 가져오기가 없습니다.",
  progress: "{total}행 중 {processed}행",
  summary: "가져옴 {imported}, 변경 없음 {unchanged}, 오류 {errors}",
  statuses: { queued: "대기 중", running: "진행 중", done: "완료", failed: "실패" },
  errorReport: "오류 보고서 다운로드",
  exportHeading: "내보내기",
  exportMembers: "모든 회원 내보내기",
  exportLedgerHeading: "기간별 포인트 원장",
  from: "시작",
  to: "종료",
  exportLedger: "원장 내보내기",
  exportFailed: "내보내기 실패: {message}",
};

export const importStrings = featureStrings({ en, ko });
export const dictionaries = importStrings.dictionaries;
