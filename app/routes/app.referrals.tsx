import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Button,
  ButtonGroup,
  Card,
  Checkbox,
  FormLayout,
  IndexTable,
  Link,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { RecentChangesCard, SettingsCard, SettingsFrame, useSettingsForm } from "~/components/settings-form";
import { referralsStrings } from "~/i18n/features/referrals";
import {
  referralsPage,
  ReferralSettingsInput,
  saveReferralSettings,
  type ReferralSettingsView,
  type SaveReferralsResult,
} from "~/loyalty/services/referrals-admin.server";
import { authenticate } from "~/shopify.server";
import { settingsAction } from "~/components/settings-action.server";
import { listStrings } from "~/i18n/features/lists";
import { formatDateTime } from "~/i18n/format";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const status = new URL(request.url).searchParams.get("status");
  return referralsPage(session.shop, status === "rejected" ? "rejected" : "all");
}

export async function action({ request }: ActionFunctionArgs) {
  return settingsAction(request, ReferralSettingsInput, saveReferralSettings);
}

const SAVE_BAR_ID = "referrals-save-bar";

const STATUS_TONE = { claimed: "info", pending: "attention", rewarded: "success", reversed: "warning", rejected: "critical" } as const;

export default function ReferralsPage() {
  const { settings: loaded, rewards, filter, referrals, counts, changes } = useLoaderData<typeof loader>();
  const { t, common, locale } = referralsStrings.useStrings();
  const fetcher = useFetcher<SaveReferralsResult>();
  const { form, errors, dirty, saving, set, save, discard } = useSettingsForm<ReferralSettingsView>({
    loaded,
    fetcher,
    toasts: { saved: t.savedToast, fixErrors: common.common.fixErrors },
  });
  const rewardOptions = [{ label: t.chooseReward, value: "" }, ...rewards.map((reward) => ({ label: reward.name, value: reward.id }))];

  return (
    <SettingsFrame
      title={t.title}
      intro={t.intro}
      backLabel={common.nav.settings}
      saveBar={{ id: SAVE_BAR_ID, open: dirty, saving: saving, onSave: save, onDiscard: discard, labels: common.common }}
      aside={
        <>
      <RecentChangesCard changes={changes} locale={locale} labels={{ heading: t.changesHeading, empty: t.changesEmpty, line: t.changeLine }} />
        </>
      }
    >
      <SettingsCard title={t.statusHeading}>
        <Checkbox
          label={t.enabled}
          helpText={t.enabledHelp}
          checked={form.referralsEnabled}
          onChange={set("referralsEnabled")}
          error={errors.referralsEnabled}
        />
      </SettingsCard>
      <SettingsCard title={t.rewardsHeading}>
        {rewards.length === 0 ? (
          <Text as="p" tone="caution">
            {t.noRewards}
          </Text>
        ) : null}
        <FormLayout>
          <Select
            label={t.friendReward}
            name="friendRewardId"
            options={rewardOptions}
            value={form.friendRewardId}
            onChange={set("friendRewardId")}
            helpText={t.friendRewardHelp}
            error={errors.friendRewardId}
          />
          <Select
            label={t.referrerRewardType}
            name="referrerRewardType"
            options={[
              { label: t.referrerPoints, value: "points" },
              { label: t.referrerCatalog, value: "reward" },
            ]}
            value={form.referrerRewardType}
            onChange={(value) => set("referrerRewardType")(value === "reward" ? "reward" : "points")}
          />
          {form.referrerRewardType === "points" ? (
            <TextField
              label={t.referrerRewardPoints}
              name="referrerRewardPoints"
              inputMode="numeric"
              autoComplete="off"
              value={form.referrerRewardPoints}
              onChange={set("referrerRewardPoints")}
              error={errors.referrerRewardPoints}
            />
          ) : (
            <Select
              label={t.referrerRewardId}
              name="referrerRewardId"
              options={rewardOptions}
              value={form.referrerRewardId}
              onChange={set("referrerRewardId")}
              error={errors.referrerRewardId}
            />
          )}
        </FormLayout>
      </SettingsCard>
      <SettingsCard title={t.rulesHeading}>
        <FormLayout>
          <TextField
            label={t.pendingDays}
            name="referralPendingDays"
            inputMode="numeric"
            autoComplete="off"
            value={form.referralPendingDays}
            onChange={set("referralPendingDays")}
            helpText={t.pendingDaysHelp}
            error={errors.referralPendingDays}
          />
          <FormLayout.Group>
            <TextField
              label={t.monthlyCap}
              name="referralMonthlyCap"
              inputMode="numeric"
              autoComplete="off"
              value={form.referralMonthlyCap}
              onChange={set("referralMonthlyCap")}
              helpText={t.monthlyCapHelp}
              error={errors.referralMonthlyCap}
            />
            <TextField
              label={t.ipClaims}
              name="referralIpClaimsPerDay"
              inputMode="numeric"
              autoComplete="off"
              value={form.referralIpClaimsPerDay}
              onChange={set("referralIpClaimsPerDay")}
              helpText={t.ipClaimsHelp}
              error={errors.referralIpClaimsPerDay}
            />
          </FormLayout.Group>
        </FormLayout>
      </SettingsCard>
      <Card padding="0">
        <BlockStack gap="200">
          <div style={{ padding: "var(--p-space-400) var(--p-space-400) 0" }}>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                {t.listHeading}
              </Text>
              <ButtonGroup variant="segmented">
                <Button pressed={filter === "all"} url="/app/referrals">
                  {`${t.filterAll} (${Object.values(counts).reduce((a, b) => a + b, 0)})`}
                </Button>
                <Button pressed={filter === "rejected"} url="/app/referrals?status=rejected">
                  {`${t.filterRejected} (${counts.rejected})`}
                </Button>
              </ButtonGroup>
            </BlockStack>
          </div>
          {referrals.length === 0 ? (
            <div style={{ padding: "0 var(--p-space-400) var(--p-space-400)" }}>
              <Text as="p" tone="subdued">
                {t.empty}
              </Text>
            </div>
          ) : (
            <IndexTable
              resourceName={listStrings.strings(locale).referral}
              itemCount={referrals.length}
              selectable={false}
              headings={[
                { title: t.columns.friend },
                { title: t.columns.referrer },
                { title: t.columns.status },
                { title: t.columns.reason },
                { title: t.columns.date },
              ]}
            >
              {referrals.map((referral, index) => (
                <IndexTable.Row id={referral.id} key={referral.id} position={index}>
                  <IndexTable.Cell>{referral.friendEmail ?? t.erased}</IndexTable.Cell>
                  <IndexTable.Cell>
                    <Link url={`/app/members/${referral.referrer.memberId}`} removeUnderline>
                      {referral.referrer.name || referral.referrer.email || referral.referrer.memberId}
                    </Link>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Badge tone={STATUS_TONE[referral.status]}>{t.statuses[referral.status]}</Badge>
                  </IndexTable.Cell>
                  <IndexTable.Cell>{referral.rejectReason ? t.reasons[referral.rejectReason] : "—"}</IndexTable.Cell>
                  <IndexTable.Cell>{formatDateTime(referral.createdAt, locale)}</IndexTable.Cell>
                </IndexTable.Row>
              ))}
            </IndexTable>
          )}
        </BlockStack>
      </Card>
    </SettingsFrame>
  );
}
