import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useSearchParams } from "@remix-run/react";
import { Box, Card, EmptyState, IndexTable, InlineStack, Link, Page, Select, Text, TextField } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { useEffect, useState } from "react";
import { format, useAdminStrings } from "~/i18n/admin";
import { MemberListQuery, listMembers } from "~/loyalty/services/members-admin.server";
import { authenticate } from "~/shopify.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const params = Object.fromEntries(new URL(request.url).searchParams);
  // A bad sort or direction in the URL falls back to the defaults instead of failing the page.
  const parsed = MemberListQuery.safeParse(params);
  const query = parsed.success ? parsed.data : MemberListQuery.parse({ q: typeof params.q === "string" ? params.q.slice(0, 200) : "" });
  return { query, page: await listMembers(session.shop, query) };
}

const SORTS = [
  ["joined", "desc"],
  ["balance", "desc"],
  ["balance", "asc"],
  ["activity", "desc"],
] as const;

export default function MembersPage() {
  const { query, page } = useLoaderData<typeof loader>();
  const { t, locale } = useAdminStrings();
  const [, setSearchParams] = useSearchParams();
  const [search, setSearch] = useState(query.q);
  const numbers = new Intl.NumberFormat(locale);
  const date = (iso: string) => new Date(iso).toLocaleDateString(locale);
  const m = t.members;

  // Search as staff type, a moment after the last key (one request, not one per key).
  useEffect(() => {
    if (search.trim() === query.q) return;
    const timer = setTimeout(() => {
      setSearchParams((current) => {
        const next = new URLSearchParams(current);
        next.delete("after");
        next.delete("before");
        if (search.trim()) next.set("q", search.trim());
        else next.delete("q");
        return next;
      }, { replace: true });
    }, 300);
    return () => clearTimeout(timer);
  }, [search, query.q, setSearchParams]);

  const go = (changes: Record<string, string | null>) => {
    setSearchParams((current) => {
      const next = new URLSearchParams(current);
      for (const [key, value] of Object.entries(changes)) {
        if (value === null) next.delete(key);
        else next.set(key, value);
      }
      return next;
    });
  };
  const sortLabel = (sort: string, direction: string) =>
    sort === "balance" ? `${m.sortBalance} ${direction === "desc" ? "↓" : "↑"}` : sort === "joined" ? m.sortJoined : m.sortActivity;

  return (
    <Page title={m.title}>
      <TitleBar title={m.title} />
      <Card padding="0">
        <Box padding="300">
          <InlineStack gap="300" wrap={false} blockAlign="end">
            <div style={{ flex: 1 }}>
              <TextField
                label={m.searchLabel}
                labelHidden
                placeholder={m.searchPlaceholder}
                autoComplete="off"
                value={search}
                onChange={setSearch}
                clearButton
                onClearButtonClick={() => setSearch("")}
              />
            </div>
            <Select
              label={m.sortLabel}
              labelInline
              options={SORTS.map(([sort, direction]) => ({ label: sortLabel(sort, direction), value: `${sort}:${direction}` }))}
              value={`${query.sort}:${query.direction}`}
              onChange={(value) => {
                const [sort, direction] = value.split(":");
                go({ sort: sort ?? "joined", direction: direction ?? "desc", after: null, before: null });
              }}
            />
          </InlineStack>
        </Box>
        {page.members.length === 0 && !query.q && !query.after && !query.before ? (
          <EmptyState heading={m.emptyHeading} image="">
            <p>{m.emptyBody}</p>
          </EmptyState>
        ) : page.members.length === 0 ? (
          <Box padding="400">
            <Text as="p" tone="subdued">
              {format(m.noMatches, { query: query.q })}
            </Text>
          </Box>
        ) : (
          <IndexTable
            resourceName={{ singular: "member", plural: "members" }}
            itemCount={page.members.length}
            selectable={false}
            headings={[
              { title: m.name },
              { title: m.email },
              { title: m.balance, alignment: "end" },
              { title: m.joined },
              { title: m.lastActivity },
            ]}
            pagination={{
              hasPrevious: page.previousCursor !== null,
              hasNext: page.nextCursor !== null,
              onPrevious: () => go({ before: page.previousCursor, after: null }),
              onNext: () => go({ after: page.nextCursor, before: null }),
            }}
          >
            {page.members.map((member, index) => (
              <IndexTable.Row id={member.id} key={member.id} position={index}>
                <IndexTable.Cell>
                  <Link url={`/app/members/${member.id}`} dataPrimaryLink monochrome removeUnderline>
                    <Text as="span" fontWeight="semibold">
                      {member.erased ? m.erased : (member.name ?? m.noName)}
                    </Text>
                  </Link>
                </IndexTable.Cell>
                <IndexTable.Cell>{member.email ?? ""}</IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" alignment="end" numeric>
                    {numbers.format(member.balance)}
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
