import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { BlockStack, Card, Checkbox, FormLayout, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { SaveBar, TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import { useState } from "react";
import { fieldErrors, formFields, staffIdOf, useFetcherResult, type FieldErrors } from "~/components/admin-forms";
import { format, useAdminStrings } from "~/i18n/admin";
import {
  ProgramSettingsInput,
  programPage,
  updateProgramSettings,
  type ProgramSettingsView,
} from "~/loyalty/services/program-admin.server";
import { authenticate } from "~/shopify.server";
import { useServerMessages } from "~/i18n/server-messages";
import { formatDateTime } from "~/i18n/format";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  return programPage(session.shop);
}

type ActionResult = { ok: true; settings: ProgramSettingsView } | { ok: false; errors: FieldErrors };

export async function action({ request }: ActionFunctionArgs) {
  const { session, sessionToken } = await authenticate.admin(request);
  const parsed = ProgramSettingsInput.safeParse(formFields(await request.formData()));
  if (!parsed.success) return data<ActionResult>({ ok: false, errors: fieldErrors(parsed.error.issues) }, { status: 400 });
  return data<ActionResult>({ ok: true, settings: await updateProgramSettings(session.shop, parsed.data, staffIdOf(sessionToken)) });
}

const SAVE_BAR_ID = "program-save-bar";
type FormState = Omit<ProgramSettingsView, "currencyCode">;

function stateOf(settings: ProgramSettingsView): FormState {
  const { currencyCode: _currency, ...state } = settings;
  return state;
}

export default function ProgramPage() {
  const { settings: loaded, changes } = useLoaderData<typeof loader>();
  const { t, locale } = useAdminStrings();
  const messages = useServerMessages();
  const shopify = useAppBridge();
  const fetcher = useFetcher<ActionResult>();
  const [saved, setSaved] = useState<FormState>(() => stateOf(loaded));
  const [form, setForm] = useState<FormState>(saved);
  const [errors, setErrors] = useState<FieldErrors>({});
  const dirty = JSON.stringify(form) !== JSON.stringify(saved);
  const saving = fetcher.state !== "idle";

  useFetcherResult(fetcher, (result) => {
    if (result.ok) {
      const next = stateOf(result.settings);
      setSaved(next);
      setForm(next);
      setErrors({});
      shopify.toast.show(t.program.savedToast);
    } else {
      setErrors(messages.errors(result.errors));
      shopify.toast.show(t.common.fixErrors, { isError: true });
    }
  });

  const set = <K extends keyof FormState>(key: K) => (value: FormState[K]) => {
    setForm((current) => ({ ...current, [key]: value }));
  };
  const save = () => {
    const body = Object.fromEntries(Object.entries(form).map(([key, value]) => [key, String(value)]));
    fetcher.submit(body, { method: "post" });
  };
  const discard = () => {
    setForm(saved);
    setErrors({});
  };
  const p = t.program;
  const currency = loaded.currencyCode;

  return (
    <Page title={p.title}>
      <TitleBar title={p.title} />
      {/* The contextual save bar: while it shows, the admin asks before leaving the page. */}
      <SaveBar id={SAVE_BAR_ID} open={dirty}>
        <button variant="primary" onClick={save} disabled={saving} loading={saving ? "" : undefined}>
          {t.common.save}
        </button>
        <button onClick={discard} disabled={saving}>
          {t.common.discard}
        </button>
      </SaveBar>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Text as="p" tone="subdued">
              {p.intro}
            </Text>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {p.statusHeading}
                </Text>
                <Checkbox
                  label={p.programEnabled}
                  helpText={p.programEnabledHelp}
                  checked={form.programEnabled}
                  onChange={set("programEnabled")}
                  error={errors.programEnabled}
                />
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {p.earningHeading}
                </Text>
                <FormLayout>
                  <FormLayout.Group>
                    <TextField
                      label={format(p.earnRate, { currency })}
                      name="earnRate"
                      inputMode="decimal"
                      autoComplete="off"
                      value={form.earnRate}
                      onChange={set("earnRate")}
                      helpText={p.earnRateHelp}
                      error={errors.earnRate}
                    />
                    <Select
                      label={p.earnRounding}
                      name="earnRounding"
                      options={[
                        { label: p.roundingFloor, value: "floor" },
                        { label: p.roundingRound, value: "round" },
                        { label: p.roundingCeil, value: "ceil" },
                      ]}
                      value={form.earnRounding}
                      onChange={(value) => set("earnRounding")(value as FormState["earnRounding"])}
                      error={errors.earnRounding}
                    />
                  </FormLayout.Group>
                  <TextField
                    label={format(p.minimumOrderAmount, { currency })}
                    name="minimumOrderAmount"
                    inputMode="decimal"
                    autoComplete="off"
                    value={form.minimumOrderAmount}
                    onChange={set("minimumOrderAmount")}
                    helpText={p.minimumOrderAmountHelp}
                    error={errors.minimumOrderAmount}
                  />
                  <Checkbox label={p.includePosOrders} checked={form.includePosOrders} onChange={set("includePosOrders")} />
                  <Checkbox label={p.includeTestOrders} checked={form.includeTestOrders} onChange={set("includeTestOrders")} />
                </FormLayout>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {p.signupHeading}
                </Text>
                <TextField
                  label={p.signupBonusPoints}
                  name="signupBonusPoints"
                  inputMode="numeric"
                  autoComplete="off"
                  value={form.signupBonusPoints}
                  onChange={set("signupBonusPoints")}
                  helpText={p.signupBonusPointsHelp}
                  error={errors.signupBonusPoints}
                />
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                {p.changesHeading}
              </Text>
              {changes.length === 0 ? (
                <Text as="p" tone="subdued">
                  {p.changesEmpty}
                </Text>
              ) : (
                changes.map((change) => (
                  <Text as="p" key={change.id}>
                    {format(p.changeLine, {
                      when: formatDateTime(change.at, locale),
                      who: change.staffId ?? "—",
                      what: change.changed.map((name) => p.settingNames[name]).join(", ") || p.nothingChanged,
                    })}
                  </Text>
                ))
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
