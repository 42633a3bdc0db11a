import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useNavigate } from "@remix-run/react";
import { Badge, Card, EmptyState, IndexTable, Link, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { format, useAdminStrings } from "~/i18n/admin";
import { isRewardFormKind } from "~/loyalty/reward-form";
import { listRewards } from "~/loyalty/services/rewards-admin.server";
import { authenticate } from "~/shopify.server";
import { listStrings } from "~/i18n/features/lists";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  return { rewards: await listRewards(session.shop) };
}

export default function RewardsPage() {
  const { rewards } = useLoaderData<typeof loader>();
  const { t, locale } = useAdminStrings();
  const navigate = useNavigate();
  const numbers = new Intl.NumberFormat(locale);
  const r = t.rewards;
  return (
    <Page title={r.title} primaryAction={{ content: r.create, url: "/app/rewards/new" }}>
      <TitleBar title={r.title}>
        <button variant="primary" onClick={() => navigate("/app/rewards/new")}>
          {r.create}
        </button>
      </TitleBar>
      <Card padding="0">
        {rewards.length === 0 ? (
          <EmptyState
            heading={r.emptyHeading}
            action={{ content: r.create, url: "/app/rewards/new" }}
            image=""
          >
            <p>{r.emptyBody}</p>
          </EmptyState>
        ) : (
          <IndexTable
            resourceName={listStrings.strings(locale).reward}
            itemCount={rewards.length}
            selectable={false}
            headings={[{ title: r.name }, { title: r.kind }, { title: r.cost }, { title: r.redemptions }, { title: r.status }]}
          >
            {rewards.map((reward, index) => (
              <IndexTable.Row id={reward.id} key={reward.id} position={index}>
                <IndexTable.Cell>
                  {/* The row's primary link: a click anywhere on the row opens the reward. */}
                  <Link url={`/app/rewards/${reward.id}`} dataPrimaryLink monochrome removeUnderline>
                    <Text as="span" fontWeight="semibold">
                      {reward.name}
                    </Text>
                  </Link>
                </IndexTable.Cell>
                <IndexTable.Cell>{isRewardFormKind(reward.kind) ? r.kinds[reward.kind] : reward.kind}</IndexTable.Cell>
                <IndexTable.Cell>
                  {reward.kind === "sliding_scale" && reward.minPoints !== null && reward.maxPoints !== null
                    ? `${numbers.format(reward.minPoints)}–${format(t.common.points, { count: numbers.format(reward.maxPoints) })}`
                    : format(t.common.points, { count: numbers.format(reward.pointsCost) })}
                </IndexTable.Cell>
                <IndexTable.Cell>{numbers.format(reward.redemptions)}</IndexTable.Cell>
                <IndexTable.Cell>
                  {reward.active ? <Badge tone="success">{r.active}</Badge> : <Badge>{r.archived}</Badge>}
                </IndexTable.Cell>
              </IndexTable.Row>
            ))}
          </IndexTable>
        )}
      </Card>
    </Page>
  );
}
