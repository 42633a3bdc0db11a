/**
 * Points expiry settings (/app/expiry): the rule (off, inactivity, per earning), the months and the
 * reminder days. Saving audits the change; turning expiry on (or switching the rule, or shortening
 * the months) starts a new notice period today in the shop's zone (docs/decisions/011, 014).
 */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Card, FormLayout, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { SaveBar, TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import { useState } from "react";
import { fieldErrors, formFields, staffIdOf, useFetcherResult, type FieldErrors } from "~/components/admin-forms";
import { format } from "~/i18n/admin";
import { expiryStrings } from "~/i18n/features/expiry";
import {
  ExpirySettingsInput,
  expiryPage,
  updateExpirySettings,
  type ExpirySettingsView,
} from "~/loyalty/services/expiry.server";
import { authenticate } from "~/shopify.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  return expiryPage(session.shop);
}

type ActionResult = { ok: true; settings: ExpirySettingsView } | { ok: false; errors: FieldErrors };

export async function action({ request }: ActionFunctionArgs) {
  const { session, sessionToken } = await authenticate.admin(request);
  const parsed = ExpirySettingsInput.safeParse(formFields(await request.formData()));
  if (!parsed.success) return data<ActionResult>({ ok: false, errors: fieldErrors(parsed.error.issues) }, { status: 400 });
  return data<ActionResult>({ ok: true, settings: await updateExpirySettings(session.shop, parsed.data, staffIdOf(sessionToken)) });
}

const SAVE_BAR_ID = "expiry-save-bar";
type FormState = Pick<ExpirySettingsView, "mode" | "months" | "reminderDays">;

const stateOf = (settings: ExpirySettingsView): FormState => ({
  mode: settings.mode,
  months: settings.months,
  reminderDays: settings.reminderDays,
});

export default function ExpiryPage() {
  const { settings: loaded, changes } = useLoaderData<typeof loader>();
  const { t, common, locale } = expiryStrings.useStrings();
  const shopify = useAppBridge();
  const fetcher = useFetcher<ActionResult>();
  const [view, setView] = useState<ExpirySettingsView>(loaded);
  const [saved, setSaved] = useState<FormState>(() => stateOf(loaded));
  const [form, setForm] = useState<FormState>(saved);
  const [errors, setErrors] = useState<FieldErrors>({});
  const dirty = JSON.stringify(form) !== JSON.stringify(saved);
  const saving = fetcher.state !== "idle";

  useFetcherResult(fetcher, (result) => {
    if (result.ok) {
      const next = stateOf(result.settings);
      setView(result.settings);
      setSaved(next);
      setForm(next);
      setErrors({});
      shopify.toast.show(t.savedToast);
    } else {
      setErrors(result.errors);
      shopify.toast.show(common.common.fixErrors, { isError: true });
    }
  });

  const set = <K extends keyof FormState>(key: K) => (value: FormState[K]) => setForm((current) => ({ ...current, [key]: value }));
  const save = () => fetcher.submit({ ...form }, { method: "post" });
  const discard = () => {
    setForm(saved);
    setErrors({});
  };
  const modeHelp = { off: t.modeHelpOff, inactivity: t.modeHelpInactivity, per_earning: t.modeHelpPerEarning }[form.mode];
  const when = (iso: string) => new Date(iso).toLocaleString(locale);

  return (
    <Page title={t.title} backAction={{ content: common.nav.settings, url: "/app/settings" }}>
      <TitleBar title={t.title} />
      <SaveBar id={SAVE_BAR_ID} open={dirty}>
        <button variant="primary" onClick={save} disabled={saving} loading={saving ? "" : undefined}>
          {common.common.save}
        </button>
        <button onClick={discard} disabled={saving}>
          {common.common.discard}
        </button>
      </SaveBar>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Text as="p" tone="subdued">
              {t.intro}
            </Text>
            <Banner tone={view.earliestExpiry ? "info" : undefined} title={t.statusHeading}>
              <p>
                {view.earliestExpiry && view.enabledOn
                  ? format(t.statusOn, { enabledOn: view.enabledOn, earliest: view.earliestExpiry, timezone: view.timezone })
                  : t.statusOff}
              </p>
            </Banner>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t.modeHeading}
                </Text>
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
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t.remindersHeading}
                </Text>
                <TextField
                  label={t.reminderDays}
                  name="reminderDays"
                  autoComplete="off"
                  value={form.reminderDays}
                  onChange={set("reminderDays")}
                  helpText={t.reminderDaysHelp}
                  error={errors.reminderDays}
                />
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t.changesHeading}
                </Text>
                {changes.length === 0 ? (
                  <Text as="p" tone="subdued">
                    {t.noChanges}
                  </Text>
                ) : (
                  changes.map((change) => (
                    <Text as="p" key={change.id}>
                      {format(t.changeLine, { at: when(change.at), who: change.staffId ?? t.staffUnknown, fields: change.changed.join(", ") })}
                    </Text>
                  ))
                )}
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
