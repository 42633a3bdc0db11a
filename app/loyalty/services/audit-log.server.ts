/**
 * The admin audit log: who (the staff user id from the session token) changed what, when, with
 * before/after snapshots. Written in the same transaction as the change wherever the change is ours,
 * so a rolled-back change leaves no entry and a committed one always has its entry.
 *
 * Read by the settings pages (auditTrail: the latest entries about one subject) and by the audit log
 * page /app/audit (auditLogPage: filtered keyset pages; auditCsv: the filtered log as CSV). The
 * actions and subject types are listed in app/loyalty/audit-actions.ts.
 */
import type { Prisma, PrismaClient } from "@prisma/client";
import { stringify } from "csv-stringify/sync";
import { z } from "zod";
import db from "~/db.server";
import { AUDIT_ACTIONS, AUDIT_FILTER_KEYS, AUDIT_SUBJECT_TYPES, type AuditAction, type AuditSubjectType } from "~/loyalty/audit-actions";
import { auditDiff, auditPathLabel, type FieldChange } from "~/loyalty/audit-diff";
import { addDays, isLocalDate, startOfLocalDay } from "~/loyalty/schedule";
import { safeCell } from "./member-export.server";
import { ensureShop } from "./shops.server";

export type { AuditAction, AuditSubjectType } from "~/loyalty/audit-actions";

type Db = Prisma.TransactionClient | PrismaClient;

export interface AuditEntry {
  shopId: string;
  staffId: string | null;
  action: AuditAction;
  subjectType: AuditSubjectType;
  subjectId: string;
  before?: unknown;
  after?: unknown;
}

export function writeAudit(client: Db, entry: AuditEntry) {
  return client.auditLog.create({
    data: {
      shopId: entry.shopId,
      staffId: entry.staffId,
      action: entry.action,
      subjectType: entry.subjectType,
      subjectId: entry.subjectId,
      before: entry.before === undefined ? null : JSON.stringify(entry.before),
      after: entry.after === undefined ? null : JSON.stringify(entry.after),
    },
    select: { id: true },
  });
}

export interface AuditItem {
  id: string;
  staffId: string | null;
  action: string;
  subjectType: string;
  subjectId: string;
  before: unknown;
  after: unknown;
  createdAt: string;
}

/** A snapshot column back to its value (a row that is not JSON shows as its text). */
function snapshot(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The latest entries of a shop (optionally about one subject), newest first. */
export async function auditTrail(
  shopDomain: string,
  subject: { type: AuditEntry["subjectType"]; id: string } | null = null,
  take = 50,
): Promise<AuditItem[]> {
  const rows = await db.auditLog.findMany({
    where: { shop: { domain: shopDomain }, ...(subject ? { subjectType: subject.type, subjectId: subject.id } : {}) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
  });
  return rows.map((row) => ({
    id: row.id,
    staffId: row.staffId,
    action: row.action,
    subjectType: row.subjectType,
    subjectId: row.subjectId,
    before: snapshot(row.before),
    after: snapshot(row.after),
    createdAt: row.createdAt.toISOString(),
  }));
}

// ---------------------------------------------------------------------------------------------
// The audit log page: filters from the URL, keyset pages newest first on (createdAt, id).

export const AUDIT_PAGE_SIZE = 25;

const optionalText = (max: number, message: string) =>
  z.preprocess((value) => (typeof value === "string" && value.trim() === "" ? undefined : value), z.string().trim().max(max, message).optional());
const localDate = z.preprocess(
  (value) => (typeof value === "string" && value.trim() === "" ? undefined : value),
  z
    .string()
    .trim()
    .refine((text) => isLocalDate(text), "Use a date like 2026-01-31")
    .optional(),
);

/** The page's URL parameters. Every field is optional; a bad one answers 400 with its message. */
export const AuditLogQueryInput = z
  .object({
    action: z.preprocess((value) => (value === "" ? undefined : value), z.enum(AUDIT_ACTIONS, { message: "Choose a change from the list" }).optional()),
    subjectType: z.preprocess((value) => (value === "" ? undefined : value), z.enum(AUDIT_SUBJECT_TYPES, { message: "Choose a subject type from the list" }).optional()),
    subjectId: optionalText(64, "At most 64 characters"),
    staffId: optionalText(64, "At most 64 characters"),
    from: localDate,
    to: localDate,
    after: optionalText(500, "Invalid page"),
    before: optionalText(500, "Invalid page"),
  })
  .refine((query) => !query.subjectId || query.subjectType, { path: ["subjectType"], message: "Choose the subject type of this id" })
  .refine((query) => !query.from || !query.to || !isLocalDate(query.from) || !isLocalDate(query.to) || query.from <= query.to, { path: ["to"], message: "Must be on or after the start date" });

export type AuditLogQuery = z.output<typeof AuditLogQueryInput>;

/** URL parameters → the query: every known key, as text (absent → undefined). */
export function auditQueryFields(params: URLSearchParams): Record<string, string | undefined> {
  const keys = [...AUDIT_FILTER_KEYS, "after", "before"];
  return Object.fromEntries(keys.map((key) => [key, params.get(key) ?? undefined]));
}

interface Cursor {
  at: Date;
  id: string;
}
const CursorSchema = z.object({ t: z.string().datetime(), id: z.string().min(1).max(64) });

function encodeCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify({ t: row.createdAt.toISOString(), id: row.id })).toString("base64url");
}

/** A tampered or foreign cursor means the first page. */
function decodeCursor(text: string | undefined): Cursor | null {
  if (!text) return null;
  try {
    const parsed = CursorSchema.safeParse(JSON.parse(Buffer.from(text, "base64url").toString("utf8")));
    return parsed.success ? { at: new Date(parsed.data.t), id: parsed.data.id } : null;
  } catch {
    return null;
  }
}

/**
 * The filter's conditions, always inside the shop. A subject filter walks the
 * (shopId, subjectType, subjectId, createdAt) index, anything else (shopId, createdAt).
 */
function auditWhere(shopId: string, timeZone: string, query: AuditLogQuery): Prisma.AuditLogWhereInput[] {
  const and: Prisma.AuditLogWhereInput[] = [{ shopId }];
  if (query.action) and.push({ action: query.action });
  if (query.subjectType) and.push({ subjectType: query.subjectType });
  if (query.subjectId) and.push({ subjectId: query.subjectId });
  if (query.staffId) and.push({ staffId: query.staffId });
  // Shop-local days: from the start of `from` to the start of the day after `to`.
  if (query.from) and.push({ createdAt: { gte: startOfLocalDay(query.from, timeZone) } });
  if (query.to) and.push({ createdAt: { lt: startOfLocalDay(addDays(query.to, 1), timeZone) } });
  return and;
}

/**
 * Rows beyond the cursor in the walking direction, written `createdAt <= t AND (createdAt < t OR
 * id < cursor id)` (for newest-first) so the index range starts at the cursor.
 */
function beyond(cursor: Cursor, direction: "asc" | "desc"): Prisma.AuditLogWhereInput[] {
  const strict = direction === "desc" ? "lt" : "gt";
  const loose = direction === "desc" ? "lte" : "gte";
  return [{ createdAt: { [loose]: cursor.at } }, { OR: [{ createdAt: { [strict]: cursor.at } }, { id: { [strict]: cursor.id } }] }];
}

export interface AuditSubject {
  type: string;
  id: string;
  /** A readable name (member, reward, campaign, import file) when the subject still exists. */
  name: string | null;
  /** The admin page about it, when there is one. */
  url: string | null;
  exists: boolean;
}

export interface AuditLogRow {
  id: string;
  createdAt: string;
  staffId: string | null;
  action: string;
  subject: AuditSubject;
  changes: FieldChange[];
}

export interface AuditLogPage {
  timeZone: string;
  entries: AuditLogRow[];
  previousCursor: string | null;
  nextCursor: string | null;
  /** The subject the page is filtered to (named, linked), if any. */
  filterSubject: AuditSubject | null;
}

type AuditRow = Prisma.AuditLogGetPayload<{ select: typeof ROW_SELECT }>;
const ROW_SELECT = {
  id: true,
  createdAt: true,
  staffId: true,
  action: true,
  subjectType: true,
  subjectId: true,
  before: true,
  after: true,
} satisfies Prisma.AuditLogSelect;

/** Settings changes are about the shop: each action's page. */
const SETTINGS_PAGE: Partial<Record<string, string>> = {
  "program.update": "/app/program",
  "expiry.update": "/app/expiry",
  "birthdays.update": "/app/birthdays",
  "earn_actions.update": "/app/earn",
  "integration_secret.rotate": "/app/earn",
  "tiers.update": "/app/tiers",
  "referrals.update": "/app/referrals",
  "segments.update": "/app/segments",
  "onboarding.complete_step": "/app",
  "onboarding.dismiss": "/app",
};

/** Names and pages of the subjects of a page of entries: one query per kind, all inside the shop. */
async function subjectsOf(shopId: string, rows: { subjectType: string; subjectId: string }[]): Promise<Map<string, AuditSubject>> {
  const ids = (type: AuditSubjectType) => [...new Set(rows.filter((row) => row.subjectType === type).map((row) => row.subjectId))];
  const [members, rewards, campaigns, imports, redemptions] = await Promise.all([
    db.member.findMany({
      where: { shopId, id: { in: ids("member") } },
      select: { id: true, firstName: true, lastName: true, email: true, redactedAt: true },
    }),
    db.reward.findMany({ where: { shopId, id: { in: ids("reward") } }, select: { id: true, name: true } }),
    db.campaign.findMany({ where: { shopId, id: { in: ids("campaign") } }, select: { id: true, name: true } }),
    db.importJob.findMany({ where: { shopId, id: { in: ids("import") } }, select: { id: true, fileName: true } }),
    db.redemption.findMany({ where: { shopId, id: { in: ids("redemption") } }, select: { id: true, rewardName: true, memberId: true } }),
  ]);
  const out = new Map<string, AuditSubject>();
  const key = (type: string, id: string) => `${type}:${id}`;
  for (const member of members) {
    const name = member.redactedAt ? null : [member.firstName, member.lastName].filter(Boolean).join(" ") || member.email;
    out.set(key("member", member.id), { type: "member", id: member.id, name, url: `/app/members/${member.id}`, exists: true });
  }
  for (const reward of rewards) out.set(key("reward", reward.id), { type: "reward", id: reward.id, name: reward.name, url: `/app/rewards/${reward.id}`, exists: true });
  for (const campaign of campaigns)
    out.set(key("campaign", campaign.id), { type: "campaign", id: campaign.id, name: campaign.name, url: `/app/campaigns/${campaign.id}`, exists: true });
  for (const job of imports) out.set(key("import", job.id), { type: "import", id: job.id, name: job.fileName, url: `/app/import/${job.id}`, exists: true });
  // A reward code has no page of its own: its member's page lists it.
  for (const redemption of redemptions)
    out.set(key("redemption", redemption.id), {
      type: "redemption",
      id: redemption.id,
      name: redemption.rewardName,
      url: `/app/members/${redemption.memberId}`,
      exists: true,
    });
  return out;
}

function subjectOf(row: { action: string; subjectType: string; subjectId: string }, known: Map<string, AuditSubject>): AuditSubject {
  if (row.subjectType === "shop") return { type: "shop", id: row.subjectId, name: null, url: SETTINGS_PAGE[row.action] ?? null, exists: true };
  return known.get(`${row.subjectType}:${row.subjectId}`) ?? { type: row.subjectType, id: row.subjectId, name: null, url: null, exists: false };
}

/** The shop's time zone, for a page that lists nothing (its filter could not be read). */
export async function auditLogTimeZone(shopDomain: string): Promise<string> {
  return (await ensureShop(shopDomain)).ianaTimezone;
}

/** One page of the shop's audit log, newest first: `after` walks to older entries, `before` back to newer. */
export async function auditLogPage(shopDomain: string, query: AuditLogQuery, pageSize = AUDIT_PAGE_SIZE): Promise<AuditLogPage> {
  const shop = await ensureShop(shopDomain);
  const backwards = Boolean(query.before) && !query.after;
  const cursor = decodeCursor(backwards ? query.before : query.after);
  const direction = backwards ? "asc" : "desc";
  const rows = await db.auditLog.findMany({
    where: { AND: [...auditWhere(shop.id, shop.ianaTimezone, query), ...(cursor ? beyond(cursor, direction) : [])] },
    orderBy: [{ createdAt: direction }, { id: direction }],
    take: pageSize + 1,
    select: ROW_SELECT,
  });
  const more = rows.length > pageSize;
  const page = rows.slice(0, pageSize);
  if (backwards) page.reverse();
  const filtered = query.subjectType && query.subjectId ? { action: "", subjectType: query.subjectType, subjectId: query.subjectId } : null;
  const subjects = await subjectsOf(shop.id, filtered ? [...page, filtered] : page);
  const first = page[0];
  const last = page[page.length - 1];
  return {
    timeZone: shop.ianaTimezone,
    entries: page.map((row) => ({
      id: row.id,
      createdAt: row.createdAt.toISOString(),
      staffId: row.staffId,
      action: row.action,
      subject: subjectOf(row, subjects),
      changes: auditDiff(snapshot(row.before), snapshot(row.after)),
    })),
    // Backwards: a newer page exists if more rows were found; the page we came from always exists.
    previousCursor: first && (backwards ? more : Boolean(cursor)) ? encodeCursor(first) : null,
    nextCursor: last && (backwards ? true : more) ? encodeCursor(last) : null,
    filterSubject: filtered ? subjectOf(filtered, subjects) : null,
  };
}

// ---------------------------------------------------------------------------------------------
// CSV export of the filtered log: oldest first, keyset batches, one change per line of the cell.

export const AUDIT_CSV_COLUMNS = ["entry_id", "created_at", "staff_id", "action", "subject_type", "subject_id", "changes"] as const;
const CSV_BATCH = 500;

/** A change as one line of text: "earnRate: 1 → 2" (paths by their keys; values as JSON, so nothing is lost). */
function csvChange(change: FieldChange): string {
  const value = (side: unknown) => (side === undefined ? "(none)" : JSON.stringify(side));
  return `${auditPathLabel(change.path, (key) => key, "value")}: ${value(change.before)} → ${value(change.after)}`;
}

export async function auditCsv(shopDomain: string, query: AuditLogQuery): Promise<ReadableStream<Uint8Array>> {
  const shop = await ensureShop(shopDomain);
  const where = auditWhere(shop.id, shop.ianaTimezone, query);
  const encoder = new TextEncoder();
  async function* chunks(): AsyncGenerator<Uint8Array> {
    yield encoder.encode(stringify([[...AUDIT_CSV_COLUMNS]]));
    let cursor: Cursor | null = null;
    for (;;) {
      const batch: AuditRow[] = await db.auditLog.findMany({
        where: { AND: [...where, ...(cursor ? beyond(cursor, "asc") : [])] },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        take: CSV_BATCH,
        select: ROW_SELECT,
      });
      if (batch.length === 0) return;
      yield encoder.encode(
        stringify(
          batch.map((row) => [
            row.id,
            row.createdAt.toISOString(),
            safeCell(row.staffId),
            row.action,
            row.subjectType,
            safeCell(row.subjectId),
            safeCell(auditDiff(snapshot(row.before), snapshot(row.after)).map(csvChange).join("\n")),
          ]),
        ),
      );
      if (batch.length < CSV_BATCH) return;
      const lastRow = batch[batch.length - 1]!;
      cursor = { at: lastRow.createdAt, id: lastRow.id };
    }
  }
  const source = chunks();
  // Pull-based: the next batch is read only when the client reads on; a client that stops, stops it.
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await source.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      async cancel() {
        await source.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
}
