/**
 * Points expiry settings (/app/expiry): the rule (off, inactivity, per earning), the months and the
 * reminder days. Saving audits the change; turning expiry on (or switching the rule, or shortening
 * the months) starts a new notice period today in the shop's zone (docs/decisions/011, 014).
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Banner, FormLayout, Modal, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { settingsAction, type SavedSettings } from "~/components/settings-action.server";
import { SettingsCard, SettingsFrame, useSettingsForm } from "~/components/settings-form";
import { format } from "~/i18n/admin";
import { expiryStrings } from "~/i18n/features/expiry";
import {
  ExpirySettingsInput,
  expiryPage,
  updateExpirySettings,
  type ExpirySettingsView,
} from "~/loyalty/services/expiry.server";
import { authenticate } from "~/shopify.server";
import { formatDateTime } from "~/i18n/format";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  return expiryPage(session.shop);
}

export async function action({ request }: ActionFunctionArgs) {
  return settingsAction(request, ExpirySettingsInput, async (shop, input, staffId) => ({
    ok: true as const,
    settings: await updateExpirySettings(shop, input, staffId),
  }));
}

type FormState = ExpirySettingsView;

/**
 * Whether saving `form` over `saved` starts a new notice period (the server's rule in
 * updateExpirySettings): expiry turned on, the rule switched, or the months shortened. Staff confirm
 * that first, because from then on members' points expire.
 */
function startsNoticePeriod(saved: FormState, form: FormState): boolean {
  if (form.mode === "off") return false;
  if (saved.mode !== form.mode) return true;
  const months = Number(form.months);
  return Number.isInteger(months) && months < Number(saved.months);
}

export default function ExpiryPage() {
  const { settings: loaded, changes } = useLoaderData<typeof loader>();
  const { t, common, locale } = expiryStrings.useStrings();
  const fetcher = useFetcher<SavedSettings<ExpirySettingsView>>();
  const { form, saved: view, errors, dirty, saving, set, save, discard } = useSettingsForm<ExpirySettingsView>({
    loaded,
    fetcher,
    toasts: { saved: t.savedToast, fixErrors: common.common.fixErrors },
  });
  const modeHelp = { off: t.modeHelpOff, inactivity: t.modeHelpInactivity, per_earning: t.modeHelpPerEarning }[form.mode];
  const when = (iso: string) => formatDateTime(iso, locale);
  const [confirming, setConfirming] = useState(false);
  const requestSave = () => (startsNoticePeriod(view, form) ? setConfirming(true) : save());
  const confirmSave = () => {
    setConfirming(false);
    save();
  };

  return (
    <SettingsFrame
      title={t.title}
      intro={t.intro}
      backLabel={common.nav.settings}
      saveBar={{ id: "expiry-save-bar", open: dirty, saving, onSave: requestSave, onDiscard: discard, labels: common.common }}
    >
      <Modal
        open={confirming}
        onClose={() => setConfirming(false)}
        title={view.mode === "off" ? t.confirmOnTitle : t.confirmChangeTitle}
        primaryAction={{ content: t.confirmSave, onAction: confirmSave }}
        secondaryActions={[{ content: t.cancel, onAction: () => setConfirming(false) }]}
      >
        <Modal.Section>
          <Text as="p">{t.confirmBody}</Text>
        </Modal.Section>
      </Modal>
      <Banner tone={view.earliestExpiry ? "info" : undefined} title={t.statusHeading}>
        <p>
          {view.earliestExpiry && view.enabledOn
            ? format(t.statusOn, { enabledOn: view.enabledOn, earliest: view.earliestExpiry, timezone: view.timezone })
            : t.statusOff}
        </p>
      </Banner>
      <SettingsCard title={t.modeHeading}>
        <FormLayout>
          <Select
            label={t.mode}
            name="mode"
            options={[
              { label: t.modeOff, value: "off" },
              { label: t.modeInactivity, value: "inactivity" },
              { label: t.modePerEarning, value: "per_earning" },
            ]}
            value={form.mode}
            onChange={(value) => set("mode")(value as FormState["mode"])}
            helpText={modeHelp}
            error={errors.mode}
          />
          <TextField
            label={t.months}
            name="months"
            type="number"
            autoComplete="off"
            value={form.months}
            onChange={set("months")}
            helpText={t.monthsHelp}
            error={errors.months}
            disabled={form.mode === "off"}
          />
          <Text as="p" tone="subdued">
            {t.restartNote}
          </Text>
        </FormLayout>
      </SettingsCard>
      <SettingsCard title={t.remindersHeading}>
        <TextField
          label={t.reminderDays}
          name="reminderDays"
          autoComplete="off"
          value={form.reminderDays}
          onChange={set("reminderDays")}
          helpText={t.reminderDaysHelp}
          error={errors.reminderDays}
        />
      </SettingsCard>
      <SettingsCard title={t.changesHeading}>
        {changes.length === 0 ? (
          <Text as="p" tone="subdued">
            {t.noChanges}
          </Text>
        ) : (
          changes.map((change) => (
            <Text as="p" key={change.id}>
              {format(t.changeLine, { at: when(change.at), who: change.staffId ?? t.staffUnknown, fields: [...new Set(change.changed.map((key) => t.fieldNames[key] ?? key))].join(", ") })}
            </Text>
          ))
        )}
      </SettingsCard>
    </SettingsFrame>
  );
}
