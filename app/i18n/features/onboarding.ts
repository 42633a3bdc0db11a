import { featureStrings } from "../admin";

const en = {
  heading: "Set up Keepsake",
  progress: "{done} of {total} steps done",
  done: "Done",
  markDone: "Mark as done",
  markReviewed: "Keep this rate",
  dismiss: "Hide checklist",
  dismissed: "Checklist hidden",
  marked: "Step marked as done",
  complete: "Your program is set up. You can hide this checklist.",
  steps: {
    program_on: {
      title: "Turn the program on",
      body: "Customers earn points only while the program is on.",
      action: "Open program settings",
    },
    points_rate: {
      title: "Review the points rate",
      body: "Choose how many points customers earn per unit of your currency, or keep the current rate.",
      action: "Review points rate",
    },
    first_reward: {
      title: "Create your first reward",
      body: "Give members something to spend their points on.",
      action: "Create reward",
    },
    app_embed: {
      title: "Enable the app embed",
      body: "Turn on the Keepsake launcher in your theme's App embeds, then save the theme. Come back and mark this step done.",
      action: "Open theme editor",
    },
    preview_widget: {
      title: "Preview the widget",
      body: "Open your storefront and check the rewards launcher as a shopper sees it.",
      action: "Preview on storefront",
    },
  },
};

const ko: typeof en = {
  heading: "Keepsake 설정하기",
  progress: "{total}단계 중 {done}단계 완료",
  done: "완료",
  markDone: "완료로 표시",
  markReviewed: "현재 적립률 유지",
  dismiss: "체크리스트 숨기기",
  dismissed: "체크리스트를 숨겼습니다",
  marked: "단계를 완료로 표시했습니다",
  complete: "프로그램 설정이 끝났습니다. 이 체크리스트를 숨길 수 있습니다.",
  steps: {
    program_on: {
      title: "프로그램 켜기",
      body: "프로그램이 켜져 있을 때만 고객이 포인트를 적립합니다.",
      action: "프로그램 설정 열기",
    },
    points_rate: {
      title: "포인트 적립률 확인",
      body: "통화 단위당 적립할 포인트를 정하거나 현재 적립률을 유지하세요.",
      action: "적립률 확인",
    },
    first_reward: {
      title: "첫 리워드 만들기",
      body: "회원이 포인트를 사용할 수 있는 리워드를 만드세요.",
      action: "리워드 만들기",
    },
    app_embed: {
      title: "앱 임베드 활성화",
      body: "테마의 앱 임베드에서 Keepsake 런처를 켜고 테마를 저장하세요. 돌아와서 이 단계를 완료로 표시하세요.",
      action: "테마 편집기 열기",
    },
    preview_widget: {
      title: "위젯 미리 보기",
      body: "스토어를 열어 쇼핑객에게 보이는 리워드 런처를 확인하세요.",
      action: "스토어에서 미리 보기",
    },
  },
};

export const onboardingStrings = featureStrings({ en, ko });
export const dictionaries = onboardingStrings.dictionaries;
