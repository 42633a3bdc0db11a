import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Checkbox, FormLayout, Link, List, Select, Text, TextField } from "@shopify/polaris";
import { RecentChangesCard, SettingsCard, SettingsFrame, useSettingsForm } from "~/components/settings-form";
import { format } from "~/i18n/admin";
import { birthdaysStrings } from "~/i18n/features/birthdays";
import {
  BirthdaySettingsInput,
  birthdaysPage,
  saveBirthdaySettings,
  type BirthdaySettingsView,
  type SaveBirthdaysResult,
} from "~/loyalty/services/birthdays-admin.server";
import { authenticate } from "~/shopify.server";
import { settingsAction } from "~/components/settings-action.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  return birthdaysPage(session.shop);
}

export async function action({ request }: ActionFunctionArgs) {
  return settingsAction(request, BirthdaySettingsInput, saveBirthdaySettings);
}

const SAVE_BAR_ID = "birthdays-save-bar";

export default function BirthdaysPage() {
  const { settings: loaded, rewards, stats, changes, rewardProblem, notIssued } = useLoaderData<typeof loader>();
  const { t, common, locale } = birthdaysStrings.useStrings();
  const fetcher = useFetcher<SaveBirthdaysResult>();
  const { form, errors, dirty, saving, set, save, discard } = useSettingsForm<BirthdaySettingsView>({
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
      <BlockStack gap="400">
        <SettingsCard title={t.statsHeading}>
          <Text as="p">{format(t.withBirthday, { count: stats.withBirthday.toLocaleString(locale) })}</Text>
          <Text as="p">{format(t.rewardedThisYear, { count: stats.rewardedThisYear.toLocaleString(locale) })}</Text>
        </SettingsCard>
        {notIssued.count > 0 ? (
          <SettingsCard title={t.notIssuedHeading}>
            <Text as="p">{format(t.notIssuedCount, { count: notIssued.count.toLocaleString(locale) })}</Text>
            <List>
              {notIssued.latest.map((gift) => (
                <List.Item key={gift.id}>
                  <Link url={`/app/members/${gift.memberId}`} removeUnderline>
                    {format(t.notIssuedLine, { when: new Date(gift.at).toLocaleDateString(locale), reason: t.notIssuedReasons[gift.reason] })}
                  </Link>
                </List.Item>
              ))}
            </List>
          </SettingsCard>
        ) : null}
        <RecentChangesCard changes={changes} locale={locale} labels={{ heading: t.changesHeading, empty: t.changesEmpty, line: t.changeLine }} />
      </BlockStack>
        </>
      }
    >
      {rewardProblem ? (
        <Banner tone="warning" title={t.rewardProblemTitle}>
          <p>{rewardProblem.kind === "archived" ? format(t.rewardArchived, { name: rewardProblem.name }) : t.rewardMissing}</p>
        </Banner>
      ) : null}
      <SettingsCard title={t.statusHeading}>
        <Checkbox label={t.enabled} helpText={t.enabledHelp} checked={form.birthdayEnabled} onChange={set("birthdayEnabled")} error={errors.birthdayEnabled} />
      </SettingsCard>
      <SettingsCard title={t.rewardHeading}>
        <FormLayout>
          <Select
            label={t.rewardType}
            name="rewardType"
            options={[
              { label: t.rewardPoints, value: "points" },
              { label: t.rewardCatalog, value: "reward" },
            ]}
            value={form.rewardType}
            onChange={(value) => set("rewardType")(value === "reward" ? "reward" : "points")}
          />
          {form.rewardType === "points" ? (
            <TextField
              label={t.birthdayRewardPoints}
              name="birthdayRewardPoints"
              inputMode="numeric"
              autoComplete="off"
              value={form.birthdayRewardPoints}
              onChange={set("birthdayRewardPoints")}
              error={errors.birthdayRewardPoints}
            />
          ) : (
            <>
              {rewards.length === 0 ? (
                <Text as="p" tone="caution">
                  {t.noRewards}
                </Text>
              ) : null}
              <Select
                label={t.birthdayRewardId}
                name="birthdayRewardId"
                options={rewardOptions}
                value={form.birthdayRewardId}
                onChange={set("birthdayRewardId")}
                error={errors.birthdayRewardId}
              />
            </>
          )}
          <Select
            label={t.issueOn}
            name="birthdayIssueOn"
            options={[
              { label: t.issueOnDay, value: "day" },
              { label: t.issueOnMonthStart, value: "month_start" },
            ]}
            value={form.birthdayIssueOn}
            onChange={(value) => set("birthdayIssueOn")(value === "month_start" ? "month_start" : "day")}
            helpText={t.issueOnHelp}
          />
        </FormLayout>
      </SettingsCard>
      <SettingsCard title={t.rulesHeading}>
        <FormLayout>
          <FormLayout.Group>
            <TextField
              label={t.minLeadDays}
              name="birthdayMinLeadDays"
              inputMode="numeric"
              autoComplete="off"
              value={form.birthdayMinLeadDays}
              onChange={set("birthdayMinLeadDays")}
              helpText={t.minLeadDaysHelp}
              error={errors.birthdayMinLeadDays}
            />
            <TextField
              label={t.cooldownDays}
              name="birthdayChangeCooldownDays"
              inputMode="numeric"
              autoComplete="off"
              value={form.birthdayChangeCooldownDays}
              onChange={set("birthdayChangeCooldownDays")}
              helpText={t.cooldownDaysHelp}
              error={errors.birthdayChangeCooldownDays}
            />
          </FormLayout.Group>
        </FormLayout>
      </SettingsCard>
      <SettingsCard title={t.popupHeading}>
        <Checkbox label={t.popupGuests} helpText={t.popupGuestsHelp} checked={form.birthdayPopupGuests} onChange={set("birthdayPopupGuests")} />
      </SettingsCard>
    </SettingsFrame>
  );
}
