/**
 * The dashboard's onboarding checklist card (docs/decisions/018): each step with what to do next,
 * manual steps marked by staff through the dashboard action, hidden once complete and dismissed.
 */
import { useFetcher } from "@remix-run/react";
import { Badge, BlockStack, Box, Button, ButtonGroup, Card, InlineStack, ProgressBar, Text } from "@shopify/polaris";
import { useAppBridge } from "@shopify/app-bridge-react";
import { format } from "~/i18n/admin";
import { onboardingStrings } from "~/i18n/features/onboarding";
import { useServerMessages } from "~/i18n/server-messages";
import type { OnboardingStep } from "~/loyalty/onboarding";
import type { OnboardingView } from "~/loyalty/services/onboarding.server";
import { useFetcherResult } from "./admin-forms";

export type OnboardingActionResult = { ok: true; onboarding: OnboardingView; intent: string } | { ok: false; errors: Record<string, string> };

const LINKS: Partial<Record<OnboardingStep, string>> = {
  program_on: "/app/program",
  points_rate: "/app/program",
  first_reward: "/app/rewards/new",
};

export function OnboardingChecklist({ onboarding }: { onboarding: OnboardingView }) {
  const { t } = onboardingStrings.useStrings();
  const shopify = useAppBridge();
  const messages = useServerMessages();
  const fetcher = useFetcher<OnboardingActionResult>();
  const busy = fetcher.state !== "idle";
  useFetcherResult(fetcher, (result) => {
    if (result.ok) shopify.toast.show(result.intent === "dismiss_onboarding" ? t.dismissed : t.marked);
    else shopify.toast.show(messages.message(Object.values(result.errors)[0] ?? ""), { isError: true });
  });
  const view = fetcher.data?.ok ? fetcher.data.onboarding : onboarding;
  if (!view.visible) return null;
  const mark = (step: OnboardingStep) => fetcher.submit({ intent: "mark_step", step }, { method: "post", action: "/app?index" });
  const total = view.steps.length;
  return (
    <Card>
      <BlockStack gap="400">
        <BlockStack gap="200">
          <Text as="h2" variant="headingMd">
            {t.heading}
          </Text>
          <Text as="p" tone="subdued">
            <span data-testid="onboarding-progress">{format(t.progress, { done: view.doneCount, total })}</span>
          </Text>
          <ProgressBar progress={Math.round((view.doneCount / total) * 100)} size="small" tone="primary" />
        </BlockStack>
        <BlockStack gap="300" as="ul">
          {view.steps.map((step) => {
            const copy = t.steps[step.id];
            const link = LINKS[step.id];
            return (
              <li key={step.id} data-testid={`onboarding-${step.id}`} style={{ listStyle: "none" }}>
                <Box borderColor="border" borderWidth="025" borderRadius="200" padding="300">
                  <BlockStack gap="200">
                    <InlineStack gap="200" blockAlign="center">
                      <Text as="h3" variant="headingSm">
                        {copy.title}
                      </Text>
                      {step.done ? <Badge tone="success">{t.done}</Badge> : null}
                    </InlineStack>
                    {step.done ? null : (
                      <>
                        <Text as="p" tone="subdued">
                          {copy.body}
                        </Text>
                        <ButtonGroup>
                          {link ? <Button url={link}>{copy.action}</Button> : null}
                          {step.id === "app_embed" ? (
                            <Button url={view.themeEditorUrl} target="_blank" variant="primary">
                              {copy.action}
                            </Button>
                          ) : null}
                          {step.id === "preview_widget" ? (
                            <Button
                              url={view.storefrontUrl}
                              target="_blank"
                              variant="primary"
                              onClick={() => mark("preview_widget")}
                            >
                              {copy.action}
                            </Button>
                          ) : null}
                          {step.id === "points_rate" || step.id === "app_embed" ? (
                            <Button onClick={() => mark(step.id)} loading={busy} variant="plain">
                              {step.id === "points_rate" ? t.markReviewed : t.markDone}
                            </Button>
                          ) : null}
                        </ButtonGroup>
                      </>
                    )}
                  </BlockStack>
                </Box>
              </li>
            );
          })}
        </BlockStack>
        {view.complete ? (
          <InlineStack align="space-between" blockAlign="center">
            <Text as="p">{t.complete}</Text>
            <Button onClick={() => fetcher.submit({ intent: "dismiss_onboarding" }, { method: "post", action: "/app?index" })} loading={busy}>
              {t.dismiss}
            </Button>
          </InlineStack>
        ) : null}
      </BlockStack>
    </Card>
  );
}
