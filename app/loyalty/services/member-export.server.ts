/**
 * CSV exports, streamed (docs/decisions/017-members-at-scale.md): members (optionally filtered as on
 * the list, e.g. one segment) and the ledger for a date range. Each is a pull-based ReadableStream:
 * the next keyset batch (1,000 rows) is read only when the reader wants more, so memory holds one
 * batch whatever the file's size, and a client that stops reading stops the queries.
 *
 * The members file uses the generic import columns (app/loyalty/csv-import.ts), so an export can be
 * imported into another shop. Cells that a spreadsheet would run as a formula are prefixed with '.
 */
import type { Prisma } from "@prisma/client";
import { stringify } from "csv-stringify/sync";
import { z } from "zod";
import db from "~/db.server";
import { memberFilter, type MemberListQuery } from "~/loyalty/members-query";
import { addDays, isLocalDate, startOfLocalDay } from "~/loyalty/schedule";
import { memberBatches } from "./members-list.server";
import { ensureShop } from "./shops.server";

export const EXPORT_BATCH = 1000;

export const MEMBER_COLUMNS = [
  "customer_id",
  "email",
  "first_name",
  "last_name",
  "points_balance",
  "tier",
  "segment",
  "enrolled_at",
  "last_activity_at",
  "excluded",
] as const;

export const LEDGER_COLUMNS = ["entry_id", "created_at", "customer_id", "email", "kind", "points", "description", "order_id", "staff_id"] as const;

/** A spreadsheet runs a cell starting with = + - @ (or tab/CR) as a formula: make it text. */
export function safeCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  const text = String(value);
  return typeof value === "string" && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** gid://shopify/Customer/123 → 123 (the id merchants see in Shopify and in other apps' files). */
export const numericId = (gid: string | null | undefined) => (gid ? (gid.split("/").pop() ?? "") : "");

const encoder = new TextEncoder();

/** A CSV stream from an async source of row batches: header first, then one chunk per batch. */
function csvStream(header: readonly string[], batches: AsyncGenerator<string[][]>): ReadableStream<Uint8Array> {
  let headerSent = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!headerSent) {
          headerSent = true;
          controller.enqueue(encoder.encode(stringify([header as string[]])));
          return;
        }
        const next = await batches.next();
        if (next.done) {
          controller.close();
          return;
        }
        controller.enqueue(encoder.encode(stringify(next.value)));
      },
      async cancel() {
        await batches.return(undefined);
      },
    },
    // Nothing read ahead: the next batch is queried only when the reader asks for it.
    { highWaterMark: 0 },
  );
}

export async function memberCsv(shopDomain: string, query: MemberListQuery): Promise<ReadableStream<Uint8Array>> {
  const shop = await ensureShop(shopDomain);
  const filter = memberFilter(query, shop.ianaTimezone);
  async function* rows(): AsyncGenerator<string[][]> {
    for await (const batch of memberBatches(shop.id, filter, EXPORT_BATCH)) {
      yield batch.map((m) => {
        const erased = m.redactedAt !== null;
        return [
          numericId(m.customerGid),
          erased ? "" : safeCell(m.email),
          erased ? "" : safeCell(m.firstName),
          erased ? "" : safeCell(m.lastName),
          String(m.balance),
          safeCell(m.tierHandle),
          safeCell(m.segment),
          m.enrolledAt.toISOString(),
          m.lastActivityAt?.toISOString() ?? "",
          m.excludedAt ? "yes" : "no",
        ];
      });
    }
  }
  return csvStream(MEMBER_COLUMNS, rows());
}

export const LedgerExportInput = z
  .object({
    from: z.string().trim().refine(isLocalDate, "Use a date like 2026-01-31"),
    to: z.string().trim().refine(isLocalDate, "Use a date like 2026-01-31"),
  })
  .refine((range) => !isLocalDate(range.from) || !isLocalDate(range.to) || range.from <= range.to, {
    path: ["to"],
    message: "Must be on or after the start date",
  });
export type LedgerExport = z.output<typeof LedgerExportInput>;

const LEDGER_SELECT = {
  id: true,
  createdAt: true,
  kind: true,
  delta: true,
  description: true,
  orderGid: true,
  staffId: true,
  member: { select: { customerGid: true, email: true, redactedAt: true } },
} satisfies Prisma.LedgerEntrySelect;
type LedgerRow = Prisma.LedgerEntryGetPayload<{ select: typeof LEDGER_SELECT }>;

/** Ledger entries created from the first shop-local day to the last (inclusive), oldest first. */
export async function ledgerCsv(shopDomain: string, range: LedgerExport): Promise<ReadableStream<Uint8Array>> {
  const shop = await ensureShop(shopDomain);
  const from = startOfLocalDay(range.from, shop.ianaTimezone);
  const before = startOfLocalDay(addDays(range.to, 1), shop.ianaTimezone);
  async function* rows(): AsyncGenerator<string[][]> {
    let cursor: { createdAt: Date; id: string } | null = null;
    for (;;) {
      // (createdAt, id) > cursor, written so the index range starts at the cursor's time.
      const beyond: Prisma.LedgerEntryWhereInput[] = cursor
        ? [{ createdAt: { gte: cursor.createdAt } }, { OR: [{ createdAt: { gt: cursor.createdAt } }, { id: { gt: cursor.id } }] }]
        : [];
      const batch: LedgerRow[] = await db.ledgerEntry.findMany({
        where: { shopId: shop.id, createdAt: { gte: from, lt: before }, AND: beyond },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        take: EXPORT_BATCH,
        select: LEDGER_SELECT,
      });
      if (batch.length === 0) return;
      yield batch.map((entry) => [
        entry.id,
        entry.createdAt.toISOString(),
        numericId(entry.member.customerGid),
        entry.member.redactedAt ? "" : safeCell(entry.member.email),
        entry.kind,
        String(entry.delta),
        safeCell(entry.description),
        numericId(entry.orderGid),
        safeCell(entry.staffId),
      ]);
      if (batch.length < EXPORT_BATCH) return;
      const last = batch[batch.length - 1]!;
      cursor = { createdAt: last.createdAt, id: last.id };
    }
  }
  return csvStream(LEDGER_COLUMNS, rows());
}

export function csvResponse(stream: ReadableStream<Uint8Array>, fileName: string): Response {
  return new Response(stream, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${fileName}"`,
      "Cache-Control": "no-store",
    },
  });
}
