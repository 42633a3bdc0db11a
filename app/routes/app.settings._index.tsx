/**
 * Settings index: one card per part of the program, each opening its own page. Features add their
 * card to SECTIONS (and its strings to app/i18n/features/settings.ts) when their page lands.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { BlockStack, Button, Card, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { settingsStrings } from "~/i18n/features/settings";
import { authenticate } from "~/shopify.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await authenticate.admin(request);
  return null;
}

type SectionKey = keyof ReturnType<typeof settingsStrings.strings>["sections"];

const SECTIONS: { key: SectionKey; url: string }[] = [
  { key: "program", url: "/app/program" },
  { key: "rewards", url: "/app/rewards" },
  { key: "campaigns", url: "/app/campaigns" },
  { key: "tiers", url: "/app/tiers" },
  { key: "expiry", url: "/app/expiry" },
  { key: "referrals", url: "/app/referrals" },
  { key: "birthdays", url: "/app/birthdays" },
  { key: "earn", url: "/app/earn" },
  { key: "segments", url: "/app/segments" },
  { key: "import", url: "/app/import" },
  { key: "widget", url: "/app/widget" },
  { key: "audit", url: "/app/audit" },
];

export default function SettingsPage() {
  const { t } = settingsStrings.useStrings();
  return (
    <Page title={t.title}>
      <TitleBar title={t.title} />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Text as="p" tone="subdued">
              {t.intro}
            </Text>
            {SECTIONS.map((section) => (
              <Card key={section.key}>
                <InlineStack align="space-between" blockAlign="center" gap="400" wrap={false}>
                  <BlockStack gap="100">
                    <Text as="h2" variant="headingMd">
                      {t.sections[section.key].title}
                    </Text>
                    <Text as="p" tone="subdued">
                      {t.sections[section.key].body}
                    </Text>
                  </BlockStack>
                  <Button url={section.url} accessibilityLabel={`${t.open}: ${t.sections[section.key].title}`}>
                    {t.open}
                  </Button>
                </InlineStack>
              </Card>
            ))}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
