/**
 * Storefront widget (/app/widget): what each theme extension block shows and a deep link into the
 * theme editor for each, where its colors, position and texts are set with a live preview.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BlockStack, Button, Card, Layout, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { format } from "~/i18n/admin";
import { widgetStrings } from "~/i18n/features/widget";
import { widgetPage } from "~/loyalty/services/widget-admin.server";
import { authenticate } from "~/shopify.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  return widgetPage(session.shop);
}

function PartCard(props: { heading: string; body: string; note?: string; action?: { label: string; url: string } }) {
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          {props.heading}
        </Text>
        <Text as="p">{props.body}</Text>
        {props.note ? (
          <Text as="p" tone="subdued">
            {props.note}
          </Text>
        ) : null}
        {props.action ? (
          <div>
            <Button url={props.action.url} target="_blank">
              {props.action.label}
            </Button>
          </div>
        ) : null}
      </BlockStack>
    </Card>
  );
}

export default function WidgetPage() {
  const page = useLoaderData<typeof loader>();
  const { t, common } = widgetStrings.useStrings();
  return (
    <Page title={t.title} backAction={{ content: common.nav.settings, url: "/app/settings" }}>
      <TitleBar title={t.title} />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Text as="p" tone="subdued">
              {t.intro}
            </Text>
            <PartCard heading={t.launcherHeading} body={t.launcherBody} note={t.launcherSettings} action={{ label: t.customize, url: page.launcherUrl }} />
            <PartCard heading={t.popupHeading} body={t.popupBody} action={{ label: t.customize, url: page.birthdayPopupUrl }} />
            <PartCard heading={t.productHeading} body={t.productBody} action={{ label: t.addToProduct, url: page.productBlockUrl }} />
            <PartCard heading={t.pageHeading} body={t.pageBody} action={{ label: t.addToPage, url: page.rewardsPageBlockUrl }} />
            <PartCard heading={t.textsHeading} body={format(t.textsBody, { languages: page.languages.join(", ") })} />
            <PartCard heading={t.previewHeading} body={t.previewBody} action={{ label: t.preview, url: page.storefrontUrl }} />
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
