import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useNavigate } from "@remix-run/react";
import { Badge, BlockStack, Card, EmptyState, IndexTable, Link, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { format } from "~/i18n/admin";
import { campaignsStrings } from "~/i18n/features/campaigns";
import { settingsStrings } from "~/i18n/features/settings";
import { listCampaigns, type CampaignListItem, type CampaignStatus } from "~/loyalty/services/campaigns-admin.server";
import { authenticate } from "~/shopify.server";
import { listStrings } from "~/i18n/features/lists";
import { adminDateTimeFormat } from "~/i18n/format";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  return listCampaigns(session.shop);
}

const GROUPS: CampaignStatus[] = ["running", "upcoming", "ended", "archived"];
const TONES: Record<CampaignStatus, "success" | "info" | undefined> = { running: "success", upcoming: "info", ended: undefined, archived: undefined };

/** "2026-11-28T00:00" → "Nov 28, 2026, 12:00 AM" in the admin's language; the text is already shop-local. */
function wallTime(local: string, formatter: Intl.DateTimeFormat): string {
  const [date = "", time = "00:00"] = local.split("T");
  const [year, month, day] = date.split("-").map(Number);
  const [hour, minute] = time.split(":").map(Number);
  if (!year || !month || !day) return local;
  return formatter.format(new Date(Date.UTC(year, month - 1, day, hour ?? 0, minute ?? 0)));
}

export default function CampaignsPage() {
  const { campaigns, timeZone } = useLoaderData<typeof loader>();
  const { t, locale } = campaignsStrings.useStrings();
  const navigate = useNavigate();
  const formatter = adminDateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
  const bonusText = (campaign: CampaignListItem) =>
    format(campaign.kind === "multiplier" ? t.multiplierText : t.fixedText, { value: campaign.value });

  return (
    <Page title={t.title} primaryAction={{ content: t.create, url: "/app/campaigns/new" }} backAction={{ content: settingsStrings.strings(locale).title, url: "/app/settings" }}>
      <TitleBar title={t.title}>
        <button variant="primary" onClick={() => navigate("/app/campaigns/new")}>
          {t.create}
        </button>
      </TitleBar>
      <BlockStack gap="400">
        <Text as="p" tone="subdued">
          {t.intro} {format(t.timeZoneNote, { zone: timeZone })}
        </Text>
        {campaigns.length === 0 ? (
          <Card>
            <EmptyState heading={t.emptyHeading} action={{ content: t.create, url: "/app/campaigns/new" }} image="">
              <p>{t.emptyBody}</p>
            </EmptyState>
          </Card>
        ) : (
          GROUPS.map((status) => {
            const rows = campaigns.filter((campaign) => campaign.status === status);
            if (rows.length === 0) return null;
            return (
              <Card padding="0" key={status}>
                <BlockStack gap="0">
                  <div style={{ padding: "var(--p-space-300) var(--p-space-400)" }}>
                    <Text as="h2" variant="headingSm">
                      {t.groups[status]}
                    </Text>
                  </div>
                  <IndexTable
                    resourceName={listStrings.strings(locale).campaign}
                    itemCount={rows.length}
                    selectable={false}
                    headings={[{ title: t.name }, { title: t.window }, { title: t.bonus }, { title: t.status }]}
                  >
                    {rows.map((campaign, index) => (
                      <IndexTable.Row id={campaign.id} key={campaign.id} position={index}>
                        <IndexTable.Cell>
                          <Link url={`/app/campaigns/${campaign.id}`} dataPrimaryLink monochrome removeUnderline>
                            <Text as="span" fontWeight="semibold">
                              {campaign.name}
                            </Text>
                          </Link>
                        </IndexTable.Cell>
                        <IndexTable.Cell>
                          {format(t.windowText, { start: wallTime(campaign.startsAt, formatter), end: wallTime(campaign.endsAt, formatter) })}
                        </IndexTable.Cell>
                        <IndexTable.Cell>{bonusText(campaign)}</IndexTable.Cell>
                        <IndexTable.Cell>
                          <Badge tone={TONES[status]}>{t.groups[status]}</Badge>
                        </IndexTable.Cell>
                      </IndexTable.Row>
                    ))}
                  </IndexTable>
                </BlockStack>
              </Card>
            );
          })
        )}
      </BlockStack>
    </Page>
  );
}
