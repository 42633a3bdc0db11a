/**
 * The member page's VIP tier card (staff): tier, progress to the next tier, pending downgrade, the
 * "change tier" form (manual, audited, one change per request id made in the browser) and the tier
 * history. Data from tiers-admin.server.ts memberTiersPanel; the page's action handles
 * intent=change_tier.
 */
import { useFetcher } from "@remix-run/react";
import { BlockStack, Button, Card, InlineStack, Select, Text, TextField } from "@shopify/polaris";
import { useAppBridge } from "@shopify/app-bridge-react";
import { useEffect, useState } from "react";
import { useFetcherResult, type FieldErrors } from "~/components/admin-forms";
import { format } from "~/i18n/admin";
import { tiersStrings } from "~/i18n/features/tiers";
import type { MemberTiersPanel } from "~/loyalty/services/tiers-admin.server";
import { useServerMessages } from "~/i18n/server-messages";

type Result = { ok: true; changed?: boolean } | { ok: false; errors: FieldErrors };

export function MemberTierCard({ panel }: { panel: MemberTiersPanel }) {
  const { t, locale } = tiersStrings.useStrings();
  const messages = useServerMessages();
  const m = t.member;
  const shopify = useAppBridge();
  const fetcher = useFetcher<Result>();
  const [tierHandle, setTierHandle] = useState(panel.view.tier?.handle ?? panel.ladder[0]?.handle ?? "");
  const [note, setNote] = useState("");
  const [requestId, setRequestId] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  useEffect(() => setRequestId(crypto.randomUUID()), []);
  useFetcherResult(fetcher, (result) => {
    if (!result.ok) {
      const errors = messages.errors(result.errors);
      setErrors(errors);
      shopify.toast.show(errors.tierHandle ?? errors.form ?? m.changeLabel, { isError: true });
      return;
    }
    setErrors({});
    setNote("");
    setRequestId(crypto.randomUUID());
    shopify.toast.show(m.changedToast);
  });
  const nameOf = (handle: string | null) => (handle ? (panel.ladder.find((tier) => tier.handle === handle)?.name ?? handle) : "—");
  const { view } = panel;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {m.heading}
        </Text>
        {!panel.enabled ? (
          <Text as="p" tone="subdued">
            {m.off}
          </Text>
        ) : null}
        <BlockStack gap="100">
          <Text as="p" variant="headingLg" id="member-tier">
            {view.tier?.name ?? m.none}
          </Text>
          {view.since ? <Text as="p" tone="subdued">{format(m.since, { date: view.since })}</Text> : null}
          {view.next ? (
            <Text as="p">{format(m.progress, { current: view.next.current, threshold: view.next.threshold, tier: view.next.name })}</Text>
          ) : view.tier ? (
            <Text as="p">{m.top}</Text>
          ) : null}
          {view.reviewOn ? <Text as="p" tone="subdued">{format(m.reviewOn, { date: view.reviewOn })}</Text> : null}
          {view.pending ? (
            <Text as="p" tone="caution">
              {format(m.pending, { tier: nameOf(view.pending.handle), date: view.pending.on })}
            </Text>
          ) : null}
        </BlockStack>
        {panel.ladder.length > 0 ? (
          <fetcher.Form method="post">
            <input type="hidden" name="intent" value="change_tier" />
            <input type="hidden" name="requestId" value={requestId} />
            <input type="hidden" name="tierHandle" value={tierHandle} />
            <BlockStack gap="200">
              <Select
                label={m.changeLabel}
                options={panel.ladder.map((tier) => ({ value: tier.handle, label: tier.name }))}
                value={tierHandle}
                onChange={setTierHandle}
                error={errors.tierHandle}
              />
              <TextField label={m.note} name="note" autoComplete="off" value={note} onChange={setNote} maxLength={500} error={errors.note} />
              <InlineStack align="end">
                <Button submit loading={fetcher.state !== "idle"} disabled={tierHandle === view.tier?.handle}>
                  {m.changeSubmit}
                </Button>
              </InlineStack>
            </BlockStack>
          </fetcher.Form>
        ) : null}
        <BlockStack gap="100">
          <Text as="h3" variant="headingSm">
            {m.historyHeading}
          </Text>
          {panel.history.length === 0 ? (
            <Text as="p" tone="subdued">
              {m.historyEmpty}
            </Text>
          ) : (
            panel.history.map((item) => (
              <Text as="p" key={item.id}>
                {format(m.historyLine, {
                  when: new Date(item.at).toLocaleDateString(locale),
                  from: nameOf(item.from),
                  to: nameOf(item.to),
                  reason: m.reasons[item.reason as keyof typeof m.reasons] ?? item.reason,
                })}
              </Text>
            ))
          )}
        </BlockStack>
      </BlockStack>
    </Card>
  );
}
