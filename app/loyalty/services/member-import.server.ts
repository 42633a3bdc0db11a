/**
 * CSV import of members and balances as a background job (docs/decisions/017-members-at-scale.md).
 *
 * - `startImport` checks the file's shape (size, header, format) and stores it as an ImportJob; the
 *   rows are validated one by one while the job runs, so a large file answers at once and the page
 *   polls `importProgress`.
 * - A valid row finds its member (by customer id, else by email), creates it when the file gives a
 *   customer id Keepsake does not know yet (no sign-up bonus), and credits the row's points as ONE
 *   `import` ledger entry keyed `import:<file sha256>:<row key>`: the same file imported again (or a
 *   job resumed after a crash) finds every key taken and changes nothing.
 * - Invalid rows are kept (line, messages, values) for the downloadable error report; the file's text
 *   is erased when the job ends.
 * - The job holds a lease while it works; a poll that finds the lease run out resumes it from the
 *   last row it recorded (rows are idempotent, so redoing a few is harmless).
 */
import { createHash } from "node:crypto";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { z } from "zod";
import db from "~/db.server";
import {
  detectFormat,
  IMPORT_FORMATS,
  mapColumns,
  MAX_IMPORT_BYTES,
  MAX_IMPORT_ROWS,
  validateRows,
  type ImportFormat,
  type ImportRow,
} from "~/loyalty/csv-import";
import { appendCredit, runOnce } from "~/loyalty/ledger.server";
import { logger } from "~/logger.server";
import { writeAudit } from "./audit-log.server";
import { safeCell } from "./member-export.server";
import { refreshSegmentsSoon } from "./segments.server";
import { ensureMember } from "./members.server";
import { ensureShop, type ShopRecord } from "./shops.server";

export const IMPORT_KIND = "import" as const;
export const importKey = (fileHash: string, rowKey: string) => `import:${fileHash}:${rowKey}`;

const CHUNK = 200;
const LEASE_MS = 60_000;
const MAX_STORED_ERRORS = 1000;

export const StartImportInput = z.object({
  format: z.enum(["auto", ...IMPORT_FORMATS], { message: "Choose a format" }).default("auto"),
  fileName: z.string().trim().min(1, "Choose a CSV file").max(200),
  content: z
    .string()
    .refine((text) => text.trim().length > 0, "The file is empty")
    .refine((text) => Buffer.byteLength(text) <= MAX_IMPORT_BYTES, `The file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB`),
});
export type StartImport = z.output<typeof StartImportInput>;

export interface StoredRowError {
  line: number;
  messages: string[];
  values: string[];
}
/** ImportJob.errors: the file's header (for the report) and the rows that failed (capped). */
interface StoredErrors {
  header: string[];
  rows: StoredRowError[];
}

function parseCsv(content: string): string[][] {
  return parse(content, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true }) as string[][];
}

export type StartOutcome = { ok: true; jobId: string } | { ok: false; errors: Record<string, string> };

/** Checks the file's shape and queues the job (the rows are checked while it runs). */
export async function startImport(shopDomain: string, staffId: string | null, input: StartImport): Promise<StartOutcome> {
  const shop = await ensureShop(shopDomain);
  let rows: string[][];
  try {
    rows = parseCsv(input.content);
  } catch (error) {
    const message = error instanceof Error ? error.message : "unreadable";
    return { ok: false, errors: { file: `Not a readable CSV file: ${message.slice(0, 200)}` } };
  }
  const [header, ...data] = rows;
  if (!header || data.length === 0) return { ok: false, errors: { file: "The file has a header but no rows" } };
  if (data.length > MAX_IMPORT_ROWS) return { ok: false, errors: { file: `At most ${MAX_IMPORT_ROWS.toLocaleString("en")} rows per file` } };
  const format: ImportFormat = input.format === "auto" ? detectFormat(header) : input.format;
  const mapped = mapColumns(header, format);
  if (!mapped.ok) return { ok: false, errors: { file: mapped.error } };
  const fileHash = createHash("sha256").update(input.content).digest("hex");
  const job = await db.$transaction(async (tx) => {
    const created = await tx.importJob.create({
      data: { shopId: shop.id, staffId, fileName: input.fileName, fileHash, format, content: input.content, totalRows: data.length },
      select: { id: true },
    });
    await writeAudit(tx, {
      shopId: shop.id,
      staffId,
      action: "members.import",
      subjectType: "import",
      subjectId: created.id,
      after: { fileName: input.fileName, fileHash, format, rows: data.length },
    });
    return created;
  });
  kick(job.id);
  return { ok: true, jobId: job.id };
}

/** Runs the job in this process, after the current request (errors are logged, the lease lets a poll retry). */
function kick(jobId: string): void {
  setImmediate(() => {
    runImportJob(jobId).catch((error: unknown) => logger.error({ err: error, jobId }, "import job failed"));
  });
}

/** Takes the job's lease if it is queued, or running with its lease run out. */
async function claim(jobId: string, now: Date): Promise<boolean> {
  const { count } = await db.importJob.updateMany({
    where: { id: jobId, OR: [{ status: "queued" }, { status: "running", leaseUntil: { lt: now } }] },
    data: { status: "running", leaseUntil: new Date(now.getTime() + LEASE_MS), startedAt: now },
  });
  return count === 1;
}

type RowOutcome = "imported" | "unchanged" | { error: string };

async function importRow(shop: ShopRecord, job: { id: string; fileHash: string; fileName: string; format: string }, row: ImportRow): Promise<RowOutcome> {
  let member: { id: string } | null = null;
  let created = false;
  if (row.customerGid) {
    member = await db.member.findUnique({
      where: { shopId_customerGid: { shopId: shop.id, customerGid: row.customerGid } },
      select: { id: true },
    });
    if (!member) {
      const made = await ensureMember(shop, { customerGid: row.customerGid, email: row.email, firstName: row.firstName, lastName: row.lastName });
      member = { id: made.id };
      created = true;
      if (row.enrolledAt) await db.member.update({ where: { id: made.id }, data: { enrolledAt: row.enrolledAt } });
    }
  } else if (row.email) {
    const matches = await db.member.findMany({ where: { shopId: shop.id, email: row.email, redactedAt: null }, select: { id: true }, take: 2 });
    if (matches.length === 0) return { error: "no member has this email; add the customer's Shopify id (customer_id) to create one" };
    if (matches.length > 1) return { error: "several members have this email; add the customer's Shopify id (customer_id)" };
    member = matches[0]!;
  }
  if (!member) return { error: "needs a customer id or an email" };
  if (row.points === 0) return created ? "imported" : "unchanged";
  const outcome = await runOnce(db, (tx) =>
    appendCredit(tx, {
      shopId: shop.id,
      memberId: member.id,
      kind: IMPORT_KIND,
      delta: row.points,
      idempotencyKey: importKey(job.fileHash, row.key),
      description: `Imported balance (${job.format} file ${job.fileName}, line ${row.line})`,
      rule: { importJobId: job.id, format: job.format, line: row.line },
    }),
  );
  return outcome.applied || created ? "imported" : "unchanged";
}

/** Works through the job's rows from where it stopped, recording progress after each chunk. */
export async function runImportJob(jobId: string, now: () => Date = () => new Date()): Promise<void> {
  if (!(await claim(jobId, now()))) return;
  const job = await db.importJob.findUniqueOrThrow({ where: { id: jobId } });
  const shop = await db.shop.findUniqueOrThrow({ where: { id: job.shopId } });
  try {
    const [header = [], ...data] = parseCsv(job.content ?? "");
    const mapped = mapColumns(header, job.format as ImportFormat);
    if (!mapped.ok) throw new Error(mapped.error);
    // Validation covers the whole file (duplicates are found across chunks); cheap next to the writes.
    const results = validateRows(data, mapped.columns);
    const errors: StoredRowError[] = job.errors ? (JSON.parse(job.errors) as StoredErrors).rows : [];
    const stored = () => JSON.stringify({ header, rows: errors } satisfies StoredErrors);
    let { processedRows, importedRows, unchangedRows, errorRows } = job;
    while (processedRows < results.length) {
      const end = Math.min(results.length, processedRows + CHUNK);
      for (let index = processedRows; index < end; index += 1) {
        const result = results[index]!;
        const outcome: RowOutcome = result.ok ? await importRow(shop, job, result.row) : { error: result.messages.join("; ") };
        if (outcome === "imported") importedRows += 1;
        else if (outcome === "unchanged") unchangedRows += 1;
        else {
          errorRows += 1;
          if (errors.length < MAX_STORED_ERRORS) errors.push({ line: index + 2, messages: [outcome.error], values: data[index] ?? [] });
        }
      }
      processedRows = end;
      await db.importJob.update({
        where: { id: jobId },
        data: { processedRows, importedRows, unchangedRows, errorRows, errors: stored(), leaseUntil: new Date(now().getTime() + LEASE_MS) },
      });
    }
    await db.importJob.update({
      where: { id: jobId },
      data: { status: "done", content: null, finishedAt: now(), leaseUntil: null },
    });
    // New members and balances: their segments (new members are "new" right away).
    refreshSegmentsSoon(job.shopId);
  } catch (error) {
    await db.importJob.update({
      where: { id: jobId },
      data: { status: "failed", content: null, finishedAt: now(), leaseUntil: null, error: error instanceof Error ? error.message.slice(0, 500) : "failed" },
    });
    throw error;
  }
}

export interface ImportProgress {
  id: string;
  fileName: string;
  format: string;
  status: string;
  totalRows: number;
  processedRows: number;
  importedRows: number;
  unchangedRows: number;
  errorRows: number;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

const PROGRESS_SELECT = {
  id: true,
  fileName: true,
  format: true,
  status: true,
  totalRows: true,
  processedRows: true,
  importedRows: true,
  unchangedRows: true,
  errorRows: true,
  error: true,
  createdAt: true,
  finishedAt: true,
  leaseUntil: true,
} as const;

function progressOf(job: { createdAt: Date; finishedAt: Date | null; leaseUntil: Date | null } & Omit<ImportProgress, "createdAt" | "finishedAt">): ImportProgress {
  const { leaseUntil: _lease, ...rest } = job;
  return { ...rest, createdAt: job.createdAt.toISOString(), finishedAt: job.finishedAt?.toISOString() ?? null };
}

/** A job's progress (null: not this shop's). Resumes a job whose worker stopped (lease run out). */
export async function importProgress(shopDomain: string, jobId: string, now = new Date()): Promise<ImportProgress | null> {
  const shop = await ensureShop(shopDomain);
  const job = await db.importJob.findFirst({ where: { id: jobId, shopId: shop.id }, select: PROGRESS_SELECT });
  if (!job) return null;
  if (job.status === "queued" || (job.status === "running" && job.leaseUntil !== null && job.leaseUntil < now)) kick(job.id);
  return progressOf(job);
}

export async function recentImports(shopDomain: string): Promise<ImportProgress[]> {
  const shop = await ensureShop(shopDomain);
  const jobs = await db.importJob.findMany({ where: { shopId: shop.id }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: 10, select: PROGRESS_SELECT });
  return jobs.map(progressOf);
}

/** The error report: line, what is wrong, then the row as it was in the file (null: not this shop's). */
export async function importErrorReport(shopDomain: string, jobId: string): Promise<string | null> {
  const shop = await ensureShop(shopDomain);
  const job = await db.importJob.findFirst({ where: { id: jobId, shopId: shop.id }, select: { errors: true } });
  if (!job) return null;
  const stored: StoredErrors = job.errors ? (JSON.parse(job.errors) as StoredErrors) : { header: [], rows: [] };
  const header = ["line", "errors", ...stored.header.map(safeCell)];
  return stringify([header, ...stored.rows.map((error) => [String(error.line), error.messages.join("; "), ...error.values.map(safeCell)])]);
}
