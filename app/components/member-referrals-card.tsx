/**
 * The member page's referrals card (staff): the friends this member referred, each with its status and,
 * when rejected, the reason (data: referrals-admin.server.ts memberReferralsFor).
 */
import { Badge, BlockStack, Button, Card, InlineStack, Text } from "@shopify/polaris";
import { referralsStrings } from "~/i18n/features/referrals";
import type { ReferralRow } from "~/loyalty/services/referrals-admin.server";

const STATUS_TONE = { claimed: "info", pending: "attention", rewarded: "success", reversed: "warning", rejected: "critical" } as const;

export function MemberReferralsCard({ referrals }: { referrals: ReferralRow[] }) {
  const { t, locale } = referralsStrings.useStrings();
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            {t.member.heading}
          </Text>
          <Button variant="plain" url="/app/referrals">
            {t.member.openAll}
          </Button>
        </InlineStack>
        {referrals.length === 0 ? (
          <Text as="p" tone="subdued">
            {t.member.empty}
          </Text>
        ) : (
          referrals.map((referral) => (
            <BlockStack gap="100" key={referral.id}>
              <InlineStack align="space-between" gap="200" wrap={false}>
                <Text as="span" truncate>
                  {referral.friendEmail ?? t.erased}
                </Text>
                <Badge tone={STATUS_TONE[referral.status]}>{t.statuses[referral.status]}</Badge>
              </InlineStack>
              <Text as="p" tone="subdued" variant="bodySm">
                {new Date(referral.createdAt).toLocaleDateString(locale)}
                {referral.rejectReason ? ` · ${t.reasons[referral.rejectReason]}` : ""}
              </Text>
            </BlockStack>
          ))
        )}
      </BlockStack>
    </Card>
  );
}
