/**
 * Members list: search (each word starts a first name, last name, email or domain), filters (tier,
 * segment, points range, last activity, enrolled), sort and keyset pages — all in the URL, so a
 * filtered view can be shared or reloaded. Exports the filtered members as CSV (streamed).
 * docs/decisions/017-members-at-scale.md.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Box,
  Card,
  ChoiceList,
  EmptyState,
  Filters,
  IndexTable,
  InlineStack,
  Link,
  Page,
  Select,
  Text,
  TextField,
  type AppliedFilterInterface,
  type FilterInterface,
} from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { useEffect, useState } from "react";
import { downloadFile } from "~/components/download";
import { useListUrl } from "~/components/list-url";
import { format, useAdminStrings } from "~/i18n/admin";
import { listStrings } from "~/i18n/features/lists";
import { membersStrings } from "~/i18n/features/members";
import { useServerMessages } from "~/i18n/server-messages";
import { FILTER_KEYS, hasFilter, parseMemberListQuery, queryToParams, type FilterField } from "~/loyalty/members-query";
import { SEGMENTS } from "~/loyalty/segments";
import { membersListView } from "~/loyalty/services/members-list.server";
import { authenticate } from "~/shopify.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  // A bad filter is dropped (with its message), never a failed page.
  const { query, errors } = parseMemberListQuery(new URL(request.url).searchParams);
  return { query, errors, ...(await membersListView(session.shop, query)) };
}

const SORTS = [
  ["joined", "desc"],
  ["joined", "asc"],
  ["balance", "desc"],
  ["balance", "asc"],
  ["activity", "desc"],
  ["activity", "asc"],
] as const;

type Draft = Partial<Record<FilterField, string>>;

export default function MembersPage() {
  const { query, errors: serverErrors, page, tiers } = useLoaderData<typeof loader>();
  const { t, locale } = useAdminStrings();
  const { t: f } = membersStrings.useStrings();
  const rowName = listStrings.strings(locale).member;
  const errors = useServerMessages().errors(serverErrors);
  const [search, setSearch] = useState(query.q);
  const [draft, setDraft] = useState<Draft>({});
  const numbers = new Intl.NumberFormat(locale);
  const date = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString(locale) : f.never);
  const m = t.members;

  const go = useListUrl();

  // Search as staff type, a moment after the last key (one request, not one per key).
  useEffect(() => {
    if (search.trim() === query.q) return;
    const timer = setTimeout(() => go({ q: search.trim() }), 300);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [search, query.q]);

  const value = (key: FilterField) => draft[key] ?? (query[key] === undefined ? "" : String(query[key]));
  const setValue = (key: FilterField) => (text: string) => setDraft((current) => ({ ...current, [key]: text }));
  const commit = (keys: FilterField[]) => () => {
    go(Object.fromEntries(keys.map((key) => [key, value(key).trim()])));
    setDraft((current) => Object.fromEntries(Object.entries(current).filter(([key]) => !keys.includes(key as FilterField))));
  };
  const range = (keys: [FilterField, FilterField], labels: [string, string], type: "number" | "date") => (
    <BlockStack gap="200">
      {keys.map((key, index) => (
        <TextField
          key={key}
          label={labels[index]}
          type={type === "number" ? "number" : "text"}
          placeholder={type === "date" ? f.filters.datePlaceholder : undefined}
          autoComplete="off"
          value={value(key)}
          onChange={setValue(key)}
          onBlur={commit([key])}
          error={errors[key]}
        />
      ))}
    </BlockStack>
  );

  const filters: FilterInterface[] = [
    {
      key: "segment",
      label: f.filters.segment,
      filter: (
        <ChoiceList
          title={f.filters.segment}
          titleHidden
          choices={SEGMENTS.map((segment) => ({ label: f.segments[segment], value: segment }))}
          selected={query.segment ? [query.segment] : []}
          onChange={(selected) => go({ segment: selected[0] ?? null })}
        />
      ),
      pinned: true,
    },
    {
      key: "tier",
      label: f.filters.tier,
      filter: (
        <ChoiceList
          title={f.filters.tier}
          titleHidden
          choices={tiers.map((tier) => ({ label: tier.name, value: tier.handle }))}
          selected={query.tier ? [query.tier] : []}
          onChange={(selected) => go({ tier: selected[0] ?? null })}
        />
      ),
      pinned: true,
    },
    { key: "points", label: f.filters.points, filter: range(["pointsMin", "pointsMax"], [f.filters.pointsMin, f.filters.pointsMax], "number") },
    { key: "activity", label: f.filters.activity, filter: range(["activeFrom", "activeTo"], [f.filters.from, f.filters.to], "date") },
    { key: "enrolled", label: f.filters.enrolled, filter: range(["enrolledFrom", "enrolledTo"], [f.filters.from, f.filters.to], "date") },
  ];

  const dateLabel = (label: string, from?: string, to?: string) =>
    from && to ? format(f.filters.dateRange, { label, from, to }) : from ? format(f.filters.dateFrom, { label, from }) : format(f.filters.dateTo, { label, to: to ?? "" });
  const applied: AppliedFilterInterface[] = [];
  if (query.segment) applied.push({ key: "segment", label: `${f.filters.segment}: ${f.segments[query.segment]}`, onRemove: () => go({ segment: null }) });
  if (query.tier)
    applied.push({ key: "tier", label: `${f.filters.tier}: ${tiers.find((tier) => tier.handle === query.tier)?.name ?? query.tier}`, onRemove: () => go({ tier: null }) });
  if (query.pointsMin !== undefined || query.pointsMax !== undefined) {
    const label =
      query.pointsMin !== undefined && query.pointsMax !== undefined
        ? format(f.filters.pointsRange, { min: query.pointsMin, max: query.pointsMax })
        : query.pointsMin !== undefined
          ? format(f.filters.pointsAtLeast, { min: query.pointsMin })
          : format(f.filters.pointsAtMost, { max: query.pointsMax ?? 0 });
    applied.push({ key: "points", label, onRemove: () => go({ pointsMin: null, pointsMax: null }) });
  }
  if (query.activeFrom || query.activeTo)
    applied.push({ key: "activity", label: dateLabel(f.filters.activity, query.activeFrom, query.activeTo), onRemove: () => go({ activeFrom: null, activeTo: null }) });
  if (query.enrolledFrom || query.enrolledTo)
    applied.push({ key: "enrolled", label: dateLabel(f.filters.enrolled, query.enrolledFrom, query.enrolledTo), onRemove: () => go({ enrolledFrom: null, enrolledTo: null }) });

  const sortLabel = (sort: string, direction: string) =>
    `${sort === "balance" ? m.sortBalance : sort === "joined" ? m.sortJoined : m.sortActivity} ${direction === "desc" ? "↓" : "↑"}`;
  const filterParams = queryToParams(query, FILTER_KEYS).toString();
  const invalid = Object.keys(errors) as FilterField[];
  // A filter's name as staff see it (the URL keys mean nothing to them).
  const fieldLabel: Record<FilterField, string> = {
    q: m.searchPlaceholder,
    tier: f.filters.tier,
    segment: f.filters.segment,
    pointsMin: `${f.filters.points} (${f.filters.pointsMin})`,
    pointsMax: `${f.filters.points} (${f.filters.pointsMax})`,
    activeFrom: `${f.filters.activity} (${f.filters.from})`,
    activeTo: `${f.filters.activity} (${f.filters.to})`,
    enrolledFrom: `${f.filters.enrolled} (${f.filters.from})`,
    enrolledTo: `${f.filters.enrolled} (${f.filters.to})`,
    sort: m.sortLabel,
    direction: m.sortLabel,
    after: t.common.next,
    before: t.common.previous,
  };

  return (
    <Page
      title={m.title}
      primaryAction={{ content: f.import, url: "/app/import" }}
      secondaryActions={[
        { content: hasFilter(query) ? f.exportFiltered : f.export, onAction: () => void downloadFile(`/app/members/export?${filterParams}`, "keepsake-members.csv") },
        { content: f.exportLedger, url: "/app/import" },
      ]}
    >
      <TitleBar title={m.title} />
      <Card padding="0">
        <Filters
          queryValue={search}
          queryPlaceholder={m.searchPlaceholder}
          onQueryChange={setSearch}
          onQueryClear={() => setSearch("")}
          filters={filters}
          appliedFilters={applied}
          onClearAll={() => {
            setSearch("");
            setDraft({});
            go(Object.fromEntries(FILTER_KEYS.map((key) => [key, null])));
          }}
        >
          <Box paddingInlineStart="200">
            <Select
              label={m.sortLabel}
              labelInline
              options={SORTS.map(([sort, direction]) => ({ label: sortLabel(sort, direction), value: `${sort}:${direction}` }))}
              value={`${query.sort}:${query.direction}`}
              onChange={(choice) => {
                const [sort, direction] = choice.split(":");
                go({ sort: sort ?? "joined", direction: direction ?? "desc" });
              }}
            />
          </Box>
        </Filters>
        {/* How search matches (ADR 017 addendum): word starts, not substrings. */}
        <Box paddingInline="300" paddingBlockEnd="200">
          <Text as="p" variant="bodySm" tone="subdued">
            {f.search.help}
          </Text>
        </Box>
        {invalid.length > 0 ? (
          <Box padding="300">
            <Text as="p" tone="critical">
              {format(f.invalidFilter, { fields: invalid.map((key) => `${fieldLabel[key]}: ${errors[key]}`).join("; ") })}
            </Text>
          </Box>
        ) : null}
        {page.members.length === 0 && !hasFilter(query) && !query.after && !query.before ? (
          <EmptyState heading={m.emptyHeading} image="">
            <p>{m.emptyBody}</p>
          </EmptyState>
        ) : page.members.length === 0 ? (
          <Box padding="400">
            <Text as="p" tone="subdued">
              {query.q ? format(m.noMatches, { query: query.q }) : f.noFilterMatches}
            </Text>
          </Box>
        ) : (
          <IndexTable
            resourceName={rowName}
            itemCount={page.members.length}
            selectable={false}
            headings={[
              { title: m.name },
              { title: m.email },
              { title: f.tier },
              { title: f.segment },
              { title: m.balance, alignment: "end" },
              { title: m.joined },
              { title: m.lastActivity },
            ]}
            pagination={{
              hasPrevious: page.previousCursor !== null,
              hasNext: page.nextCursor !== null,
              onPrevious: () => go({ before: page.previousCursor, after: null }, false),
              onNext: () => go({ after: page.nextCursor, before: null }, false),
            }}
          >
            {page.members.map((member, index) => (
              <IndexTable.Row id={member.id} key={member.id} position={index}>
                <IndexTable.Cell>
                  <InlineStack gap="200" blockAlign="center" wrap={false}>
                    <Link url={`/app/members/${member.id}`} dataPrimaryLink monochrome removeUnderline>
                      <Text as="span" fontWeight="semibold">
                        {member.erased ? m.erased : (member.name ?? m.noName)}
                      </Text>
                    </Link>
                    {member.excluded ? <Badge tone="warning">{f.excluded}</Badge> : null}
                  </InlineStack>
                </IndexTable.Cell>
                <IndexTable.Cell>{member.email ?? ""}</IndexTable.Cell>
                <IndexTable.Cell>{tiers.find((tier) => tier.handle === member.tier)?.name ?? member.tier ?? ""}</IndexTable.Cell>
                <IndexTable.Cell>
                  {member.segment && member.segment in f.segments ? <Badge>{f.segments[member.segment as keyof typeof f.segments]}</Badge> : ""}
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" alignment="end" numeric>
                    <span data-testid="member-balance">{numbers.format(member.balance)}</span>
                  </Text>
                </IndexTable.Cell>
                <IndexTable.Cell>{date(member.enrolledAt)}</IndexTable.Cell>
                <IndexTable.Cell>{date(member.lastActivityAt)}</IndexTable.Cell>
              </IndexTable.Row>
            ))}
          </IndexTable>
        )}
      </Card>
    </Page>
  );
}
