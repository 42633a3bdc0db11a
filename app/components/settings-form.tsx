/**
 * A settings page's form (one Shop-row form, saved as a whole): the form vs the last saved values,
 * errors next to fields, the contextual save bar while it differs, and toasts after the answer.
 * The action answers `{ ok: true, settings }` or `{ ok: false, errors }` (field → message).
 */
import { BlockStack, Card, Layout, Page, Text } from "@shopify/polaris";
import { SaveBar, TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import { useState } from "react";
import { adminLocale, format } from "~/i18n/admin";
import { useServerMessages } from "~/i18n/server-messages";
import { useFetcherResult, type FieldErrors } from "./admin-forms";
import { formatDateTime } from "~/i18n/format";

export type SettingsResult<V> = { ok: true; settings: V } | { ok: false; errors: FieldErrors };

export function useSettingsForm<V extends object>(options: {
  loaded: V;
  fetcher: { state: string; data?: SettingsResult<V>; submit: (body: Record<string, string>, options: { method: "post" }) => void };
  toasts: { saved: string; fixErrors: string };
}) {
  const shopify = useAppBridge();
  const messages = useServerMessages();
  const [saved, setSaved] = useState<V>(options.loaded);
  const [form, setForm] = useState<V>(saved);
  const [errors, setErrors] = useState<FieldErrors>({});
  const dirty = JSON.stringify(form) !== JSON.stringify(saved);
  const saving = options.fetcher.state !== "idle";

  useFetcherResult(options.fetcher, (result) => {
    if (result.ok) {
      setSaved(result.settings);
      setForm(result.settings);
      setErrors({});
      shopify.toast.show(options.toasts.saved);
    } else {
      setErrors(messages.errors(result.errors)); // in the staff member's language (ADR 010)
      shopify.toast.show(options.toasts.fixErrors, { isError: true });
    }
  });

  const set =
    <K extends keyof V>(key: K) =>
    (value: V[K]) =>
      setForm((current) => ({ ...current, [key]: value }));
  /** Every value as a string, as FormData carries it (booleans as "true"/"false"). */
  const save = () => options.fetcher.submit(Object.fromEntries(Object.entries(form).map(([key, value]) => [key, String(value)])), { method: "post" });
  const discard = () => {
    setForm(saved);
    setErrors({});
  };
  return { form, saved, errors, dirty, saving, set, save, discard };
}

/** The contextual save bar: while it shows, the admin asks before leaving the page. */
export function SettingsSaveBar(props: { id: string; open: boolean; saving: boolean; onSave: () => void; onDiscard: () => void; labels: { save: string; discard: string } }) {
  return (
    <SaveBar id={props.id} open={props.open}>
      <button variant="primary" onClick={props.onSave} disabled={props.saving} loading={props.saving ? "" : undefined}>
        {props.labels.save}
      </button>
      <button onClick={props.onDiscard} disabled={props.saving}>
        {props.labels.discard}
      </button>
    </SaveBar>
  );
}

/** The "recent changes" card of a settings page (from the audit log): when and by which staff user. */
export function RecentChangesCard(props: {
  changes: readonly { id: string; at: string; staffId: string | null }[];
  locale: string;
  labels: { heading: string; empty: string; line: string };
}) {
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          {props.labels.heading}
        </Text>
        {props.changes.length === 0 ? (
          <Text as="p" tone="subdued">
            {props.labels.empty}
          </Text>
        ) : (
          props.changes.map((change) => (
            <Text as="p" key={change.id}>
              {format(props.labels.line, { when: formatDateTime(change.at, adminLocale(props.locale)), who: change.staffId ?? "—" })}
            </Text>
          ))
        )}
      </BlockStack>
    </Card>
  );
}

/** One titled card of a settings form. */
export function SettingsCard(props: { title: string; children: React.ReactNode }) {
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          {props.title}
        </Text>
        {props.children}
      </BlockStack>
    </Card>
  );
}

/**
 * The frame every settings page shares: the page with its way back to the Settings index, the title
 * bar, the contextual save bar (open while the form differs from what was saved) and the intro line.
 */
export function SettingsFrame(props: {
  title: string;
  intro: string;
  backLabel: string;
  saveBar: { id: string; open: boolean; saving: boolean; onSave: () => void; onDiscard: () => void; labels: { save: string; discard: string } };
  /** A narrow column beside the form (recent changes, figures). */
  aside?: React.ReactNode;
  children: React.ReactNode;
}) {
  return (
    <Page title={props.title} backAction={{ content: props.backLabel, url: "/app/settings" }}>
      <TitleBar title={props.title} />
      <SettingsSaveBar {...props.saveBar} />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Text as="p" tone="subdued">
              {props.intro}
            </Text>
            {props.children}
          </BlockStack>
        </Layout.Section>
        {props.aside ? <Layout.Section variant="oneThird">{props.aside}</Layout.Section> : null}
      </Layout>
    </Page>
  );
}
