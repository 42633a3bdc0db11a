import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { BlockStack, Button, Card, Checkbox, FormLayout, InlineStack, Layout, Modal, Page, Select, Text, TextField } from "@shopify/polaris";
import { TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import { useState } from "react";
import { staffIdOf, useFetcherResult } from "~/components/admin-forms";
import { SettingsSaveBar } from "~/components/settings-form";
import { env } from "~/env.server";
import { format } from "~/i18n/admin";
import { earnStrings } from "~/i18n/features/earn";
import { ACTION_KINDS, SOCIAL_NETWORKS, isShopperAction, type ActionKind, type SocialNetwork } from "~/loyalty/earn-actions";
import { earnPage, rotateEarnSecret, saveEarnPage, type SaveEarnResult } from "~/loyalty/services/earn-actions.server";
import { authenticate } from "~/shopify.server";
import { useServerMessages } from "~/i18n/server-messages";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  return { ...(await earnPage(session.shop)), endpoint: `${env().SHOPIFY_APP_URL.replace(/\/$/, "")}/api/actions` };
}

export async function action({ request }: ActionFunctionArgs) {
  const { session, sessionToken } = await authenticate.admin(request);
  const form = await request.formData();
  const staffId = staffIdOf(sessionToken);
  if (form.get("intent") === "rotate") return data<SaveEarnResult>(await rotateEarnSecret(session.shop, staffId));
  const result = await saveEarnPage(session.shop, String(form.get("actions") ?? ""), staffId);
  return data<SaveEarnResult>(result, { status: result.ok ? 200 : 400 });
}

const SAVE_BAR_ID = "earn-save-bar";

/** A row as the form holds it (points as typed). */
interface Row {
  kind: ActionKind;
  key: string;
  network: SocialNetwork | "";
  url: string;
  label: string;
  points: string;
  active: boolean;
}

type Loaded = ReturnType<typeof useLoaderData<typeof loader>>;

function rowsOf(actions: Loaded["actions"]): Row[] {
  return actions.map((a) => ({ kind: a.kind, key: a.key, network: a.network ?? "", url: a.url ?? "", label: a.label, points: String(a.points), active: a.active }));
}

export default function EarnPage() {
  const loaded = useLoaderData<typeof loader>();
  const { t, common } = earnStrings.useStrings();
  const messages = useServerMessages();
  const shopify = useAppBridge();
  const fetcher = useFetcher<SaveEarnResult>();
  const [saved, setSaved] = useState<Row[]>(() => rowsOf(loaded.actions));
  const [rows, setRows] = useState<Row[]>(saved);
  const [secret, setSecret] = useState<string | null>(loaded.integrationSecret);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [confirmingRotate, setConfirmingRotate] = useState(false);
  const dirty = JSON.stringify(rows) !== JSON.stringify(saved);
  const busy = fetcher.state !== "idle";

  useFetcherResult(fetcher, (result) => {
    if (!result.ok) {
      const errors = messages.errors(result.errors);
      setErrors(errors);
      shopify.toast.show(errors.form ?? common.common.fixErrors, { isError: true });
      return;
    }
    setSecret(result.view.integrationSecret);
    setErrors({});
    if (result.intent === "rotate") {
      shopify.toast.show(t.secretToast);
      return;
    }
    const next = rowsOf(result.view.actions);
    setSaved(next);
    setRows(next);
    shopify.toast.show(t.savedToast);
  });

  const update = (index: number, patch: Partial<Row>) => setRows((current) => current.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  const save = () => {
    const payload = rows.map((row) => ({
      kind: row.kind,
      // Social and newsletter keys follow their kind and network; reviews and custom actions name theirs.
      key: row.kind === "custom" || row.kind === "review" ? row.key || undefined : undefined,
      network: row.network || null,
      url: row.url,
      label: row.label,
      points: row.points,
      active: row.active,
    }));
    fetcher.submit({ intent: "save", actions: JSON.stringify(payload) }, { method: "post" });
  };
  const discard = () => {
    setRows(saved);
    setErrors({});
  };
  const rotate = () => {
    setConfirmingRotate(false);
    fetcher.submit({ intent: "rotate" }, { method: "post" });
  };
  const add = () => setRows((current) => [...current, { kind: "social_follow", key: "", network: "instagram", url: "", label: "", points: "50", active: true }]);

  return (
    <Page title={t.title} backAction={{ content: common.nav.settings, url: "/app/settings" }}>
      <TitleBar title={t.title} />
      <SettingsSaveBar id={SAVE_BAR_ID} open={dirty} saving={busy} onSave={save} onDiscard={discard} labels={common.common} />
      <Modal
        open={confirmingRotate}
        onClose={() => setConfirmingRotate(false)}
        title={t.rotateTitle}
        primaryAction={{ content: t.rotateConfirm, destructive: true, onAction: rotate }}
        secondaryActions={[{ content: t.cancel, onAction: () => setConfirmingRotate(false) }]}
      >
        <Modal.Section>
          <Text as="p">{t.rotateBody}</Text>
        </Modal.Section>
      </Modal>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Text as="p" tone="subdued">
              {t.intro}
            </Text>
            <Card>
              <BlockStack gap="400">
                <Text as="h2" variant="headingMd">
                  {t.actionsHeading}
                </Text>
                {rows.length === 0 ? (
                  <Text as="p" tone="subdued">
                    {t.empty}
                  </Text>
                ) : null}
                {rows.map((row, index) => {
                  const error = (field: string) => errors[`${index}.${field}`];
                  return (
                    <BlockStack gap="200" key={index}>
                      <FormLayout>
                        <FormLayout.Group>
                          <Select
                            label={t.kind}
                            options={ACTION_KINDS.map((kind) => ({ label: t.kinds[kind], value: kind }))}
                            value={row.kind}
                            onChange={(value) => update(index, { kind: value as ActionKind })}
                            error={error("kind")}
                          />
                          <TextField label={t.label} autoComplete="off" value={row.label} onChange={(value) => update(index, { label: value })} error={error("label")} />
                          <TextField label={t.points} inputMode="numeric" autoComplete="off" value={row.points} onChange={(value) => update(index, { points: value })} error={error("points")} />
                        </FormLayout.Group>
                        {isShopperAction(row.kind) ? (
                          <FormLayout.Group>
                            <Select
                              label={t.network}
                              options={SOCIAL_NETWORKS.map((network) => ({ label: t.networks[network], value: network }))}
                              value={row.network || "instagram"}
                              onChange={(value) => update(index, { network: value as SocialNetwork })}
                              error={error("network")}
                            />
                            <TextField label={t.url} type="url" autoComplete="off" value={row.url} onChange={(value) => update(index, { url: value })} helpText={t.urlHelp} error={error("url")} />
                          </FormLayout.Group>
                        ) : null}
                        {row.kind === "custom" || row.kind === "review" ? (
                          <TextField label={t.key} autoComplete="off" value={row.key} onChange={(value) => update(index, { key: value })} helpText={t.keyHelp} error={error("key")} />
                        ) : null}
                      </FormLayout>
                      <InlineStack align="space-between">
                        <Checkbox label={t.active} checked={row.active} onChange={(value) => update(index, { active: value })} />
                        <Button variant="plain" tone="critical" onClick={() => setRows((current) => current.filter((_, i) => i !== index))} accessibilityLabel={format(t.removeLabel, { label: row.label || t.kinds[row.kind] })}>
                          {t.remove}
                        </Button>
                      </InlineStack>
                    </BlockStack>
                  );
                })}
                <InlineStack>
                  <Button onClick={add}>{t.add}</Button>
                </InlineStack>
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                {t.integrationHeading}
              </Text>
              <Text as="p" tone="subdued">
                {format(t.integrationIntro, { url: loaded.endpoint })}
              </Text>
              {secret ? (
                <TextField label={t.secret} value={secret} readOnly autoComplete="off" monospaced selectTextOnFocus />
              ) : (
                <Text as="p">{t.noSecret}</Text>
              )}
              <InlineStack>
                {secret ? (
                  <Button tone="critical" onClick={() => setConfirmingRotate(true)} disabled={busy}>
                    {t.rotateSecret}
                  </Button>
                ) : (
                  <Button variant="primary" onClick={() => fetcher.submit({ intent: "rotate" }, { method: "post" })} disabled={busy}>
                    {t.createSecret}
                  </Button>
                )}
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
