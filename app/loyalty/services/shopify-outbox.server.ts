/**
 * Enqueueing Shopify side effects (docs/decisions/009-shopify-outbox.md). Called inside the
 * transaction that makes the change, so the change and its pending sync commit (or roll back)
 * together; app/jobs/shopify-outbox.server.ts sends them later with retries.
 *
 * Each call is ONE upsert on (shopId, key): while a row waits, later changes overwrite its payload,
 * so a member whose balance moves ten times before the worker runs costs one Shopify call carrying
 * the latest balance. `version` is bumped so a send that was already in flight cannot mark the newer
 * value as done. No reads, no Shopify here: it must stay cheap on the webhook path.
 */
import { randomUUID } from "node:crypto";
import type { Prisma, PrismaClient } from "@prisma/client";
import { jsonRows, sqlTimestamp } from "./sql-rows.server";

type Db = Prisma.TransactionClient | PrismaClient;

export type OutboxKind = "customer_balance" | "program" | "customer_tier" | "customer_birth_date" | "newsletter_check";

export interface BalancePayload {
  customerGid: string;
  balance: number;
}

export const balanceKey = (memberId: string) => `balance:${memberId}`;
export const PROGRAM_KEY = "program";
export const tierKey = (memberId: string) => `tier:${memberId}`;
export const birthDateKey = (memberId: string) => `birth_date:${memberId}`;
export const newsletterCheckKey = (memberId: string) => `newsletter:${memberId}`;

/**
 * Returns Prisma's lazy promise, so callers can await it inside an interactive transaction or put it
 * in a batch (`db.$transaction([change, queueProgramSync(db, shopId)])`).
 */
function upsert(db: Db, shopId: string, kind: OutboxKind, key: string, payload: string) {
  // A fresh value deserves fresh tries and is due now, even if an older one failed or was backing off.
  // The lease is left alone: the pass holding it finishes, sees the new version and leaves it pending.
  const due = { payload, status: "pending", tries: 0, availableAt: new Date(), lastError: null };
  return db.shopifyOutbox.upsert({
    where: { shopId_key: { shopId, key } },
    create: { shopId, kind, key, ...due },
    update: { ...due, version: { increment: 1 } },
    select: { id: true },
  });
}

/** The member's balance changed: publish it to the customer's `$app:keepsake.balance` metafield. */
export function queueBalanceSync(
  db: Db,
  entry: { shopId: string; memberId: string; customerGid: string; balance: number },
) {
  const payload: BalancePayload = { customerGid: entry.customerGid, balance: entry.balance };
  return upsert(db, entry.shopId, "customer_balance", balanceKey(entry.memberId), JSON.stringify(payload));
}

/**
 * Many members' balances changed (the nightly expiry sweep): the same upsert as queueBalanceSync for
 * each, in ONE `INSERT … ON CONFLICT (shopId, key) DO UPDATE` statement (SQLite and PostgreSQL alike).
 * One entry per member per call.
 */
export async function queueBalanceSyncs(
  db: Db,
  entries: readonly { shopId: string; memberId: string; customerGid: string; balance: number }[],
): Promise<void> {
  await upsertMany(
    db,
    "customer_balance",
    entries.map((entry) => {
      const payload: BalancePayload = { customerGid: entry.customerGid, balance: entry.balance };
      return { shopId: entry.shopId, key: balanceKey(entry.memberId), payload: JSON.stringify(payload) };
    }),
  );
}

/** Many members' tiers changed (the daily tier review): queueTierSync for each, in one statement. */
export async function queueTierSyncs(db: Db, shopId: string, memberIds: readonly string[]): Promise<void> {
  await upsertMany(
    db,
    "customer_tier",
    memberIds.map((memberId) => ({ shopId, key: tierKey(memberId), payload: JSON.stringify({ memberId }) })),
  );
}

/**
 * `upsert` for many rows of one kind (one row per key per call): one `INSERT … ON CONFLICT DO UPDATE`,
 * the rows as one JSON parameter (sql-rows.server.ts jsonRows: a 500-member batch binds one value,
 * not 5,500).
 */
async function upsertMany(db: Db, kind: OutboxKind, entries: readonly { shopId: string; key: string; payload: string }[]): Promise<void> {
  if (entries.length === 0) return;
  const now = sqlTimestamp(new Date());
  const rows = jsonRows(
    entries.map((entry) => [randomUUID(), entry.shopId, entry.key, entry.payload]),
    4,
  );
  // `WHERE true`: SQLite's parser needs it between INSERT … SELECT and ON CONFLICT.
  await db.$executeRaw`INSERT INTO "ShopifyOutbox" ("id", "shopId", "kind", "key", "payload", "status", "version", "tries", "availableAt", "createdAt", "updatedAt")
    SELECT v.c0, v.c1, CAST(${kind} AS TEXT), v.c2, v.c3, 'pending', 0, 0, ${now}, ${now}, ${now} FROM ${rows} AS v WHERE true
    ON CONFLICT ("shopId", "key") DO UPDATE SET "payload" = excluded."payload", "status" = 'pending', "tries" = 0,
      "availableAt" = excluded."availableAt", "lastError" = NULL, "version" = "ShopifyOutbox"."version" + 1, "updatedAt" = excluded."updatedAt"`;
}

/**
 * Program settings or the rewards catalog changed: republish the app-data metafields
 * (`keepsake.earn_rate`, `keepsake.program`). The payload is empty on purpose: the worker builds
 * the program when it sends, with the storefront's own code, so it is always the current one.
 */
export function queueProgramSync(db: Db, shopId: string) {
  return upsert(db, shopId, "program", PROGRAM_KEY, "{}");
}

/**
 * The member's tier or progress changed: publish the customer tag `keepsake-tier-<handle>` (tagsAdd,
 * and tagsRemove of the other tiers' tags) and the `$app:keepsake` tier metafields. The payload names
 * the member only: the worker reads the tier and progress when it sends (tiers.server.ts tierSyncOf).
 */
export function queueTierSync(db: Db, entry: { shopId: string; memberId: string }) {
  return upsert(db, entry.shopId, "customer_tier", tierKey(entry.memberId), JSON.stringify({ memberId: entry.memberId }));
}

/**
 * The member saved a birthday: mirror it to the customer's standard `facts.birth_date` metafield
 * (a full date), or remove that metafield when the new birthday has no year (`birthDate: null`), so
 * an older full date never stays behind in Shopify. One key per member: the latest save wins.
 */
export function queueBirthDateSync(db: Db, entry: { shopId: string; memberId: string; customerGid: string; birthDate: string | null }) {
  const payload = JSON.stringify({ customerGid: entry.customerGid, birthDate: entry.birthDate });
  return upsert(db, entry.shopId, "customer_birth_date", birthDateKey(entry.memberId), payload);
}

/**
 * customers/update for a member not yet rewarded for the newsletter: ask Shopify for the email
 * marketing consent (the payload no longer carries it) and award the newsletter action once if
 * subscribed (earn-actions.server.ts checkNewsletter). Through the outbox for its retries.
 */
export function queueNewsletterCheck(db: Db, entry: { shopId: string; memberId: string; customerGid: string }) {
  const payload = JSON.stringify({ memberId: entry.memberId, customerGid: entry.customerGid });
  return upsert(db, entry.shopId, "newsletter_check", newsletterCheckKey(entry.memberId), payload);
}
