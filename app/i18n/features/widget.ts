import { featureStrings } from "../admin";

const en = {
  title: "Storefront widget",
  intro:
    "Shoppers see Keepsake through your theme. Colors, position and texts are set in Shopify's theme editor, per theme, with a live preview; the buttons below open it at the right place.",
  launcherHeading: "Rewards launcher (app embed)",
  launcherBody: "The floating button and panel on every page: balance, rewards, ways to earn, codes, tier and referral link.",
  launcherSettings: "In the theme editor: accent color, text color, left or right, the button's label, the panel's title, show the balance.",
  customize: "Customize in theme editor",
  popupHeading: "Birthday pop-up (app embed)",
  popupBody: "Invites members to add their birthday and shows their gift in their birthday window; how often it may show is set in the theme editor.",
  productHeading: "Points on product pages (app block)",
  productBody: "\"Earn N points\" under the price, for the variant the shopper chose.",
  addToProduct: "Add to product page",
  pageHeading: "Rewards page (app block)",
  pageBody: "A full page explaining the program: ways to earn, rewards, tiers and referrals.",
  addToPage: "Add to a page",
  textsHeading: "Texts and languages",
  textsBody:
    "Shopper texts come translated in {languages}; the shop's language decides. The launcher's label and panel title can be replaced in the theme editor.",
  previewHeading: "Preview",
  previewBody: "Open your storefront to see the widget as shoppers do (log in as a customer to see a member's view).",
  preview: "Open storefront",
};

const ko: typeof en = {
  title: "스토어 위젯",
  intro: "쇼핑객은 테마를 통해 Keepsake를 봅니다. 색상, 위치, 문구는 Shopify 테마 편집기에서 테마별로 실시간 미리보기와 함께 설정합니다. 아래 버튼으로 해당 위치를 바로 엽니다.",
  launcherHeading: "리워드 런처(앱 임베드)",
  launcherBody: "모든 페이지의 플로팅 버튼과 패널: 잔액, 리워드, 적립 방법, 코드, 등급, 추천 링크.",
  launcherSettings: "테마 편집기에서: 강조 색상, 글자 색상, 왼쪽 또는 오른쪽, 버튼 문구, 패널 제목, 잔액 표시.",
  customize: "테마 편집기에서 사용자 지정",
  popupHeading: "생일 팝업(앱 임베드)",
  popupBody: "회원에게 생일 등록을 권하고 생일 기간에 선물을 보여 줍니다. 표시 빈도는 테마 편집기에서 설정합니다.",
  productHeading: "상품 페이지 포인트(앱 블록)",
  productBody: "가격 아래에 쇼핑객이 고른 옵션 기준 \"N포인트 적립\"을 표시합니다.",
  addToProduct: "상품 페이지에 추가",
  pageHeading: "리워드 페이지(앱 블록)",
  pageBody: "적립 방법, 리워드, 등급, 추천을 설명하는 전체 페이지.",
  addToPage: "페이지에 추가",
  textsHeading: "문구와 언어",
  textsBody: "쇼핑객 문구는 {languages}(으)로 번역되어 있으며 상점 언어에 따라 표시됩니다. 런처 버튼 문구와 패널 제목은 테마 편집기에서 바꿀 수 있습니다.",
  previewHeading: "미리보기",
  previewBody: "쇼핑객이 보는 위젯을 스토어에서 확인하세요(고객으로 로그인하면 회원 화면을 볼 수 있습니다).",
  preview: "스토어 열기",
};

export const widgetStrings = featureStrings({ en, ko });
export const dictionaries = widgetStrings.dictionaries;
