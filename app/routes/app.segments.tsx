/**
 * Segments settings: the RFM rules (contextual save bar, errors next to fields, audited) and the
 * member count of each segment with links to the filtered members list and its CSV export.
 * docs/decisions/017-members-at-scale.md.
 */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { BlockStack, Button, Card, FormLayout, InlineGrid, InlineStack, Layout, Page, Text, TextField } from "@shopify/polaris";
import { SaveBar, TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import { useState } from "react";
import { fieldErrors, formFields, staffIdOf, useFetcherResult, type FieldErrors } from "~/components/admin-forms";
import { downloadFile } from "~/components/download";
import { format } from "~/i18n/admin";
import { segmentsStrings } from "~/i18n/features/segments";
import { DEFAULT_SEGMENT_RULES, SEGMENTS, type SegmentRules } from "~/loyalty/segments";
import { segmentSettings, SegmentRulesInput, updateSegmentRules } from "~/loyalty/services/segments.server";
import { authenticate } from "~/shopify.server";
import { useServerMessages } from "~/i18n/server-messages";
import { formatDateTime } from "~/i18n/format";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  return segmentSettings(session.shop);
}

type ActionResult = { ok: true; rules: SegmentRules } | { ok: false; errors: FieldErrors };

export async function action({ request }: ActionFunctionArgs) {
  const { session, sessionToken } = await authenticate.admin(request);
  const parsed = SegmentRulesInput.safeParse(formFields(await request.formData()));
  if (!parsed.success) return data<ActionResult>({ ok: false, errors: fieldErrors(parsed.error.issues) }, { status: 400 });
  return data<ActionResult>({ ok: true, rules: await updateSegmentRules(session.shop, parsed.data, staffIdOf(sessionToken)) });
}

const SAVE_BAR_ID = "segments-save-bar";
type FormState = Record<keyof SegmentRules, string>;
const FIELDS: (keyof SegmentRules)[] = ["newDays", "atRiskDays", "churnDays", "windowDays", "loyalMinOrders", "loyalMinSpent"];
const stateOf = (rules: SegmentRules): FormState => Object.fromEntries(FIELDS.map((key) => [key, String(rules[key])])) as FormState;

export default function SegmentsPage() {
  const { rules, currencyCode, counts, changes } = useLoaderData<typeof loader>();
  const { t, locale, common } = segmentsStrings.useStrings();
  const messages = useServerMessages();
  /** A changed rule's key as its field label ("atRiskDays" → "At risk: no activity for (days)"). */
  const ruleName = (key: string) =>
    key in DEFAULT_SEGMENT_RULES ? format(t[key as keyof SegmentRules], { currency: currencyCode }) : key;
  const shopify = useAppBridge();
  const fetcher = useFetcher<ActionResult>();
  const [saved, setSaved] = useState<FormState>(() => stateOf(rules));
  const [form, setForm] = useState<FormState>(saved);
  const [errors, setErrors] = useState<FieldErrors>({});
  const dirty = JSON.stringify(form) !== JSON.stringify(saved);
  const saving = fetcher.state !== "idle";
  const numbers = new Intl.NumberFormat(locale);

  useFetcherResult(fetcher, (result) => {
    if (result.ok) {
      const next = stateOf(result.rules);
      setSaved(next);
      setForm(next);
      setErrors({});
      shopify.toast.show(t.savedToast);
    } else {
      setErrors(messages.errors(result.errors));
      shopify.toast.show(common.common.fixErrors, { isError: true });
    }
  });

  const field = (key: keyof SegmentRules, label: string) => (
    <TextField
      label={label}
      name={key}
      inputMode={key === "loyalMinSpent" ? "decimal" : "numeric"}
      autoComplete="off"
      value={form[key]}
      onChange={(value) => setForm((current) => ({ ...current, [key]: value }))}
      error={errors[key]}
    />
  );

  return (
    <Page title={t.title} backAction={{ content: common.nav.settings, url: "/app/settings" }}>
      <TitleBar title={t.title} />
      <SaveBar id={SAVE_BAR_ID} open={dirty}>
        <button variant="primary" onClick={() => fetcher.submit(form, { method: "post" })} disabled={saving} loading={saving ? "" : undefined}>
          {common.common.save}
        </button>
        <button
          onClick={() => {
            setForm(saved);
            setErrors({});
          }}
          disabled={saving}
        >
          {common.common.discard}
        </button>
      </SaveBar>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Text as="p" tone="subdued">
              {t.intro}
            </Text>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t.countsHeading}
                </Text>
                <InlineGrid columns={{ xs: 1, sm: 2, md: 5 }} gap="300">
                  {SEGMENTS.map((segment) => (
                    <Card key={segment} background="bg-surface-secondary">
                      <BlockStack gap="100">
                        <Text as="h3" variant="headingSm">
                          {t.segments[segment].title}
                        </Text>
                        <Text as="p" variant="headingLg">
                          {numbers.format(counts[segment])}
                        </Text>
                        <Text as="p" tone="subdued">
                          {t.segments[segment].body}
                        </Text>
                        <InlineStack gap="200">
                          <Button variant="plain" url={`/app/members?segment=${segment}`}>
                            {t.view}
                          </Button>
                          <Button variant="plain" onClick={() => void downloadFile(`/app/members/export?segment=${segment}`, `keepsake-members-${segment}.csv`)}>
                            {t.export}
                          </Button>
                        </InlineStack>
                      </BlockStack>
                    </Card>
                  ))}
                </InlineGrid>
                {counts.unassigned > 0 ? (
                  <Text as="p" tone="subdued">
                    {format(t.unassigned, { count: numbers.format(counts.unassigned) })}
                  </Text>
                ) : null}
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t.rulesHeading}
                </Text>
                <FormLayout>
                  <FormLayout.Group>
                    {field("newDays", t.newDays)}
                    {field("windowDays", t.windowDays)}
                  </FormLayout.Group>
                  <FormLayout.Group>
                    {field("atRiskDays", t.atRiskDays)}
                    {field("churnDays", t.churnDays)}
                  </FormLayout.Group>
                  <FormLayout.Group>
                    {field("loyalMinOrders", t.loyalMinOrders)}
                    {field("loyalMinSpent", format(t.loyalMinSpent, { currency: currencyCode }))}
                  </FormLayout.Group>
                </FormLayout>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t.changesHeading}
                </Text>
                {changes.length === 0 ? (
                  <Text as="p" tone="subdued">
                    {t.changesEmpty}
                  </Text>
                ) : (
                  changes.map((change) => {
                    const after = change.after as unknown as { changed?: string[] } | null;
                    return (
                      <Text as="p" key={change.id}>
                        {format(t.changeLine, {
                          when: formatDateTime(change.createdAt, locale),
                          who: change.staffId ?? "—",
                          what: after?.changed?.length ? after.changed.map(ruleName).join(", ") : common.program.nothingChanged,
                        })}
                      </Text>
                    );
                  })
                )}
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
