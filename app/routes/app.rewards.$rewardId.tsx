import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData, useNavigate } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Button,
  Card,
  Checkbox,
  FormLayout,
  InlineStack,
  Layout,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { SaveBar, TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import { useState } from "react";
import { z } from "zod";
import { formFields, staffIdOf, useFetcherResult, type FieldErrors } from "~/components/admin-forms";
import { RewardPreview } from "~/components/reward-preview";
import { format, useAdminStrings } from "~/i18n/admin";
import { EMPTY_REWARD_FORM, REWARD_FORM_KINDS, type RewardFormValues } from "~/loyalty/reward-form";
import { createRewardAsStaff, rewardEditor, setRewardActive, updateReward, validateRewardForm } from "~/loyalty/services/rewards-admin.server";
import { authenticate } from "~/shopify.server";
import { useServerMessages } from "~/i18n/server-messages";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const editor = await rewardEditor(session.shop, params.rewardId ?? "");
  // Another shop's reward id answers exactly like one that does not exist.
  if (!editor.found) throw new Response("Not found", { status: 404 });
  return editor;
}

type ActionResult =
  | { ok: true; intent: "created"; id: string }
  | { ok: true; intent: "saved" | "archived" | "unarchived" }
  | { ok: false; errors: FieldErrors };

const Intent = z.enum(["save", "archive", "unarchive"]);

export async function action({ request, params }: ActionFunctionArgs) {
  const { session, sessionToken } = await authenticate.admin(request);
  const staffId = staffIdOf(sessionToken);
  const fields = formFields(await request.formData());
  const rewardId = params.rewardId ?? "";
  const intent = Intent.safeParse(fields.intent);
  if (!intent.success) return data<ActionResult>({ ok: false, errors: { form: "Unknown action" } }, { status: 400 });
  const notFound = () => data<ActionResult>({ ok: false, errors: { form: "Reward not found" } }, { status: 404 });

  if (intent.data !== "save") {
    if (rewardId === "new") return notFound();
    const archived = intent.data === "archive";
    const outcome = await setRewardActive(session.shop, rewardId, !archived, staffId);
    return outcome.ok ? data<ActionResult>({ ok: true, intent: archived ? "archived" : "unarchived" }) : notFound();
  }

  const valid = validateRewardForm(fields);
  if (!valid.ok) return data<ActionResult>({ ok: false, errors: valid.errors }, { status: 400 });
  if (rewardId === "new") {
    const created = await createRewardAsStaff(session.shop, valid.input, staffId);
    if (!created.ok) return data<ActionResult>({ ok: false, errors: { form: created.issues.join("; ") } }, { status: 400 });
    return data<ActionResult>({ ok: true, intent: "created", id: created.id });
  }
  const outcome = await updateReward(session.shop, rewardId, valid.input, staffId);
  if (outcome.ok) return data<ActionResult>({ ok: true, intent: "saved" });
  return outcome.reason === "invalid" ? data<ActionResult>({ ok: false, errors: outcome.errors }, { status: 400 }) : notFound();
}

const SAVE_BAR_ID = "reward-save-bar";

export default function RewardPage() {
  const { reward, currencyCode } = useLoaderData<typeof loader>();
  const { t } = useAdminStrings();
  const messages = useServerMessages();
  const shopify = useAppBridge();
  const navigate = useNavigate();
  const fetcher = useFetcher<ActionResult>();
  const initial = reward?.values ?? EMPTY_REWARD_FORM;
  const [saved, setSaved] = useState<RewardFormValues>(initial);
  const [form, setForm] = useState<RewardFormValues>(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const isNew = reward === null;
  const dirty = isNew ? JSON.stringify(form) !== JSON.stringify(EMPTY_REWARD_FORM) : JSON.stringify(form) !== JSON.stringify(saved);
  const busy = fetcher.state !== "idle";
  const rw = t.reward;

  useFetcherResult(fetcher, (result) => {
    if (!result.ok) {
      const errors = messages.errors(result.errors);
      setErrors(errors);
      shopify.toast.show(errors.form ?? t.common.fixErrors, { isError: true });
      return;
    }
    setErrors({});
    if (result.intent === "created") {
      shopify.toast.show(rw.createdToast);
      setSaved(form);
      navigate(`/app/rewards/${result.id}`, { replace: true });
    } else if (result.intent === "saved") {
      setSaved(form);
      shopify.toast.show(rw.savedToast);
    } else {
      const active = result.intent === "unarchived";
      setForm((current) => ({ ...current, active }));
      setSaved((current) => ({ ...current, active }));
      shopify.toast.show(active ? rw.unarchivedToast : rw.archivedToast);
    }
  });

  const set = <K extends keyof RewardFormValues>(key: K) => (value: RewardFormValues[K]) => {
    setForm((current) => ({ ...current, [key]: value }));
  };
  const text = (key: keyof RewardFormValues, label: string, extra: Partial<Parameters<typeof TextField>[0]> = {}) => (
    <TextField
      label={label}
      name={key}
      autoComplete="off"
      value={String(form[key])}
      onChange={(value) => set(key)(value as never)}
      error={errors[key]}
      {...extra}
    />
  );
  const submit = (intent: "save" | "archive" | "unarchive") => {
    const body: Record<string, string> = { intent };
    for (const [key, value] of Object.entries(form)) body[key] = String(value);
    fetcher.submit(body, { method: "post" });
  };
  const title = isNew ? rw.newTitle : saved.name;

  return (
    <Page title={title} backAction={{ content: t.rewards.title, url: "/app/rewards" }}>
      <TitleBar title={title} />
      <SaveBar id={SAVE_BAR_ID} open={dirty}>
        <button variant="primary" onClick={() => submit("save")} disabled={busy}>
          {t.common.save}
        </button>
        <button onClick={() => { setForm(saved); setErrors({}); }} disabled={busy}>
          {t.common.discard}
        </button>
      </SaveBar>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {errors.form ? <Banner tone="critical">{errors.form}</Banner> : null}
            <Card>
              <FormLayout>
                <Select
                  label={t.rewards.kind}
                  name="kind"
                  options={REWARD_FORM_KINDS.map((kind) => ({ label: t.rewards.kinds[kind], value: kind }))}
                  value={form.kind}
                  onChange={(value) => set("kind")(value as RewardFormValues["kind"])}
                  error={errors.kind}
                />
                {text("name", t.rewards.name)}
                {form.kind === "sliding_scale" ? (
                  <>
                    <FormLayout.Group>
                      {text("pointsPerStep", rw.pointsPerStep, { inputMode: "numeric" })}
                      {text("amountPerStep", format(rw.amountPerStep, { currency: currencyCode }), { inputMode: "decimal" })}
                    </FormLayout.Group>
                    <FormLayout.Group>
                      {text("minPoints", rw.minPoints, { inputMode: "numeric" })}
                      {text("maxPoints", rw.maxPoints, { inputMode: "numeric" })}
                    </FormLayout.Group>
                  </>
                ) : (
                  text("pointsCost", rw.pointsCost, { inputMode: "numeric" })
                )}
                {form.kind === "amount_off" ? text("amount", format(rw.amount, { currency: currencyCode }), { inputMode: "decimal" }) : null}
                {form.kind === "percent_off" ? text("percentage", rw.percentage, { inputMode: "decimal", suffix: "%" }) : null}
                {form.kind === "free_product" ? text("variantGid", rw.variantGid, { helpText: rw.variantGidHelp }) : null}
                {form.kind === "donation" ? text("donationCause", rw.donationCause) : null}
              </FormLayout>
            </Card>
            {form.kind !== "donation" ? (
              <Card>
                <FormLayout>
                  <FormLayout.Group>
                    {text("minimumSubtotal", format(rw.minimumSubtotal, { currency: currencyCode }), { inputMode: "decimal" })}
                    {text("codeExpiresInDays", rw.codeExpiresInDays, { inputMode: "numeric", helpText: rw.codeExpiresInDaysHelp })}
                  </FormLayout.Group>
                  <BlockStack gap="100">
                    <Text as="h3" variant="headingSm">
                      {rw.combinesHeading}
                    </Text>
                    <Checkbox
                      label={rw.combinesWithOrderDiscounts}
                      checked={form.combinesWithOrderDiscounts}
                      onChange={set("combinesWithOrderDiscounts")}
                    />
                    <Checkbox
                      label={rw.combinesWithProductDiscounts}
                      checked={form.combinesWithProductDiscounts}
                      onChange={set("combinesWithProductDiscounts")}
                    />
                    <Checkbox
                      label={rw.combinesWithShippingDiscounts}
                      checked={form.combinesWithShippingDiscounts}
                      onChange={set("combinesWithShippingDiscounts")}
                    />
                  </BlockStack>
                </FormLayout>
              </Card>
            ) : null}
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <RewardPreview t={t} form={form} currency={currencyCode} />
            {!isNew ? (
              <Card>
                <BlockStack gap="200">
                  <Text as="p" tone="subdued">
                    {rw.archiveHelp}
                  </Text>
                  <InlineStack>
                    {saved.active ? (
                      <Button tone="critical" onClick={() => submit("archive")} disabled={busy || dirty}>
                        {rw.archive}
                      </Button>
                    ) : (
                      <Button onClick={() => submit("unarchive")} disabled={busy || dirty}>
                        {rw.unarchive}
                      </Button>
                    )}
                  </InlineStack>
                </BlockStack>
              </Card>
            ) : null}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
