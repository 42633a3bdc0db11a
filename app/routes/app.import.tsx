/**
 * Import and export: upload a members/balances CSV (generic, Smile.io, LoyaltyLion), watch the
 * background job's progress (polled), download its error report; export every member or the ledger
 * for a date range (streamed CSV). docs/decisions/017-members-at-scale.md.
 */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData, useRevalidator } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Button,
  Card,
  DropZone,
  InlineStack,
  Layout,
  Page,
  ProgressBar,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import { useEffect, useState } from "react";
import { fieldErrors, formFields, staffIdOf, useFetcherResult, type FieldErrors } from "~/components/admin-forms";
import { saveResponse } from "~/components/download";
import { format } from "~/i18n/admin";
import { importStrings } from "~/i18n/features/import";
import { recentImports, startImport, StartImportInput, type ImportProgress } from "~/loyalty/services/member-import.server";
import { authenticate } from "~/shopify.server";
import { useServerMessages } from "~/i18n/server-messages";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  return { imports: await recentImports(session.shop) };
}

type ActionResult = { ok: true; jobId: string } | { ok: false; errors: FieldErrors };

export async function action({ request }: ActionFunctionArgs) {
  const { session, sessionToken } = await authenticate.admin(request);
  const parsed = StartImportInput.safeParse(formFields(await request.formData()));
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error.issues);
    // The file's name and content are one field on the page.
    if (errors.content || errors.fileName) errors.file = errors.content ?? errors.fileName ?? "";
    return data<ActionResult>({ ok: false, errors }, { status: 400 });
  }
  const outcome = await startImport(session.shop, staffIdOf(sessionToken), parsed.data);
  return data<ActionResult>(outcome, { status: outcome.ok ? 200 : 400 });
}

/** App Bridge adds the session token to fetch; a plain link would not carry it. */
async function download(url: string, fileName: string): Promise<string | null> {
  const response = await fetch(url);
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { errors?: Record<string, string> } | null;
    return Object.values(body?.errors ?? {}).join("; ") || String(response.status);
  }
  await saveResponse(response, fileName);
  return null;
}

function JobRow({ initial }: { initial: ImportProgress }) {
  const { t, locale } = importStrings.useStrings();
  const messages = useServerMessages();
  const poll = useFetcher<{ job: ImportProgress }>();
  const revalidator = useRevalidator();
  const job = poll.data?.job ?? initial;
  const busy = job.status === "queued" || job.status === "running";
  const numbers = new Intl.NumberFormat(locale);

  useEffect(() => {
    if (!busy) return;
    const timer = setTimeout(() => poll.load(`/app/import/${job.id}`), 1000);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [busy, job.id, job.processedRows, poll.state]);
  // Once it ends, the page's list reloads (counts, the error report button).
  useEffect(() => {
    if (!busy && initial.status !== job.status) revalidator.revalidate();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [busy]);

  const tone = job.status === "done" ? (job.errorRows > 0 ? "warning" : "success") : job.status === "failed" ? "critical" : "info";
  return (
    <BlockStack gap="200">
      <InlineStack align="space-between" blockAlign="center">
        <Text as="h3" variant="headingSm">
          {job.fileName} · {t.formats[job.format as keyof typeof t.formats] ?? job.format}
        </Text>
        <Badge tone={tone}>{t.statuses[job.status as keyof typeof t.statuses] ?? job.status}</Badge>
      </InlineStack>
      <ProgressBar progress={job.totalRows ? Math.round((job.processedRows / job.totalRows) * 100) : 0} size="small" tone={job.status === "failed" ? "critical" : "primary"} />
      <div data-testid="import-progress">
        <Text as="p" tone="subdued">
          {format(t.progress, { processed: numbers.format(job.processedRows), total: numbers.format(job.totalRows) })} —{" "}
          {format(t.summary, { imported: numbers.format(job.importedRows), unchanged: numbers.format(job.unchangedRows), errors: numbers.format(job.errorRows) })}
        </Text>
      </div>
      {job.error ? (
        <Text as="p" tone="critical">
          {messages.message(job.error)}
        </Text>
      ) : null}
      {job.errorRows > 0 && !busy ? (
        <InlineStack>
          <Button onClick={() => void download(`/app/import/${job.id}?report=errors`, `keepsake-import-errors-${job.id}.csv`)}>{t.errorReport}</Button>
        </InlineStack>
      ) : null}
    </BlockStack>
  );
}

export default function ImportPage() {
  const { imports } = useLoaderData<typeof loader>();
  const { t, common } = importStrings.useStrings();
  const messages = useServerMessages();
  const shopify = useAppBridge();
  const start = useFetcher<ActionResult>();
  const [file, setFile] = useState<{ name: string; content: string; size: number } | null>(null);
  const [fileFormat, setFileFormat] = useState("auto");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [range, setRange] = useState({ from: "", to: "" });
  const [exportErrors, setExportErrors] = useState<FieldErrors>({});

  useFetcherResult(start, (result) => {
    if (result.ok) {
      setErrors({});
      setFile(null);
      shopify.toast.show(t.startedToast);
    } else setErrors(messages.errors(result.errors));
  });

  const exportLedger = async () => {
    const params = new URLSearchParams(range);
    const problem = await download(`/app/ledger/export?${params}`, `keepsake-ledger-${range.from}-${range.to}.csv`);
    if (problem) {
      const response = await fetch(`/app/ledger/export?${params}`);
      const body = (await response.json().catch(() => null)) as { errors?: FieldErrors } | null;
      setExportErrors(messages.errors(body?.errors ?? {}));
      shopify.toast.show(format(t.exportFailed, { message: messages.message(problem) }), { isError: true });
    } else setExportErrors({});
  };

  return (
    <Page title={t.title} backAction={{ content: common.nav.members, url: "/app/members" }}>
      <TitleBar title={t.title} />
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="400">
              <Text as="h2" variant="headingMd">
                {t.importHeading}
              </Text>
              <Text as="p" tone="subdued">
                {t.importIntro}
              </Text>
              <DropZone
                label={t.file}
                accept=".csv,text/csv"
                type="file"
                allowMultiple={false}
                error={Boolean(errors.file)}
                onDrop={(accepted: File[]) => {
                  const chosen = accepted[0];
                  if (!chosen) return;
                  void chosen.text().then((content) => setFile({ name: chosen.name, content, size: chosen.size }));
                }}
              >
                {file ? (
                  <BlockStack inlineAlign="center">
                    <Text as="p">{format(t.chosen, { name: file.name, size: Math.max(1, Math.round(file.size / 1024)) })}</Text>
                  </BlockStack>
                ) : (
                  <DropZone.FileUpload actionHint={t.fileHint} />
                )}
              </DropZone>
              {errors.file ? (
                <Text as="p" tone="critical" id="import-file-error">
                  {errors.file}
                </Text>
              ) : null}
              <Select
                label={t.format}
                options={(["auto", "generic", "smile", "loyaltylion"] as const).map((value) => ({ value, label: t.formats[value] }))}
                value={fileFormat}
                onChange={setFileFormat}
                error={errors.format}
              />
              <InlineStack>
                <Button
                  variant="primary"
                  loading={start.state !== "idle"}
                  onClick={() =>
                    start.submit({ fileName: file?.name ?? "", content: file?.content ?? "", format: fileFormat }, { method: "post" })
                  }
                >
                  {t.start}
                </Button>
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="400">
              <Text as="h2" variant="headingMd">
                {t.historyHeading}
              </Text>
              {imports.length === 0 ? (
                <Text as="p" tone="subdued">
                  {t.historyEmpty}
                </Text>
              ) : (
                imports.map((job) => <JobRow key={job.id} initial={job} />)
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="400">
              <Text as="h2" variant="headingMd">
                {t.exportHeading}
              </Text>
              <InlineStack>
                <Button onClick={() => void download("/app/members/export", "keepsake-members.csv")}>{t.exportMembers}</Button>
              </InlineStack>
              <Text as="h3" variant="headingSm">
                {t.exportLedgerHeading}
              </Text>
              <InlineStack gap="300" blockAlign="end">
                <TextField
                  label={t.from}
                  type="date"
                  autoComplete="off"
                  value={range.from}
                  onChange={(from) => setRange((current) => ({ ...current, from }))}
                  error={exportErrors.from}
                />
                <TextField
                  label={t.to}
                  type="date"
                  autoComplete="off"
                  value={range.to}
                  onChange={(to) => setRange((current) => ({ ...current, to }))}
                  error={exportErrors.to}
                />
                <Button onClick={() => void exportLedger()}>{t.exportLedger}</Button>
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
