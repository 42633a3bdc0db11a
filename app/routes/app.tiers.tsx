import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import {
  BlockStack,
  Button,
  Card,
  Checkbox,
  FormLayout,
  InlineStack,
  Modal,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useAppBridge } from "@shopify/app-bridge-react";
import { RecentChangesCard, SettingsCard, SettingsFrame } from "~/components/settings-form";
import { TierPlacementBanner } from "~/components/tier-placement-banner";
import { useState } from "react";
import { useFetcherResult, type FieldErrors } from "~/components/admin-forms";
import { format } from "~/i18n/admin";
import { tiersStrings } from "~/i18n/features/tiers";
import { SEGMENTS } from "~/loyalty/segments";
import { DEFAULT_LADDER, type TierForm, type TierSettingsView } from "~/loyalty/tier-form";
import {
  saveTierSettings,
  TierSettingsInput,
  tiersPage,
  type SaveTiersResult,
} from "~/loyalty/services/tiers-admin.server";
import { authenticate } from "~/shopify.server";
import { settingsAction } from "~/components/settings-action.server";
import { useServerMessages } from "~/i18n/server-messages";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  return tiersPage(session.shop);
}

export async function action({ request }: ActionFunctionArgs) {
  return settingsAction(request, TierSettingsInput, saveTierSettings);
}

const SAVE_BAR_ID = "tiers-save-bar";

export default function TiersPage() {
  const { settings: loaded, rewards, memberCounts, changes, placement } = useLoaderData<typeof loader>();
  const { t, common, locale } = tiersStrings.useStrings();
  const messages = useServerMessages();
  const shopify = useAppBridge();
  const fetcher = useFetcher<SaveTiersResult>();
  const [saved, setSaved] = useState<TierSettingsView>(loaded);
  const [form, setForm] = useState<TierSettingsView>(saved);
  const [errors, setErrors] = useState<FieldErrors>({});
  const dirty = JSON.stringify(form) !== JSON.stringify(saved);
  const saving = fetcher.state !== "idle";

  useFetcherResult(fetcher, (result) => {
    if (result.ok) {
      setSaved(result.settings);
      setForm(result.settings);
      setErrors({});
      shopify.toast.show(t.savedToast);
    } else {
      setErrors(messages.errors(result.errors));
      shopify.toast.show(common.common.fixErrors, { isError: true });
    }
  });

  const set = <K extends keyof TierSettingsView>(key: K) => (value: TierSettingsView[K]) =>
    setForm((current) => ({ ...current, [key]: value }));
  const setTier = (index: number, patch: Partial<TierForm>) =>
    setForm((current) => ({ ...current, tiers: current.tiers.map((tier, i) => (i === index ? { ...tier, ...patch } : tier)) }));
  // The ladder shares one kind and period: editing them on the base tier sets them for all.
  const setShared = (patch: Pick<Partial<TierForm>, "thresholdKind" | "qualificationPeriod">) =>
    setForm((current) => ({ ...current, tiers: current.tiers.map((tier) => ({ ...tier, ...patch })) }));
  const addTier = () =>
    setForm((current) => {
      const base = current.tiers[0] ?? DEFAULT_LADDER[0];
      const number = current.tiers.length + 1;
      const tier: TierForm = {
        ...(DEFAULT_LADDER[0] as TierForm),
        handle: `tier-${number}`,
        name: `Tier ${number}`,
        thresholdKind: base?.thresholdKind ?? "points_earned",
        qualificationPeriod: base?.qualificationPeriod ?? "calendar_year",
        thresholdValue: "",
      };
      return { ...current, tiers: [...current.tiers, tier] };
    });
  const removeTier = (index: number) =>
    setForm((current) => ({ ...current, tiers: current.tiers.filter((_, i) => i !== index) }));
  // A tier with members asks first: saving moves them (ADR 012 "Program changes").
  const [confirmingRemove, setConfirmingRemove] = useState<number | null>(null);
  const requestRemove = (index: number) => {
    const handle = form.tiers[index]?.handle ?? "";
    if ((memberCounts[handle] ?? 0) > 0) setConfirmingRemove(index);
    else removeTier(index);
  };
  const removing = confirmingRemove === null ? undefined : form.tiers[confirmingRemove];
  const save = () => {
    fetcher.submit(
      {
        tiersEnabled: String(form.tiersEnabled),
        tierDowngrade: form.tierDowngrade,
        tierGraceDays: form.tierGraceDays,
        tierRefundsDemote: String(form.tierRefundsDemote),
        tiers: JSON.stringify(form.tiers),
      },
      { method: "post" },
    );
  };
  const discard = () => {
    setForm(saved);
    setErrors({});
  };
  const err = (index: number, field: keyof TierForm) => errors[`tiers.${index}.${field}`];
  const rewardOptions = [{ label: "—", value: "" }, ...rewards.map((reward) => ({ label: reward.name, value: reward.id }))];

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
      <Modal
        open={removing !== undefined}
        onClose={() => setConfirmingRemove(null)}
        title={format(t.removeTitle, { name: removing?.name ?? "" })}
        primaryAction={{
          content: t.removeConfirm,
          destructive: true,
          onAction: () => {
            if (confirmingRemove !== null) removeTier(confirmingRemove);
            setConfirmingRemove(null);
          },
        }}
        secondaryActions={[{ content: t.cancel, onAction: () => setConfirmingRemove(null) }]}
      >
        <Modal.Section>
          <Text as="p">{format(t.removeBody, { count: memberCounts[removing?.handle ?? ""] ?? 0 })}</Text>
        </Modal.Section>
      </Modal>
      <TierPlacementBanner placement={placement} />
      <SettingsCard title={t.statusHeading}>
        <Checkbox
          label={t.tiersEnabled}
          helpText={t.tiersEnabledHelp}
          checked={form.tiersEnabled}
          onChange={set("tiersEnabled")}
          error={errors.tiersEnabled}
        />
      </SettingsCard>
      <Card>
        <BlockStack gap="400">
          <BlockStack gap="100">
            <Text as="h2" variant="headingMd">
              {t.ladderHeading}
            </Text>
            <Text as="p" tone="subdued">
              {t.ladderHelp}
            </Text>
            {errors.tiers ? (
              <Text as="p" tone="critical">
                {errors.tiers}
              </Text>
            ) : null}
          </BlockStack>
          {form.tiers.map((tier, index) => (
            <Card key={index} background="bg-surface-secondary">
              <BlockStack gap="200">
                <InlineStack align="space-between" blockAlign="center">
                  <Text as="h3" variant="headingSm">
                    {format(t.tierHeading, { number: index + 1 })} · {format(t.members, { count: memberCounts[tier.handle] ?? 0 })}
                  </Text>
                  {index > 0 ? (
                    <Button variant="plain" tone="critical" onClick={() => requestRemove(index)}>
                      {t.removeTier}
                    </Button>
                  ) : null}
                </InlineStack>
                <FormLayout>
                  <FormLayout.Group>
                    <TextField label={t.name} autoComplete="off" value={tier.name} onChange={(name) => setTier(index, { name })} error={err(index, "name")} />
                    <TextField
                      label={t.handle}
                      autoComplete="off"
                      value={tier.handle}
                      onChange={(handle) => setTier(index, { handle })}
                      helpText={format(t.handleHelp, { handle: tier.handle })}
                      error={err(index, "handle")}
                    />
                  </FormLayout.Group>
                  <FormLayout.Group>
                    <Select
                      label={t.thresholdKind}
                      disabled={index > 0}
                      options={Object.entries(t.kinds).map(([value, label]) => ({ value, label }))}
                      value={tier.thresholdKind}
                      onChange={(value) => setShared({ thresholdKind: value as TierForm["thresholdKind"] })}
                      error={err(index, "thresholdKind")}
                    />
                    <TextField
                      label={t.thresholdValue}
                      autoComplete="off"
                      inputMode="decimal"
                      value={tier.thresholdValue}
                      onChange={(thresholdValue) => setTier(index, { thresholdValue })}
                      error={err(index, "thresholdValue")}
                    />
                    <Select
                      label={t.qualificationPeriod}
                      disabled={index > 0}
                      options={Object.entries(t.periods).map(([value, label]) => ({ value, label }))}
                      value={tier.qualificationPeriod}
                      onChange={(value) => setShared({ qualificationPeriod: value as TierForm["qualificationPeriod"] })}
                      error={err(index, "qualificationPeriod")}
                    />
                  </FormLayout.Group>
                  <FormLayout.Group>
                    <TextField
                      label={t.earnMultiplier}
                      autoComplete="off"
                      inputMode="decimal"
                      value={tier.earnMultiplier}
                      onChange={(earnMultiplier) => setTier(index, { earnMultiplier })}
                      helpText={t.earnMultiplierHelp}
                      error={err(index, "earnMultiplier")}
                    />
                    <Select
                      label={t.entryReward}
                      options={[
                        { label: t.entryNone, value: "none" },
                        { label: t.entryPoints, value: "points" },
                        { label: t.entryCatalog, value: "reward" },
                      ]}
                      value={tier.entryRewardKind}
                      onChange={(value) => setTier(index, { entryRewardKind: value as TierForm["entryRewardKind"] })}
                    />
                    {tier.entryRewardKind === "points" ? (
                      <TextField
                        label={t.entryRewardPoints}
                        autoComplete="off"
                        inputMode="numeric"
                        value={tier.entryRewardPoints}
                        onChange={(entryRewardPoints) => setTier(index, { entryRewardPoints })}
                        error={err(index, "entryRewardPoints")}
                      />
                    ) : null}
                    {tier.entryRewardKind === "reward" ? (
                      <Select
                        label={t.entryRewardId}
                        options={rewardOptions}
                        value={tier.entryRewardId}
                        onChange={(entryRewardId) => setTier(index, { entryRewardId })}
                        error={err(index, "entryRewardId")}
                      />
                    ) : null}
                  </FormLayout.Group>
                  <TextField
                    label={t.perks}
                    autoComplete="off"
                    multiline={2}
                    value={tier.perks}
                    onChange={(perks) => setTier(index, { perks })}
                    error={err(index, "perks")}
                  />
                  {index > 0 ? (
                    <Checkbox
                      label={t.hidden}
                      checked={tier.hidden}
                      // A visible tier has no assignment rule: unchecking clears it.
                      onChange={(hidden) => setTier(index, hidden ? { hidden } : { hidden, assignSegment: "" })}
                      error={err(index, "hidden")}
                    />
                  ) : null}
                  {index > 0 && tier.hidden ? (
                    <Select
                      label={t.assignSegment}
                      helpText={t.assignSegmentHelp}
                      options={[
                        { label: t.assignNobody, value: "" },
                        ...SEGMENTS.map((segment) => ({ label: format(t.assignToSegment, { segment: t.segmentNames[segment] }), value: segment })),
                      ]}
                      value={tier.assignSegment}
                      onChange={(assignSegment) => setTier(index, { assignSegment })}
                      error={err(index, "assignSegment")}
                    />
                  ) : null}
                </FormLayout>
              </BlockStack>
            </Card>
          ))}
          <InlineStack>
            <Button onClick={addTier} disabled={form.tiers.length >= 20}>
              {t.addTier}
            </Button>
          </InlineStack>
        </BlockStack>
      </Card>
      <SettingsCard title={t.retentionHeading}>
        <FormLayout>
          <Select
            label={t.tierDowngrade}
            options={[
              { label: t.downgradeToQualifying, value: "to_qualifying" },
              { label: t.downgradeOneLevel, value: "one_level" },
            ]}
            value={form.tierDowngrade}
            onChange={(value) => set("tierDowngrade")(value as TierSettingsView["tierDowngrade"])}
            error={errors.tierDowngrade}
          />
          <TextField
            label={t.tierGraceDays}
            autoComplete="off"
            inputMode="numeric"
            value={form.tierGraceDays}
            onChange={set("tierGraceDays")}
            helpText={t.tierGraceDaysHelp}
            error={errors.tierGraceDays}
          />
          <Checkbox
            label={t.tierRefundsDemote}
            helpText={t.tierRefundsDemoteHelp}
            checked={form.tierRefundsDemote}
            onChange={set("tierRefundsDemote")}
          />
        </FormLayout>
      </SettingsCard>
    </SettingsFrame>
  );
}
