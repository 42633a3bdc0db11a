/**
 * Notifications: something to tell a member (points expiring, …), stored with a Shopify-Flow-style
 * trigger payload for a later email/Flow issue. Each row is unique per shop by its idempotency key,
 * so writing the same notice twice (a rerun, a replayed batch) stores it once.
 */
import type { PrismaClient } from "@prisma/client";
import { isUniqueViolation } from "~/loyalty/ledger.server";

export type NotificationKind = "points_expiring";

export interface NewNotification {
  shopId: string;
  memberId: string;
  kind: NotificationKind;
  idempotencyKey: string;
  payload: Record<string, unknown>;
}

/** The numeric id of a customer GID (Flow's `customer_id`), as a string: ids exceed 2^53. */
export function customerIdOf(customerGid: string): string | null {
  return /^gid:\/\/shopify\/Customer\/(\d+)$/.exec(customerGid)?.[1] ?? null;
}

/**
 * Writes the notifications whose keys are new; returns how many were written. One statement for a
 * batch; if another writer raced it (the unique constraint refused the batch), row by row.
 */
export async function queueNotifications(db: PrismaClient, rows: readonly NewNotification[]): Promise<number> {
  if (rows.length === 0) return 0;
  const shopIds = [...new Set(rows.map((row) => row.shopId))];
  if (shopIds.length !== 1) throw new Error("queueNotifications: one shop per call");
  const shopId = shopIds[0] as string;
  const existing = await db.notification.findMany({
    where: { shopId, idempotencyKey: { in: rows.map((row) => row.idempotencyKey) } },
    select: { idempotencyKey: true },
  });
  const seen = new Set(existing.map((row) => row.idempotencyKey));
  const fresh = rows.filter((row) => !seen.has(row.idempotencyKey) && seen.add(row.idempotencyKey));
  const data = fresh.map((row) => ({ ...row, payload: JSON.stringify(row.payload) }));
  if (data.length === 0) return 0;
  try {
    return (await db.notification.createMany({ data })).count;
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
  let written = 0;
  for (const row of data) {
    try {
      await db.notification.create({ data: row, select: { id: true } });
      written += 1;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
  return written;
}
