/**
 * A per-shop lock that jobs of one group hold for their whole run, on any instance (scheduler.server.ts
 * `exclusive`; today the `tiers` group: the daily tier review and the tier placement a settings save
 * queues never run at the same time for one shop, ADR 012 "Program changes").
 *
 * The lock is a JobRun row `(shop, "lock:<group>", "lock")` with the scheduler's lease columns, so it
 * needs no table of its own and works the same on SQLite and PostgreSQL: the first holder inserts it
 * (the unique key lets one insert win), later holders take it with a conditional UPDATE that only
 * matches a released or expired lease (one taker matches). The holder renews the lease after each
 * batch and releases it at the end; a crashed holder's lease simply runs out.
 */
import type { PrismaClient } from "@prisma/client";
import { isUniqueViolation } from "~/loyalty/ledger.server";

export interface LockSettings {
  db: PrismaClient;
  clock: () => Date;
  leaseMs: number;
}

/** The tier review and the tier placement: both move members between tiers. */
export const TIERS_LOCK = "tiers";

const keyOf = (shopId: string, group: string) => ({ shopId, job: `lock:${group}`, periodKey: "lock" });
const until = (s: LockSettings) => new Date(s.clock().getTime() + s.leaseMs);

/** True when `holder` now holds the shop's `group` lock (it may already have held it). */
export async function acquireShopLock(s: LockSettings, shopId: string, group: string, holder: string): Promise<boolean> {
  const key = keyOf(shopId, group);
  try {
    await s.db.jobRun.create({ data: { ...key, status: "running", leaseOwner: holder, leaseUntil: until(s), startedAt: s.clock() } });
    return true;
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
  const taken = await s.db.jobRun.updateMany({
    where: { ...key, OR: [{ leaseOwner: holder }, { leaseOwner: null }, { leaseUntil: null }, { leaseUntil: { lt: s.clock() } }] },
    data: { status: "running", leaseOwner: holder, leaseUntil: until(s), startedAt: s.clock(), finishedAt: null },
  });
  return taken.count === 1;
}

/** Extends the lease; false when `holder` no longer holds the lock (its lease ran out and was taken). */
export async function renewShopLock(s: LockSettings, shopId: string, group: string, holder: string): Promise<boolean> {
  const renewed = await s.db.jobRun.updateMany({ where: { ...keyOf(shopId, group), leaseOwner: holder }, data: { leaseUntil: until(s) } });
  return renewed.count === 1;
}

export async function releaseShopLock(s: LockSettings, shopId: string, group: string, holder: string): Promise<void> {
  await s.db.jobRun.updateMany({
    where: { ...keyOf(shopId, group), leaseOwner: holder },
    data: { status: "done", leaseOwner: null, leaseUntil: null, finishedAt: s.clock() },
  });
}
