import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import {
  Badge,
  Button,
  BlockStack,
  Card,
  DataTable,
  EmptyState,
  InlineGrid,
  Layout,
  Page,
  Text,
} from "@shopify/polaris";
import { TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import { z } from "zod";
import { fieldErrors, formFields, staffIdOf } from "~/components/admin-forms";
import { downloadFile } from "~/components/download";
import { OnboardingChecklist, type OnboardingActionResult } from "~/components/onboarding-checklist";
import { SegmentCounts } from "~/components/segment-counts";
import { format } from "~/i18n/admin";
import { dashboardStrings } from "~/i18n/features/dashboard";
import { formatDateTime } from "~/i18n/format";
import { useServerMessages } from "~/i18n/server-messages";
import { ONBOARDING_STEPS } from "~/loyalty/onboarding";
import { programOverview } from "~/loyalty/services/dashboard.server";
import { segmentCountsOfShop } from "~/loyalty/services/segments.server";
import { dismissOnboarding, markOnboardingStep, OnboardingError, onboardingFor } from "~/loyalty/services/onboarding.server";
import { authenticate } from "~/shopify.server";

type DashboardStrings = ReturnType<typeof dashboardStrings.strings>;

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const [overview, onboarding, segments] = await Promise.all([
    programOverview(session.shop),
    onboardingFor(session.shop),
    segmentCountsOfShop(session.shop),
  ]);
  return { ...overview, onboarding, segments };
}

const OnboardingIntent = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("mark_step"), step: z.enum(ONBOARDING_STEPS, { error: "Choose a checklist step" }) }),
  z.object({ intent: z.literal("dismiss_onboarding") }),
]);

/** The onboarding checklist's actions (docs/decisions/018): mark a manual step done, hide the finished list. */
export async function action({ request }: ActionFunctionArgs) {
  const { session, sessionToken } = await authenticate.admin(request);
  const parsed = OnboardingIntent.safeParse(formFields(await request.formData()));
  if (!parsed.success) return data<OnboardingActionResult>({ ok: false, errors: fieldErrors(parsed.error.issues) }, { status: 400 });
  const staffId = staffIdOf(sessionToken);
  try {
    const onboarding =
      parsed.data.intent === "mark_step"
        ? await markOnboardingStep(session.shop, parsed.data.step, staffId)
        : await dismissOnboarding(session.shop, staffId);
    return data<OnboardingActionResult>({ ok: true, onboarding, intent: parsed.data.intent });
  } catch (error) {
    if (!(error instanceof OnboardingError)) throw error;
    const field = error.code === "not_manual" ? "step" : "intent";
    return data<OnboardingActionResult>({ ok: false, errors: { [field]: error.message } }, { status: 409 });
  }
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h3" variant="headingSm" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="headingLg">
          {value}
        </Text>
      </BlockStack>
    </Card>
  );
}

type Overview = ReturnType<typeof useLoaderData<typeof loader>>;

/** "Customers earn 1 point(s) per 1 USD spent on merchandise (rounded down, POS orders included)." */
function earningSummary(overview: Overview, t: DashboardStrings, numbers: Intl.NumberFormat): string {
  const rounding = overview.earnRounding === "ceil" || overview.earnRounding === "round" ? overview.earnRounding : "floor";
  const details = [
    t.rounding[rounding],
    ...(overview.minimumOrderAmount ? [format(t.minimumOrder, { amount: overview.minimumOrderAmount, currency: overview.currencyCode })] : []),
    overview.includePosOrders ? t.posIncluded : t.posExcluded,
  ];
  const earning = format(t.earning, { rate: overview.earnRate, currency: overview.currencyCode, details: details.join(t.detailsSeparator) });
  return overview.signupBonusPoints > 0 ? `${earning} ${format(t.signupBonus, { count: numbers.format(overview.signupBonusPoints) })}` : earning;
}

export default function Dashboard() {
  const overview = useLoaderData<typeof loader>();
  const { t, locale, common } = dashboardStrings.useStrings();
  const messages = useServerMessages();
  const shopify = useAppBridge();
  const numbers = new Intl.NumberFormat(locale);
  const memberName = (item: Overview["recentActivity"][number]) =>
    item.member ?? (item.memberErased ? common.members.erased : common.members.noName);
  return (
    <Page title={t.title}>
      <TitleBar title="Keepsake" />
      <Layout>
        {overview.onboarding.visible ? (
          <Layout.Section>
            <OnboardingChecklist onboarding={overview.onboarding} />
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                {t.statusHeading}{" "}
                {overview.programEnabled ? <Badge tone="success">{t.on}</Badge> : <Badge tone="critical">{t.off}</Badge>}
              </Text>
              <Text as="p">{earningSummary(overview, t, numbers)}</Text>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, sm: 2 }} gap="400">
            <Stat label={t.members} value={numbers.format(overview.memberCount)} />
            <Stat label={t.pointsOutstanding} value={numbers.format(overview.pointsOutstanding)} />
          </InlineGrid>
        </Layout.Section>
        <Layout.Section>
          <SegmentCounts counts={overview.segments} />
        </Layout.Section>
        <Layout.Section>
          <Card padding="0">
            {overview.recentActivity.length === 0 ? (
              <EmptyState heading={t.activityEmptyHeading} image="">
                <p>{t.activityEmptyBody}</p>
              </EmptyState>
            ) : (
              <DataTable
                columnContentTypes={["text", "text", "numeric", "text"]}
                headings={[t.activityHeadings.member, t.activityHeadings.activity, t.activityHeadings.points, t.activityHeadings.when]}
                rows={overview.recentActivity.map((item) => [
                  memberName(item),
                  messages.message(item.description),
                  item.delta > 0 ? `+${numbers.format(item.delta)}` : numbers.format(item.delta),
                  formatDateTime(item.createdAt, locale),
                ])}
              />
            )}
          </Card>
        </Layout.Section>
        {overview.dataRequests.length > 0 ? (
          <Layout.Section>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t.dataRequestsHeading}
                </Text>
                <Text as="p" tone="subdued">
                  {t.dataRequestsBody}
                </Text>
                {overview.dataRequests.map((request) => (
                  <InlineGrid key={request.requestId} columns="1fr auto" gap="200">
                    <Text as="p">
                      {format(t.dataRequestLine, {
                        id: request.requestId,
                        customer: request.customerGid.replace("gid://shopify/Customer/", ""),
                        date: new Date(request.createdAt).toLocaleDateString(locale),
                      })}
                    </Text>
                    <Button
                      accessibilityLabel={format(t.downloadLabel, { id: request.requestId })}
                      onClick={() =>
                        void downloadFile(`/app/data-requests/${request.requestId}`, `keepsake-data-request-${request.requestId}.json`).then((ok) => {
                          if (!ok) shopify.toast.show(t.downloadFailed, { isError: true });
                        })
                      }
                    >
                      {t.download}
                    </Button>
                  </InlineGrid>
                ))}
              </BlockStack>
            </Card>
          </Layout.Section>
        ) : null}
      </Layout>
    </Page>
  );
}
