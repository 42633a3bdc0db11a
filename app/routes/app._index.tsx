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
import { TitleBar } from "@shopify/app-bridge-react";
import { z } from "zod";
import { fieldErrors, formFields, staffIdOf } from "~/components/admin-forms";
import { OnboardingChecklist, type OnboardingActionResult } from "~/components/onboarding-checklist";
import { SegmentCounts } from "~/components/segment-counts";
import { ONBOARDING_STEPS } from "~/loyalty/onboarding";
import { programOverview } from "~/loyalty/services/dashboard.server";
import { segmentCountsOfShop } from "~/loyalty/services/segments.server";
import { dismissOnboarding, markOnboardingStep, OnboardingError, onboardingFor } from "~/loyalty/services/onboarding.server";
import { authenticate } from "~/shopify.server";

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

/** App Bridge adds the session token to this fetch; a plain link would not carry it. */
async function downloadDataRequest(requestId: string) {
  const response = await fetch(`/app/data-requests/${requestId}`);
  if (!response.ok) return;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = `keepsake-data-request-${requestId}.json`;
  link.click();
  URL.revokeObjectURL(url);
}

export default function Dashboard() {
  const overview = useLoaderData<typeof loader>();
  const numbers = new Intl.NumberFormat("en");
  return (
    <Page title="Dashboard">
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
                Program status{" "}
                {overview.programEnabled ? <Badge tone="success">On</Badge> : <Badge tone="critical">Off</Badge>}
              </Text>
              <Text as="p">
                Customers earn {overview.earnRate} point(s) per 1 {overview.currencyCode} spent on merchandise
                (rounded {overview.earnRounding === "floor" ? "down" : overview.earnRounding === "ceil" ? "up" : "to nearest"}
                {overview.minimumOrderAmount ? `, orders from ${overview.minimumOrderAmount} ${overview.currencyCode}` : ""}
                {overview.includePosOrders ? ", POS orders included" : ", POS orders excluded"}).
                {overview.signupBonusPoints > 0 ? ` New customers get ${overview.signupBonusPoints} points.` : ""}
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, sm: 2 }} gap="400">
            <Stat label="Members" value={numbers.format(overview.memberCount)} />
            <Stat label="Points outstanding" value={numbers.format(overview.pointsOutstanding)} />
          </InlineGrid>
        </Layout.Section>
        <Layout.Section>
          <SegmentCounts counts={overview.segments} />
        </Layout.Section>
        <Layout.Section>
          <Card padding="0">
            {overview.recentActivity.length === 0 ? (
              <EmptyState heading="No points activity yet" image="">
                <p>Points appear here as soon as a customer's order is paid.</p>
              </EmptyState>
            ) : (
              <DataTable
                columnContentTypes={["text", "text", "numeric", "text"]}
                headings={["Member", "Activity", "Points", "When"]}
                rows={overview.recentActivity.map((item) => [
                  item.member,
                  item.description,
                  item.delta > 0 ? `+${item.delta}` : String(item.delta),
                  new Date(item.createdAt).toLocaleString("en"),
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
                  Customer data requests
                </Text>
                <Text as="p" tone="subdued">
                  Shopify asked for the data Keepsake holds on these customers. Download each document and send
                  it to the customer.
                </Text>
                {overview.dataRequests.map((request) => (
                  <InlineGrid key={request.requestId} columns="1fr auto" gap="200">
                    <Text as="p">
                      Request {request.requestId} — {request.customerGid.replace("gid://shopify/Customer/", "customer ")} (
                      {new Date(request.createdAt).toLocaleDateString("en")})
                    </Text>
                    <Button onClick={() => void downloadDataRequest(request.requestId)}>Download</Button>
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
