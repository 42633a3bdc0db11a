/**
 * The points ledger: the ONLY code that changes a member's points (DESIGN.md invariants 1–4).
 *
 * - Points change by appending a LedgerEntry; entries are never updated or deleted.
 * - Each entry has an idempotency key unique per shop. The database's unique constraint is the
 *   guard: a second attempt fails inside its transaction, the transaction rolls back whole, and
 *   `runOnce` reports it as already applied. There is no read-then-write check.
 * - The member's cached balance moves in the same transaction as the entry, and so does its pending
 *   sync to the storefront's balance metafield (the Shopify outbox, ADR 009).
 * - Debits never take a balance below zero: the balance is read and written back with a
 *   conditional update (compare-and-set), retried on a concurrent change.
 */
import { randomUUID } from "node:crypto";
import { Prisma, type PrismaClient } from "@prisma/client";
import { addMonths, localDateOf } from "./schedule";
import { queueBalanceSync, queueBalanceSyncs } from "./services/shopify-outbox.server";
import { jsonRows, sqlTimestamp } from "./services/sql-rows.server";

export type Tx = Prisma.TransactionClient;

export type EntryKind =
  | "order_earn"
  | "refund_reversal"
  | "cancel_reversal"
  | "signup_bonus"
  | "manual_adjustment"
  | "redemption" // redeem:<redemption id>        points spent on a reward
  | "redemption_restore" // redeem:<id>:restore  Shopify failed: the points come back
  | "redemption_cancel" // redeem:<id>:cancel   staff cancelled an unused code
  | "tier_entry_reward" // tier-entry:<member>:<tier handle>  a tier's entry reward, once per member ever
  | "birthday_reward" // birthday:<customer gid>:<year>  the yearly birthday points
  | "referral_reward" // referral:<referral id>:reward   a friend's first order paid with their referral code
  | "referral_reversal" // referral:<referral id>:reverse  that order refunded in full or cancelled within the pending days
  | "campaign_bonus" // order:<gid>:campaign-bonus  a bonus campaign's points on a paid order (campaign frozen in rule)
  | "campaign_bonus_reversal" // refund:<gid>:campaign-bonus-reverse, order:<gid>:campaign-bonus-cancel
  | "action_award" // action:<action key>:<customer gid> (social, newsletter) or action:<key>:event:<id> (signed endpoint)
  | "import" // import:<file sha256>:<row key>  a balance carried over from a CSV import (ADR 017)
  | "expiry"; // expire:<member>:<date | lot entry id>  points expired (docs/decisions/011, 014)

export interface NewEntry {
  shopId: string;
  memberId: string;
  kind: EntryKind;
  delta: number;
  idempotencyKey: string;
  description: string;
  orderGid?: string | null;
  refundGid?: string | null;
  rule?: unknown;
  shortfall?: number;
  staffId?: string | null;
  /** On an expiry entry (per_earning): the credit entry (lot) it expires. */
  expiresEntryId?: string | null;
}

/** Another transaction changed a row this one read; the whole unit of work is retried. */
export class ConcurrentChangeError extends Error {
  constructor(what: string) {
    super(`concurrent change: ${what}`);
    this.name = "ConcurrentChangeError";
  }
}

export function isUniqueViolation(error: unknown): error is Prisma.PrismaClientKnownRequestError {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (error.code === "P2002") return true;
  // A raw statement (the batched inserts below) reports it as "Raw query failed" (P2010) with the
  // driver adapter's error, whose kind says what failed.
  const cause = (error.meta?.driverAdapterError as { cause?: { kind?: unknown } } | undefined)?.cause;
  return error.code === "P2010" && cause?.kind === "UniqueConstraintViolation";
}

/** A unique violation on LedgerEntry(shopId, idempotencyKey): the entry was already written. */
export function isIdempotencyConflict(error: unknown): boolean {
  if (!isUniqueViolation(error)) return false;
  const details = `${JSON.stringify(error.meta ?? {})} ${error.message}`;
  return details.includes("idempotencyKey");
}

function isRetryable(error: unknown): boolean {
  if (error instanceof ConcurrentChangeError) return true;
  // Another unique constraint (two first orders creating the same member at once): retry reads it.
  if (isUniqueViolation(error)) return !isIdempotencyConflict(error);
  const message = error instanceof Error ? error.message : "";
  // SQLite busy/locked, PostgreSQL serialization failure or deadlock.
  return /SQLITE_BUSY|database is locked|could not serialize|deadlock detected|40001|40P01/i.test(message);
}

export type Outcome<T> = { applied: true; value: T } | { applied: false };

const MAX_ATTEMPTS = 8;

/**
 * Runs one unit of work in a transaction. Returns `{ applied: false }` when it tried to append an
 * entry whose idempotency key already exists (so the work was done before), retries transient
 * conflicts, and rethrows anything else.
 */
export async function runOnce<T>(
  db: PrismaClient,
  work: (tx: Tx) => Promise<T>,
): Promise<Outcome<T>> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const value = await db.$transaction(work, { maxWait: 10_000, timeout: 20_000 });
      return { applied: true, value };
    } catch (error) {
      if (isIdempotencyConflict(error)) return { applied: false };
      if (attempt >= MAX_ATTEMPTS || !isRetryable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
    }
  }
}

/**
 * Expiry (docs/decisions/011, 014): reversals, compensations and expiries are not member activity;
 * nor is a tier's entry reward, a gift the program gives (with a promotion the order that caused it
 * is the activity; a hidden tier assigned by segment must not make an at-risk member look active,
 * ADR 012 addendum). Everything else (earnings, redemptions, staff adjustments, bonuses) is.
 */
export function isExpiryActivity(kind: string): boolean {
  return !/reversal|restore|cancel|expiry|tier_entry_reward/.test(kind);
}

interface ExpiryStamps {
  /** Written on the member with the balance (activity: lastActivityAt; inactivity: pointsExpireOn). */
  member: { lastActivityAt?: Date; pointsExpireOn?: string };
  /** per_earning credits: the day this lot expires (LedgerEntry.expiresOn). */
  lotExpiresOn: string | null;
  /** Member.pointsExpireOn moves down to this day if it is later or unset (never up). */
  lowerTo: string | null;
}

const NO_STAMPS: ExpiryStamps = { member: {}, lotExpiresOn: null, lowerTo: null };

/**
 * What a balance change does to the expiry columns, in the same transaction: Member.lastActivityAt,
 * Member.pointsExpireOn (the next day the expiry jobs must look at this member: exact for
 * inactivity activity, lowered for new lots, never raised except by the jobs) and, on per_earning
 * credits, LedgerEntry.expiresOn. One primary-key read of the shop; nothing for expiry debits.
 */
async function expiryStamps(tx: Tx, entry: NewEntry, at: Date, credit: boolean): Promise<ExpiryStamps> {
  const activity = isExpiryActivity(entry.kind);
  if (!activity && !credit) return NO_STAMPS;
  const shop = await tx.shop.findUniqueOrThrow({
    where: { id: entry.shopId },
    select: { expiryMode: true, expiryMonths: true, ianaTimezone: true },
  });
  const member: ExpiryStamps["member"] = activity ? { lastActivityAt: at } : {};
  if (shop.expiryMode !== "inactivity" && shop.expiryMode !== "per_earning") return { ...NO_STAMPS, member };
  const today = localDateOf(at, shop.ianaTimezone);
  const day = addMonths(today, shop.expiryMonths);
  if (shop.expiryMode === "inactivity") {
    // Activity sets the day; a credit that is not activity makes the next sweep look (and restamp).
    return activity ? { ...NO_STAMPS, member: { ...member, pointsExpireOn: day } } : { ...NO_STAMPS, lowerTo: today };
  }
  return credit ? { member, lotExpiresOn: day, lowerTo: day } : { ...NO_STAMPS, member };
}

function entryData(entry: NewEntry, delta: number, shortfall: number, at: Date, expiresOn: string | null = null) {
  return {
    shopId: entry.shopId,
    memberId: entry.memberId,
    kind: entry.kind,
    delta,
    idempotencyKey: entry.idempotencyKey,
    description: entry.description,
    orderGid: entry.orderGid ?? null,
    refundGid: entry.refundGid ?? null,
    rule: entry.rule === undefined ? null : JSON.stringify(entry.rule),
    shortfall,
    staffId: entry.staffId ?? null,
    expiresOn,
    expiresEntryId: entry.expiresEntryId ?? null,
    createdAt: at,
  };
}

/**
 * The entries of a batch (appendCredits, appendDebits) in ONE statement, their rows as one JSON
 * parameter (sql-rows.server.ts): Prisma's createMany compiles every bound value, ~20 ms per 100
 * entries — a fifth of the expiry sweep's time at 1M members (ADR 014 addendum). A key that exists
 * fails the statement, and the transaction with it, exactly as createMany did (isIdempotencyConflict
 * reads both errors). The ids keep the batch's order: one random stem, then the position.
 */
async function insertEntries(tx: Tx, shopId: string, rows: readonly ReturnType<typeof entryData>[], at: Date): Promise<void> {
  if (rows.length === 0) return;
  const stem = randomUUID();
  // c0 id, c1 member, c2 kind, c3 delta, c4 key, c5 order, c6 refund, c7 rule, c8 shortfall,
  // c9 description, c10 staff, c11 expiresOn, c12 expiresEntryId
  const values = jsonRows(
    rows.map((row, index) => [
      `${stem}-${String(index).padStart(6, "0")}`,
      row.memberId,
      row.kind,
      String(row.delta),
      row.idempotencyKey,
      row.orderGid,
      row.refundGid,
      row.rule,
      String(row.shortfall),
      row.description,
      row.staffId,
      row.expiresOn,
      row.expiresEntryId,
    ]),
    13,
  );
  await tx.$executeRaw`INSERT INTO "LedgerEntry" ("id", "shopId", "memberId", "kind", "delta", "idempotencyKey", "orderGid", "refundGid", "rule", "shortfall", "description", "staffId", "expiresOn", "expiresEntryId", "createdAt")
    SELECT v.c0, CAST(${shopId} AS TEXT), v.c1, v.c2, CAST(v.c3 AS INTEGER), v.c4, v.c5, v.c6, v.c7, CAST(v.c8 AS INTEGER), v.c9, v.c10, v.c11, v.c12, ${sqlTimestamp(at)} FROM ${values} AS v`;
}

/** Appends a credit (delta ≥ 0) and moves the cached balance with it. */
export async function appendCredit(tx: Tx, entry: NewEntry): Promise<void> {
  if (entry.delta < 0) throw new RangeError("appendCredit needs a non-negative delta; use appendDebit");
  const at = new Date();
  const stamps = entry.delta === 0 ? NO_STAMPS : await expiryStamps(tx, entry, at, true);
  // The entry goes first: if its key exists this throws and nothing else in the transaction runs.
  await tx.ledgerEntry.create({ data: entryData(entry, entry.delta, 0, at, stamps.lotExpiresOn) });
  if (entry.delta !== 0) {
    const member = await tx.member.update({
      where: { id: entry.memberId },
      data: { balance: { increment: entry.delta }, ...stamps.member },
      select: { customerGid: true, balance: true, pointsExpireOn: true },
    });
    if (stamps.lowerTo !== null && (member.pointsExpireOn === null || member.pointsExpireOn > stamps.lowerTo)) {
      await tx.member.update({ where: { id: entry.memberId }, data: { pointsExpireOn: stamps.lowerTo } });
    }
    await balanceChanged(tx, entry, member);
  }
}

/**
 * Many credits in one go, for the nightly jobs (a hidden tier's entry rewards placed by a segment
 * rule, ADR 012 addendum): each entry follows appendCredit's rules — the entries in one createMany
 * (a duplicate key aborts the transaction like appendCredit), the balances moved by one
 * `UPDATE … FROM`, fenced on the balance and expiry day read (a concurrent change throws
 * ConcurrentChangeError and the caller retries the whole unit), the expiry stamps of a credit (the
 * per_earning lot's day, pointsExpireOn lowered, never raised), the storefront syncs queued in one
 * statement. Only for credits that are not member activity: they leave lastActivityAt alone.
 */
export async function appendCredits(tx: Tx, entries: readonly NewEntry[]): Promise<void> {
  const first = entries[0];
  if (!first) return;
  for (const entry of entries) {
    if (entry.delta < 0) throw new RangeError("appendCredits needs non-negative deltas");
    if (entry.shopId !== first.shopId) throw new Error("appendCredits: one shop per call");
    if (isExpiryActivity(entry.kind)) throw new Error(`appendCredits is for credits that are not activity, not ${entry.kind}`);
  }
  const at = new Date();
  // Not activity, so the stamps depend only on the shop and the instant: the same for every entry.
  const stamps = await expiryStamps(tx, first, at, true);
  await insertEntries(
    tx,
    first.shopId,
    entries.map((entry) => entryData(entry, entry.delta, 0, at, entry.delta === 0 ? null : stamps.lotExpiresOn)),
    at,
  );
  const deltas = new Map<string, number>();
  for (const entry of entries) if (entry.delta > 0) deltas.set(entry.memberId, (deltas.get(entry.memberId) ?? 0) + entry.delta);
  if (deltas.size === 0) return;
  const members = await tx.member.findMany({
    where: { id: { in: [...deltas.keys()] } },
    select: { id: true, shopId: true, customerGid: true, balance: true, pointsExpireOn: true },
  });
  if (members.length !== deltas.size) throw new Error("appendCredits: unknown member");
  if (members.some((member) => member.shopId !== first.shopId)) throw new Error("member belongs to another shop");
  const lowerTo = stamps.lowerTo;
  const next = members.map((member) => ({
    ...member,
    newBalance: member.balance + (deltas.get(member.id) ?? 0),
    newExpireOn: lowerTo !== null && (member.pointsExpireOn === null || member.pointsExpireOn > lowerTo) ? lowerTo : member.pointsExpireOn,
  }));
  // c0 id, c1 balance read, c2 new balance, c3 expiry day read, c4 new expiry day
  const rows = jsonRows(
    next.map((member) => [member.id, String(member.balance), String(member.newBalance), member.pointsExpireOn, member.newExpireOn]),
    5,
  );
  const updated = await tx.$executeRaw`UPDATE "Member" AS m SET "balance" = CAST(v.c2 AS INTEGER), "pointsExpireOn" = v.c4, "updatedAt" = ${at} FROM ${rows} AS v WHERE m."id" = v.c0 AND m."balance" = CAST(v.c1 AS INTEGER) AND m."pointsExpireOn" IS NOT DISTINCT FROM v.c3`;
  if (updated !== next.length) throw new ConcurrentChangeError("balances of a credit batch");
  await queueBalanceSyncs(
    tx,
    next.map((member) => ({ shopId: member.shopId, memberId: member.id, customerGid: member.customerGid, balance: member.newBalance })),
  );
}

/**
 * The one hook after every balance write: the storefront's balance metafield gets a pending sync in
 * the same transaction (ADR 009), carrying the balance this transaction committed.
 */
async function balanceChanged(tx: Tx, entry: NewEntry, member: { customerGid: string; balance: number }): Promise<void> {
  await queueBalanceSync(tx, {
    shopId: entry.shopId,
    memberId: entry.memberId,
    customerGid: member.customerGid,
    balance: member.balance,
  });
}

export interface DebitResult {
  taken: number;
  shortfall: number;
}

/**
 * Appends a debit of up to `entry.delta` points (a positive number here). A reversal may find the
 * points already spent: it then takes the balance to zero and records the rest as `shortfall`
 * instead of silently inventing debt. With `requireFull`, an insufficient balance takes nothing
 * and returns the shortfall (redemptions use this).
 */
export async function appendDebit(
  tx: Tx,
  entry: NewEntry,
  options: { requireFull?: boolean } = {},
): Promise<DebitResult> {
  const points = entry.delta;
  if (points < 0) throw new RangeError("appendDebit takes the points to remove as a positive number");
  const member = await tx.member.findUniqueOrThrow({
    where: { id: entry.memberId },
    select: { balance: true, shopId: true, customerGid: true },
  });
  if (member.shopId !== entry.shopId) throw new Error("member belongs to another shop");
  const available = Math.max(member.balance, 0);
  if (options.requireFull && available < points) return { taken: 0, shortfall: points - available };
  const taken = Math.min(points, available);
  const shortfall = points - taken;
  const at = new Date();
  await tx.ledgerEntry.create({ data: entryData(entry, -taken, shortfall, at) });
  if (taken > 0) {
    const stamps = await expiryStamps(tx, entry, at, false);
    const updated = await tx.member.updateMany({
      where: { id: entry.memberId, balance: member.balance },
      data: { balance: member.balance - taken, ...stamps.member },
    });
    if (updated.count !== 1) throw new ConcurrentChangeError(`balance of member ${entry.memberId}`);
    await balanceChanged(tx, entry, { customerGid: member.customerGid, balance: member.balance - taken });
  }
  return { taken, shortfall };
}

/**
 * Many debits in one go, for the nightly jobs (the expiry sweep): each entry follows appendDebit's
 * rules — never below zero (the rest is `shortfall`), entries of one member applied in order, the
 * balances fenced on the values read (a concurrent change throws ConcurrentChangeError, and runOnce
 * retries the whole unit), the storefront sync queued per member — in a few statements for the
 * whole set instead of four per entry (one for all the outbox rows). Only for debits that are not member activity (expiries):
 * they leave the expiry columns alone. A duplicate key aborts the transaction like appendDebit.
 */
export async function appendDebits(tx: Tx, entries: readonly NewEntry[]): Promise<DebitResult[]> {
  const first = entries[0];
  if (!first) return [];
  const shopId = first.shopId;
  for (const entry of entries) {
    if (entry.delta < 0) throw new RangeError("appendDebits takes the points to remove as positive numbers");
    if (entry.shopId !== shopId) throw new Error("appendDebits: one shop per call");
    if (isExpiryActivity(entry.kind)) throw new Error(`appendDebits is for debits that are not activity, not ${entry.kind}`);
  }
  const ids = [...new Set(entries.map((entry) => entry.memberId))];
  const members = await tx.member.findMany({
    where: { id: { in: ids } },
    select: { id: true, balance: true, shopId: true, customerGid: true },
  });
  if (members.length !== ids.length) throw new Error("appendDebits: unknown member");
  if (members.some((member) => member.shopId !== shopId)) throw new Error("member belongs to another shop");
  const balances = new Map(members.map((member) => [member.id, member.balance]));
  const at = new Date();
  const results: DebitResult[] = [];
  const rows = entries.map((entry) => {
    const balance = balances.get(entry.memberId) ?? 0;
    const taken = Math.min(entry.delta, Math.max(balance, 0));
    balances.set(entry.memberId, balance - taken);
    results.push({ taken, shortfall: entry.delta - taken });
    return entryData(entry, -taken, entry.delta - taken, at);
  });
  await insertEntries(tx, shopId, rows, at);
  const changed = members.filter((member) => balances.get(member.id) !== member.balance);
  if (changed.length > 0) {
    // c0 id, c1 balance read, c2 new balance (one JSON parameter, like appendCredits)
    const values = jsonRows(
      changed.map((member) => [member.id, String(member.balance), String(balances.get(member.id) ?? 0)]),
      3,
    );
    const updated = await tx.$executeRaw`UPDATE "Member" AS m SET "balance" = CAST(v.c2 AS INTEGER), "updatedAt" = ${at} FROM ${values} AS v WHERE m."id" = v.c0 AND m."balance" = CAST(v.c1 AS INTEGER)`;
    if (updated !== changed.length) throw new ConcurrentChangeError("balances of a debit batch");
    await queueBalanceSyncs(
      tx,
      changed.map((member) => ({ shopId: member.shopId, memberId: member.id, customerGid: member.customerGid, balance: balances.get(member.id) ?? 0 })),
    );
  }
  return results;
}

export interface BalanceMismatch {
  shopId: string;
  memberId: string;
  cachedBalance: number;
  ledgerSum: number;
}

/** Invariant 3: every member's cached balance equals the sum of its entries. */
export async function findBalanceMismatches(db: PrismaClient): Promise<{
  membersChecked: number;
  mismatches: BalanceMismatch[];
}> {
  const sums = await db.ledgerEntry.groupBy({ by: ["memberId"], _sum: { delta: true } });
  const sumByMember = new Map(sums.map((row) => [row.memberId, row._sum.delta ?? 0]));
  const mismatches: BalanceMismatch[] = [];
  let membersChecked = 0;
  let cursor: string | undefined;
  for (;;) {
    const page = await db.member.findMany({
      select: { id: true, shopId: true, balance: true },
      orderBy: { id: "asc" },
      take: 5_000,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    if (page.length === 0) break;
    for (const member of page) {
      membersChecked += 1;
      const ledgerSum = sumByMember.get(member.id) ?? 0;
      if (ledgerSum !== member.balance) {
        mismatches.push({ shopId: member.shopId, memberId: member.id, cachedBalance: member.balance, ledgerSum });
      }
    }
    cursor = page[page.length - 1]?.id;
  }
  return { membersChecked, mismatches };
}
