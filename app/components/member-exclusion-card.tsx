/**
 * The member page's "Program membership" card: exclude the member from the program (after a
 * confirmation modal) or include them again; both audited (members-admin.server.ts setMemberExcluded).
 */
import { useFetcher } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, InlineStack, Modal, Text, TextField } from "@shopify/polaris";
import { useAppBridge } from "@shopify/app-bridge-react";
import { useState } from "react";
import { useFetcherResult, type FieldErrors } from "~/components/admin-forms";
import { format } from "~/i18n/admin";
import { membersStrings } from "~/i18n/features/members";
import { useServerMessages } from "~/i18n/server-messages";

type Result = { ok: true; intent: "exclude" | "include"; changed: boolean } | { ok: false; errors: FieldErrors };

export function MemberExclusionCard({ excludedAt }: { excludedAt: string | null }) {
  const { t, locale } = membersStrings.useStrings();
  const messages = useServerMessages();
  const e = t.exclusion;
  const shopify = useAppBridge();
  const fetcher = useFetcher<Result>();
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [confirming, setConfirming] = useState(false);
  const busy = fetcher.state !== "idle";

  useFetcherResult(fetcher, (result) => {
    if (!result.ok) {
      setErrors(messages.errors(result.errors));
      return;
    }
    setErrors({});
    setReason("");
    shopify.toast.show(result.intent === "exclude" ? e.excludedToast : e.includedToast);
  });

  const submit = (intent: "exclude" | "include") => {
    setConfirming(false);
    fetcher.submit({ intent, reason }, { method: "post" });
  };

  return (
    <Card>
      <Modal
        open={confirming}
        onClose={() => setConfirming(false)}
        title={e.modalTitle}
        primaryAction={{ content: e.confirm, destructive: true, onAction: () => submit("exclude") }}
        secondaryActions={[{ content: e.cancel, onAction: () => setConfirming(false) }]}
      >
        <Modal.Section>
          <Text as="p">{e.modalBody}</Text>
        </Modal.Section>
      </Modal>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            {e.heading}
          </Text>
          {excludedAt ? <Badge tone="warning">{t.excluded}</Badge> : null}
        </InlineStack>
        <Text as="p" tone="subdued" id="member-exclusion-status">
          {excludedAt ? format(e.excludedSince, { date: new Date(excludedAt).toLocaleDateString(locale) }) : e.included}
        </Text>
        <TextField label={e.reason} autoComplete="off" value={reason} onChange={setReason} error={errors.reason} maxLength={200} />
        <InlineStack>
          {excludedAt ? (
            <Button onClick={() => submit("include")} loading={busy}>
              {e.include}
            </Button>
          ) : (
            <Button tone="critical" onClick={() => setConfirming(true)} loading={busy}>
              {e.exclude}
            </Button>
          )}
        </InlineStack>
      </BlockStack>
    </Card>
  );
}
