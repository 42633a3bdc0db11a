/**
 * Segments (docs/decisions/017-members-at-scale.md): the merchant's RFM rules (Shop.segmentRules,
 * audited), each member's segment stored on Member.segment so the list can filter by it through an
 * index, and the counts for the dashboard and the settings page.
 *
 * `refreshSegments` recomputes a shop's members in keyset batches (by customer gid) from their paid orders
 * (OrderRecord: last paid, count and net amount in the window) and last points activity; it writes
 * only members whose segment changed. It runs after the rules are saved, after an import, and from
 * the daily jobs; "new" → "active" moves with time, so a day-old value is the freshness promised.
 */
import type { z } from "zod";
import { Prisma } from "@prisma/client";
import db, { directQuery } from "~/db.server";
import { logger } from "~/logger.server";
import { toMicros, type Micros } from "~/loyalty/money";
import {
  changedRules,
  readSegmentRules,
  SEGMENTS,
  segmentOf,
  SegmentRulesInput,
  windowStart,
  type Segment,
  type SegmentRules,
} from "~/loyalty/segments";
import { auditTrail, writeAudit } from "./audit-log.server";
import { ensureShop } from "./shops.server";
import { indexedBy } from "./sql-rows.server";

export { SegmentRulesInput };
export type SegmentRulesForm = z.input<typeof SegmentRulesInput>;

const BATCH = 500;

export type SegmentCounts = Record<Segment, number> & { unassigned: number };

export async function segmentCounts(shopId: string): Promise<SegmentCounts> {
  const groups = await db.member.groupBy({ by: ["segment"], where: { shopId }, _count: { _all: true } });
  const counts = { new: 0, active: 0, loyal: 0, at_risk: 0, churned: 0, unassigned: 0 } as SegmentCounts;
  for (const group of groups) {
    const key = (SEGMENTS as readonly string[]).includes(group.segment ?? "") ? (group.segment as Segment) : "unassigned";
    counts[key] += group._count._all;
  }
  return counts;
}

export async function segmentCountsOfShop(shopDomain: string): Promise<SegmentCounts> {
  const shop = await ensureShop(shopDomain);
  return segmentCounts(shop.id);
}

function safeMicros(amount: string | null): Micros {
  try {
    return amount ? toMicros(amount) : 0n;
  } catch {
    return 0n;
  }
}

/** Recomputes every member's segment of a shop; answers how many members changed segment. */
export async function refreshSegments(shopId: string, now = new Date()): Promise<{ members: number; changed: number }> {
  let after: string | null = null;
  let members = 0;
  let changed = 0;
  do {
    const batch = await refreshSegmentBatch(shopId, now, after, BATCH);
    members += batch.processed;
    changed += batch.changed;
    after = batch.nextCursor;
  } while (after);
  return { members, changed };
}

/** A member of a refreshed batch with today's segment (for the hidden tiers' segment rules, ADR 012 addendum). */
export interface SegmentedMember {
  id: string;
  customerGid: string;
  tierHandle: string | null;
  excluded: boolean;
  segment: Segment;
}

/**
 * One keyset batch (members after `after` by customer gid): recompute, write the changed ones. The daily job
 * (app/jobs/segment-refresh.server.ts) runs these under the scheduler's lease, resumable by cursor.
 */
export async function refreshSegmentBatch(
  shopId: string,
  now: Date,
  after: string | null,
  batchSize: number,
): Promise<{ processed: number; changed: number; nextCursor: string | null; members: SegmentedMember[] }> {
  const shop = await db.shop.findUniqueOrThrow({ where: { id: shopId }, select: { segmentRules: true } });
  const rules = readSegmentRules(shop.segmentRules);
  const since = windowStart(rules, now);
  // The batch's keys through the shop's (shopId, customerGid) index, named on SQLite: with
  // `shopId = ? AND id > ? ORDER BY id` and no planner statistics, SQLite walked a (shopId, …)
  // member index over the whole shop and sorted it for every batch (quadratic: 200,000 members took
  // 50 s of CPU). The cursor is the last customer gid. Then the rows by primary key.
  const keys = await directQuery(
    db,
    Prisma.sql`SELECT "id", "customerGid" FROM "Member" ${indexedBy("Member_shopId_customerGid_key")} WHERE "shopId" = ${shopId} AND "customerGid" > ${after ?? ""} ORDER BY "customerGid" LIMIT ${batchSize}`,
  );
  const rows = await db.member.findMany({
    where: { id: { in: keys.map((key) => String(key.id)) } },
    select: { id: true, shopId: true, customerGid: true, enrolledAt: true, lastActivityAt: true, segment: true, tierHandle: true, excludedAt: true },
  });
  const batch = rows.filter((row) => row.shopId === shopId).sort((a, b) => (a.customerGid < b.customerGid ? -1 : a.customerGid > b.customerGid ? 1 : 0));
  if (keys.length === 0) return { processed: 0, changed: 0, nextCursor: null, members: [] };
  const orders = await db.orderRecord.findMany({
    where: { shopId, customerGid: { in: batch.map((m) => m.customerGid) }, paidAt: { not: null }, cancelledAt: null },
    select: { customerGid: true, paidAt: true, eligibleAmount: true, refundedAmount: true },
  });
  const facts = new Map<string, { last: Date | null; count: number; spent: Micros }>();
  for (const order of orders) {
    const key = order.customerGid ?? "";
    const fact = facts.get(key) ?? { last: null, count: 0, spent: 0n };
    const paidAt = order.paidAt!;
    if (!fact.last || paidAt > fact.last) fact.last = paidAt;
    if (paidAt >= since) {
      fact.count += 1;
      const net = safeMicros(order.eligibleAmount) - safeMicros(order.refundedAmount);
      fact.spent += net > 0n ? net : 0n;
    }
    facts.set(key, fact);
  }
  const moves = new Map<Segment, string[]>();
  const members: SegmentedMember[] = [];
  for (const member of batch) {
    const fact = facts.get(member.customerGid);
    const lastOrder = fact?.last ?? null;
    const lastActiveAt =
      lastOrder && member.lastActivityAt ? (lastOrder > member.lastActivityAt ? lastOrder : member.lastActivityAt) : (lastOrder ?? member.lastActivityAt);
    const segment = segmentOf(
      { enrolledAt: member.enrolledAt, lastActiveAt, ordersInWindow: fact?.count ?? 0, spentInWindow: fact?.spent ?? 0n },
      rules,
      now,
    );
    if (segment !== member.segment) moves.set(segment, [...(moves.get(segment) ?? []), member.id]);
    members.push({ id: member.id, customerGid: member.customerGid, tierHandle: member.tierHandle, excluded: member.excludedAt !== null, segment });
  }
  let changed = 0;
  for (const [segment, ids] of moves) {
    // By primary key: every id is one of this shop's members read above. With `shopId` in the WHERE,
    // SQLite without planner statistics walks a (shopId, …) index over the whole shop (ADR 005 addendum).
    await db.member.updateMany({ where: { id: { in: ids } }, data: { segment } });
    changed += ids.length;
  }
  return { processed: batch.length, changed, nextCursor: keys.length < batchSize ? null : String(keys[keys.length - 1]?.customerGid), members };
}

/** Recompute after this request (a large shop takes a while); failures are logged. */
export function refreshSegmentsSoon(shopId: string): void {
  setImmediate(() => {
    refreshSegments(shopId).catch((error: unknown) => logger.error({ err: error, shopId }, "segment refresh failed"));
  });
}

export interface SegmentSettingsView {
  rules: SegmentRules;
  currencyCode: string;
  counts: SegmentCounts;
  changes: Awaited<ReturnType<typeof auditTrail>>;
}

export async function segmentSettings(shopDomain: string): Promise<SegmentSettingsView> {
  const shop = await ensureShop(shopDomain);
  const [counts, trail] = await Promise.all([segmentCounts(shop.id), auditTrail(shop.domain, { type: "shop", id: shop.id }, 100)]);
  const changes = trail.filter((item) => item.action === "segments.update").slice(0, 10);
  return { rules: readSegmentRules(shop.segmentRules), currencyCode: shop.currencyCode, counts, changes };
}

/** Saves the rules (audited, same transaction), then recomputes every member's segment in the background. */
export async function updateSegmentRules(shopDomain: string, rules: SegmentRules, staffId: string | null): Promise<SegmentRules> {
  const shop = await ensureShop(shopDomain);
  const before = readSegmentRules(shop.segmentRules);
  await db.$transaction(async (tx) => {
    await tx.shop.update({ where: { id: shop.id }, data: { segmentRules: JSON.stringify(rules) } });
    await writeAudit(tx, {
      shopId: shop.id,
      staffId,
      action: "segments.update",
      subjectType: "shop",
      subjectId: shop.id,
      before,
      after: { ...rules, changed: changedRules(before, rules) },
    });
  });
  refreshSegmentsSoon(shop.id);
  return rules;
}
