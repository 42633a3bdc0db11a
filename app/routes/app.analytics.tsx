import { data, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useNavigate, useNavigation } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Button,
  Card,
  DataTable,
  FormLayout,
  InlineGrid,
  InlineStack,
  Layout,
  Page,
  Select,
  SkeletonBodyText,
  Text,
  TextField,
} from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { BarChart, LineChart, PolarisVizProvider } from "@shopify/polaris-viz";
import vizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import { useEffect, useRef, useState, type CSSProperties } from "react";
import { z } from "zod";
import { format, type AdminLocale } from "~/i18n/admin";
import { analyticsStrings } from "~/i18n/features/analytics";
import { InvalidRangeError, RANGE_PRESETS, type Kpi, type MoneyKpi } from "~/loyalty/analytics";
import { analyticsReport, type AnalyticsReport } from "~/loyalty/services/analytics.server";
import { authenticate } from "~/shopify.server";

export const links = () => [{ rel: "stylesheet", href: vizStyles }];

const RangeQuery = z.object({
  preset: z.string().max(40).optional(),
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
});

type RangeInput = z.infer<typeof RangeQuery>;
export type AnalyticsLoaderData =
  | { ok: true; input: RangeInput; report: AnalyticsReport }
  | { ok: false; input: RangeInput; errors: Partial<Record<"preset" | "from" | "to", string>> };

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const params = new URL(request.url).searchParams;
  const input = RangeQuery.parse({
    preset: params.get("preset") ?? undefined,
    from: params.get("from") ?? undefined,
    to: params.get("to") ?? undefined,
  });
  try {
    const report = await analyticsReport(session.shop, input);
    if (!report) throw new Response("Not found", { status: 404 });
    return data<AnalyticsLoaderData>({ ok: true, input, report });
  } catch (error) {
    if (error instanceof InvalidRangeError) {
      return data<AnalyticsLoaderData>({ ok: false, input, errors: { [error.field]: error.message } }, { status: 400 });
    }
    throw error;
  }
}

type Strings = ReturnType<typeof analyticsStrings.strings>;

function formatters(locale: AdminLocale, currencyCode: string) {
  const number = new Intl.NumberFormat(locale);
  const percent = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
  const signed = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1, signDisplay: "exceptZero" });
  const money = new Intl.NumberFormat(locale, { style: "currency", currency: currencyCode });
  const day = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" });
  return {
    number: (value: number | null) => (value === null ? "—" : number.format(value)),
    percent: (value: number | null) => (value === null ? "—" : percent.format(value)),
    change: (value: number) => signed.format(value),
    money: (value: string | null) => (value === null ? "—" : money.format(Number(value))),
    day: (value: string) => day.format(new Date(`${value}T00:00:00Z`)),
  };
}

type Formatters = ReturnType<typeof formatters>;

function KpiCard({ label, value, previous, changeValue, help, t, f, testId }: {
  label: string;
  value: string;
  previous: string;
  changeValue: number | null;
  help?: string;
  t: Strings;
  f: Formatters;
  testId: string;
}) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h3" variant="headingSm" tone="subdued">
          {label}
        </Text>
        <InlineStack gap="200" blockAlign="baseline">
          <Text as="p" variant="headingLg">
            <span data-testid={testId}>{value}</span>
          </Text>
          {changeValue !== null ? (
            <Text as="span" tone={changeValue > 0 ? "success" : changeValue < 0 ? "critical" : "subdued"} fontWeight="medium">
              {f.change(changeValue)}
            </Text>
          ) : null}
        </InlineStack>
        <Text as="p" variant="bodySm" tone="subdued">
          {changeValue === null && previous === "—" ? t.noComparison : format(t.vsPrevious, { value: previous })}
        </Text>
        {help ? (
          <Text as="p" variant="bodySm" tone="subdued">
            {help}
          </Text>
        ) : null}
      </BlockStack>
    </Card>
  );
}

function countCard(label: string, kpi: Kpi, t: Strings, f: Formatters, testId: string, help?: string) {
  return <KpiCard key={testId} testId={testId} label={label} value={f.number(kpi.current)} previous={f.number(kpi.previous)} changeValue={kpi.change} help={help} t={t} f={f} />;
}

/** Active members over several days of a big shop is a sketch estimate: shown as "≈ n" with a help text. */
function activeMembersCard(kpi: Kpi, estimated: AnalyticsReport["activeMembersEstimated"], t: Strings, f: Formatters) {
  const shown = (value: number | null, estimate: boolean) => (estimate && value !== null ? format(t.kpis.approximately, { value: f.number(value) }) : f.number(value));
  return (
    <KpiCard
      key="kpi-active-members"
      testId="kpi-active-members"
      label={t.kpis.activeMembers}
      value={shown(kpi.current, estimated.current)}
      previous={shown(kpi.previous, estimated.previous)}
      changeValue={kpi.change}
      help={estimated.current || estimated.previous ? t.kpis.activeMembersEstimateHelp : undefined}
      t={t}
      f={f}
    />
  );
}

function rateCard(label: string, kpi: Kpi, t: Strings, f: Formatters, testId: string, help?: string) {
  return <KpiCard key={testId} testId={testId} label={label} value={f.percent(kpi.current)} previous={f.percent(kpi.previous)} changeValue={kpi.change} help={help} t={t} f={f} />;
}

function moneyCard(label: string, kpi: MoneyKpi, t: Strings, f: Formatters, testId: string, help?: string) {
  return <KpiCard key={testId} testId={testId} label={label} value={f.money(kpi.current)} previous={f.money(kpi.previous)} changeValue={kpi.change} help={help} t={t} f={f} />;
}

/** Polaris Viz reads `navigator` while rendering, so charts render after hydration (skeleton before). */
function useMounted(): boolean {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return mounted;
}

const VISUALLY_HIDDEN: CSSProperties = {
  position: "absolute",
  width: 1,
  height: 1,
  padding: 0,
  margin: -1,
  overflow: "hidden",
  clip: "rect(0 0 0 0)",
  whiteSpace: "nowrap",
  border: 0,
};

/**
 * The drawn chart, for sighted users only: Polaris Viz's SVG markup has accessibility gaps (roles
 * without required children, unnamed points), so the drawing is `inert` and a visually hidden table
 * beside it carries the same figures for assistive technology (docs/decisions/018).
 */
function InertChart({ children, testId }: { children: JSX.Element; testId: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.setAttribute("inert", "");
    ref.current?.setAttribute("aria-hidden", "true");
  }, []);
  return (
    <div ref={ref} style={{ height: 260 }} data-testid={testId}>
      {children}
    </div>
  );
}

function Charts({ report, t }: { report: AnalyticsReport; t: Strings }) {
  const mounted = useMounted();
  const series = report.series;
  const points = [
    { name: t.charts.issued, data: series.map((day) => ({ key: day.day, value: day.pointsIssued })) },
    { name: t.charts.redeemed, data: series.map((day) => ({ key: day.day, value: day.pointsRedeemed })) },
    { name: t.charts.expired, data: series.map((day) => ({ key: day.day, value: day.pointsExpired })) },
  ];
  const revenue = [
    { name: t.charts.members, data: series.map((day) => ({ key: day.day, value: Number(day.memberRevenue) })) },
    { name: t.charts.nonMembers, data: series.map((day) => ({ key: day.day, value: Number(day.otherRevenue) })) },
  ];
  const chart = (testId: string, title: string, body: JSX.Element, columns: { name: string; value: (point: AnalyticsReport["series"][number]) => string }[]) => (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          {title}
        </Text>
        <InertChart testId={testId}>{mounted ? body : <SkeletonBodyText lines={8} />}</InertChart>
        <table style={VISUALLY_HIDDEN}>
          <caption>{title}</caption>
          <thead>
            <tr>
              <th scope="col">{t.charts.day}</th>
              {columns.map((column) => (
                <th scope="col" key={column.name}>
                  {column.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {series.map((point) => (
              <tr key={point.day}>
                <th scope="row">{point.day}</th>
                {columns.map((column) => (
                  <td key={column.name}>{column.value(point)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </BlockStack>
    </Card>
  );
  return (
    <PolarisVizProvider>
      <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
        {chart("chart-points", t.charts.points, <LineChart data={points} theme="Light" />, [
          { name: t.charts.issued, value: (point) => String(point.pointsIssued) },
          { name: t.charts.redeemed, value: (point) => String(point.pointsRedeemed) },
          { name: t.charts.expired, value: (point) => String(point.pointsExpired) },
        ])}
        {chart("chart-revenue", t.charts.revenue, <BarChart data={revenue} theme="Light" type="stacked" />, [
          { name: t.charts.members, value: (point) => point.memberRevenue },
          { name: t.charts.nonMembers, value: (point) => point.otherRevenue },
        ])}
      </InlineGrid>
    </PolarisVizProvider>
  );
}

function RangePicker({ input, errors, t }: { input: RangeInput; errors: Partial<Record<string, string>>; t: Strings }) {
  const navigate = useNavigate();
  const initialPreset = input.preset ?? (input.from || input.to ? "custom" : "last_30_days");
  const [preset, setPreset] = useState(initialPreset);
  const [from, setFrom] = useState(input.from ?? "");
  const [to, setTo] = useState(input.to ?? "");
  const apply = (next: string) => {
    const params = new URLSearchParams({ preset: next });
    if (next === "custom") {
      params.set("from", from);
      params.set("to", to);
    }
    navigate(`/app/analytics?${params.toString()}`);
  };
  return (
    <Card>
      <FormLayout>
        <FormLayout.Group condensed>
          <Select
            label={t.range.preset}
            options={[...RANGE_PRESETS, "custom" as const].map((value) => ({ value, label: t.range.presets[value] }))}
            value={preset}
            error={errors.preset}
            onChange={(value) => {
              setPreset(value);
              if (value !== "custom") apply(value);
            }}
          />
          {preset === "custom" ? (
            <TextField label={t.range.from} type="date" autoComplete="off" value={from} onChange={setFrom} error={errors.from} />
          ) : null}
          {preset === "custom" ? (
            <TextField label={t.range.to} type="date" autoComplete="off" value={to} onChange={setTo} error={errors.to} />
          ) : null}
        </FormLayout.Group>
        {preset === "custom" ? (
          <Button variant="primary" onClick={() => apply("custom")}>
            {t.range.apply}
          </Button>
        ) : null}
      </FormLayout>
    </Card>
  );
}

export default function AnalyticsPage() {
  const loaded = useLoaderData<typeof loader>();
  const { t, locale } = analyticsStrings.useStrings();
  const navigation = useNavigation();
  const key = JSON.stringify(loaded.input);
  if (!loaded.ok) {
    return (
      <Page title={t.title}>
        <TitleBar title={t.title} />
        <RangePicker key={key} input={loaded.input} errors={loaded.errors} t={t} />
      </Page>
    );
  }
  const { report } = loaded;
  const f = formatters(locale, report.currencyCode);
  const k = report.kpis;
  const value = k.liability.pointValue;
  return (
    <Page title={t.title}>
      <TitleBar title={t.title} />
      <Layout>
        <Layout.Section>
          <BlockStack gap="200">
            <RangePicker key={key} input={loaded.input} errors={{}} t={t} />
            <Text as="p" tone="subdued">
              <span data-testid="range-summary">
                {format(t.range.summary, {
                  from: f.day(report.range.from),
                  to: f.day(report.range.to),
                  previousFrom: f.day(report.range.previous.from),
                  previousTo: f.day(report.range.previous.to),
                })}
              </span>{" "}
              {t.range.timeZone}
            </Text>
            {report.pendingDays > 0 ? <Banner tone="info">{format(t.pending, { days: report.pendingDays })}</Banner> : null}
          </BlockStack>
        </Layout.Section>
        <Layout.Section>
          <div style={{ opacity: navigation.state === "loading" ? 0.6 : 1 }}>
            <BlockStack gap="400">
              <Text as="h2" variant="headingMd">
                {t.sections.members}
              </Text>
              <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="400">
                {countCard(t.kpis.totalMembers, k.totalMembers, t, f, "kpi-total-members")}
                {countCard(t.kpis.newMembers, k.newMembers, t, f, "kpi-new-members")}
                {activeMembersCard(k.activeMembers, report.activeMembersEstimated, t, f)}
                {moneyCard(t.kpis.averageLifetimeValue, k.averageLifetimeValue, t, f, "kpi-ltv", t.kpis.lifetimeHelp)}
              </InlineGrid>
              <Text as="h2" variant="headingMd">
                {t.sections.points}
              </Text>
              <InlineGrid columns={{ xs: 1, sm: 2, md: 3 }} gap="400">
                {countCard(t.kpis.pointsIssued, k.pointsIssued, t, f, "kpi-points-issued")}
                {countCard(t.kpis.pointsRedeemed, k.pointsRedeemed, t, f, "kpi-points-redeemed")}
                {countCard(t.kpis.pointsExpired, k.pointsExpired, t, f, "kpi-points-expired")}
                {rateCard(t.kpis.redemptionRate, k.redemptionRate, t, f, "kpi-redemption-rate", t.kpis.redemptionRateHelp)}
                {countCard(t.kpis.outstandingPoints, k.outstandingPoints, t, f, "kpi-outstanding")}
                <KpiCard
                  testId="kpi-liability"
                  label={t.kpis.liability}
                  value={f.money(k.liability.current)}
                  previous={f.money(k.liability.previous)}
                  changeValue={k.liability.change}
                  help={
                    value
                      ? format(t.kpis.liabilityHelp, { reward: value.rewardName, amount: f.money(value.amount), points: value.points })
                      : t.kpis.liabilityNone
                  }
                  t={t}
                  f={f}
                />
              </InlineGrid>
              <Text as="h2" variant="headingMd">
                {t.sections.revenue}
              </Text>
              <InlineGrid columns={{ xs: 1, sm: 2 }} gap="400">
                {moneyCard(
                  t.kpis.memberRevenue,
                  k.memberRevenue,
                  t,
                  f,
                  "kpi-member-revenue",
                  format(t.kpis.memberShare, { share: f.percent(k.memberShareOfRevenue.current) }),
                )}
                {moneyCard(t.kpis.otherRevenue, k.otherRevenue, t, f, "kpi-other-revenue")}
                {rateCard(t.kpis.memberRepeatRate, k.memberRepeatRate, t, f, "kpi-member-repeat", t.kpis.repeatHelp)}
                {rateCard(t.kpis.otherRepeatRate, k.otherRepeatRate, t, f, "kpi-other-repeat", t.kpis.repeatHelp)}
              </InlineGrid>
              <Charts report={report} t={t} />
              <Card padding="0">
                <BlockStack gap="0">
                  <div style={{ padding: "var(--p-space-400)" }}>
                    <Text as="h2" variant="headingMd">
                      {t.topRewards.heading}
                    </Text>
                  </div>
                  {report.topRewards.length === 0 ? (
                    <div style={{ padding: "0 var(--p-space-400) var(--p-space-400)" }}>
                      <Text as="p" tone="subdued">
                        {t.topRewards.empty}
                      </Text>
                    </div>
                  ) : (
                    <DataTable
                      columnContentTypes={["text", "numeric", "numeric"]}
                      headings={[t.topRewards.reward, t.topRewards.redemptions, t.topRewards.points]}
                      rows={report.topRewards.map((reward) => [reward.name, f.number(reward.count), f.number(reward.points)])}
                    />
                  )}
                </BlockStack>
              </Card>
            </BlockStack>
          </div>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
