import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Button,
  Card,
  Checkbox,
  ChoiceList,
  FormLayout,
  InlineStack,
  Layout,
  Modal,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { SaveBar, TitleBar } from "@shopify/app-bridge-react";
import { useState } from "react";
import { z } from "zod";
import { formFields, staffIdOf, useEditorForm, type FieldErrors } from "~/components/admin-forms";
import { format } from "~/i18n/admin";
import { campaignsStrings } from "~/i18n/features/campaigns";
import { CAMPAIGN_KINDS } from "~/loyalty/campaigns";
import { EMPTY_CAMPAIGN_FORM, type CampaignFormValues } from "~/loyalty/campaign-form";
import { archiveCampaign, campaignEditor, createCampaign, updateCampaign } from "~/loyalty/services/campaigns-admin.server";
import { authenticate } from "~/shopify.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const editor = await campaignEditor(session.shop, params.campaignId ?? "");
  // Another shop's campaign id answers exactly like one that does not exist.
  if (!editor.found) throw new Response("Not found", { status: 404 });
  return editor;
}

type ActionResult =
  | { ok: true; intent: "created"; id: string }
  | { ok: true; intent: "saved" | "archived" }
  | { ok: false; errors: FieldErrors };

const Intent = z.enum(["save", "archive"]);

export async function action({ request, params }: ActionFunctionArgs) {
  const { session, sessionToken } = await authenticate.admin(request);
  const staffId = staffIdOf(sessionToken);
  const fields = formFields(await request.formData());
  const campaignId = params.campaignId ?? "";
  const intent = Intent.safeParse(fields.intent);
  if (!intent.success) return data<ActionResult>({ ok: false, errors: { form: "Unknown action" } }, { status: 400 });
  const notFound = () => data<ActionResult>({ ok: false, errors: { form: "Campaign not found" } }, { status: 404 });

  if (intent.data === "archive") {
    if (campaignId === "new") return notFound();
    const outcome = await archiveCampaign(session.shop, campaignId, staffId);
    return outcome.ok ? data<ActionResult>({ ok: true, intent: "archived" }) : notFound();
  }
  const outcome =
    campaignId === "new"
      ? await createCampaign(session.shop, fields, staffId)
      : await updateCampaign(session.shop, campaignId, fields, staffId);
  if (!outcome.ok) {
    return outcome.reason === "invalid" ? data<ActionResult>({ ok: false, errors: outcome.errors }, { status: 400 }) : notFound();
  }
  return data<ActionResult>(campaignId === "new" ? { ok: true, intent: "created", id: outcome.id } : { ok: true, intent: "saved" });
}

const SAVE_BAR_ID = "campaign-save-bar";

export default function CampaignPage() {
  const { campaign, tiers, timeZone, currencyCode } = useLoaderData<typeof loader>();
  const { t, common } = campaignsStrings.useStrings();
  const fetcher = useFetcher<ActionResult>();
  const [confirming, setConfirming] = useState(false);
  const [archived, setArchived] = useState(campaign?.status === "archived");
  const isNew = campaign === null;
  const { form, saved, errors, dirty, busy, set, discard, toast } = useEditorForm({
    initial: campaign?.values ?? EMPTY_CAMPAIGN_FORM,
    empty: EMPTY_CAMPAIGN_FORM,
    isNew,
    fetcher,
    base: "/app/campaigns",
    toasts: { created: t.createdToast, saved: t.savedToast, fixErrors: common.common.fixErrors },
    onOther: () => {
      setConfirming(false);
      setArchived(true);
      toast.show(t.archivedToast);
    },
  });

  const submit = (intent: "save" | "archive") => {
    const body: Record<string, string> = { intent };
    if (intent === "save") {
      for (const [key, value] of Object.entries(form)) body[key] = Array.isArray(value) ? value.join(",") : String(value);
    }
    fetcher.submit(body, { method: "post" });
  };
  type TextKey = "name" | "startsAt" | "endsAt" | "value" | "minimumOrderAmount";
  const text = (key: TextKey, label: string, extra: Partial<Parameters<typeof TextField>[0]> = {}) => (
    <TextField label={label} name={key} autoComplete="off" value={form[key]} onChange={set(key)} error={errors[key]} {...extra} />
  );
  const title = isNew ? t.newTitle : saved.name;
  const zoneNote = format(t.timeZoneNote, { zone: timeZone });

  return (
    <Page title={title} backAction={{ content: t.title, url: "/app/campaigns" }}>
      <TitleBar title={title} />
      <SaveBar id={SAVE_BAR_ID} open={dirty}>
        <button variant="primary" onClick={() => submit("save")} disabled={busy}>
          {common.common.save}
        </button>
        <button onClick={discard} disabled={busy}>
          {common.common.discard}
        </button>
      </SaveBar>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {errors.form ? <Banner tone="critical">{errors.form}</Banner> : null}
            {archived ? <Banner tone="info">{t.archivedBanner}</Banner> : null}
            <Card>
              <FormLayout>
                {text("name", t.name)}
                <FormLayout.Group>
                  {text("startsAt", t.startsAt, { type: "datetime-local", helpText: zoneNote })}
                  {text("endsAt", t.endsAt, { type: "datetime-local", helpText: t.endsAtHelp })}
                </FormLayout.Group>
                <FormLayout.Group>
                  <Select
                    label={t.kind}
                    name="kind"
                    options={CAMPAIGN_KINDS.map((kind) => ({ label: t.kinds[kind], value: kind }))}
                    value={form.kind}
                    onChange={(value) => set("kind")(value as CampaignFormValues["kind"])}
                    error={errors.kind}
                  />
                  {form.kind === "multiplier"
                    ? text("value", t.valueMultiplier, { inputMode: "decimal", helpText: t.valueMultiplierHelp, suffix: "×" })
                    : text("value", t.valueFixed, { inputMode: "numeric" })}
                </FormLayout.Group>
              </FormLayout>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingSm">
                  {t.eligibilityHeading}
                </Text>
                <FormLayout>
                  {text("minimumOrderAmount", format(t.minimumOrderAmount, { currency: currencyCode }), {
                    inputMode: "decimal",
                    helpText: t.minimumOrderAmountHelp,
                  })}
                  {tiers.length > 0 ? (
                    <ChoiceList
                      title={t.targetTiers}
                      allowMultiple
                      choices={tiers.map((tier) => ({ label: tier.name, value: tier.handle }))}
                      selected={form.targetTiers}
                      onChange={set("targetTiers")}
                      error={errors.targetTiers}
                    />
                  ) : (
                    <Text as="p" tone="subdued">
                      {t.noTiers}
                    </Text>
                  )}
                  {tiers.length > 0 ? (
                    <Text as="p" tone="subdued">
                      {t.targetTiersHelp}
                    </Text>
                  ) : null}
                  {tiers.length === 0 && errors.targetTiers ? <Text as="p" tone="critical">{errors.targetTiers}</Text> : null}
                  <Checkbox
                    label={t.oncePerMember}
                    helpText={t.oncePerMemberHelp}
                    checked={form.oncePerMember}
                    onChange={set("oncePerMember")}
                    error={errors.oncePerMember}
                  />
                </FormLayout>
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          {!isNew && !archived ? (
            <Card>
              <BlockStack gap="200">
                <Text as="p" tone="subdued">
                  {t.archiveHelp}
                </Text>
                <InlineStack>
                  <Button tone="critical" onClick={() => setConfirming(true)} disabled={busy || dirty}>
                    {t.archive}
                  </Button>
                </InlineStack>
              </BlockStack>
            </Card>
          ) : null}
        </Layout.Section>
      </Layout>
      <Modal
        open={confirming}
        onClose={() => setConfirming(false)}
        title={t.archiveConfirmTitle}
        primaryAction={{ content: t.archive, destructive: true, loading: busy, onAction: () => submit("archive") }}
        secondaryActions={[{ content: t.cancel, onAction: () => setConfirming(false) }]}
      >
        <Modal.Section>
          <Text as="p">{t.archiveConfirmBody}</Text>
        </Modal.Section>
      </Modal>
    </Page>
  );
}
