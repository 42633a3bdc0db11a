/**
 * Audit log (/app/audit): every change staff made, newest first, in the shop's time zone — who,
 * what (a translated label), about what (a link to its page when it still exists) and the changed
 * fields before → after. Filters (change, subject, staff id, shop-local date range) live in the URL;
 * a bad one answers 400 with its message next to the field and lists nothing. Keyset pages both ways.
 * The member page links here with ?subjectType=member&subjectId=<id>. docs/decisions/010-admin-pages.md.
 */
import { data, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useLocation } from "@remix-run/react";
import {
  BlockStack,
  Box,
  Button,
  Card,
  EmptyState,
  Form,
  FormLayout,
  IndexTable,
  InlineStack,
  Link,
  Page,
  Select,
  Tag,
  Text,
  TextField,
} from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { useEffect, useState } from "react";
import { fieldErrors } from "~/components/admin-forms";
import { downloadFile } from "~/components/download";
import { useListUrl } from "~/components/list-url";
import { format } from "~/i18n/admin";
import { useServerMessages } from "~/i18n/server-messages";
import { adminDateTimeFormat } from "~/i18n/format";
import { listStrings } from "~/i18n/features/lists";
import { auditStrings } from "~/i18n/features/audit";
import { AUDIT_ACTIONS, AUDIT_FILTER_KEYS, AUDIT_SUBJECT_TYPES, isAuditAction } from "~/loyalty/audit-actions";
import { auditPathLabel, formatAuditValue, type FieldChange } from "~/loyalty/audit-diff";
import { auditLogPage, AuditLogQueryInput, auditLogTimeZone, auditQueryFields } from "~/loyalty/services/audit-log.server";
import { authenticate } from "~/shopify.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const fields = auditQueryFields(new URL(request.url).searchParams);
  const parsed = AuditLogQueryInput.safeParse(fields);
  if (!parsed.success) {
    // Nothing listed under a filter we could not read: the messages go next to the fields.
    const timeZone = await auditLogTimeZone(session.shop);
    return data({ ok: false as const, fields, errors: fieldErrors(parsed.error.issues), timeZone, page: null }, { status: 400 });
  }
  const page = await auditLogPage(session.shop, parsed.data);
  return { ok: true as const, fields, errors: {} as Record<string, string>, timeZone: page.timeZone, page };
}

type FilterKey = (typeof AUDIT_FILTER_KEYS)[number];
type Draft = Record<FilterKey, string>;

function ChangeList(props: { id: string; changes: FieldChange[]; timeZone: string }) {
  const { t, locale } = auditStrings.useStrings();
  const fieldLabel = (key: string) => (t.fields as Record<string, string>)[key];
  const instant = adminDateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: props.timeZone });
  const value = (side: unknown) =>
    formatAuditValue(side, { locale, formatInstant: (date) => instant.format(date), labels: { empty: t.value.empty, yes: t.value.yes, no: t.value.no } });
  return (
    <div id={props.id} style={{ whiteSpace: "normal", minWidth: "18rem", maxWidth: "36rem" }}>
      {props.changes.length === 0 ? (
        <Text as="p" tone="subdued">
          {t.noChanges}
        </Text>
      ) : (
        <table data-testid="audit-diff" style={{ borderCollapse: "collapse", width: "100%" }}>
          <thead>
            <tr>
              {[t.diff.field, t.diff.before, t.diff.after].map((heading) => (
                <th key={heading} scope="col" style={{ textAlign: "start", padding: "var(--p-space-100) var(--p-space-200) var(--p-space-100) 0" }}>
                  <Text as="span" variant="bodySm" tone="subdued">
                    {heading}
                  </Text>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {props.changes.map((change) => {
              const label = auditPathLabel(change.path, fieldLabel, t.value.whole);
              return (
                <tr key={label} data-testid="audit-diff-row" aria-label={format(t.diff.changeLine, { field: label, before: value(change.before), after: value(change.after) })}>
                  <th scope="row" style={{ textAlign: "start", verticalAlign: "top", padding: "var(--p-space-100) var(--p-space-200) var(--p-space-100) 0" }}>
                    <Text as="span" fontWeight="semibold">
                      {label}
                    </Text>
                  </th>
                  {[change.before, change.after].map((side, index) => (
                    <td key={index} style={{ verticalAlign: "top", padding: "var(--p-space-100) var(--p-space-200) var(--p-space-100) 0" }}>
                      <pre style={{ margin: 0, font: "inherit", whiteSpace: "pre-wrap", wordBreak: "break-word" }}>{value(side)}</pre>
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}

export default function AuditLogPage() {
  const { fields, errors: serverErrors, page, timeZone } = useLoaderData<typeof loader>();
  const { t, locale } = auditStrings.useStrings();
  const errors = useServerMessages().errors(serverErrors);
  const location = useLocation();
  const loaded = (): Draft => Object.fromEntries(AUDIT_FILTER_KEYS.map((key) => [key, fields[key] ?? ""])) as Draft;
  const [draft, setDraft] = useState<Draft>(loaded);
  const [open, setOpen] = useState<Set<string>>(new Set());
  // A new URL (applied filter, another page, back/forward) shows its own filters.
  useEffect(() => {
    setDraft(loaded());
    setOpen(new Set());
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [location.search]);

  const go = useListUrl();
  const set = (key: FilterKey) => (value: string) => setDraft((current) => ({ ...current, [key]: value }));
  const apply = () => go(Object.fromEntries(AUDIT_FILTER_KEYS.map((key) => [key, draft[key].trim()])));
  const filtered = AUDIT_FILTER_KEYS.some((key) => fields[key]);
  const filterParams = new URLSearchParams(AUDIT_FILTER_KEYS.flatMap((key) => (fields[key] ? [[key, fields[key] as string]] : []))).toString();

  // Korean on the 24-hour clock: the server's and the browser's Korean AM/PM differ (app/i18n/format.ts).
  const when = adminDateTimeFormat(locale, { dateStyle: "medium", timeStyle: "medium", timeZone });
  const actionLabel = (action: string) => (isAuditAction(action) ? t.actions[action] : action);
  const subjectType = (type: string) => (t.subjects as Record<string, string>)[type] ?? type;
  const toggle = (id: string) =>
    setOpen((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <Page
      title={t.title}
      backAction={{ content: t.backLabel, url: "/app/settings" }}
      secondaryActions={page ? [{ content: t.export, onAction: () => void downloadFile(`/app/audit/export?${filterParams}`, "keepsake-audit-log.csv") }] : []}
    >
      <TitleBar title={t.title} />
      <BlockStack gap="400">
        <Text as="p" tone="subdued">
          {format(t.intro, { timeZone })}
        </Text>
        <Card>
          <Form onSubmit={apply}>
            <FormLayout>
              <FormLayout.Group condensed>
                <Select
                  label={t.filters.action}
                  options={[{ label: t.filters.anyAction, value: "" }, ...AUDIT_ACTIONS.map((action) => ({ label: t.actions[action], value: action }))]}
                  value={draft.action}
                  onChange={set("action")}
                  error={errors.action}
                />
                <TextField label={t.filters.staffId} autoComplete="off" value={draft.staffId} onChange={set("staffId")} error={errors.staffId} />
                <TextField
                  label={t.filters.from}
                  autoComplete="off"
                  placeholder={t.filters.datePlaceholder}
                  value={draft.from}
                  onChange={set("from")}
                  error={errors.from}
                />
                <TextField label={t.filters.to} autoComplete="off" placeholder={t.filters.datePlaceholder} value={draft.to} onChange={set("to")} error={errors.to} />
              </FormLayout.Group>
              <FormLayout.Group condensed>
                <Select
                  label={t.filters.subjectType}
                  options={[{ label: t.filters.anySubject, value: "" }, ...AUDIT_SUBJECT_TYPES.map((type) => ({ label: t.subjects[type], value: type }))]}
                  value={draft.subjectType}
                  onChange={set("subjectType")}
                  error={errors.subjectType}
                />
                <TextField label={t.filters.subjectId} autoComplete="off" value={draft.subjectId} onChange={set("subjectId")} error={errors.subjectId} />
              </FormLayout.Group>
              <InlineStack gap="200" blockAlign="center">
                <Button submit variant="primary">
                  {t.filters.apply}
                </Button>
                {fields.action && isAuditAction(fields.action) ? (
                  <Tag onRemove={() => go({ action: null })}>{format(t.filters.actionApplied, { label: t.actions[fields.action] })}</Tag>
                ) : null}
                {fields.subjectType && fields.subjectId ? (
                  <Tag onRemove={() => go({ subjectType: null, subjectId: null })}>
                    {format(t.filters.subjectApplied, { type: subjectType(fields.subjectType), name: page?.filterSubject?.name ?? fields.subjectId })}
                  </Tag>
                ) : null}
                {fields.staffId ? <Tag onRemove={() => go({ staffId: null })}>{format(t.filters.staffApplied, { id: fields.staffId })}</Tag> : null}
                {fields.from || fields.to ? (
                  <Tag onRemove={() => go({ from: null, to: null })}>
                    {fields.from && fields.to
                      ? format(t.filters.dateRange, { from: fields.from, to: fields.to })
                      : fields.from
                        ? format(t.filters.dateFrom, { from: fields.from })
                        : format(t.filters.dateTo, { to: fields.to ?? "" })}
                  </Tag>
                ) : null}
              </InlineStack>
            </FormLayout>
          </Form>
        </Card>
        <Card padding="0">
          {!page ? (
            <Box padding="400">
              <Text as="p" tone="critical">
                {t.filters.invalid}
              </Text>
            </Box>
          ) : page.entries.length === 0 && !filtered && !page.previousCursor ? (
            <EmptyState heading={t.emptyHeading} image="">
              <p>{t.emptyBody}</p>
            </EmptyState>
          ) : page.entries.length === 0 ? (
            <Box padding="400">
              <Text as="p" tone="subdued">
                {t.noMatches}
              </Text>
            </Box>
          ) : (
            <IndexTable
              resourceName={listStrings.strings(locale).auditEntry}
              itemCount={page.entries.length}
              selectable={false}
              headings={[{ title: t.columns.when }, { title: t.columns.who }, { title: t.columns.what }, { title: t.columns.subject }, { title: t.columns.changes }]}
              pagination={{
                hasPrevious: page.previousCursor !== null,
                hasNext: page.nextCursor !== null,
                onPrevious: () => go({ before: page.previousCursor, after: null }, false),
                onNext: () => go({ after: page.nextCursor, before: null }, false),
              }}
            >
              {page.entries.map((entry, index) => {
                const subject = entry.subject;
                const subjectText =
                  subject.type === "shop"
                    ? t.subjects.shop
                    : subject.exists
                      ? format(t.subjectLine, { type: subjectType(subject.type), name: subject.name ?? subject.id })
                      : format(t.subjectGone, { type: subjectType(subject.type) });
                const changesId = `audit-changes-${entry.id}`;
                const expanded = open.has(entry.id);
                return (
                  <IndexTable.Row id={entry.id} key={entry.id} position={index}>
                    <IndexTable.Cell>
                      <time dateTime={entry.createdAt}>{when.format(new Date(entry.createdAt))}</time>
                    </IndexTable.Cell>
                    <IndexTable.Cell>{entry.staffId ? format(t.who.staff, { id: entry.staffId }) : t.who.unknown}</IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" fontWeight="semibold">
                        {actionLabel(entry.action)}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      {subject.url ? (
                        <Link url={subject.url} removeUnderline>
                          {subjectText}
                        </Link>
                      ) : (
                        <Text as="span" tone={subject.exists ? undefined : "subdued"}>
                          {subjectText}
                        </Text>
                      )}
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <BlockStack gap="200" inlineAlign="start">
                        <Button
                          variant="plain"
                          disclosure={expanded ? "up" : "down"}
                          ariaExpanded={expanded}
                          ariaControls={expanded ? changesId : undefined}
                          onClick={() => toggle(entry.id)}
                        >
                          {expanded ? t.hideChanges : format(t.showChanges, { count: entry.changes.length })}
                        </Button>
                        {expanded ? <ChangeList id={changesId} changes={entry.changes as FieldChange[]} timeZone={timeZone} /> : null}
                      </BlockStack>
                    </IndexTable.Cell>
                  </IndexTable.Row>
                );
              })}
            </IndexTable>
          )}
        </Card>
      </BlockStack>
    </Page>
  );
}
