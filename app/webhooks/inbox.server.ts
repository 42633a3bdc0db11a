/**
 * The webhook inbox: a delivery is answered 200 only once it is stored (WebhookDelivery, payload
 * included), and applied afterwards by the worker — Shopify's own advice (answer within seconds,
 * process asynchronously), and what lets a crash lose nothing: unprocessed rows are picked up again.
 *
 * Writes are group-committed: deliveries arriving while a write is under way wait for the next
 * one, and each write stores the whole group with one to three statements, so storing a
 * delivery costs a fraction of a query instead of several.
 */
import { randomUUID } from "node:crypto";
import { Prisma } from "@prisma/client";
import { ZodError } from "zod";
import db, { directQuery } from "~/db.server";
import { isUniqueViolation } from "~/loyalty/ledger.server";

/** One line for WebhookDelivery.error and the logs: what was wrong, never the payload itself. */
export function describeFailure(error: unknown): string {
  if (error instanceof ZodError) {
    return `invalid payload: ${error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`).join("; ")}`;
  }
  return error instanceof Error ? error.message : String(error);
}

export interface IncomingDelivery {
  shopDomain: string;
  webhookId: string;
  topic: string;
  eventId?: string;
  payload: string;
}

export interface Recorded {
  /** Already applied before: nothing to do. */
  alreadyProcessed: boolean;
}

interface Waiting extends IncomingDelivery {
  resolve: (recorded: Recorded) => void;
  reject: (error: unknown) => void;
}

const MAX_GROUP = 500;

/**
 * Deliveries being received right now. The worker gives way to them (a burst is answered first
 * and applied right after), so applying never pushes an answer past Shopify's time limit.
 */
let receiving = 0;
let lastReceivedAt = 0;

export async function whileReceiving<T>(work: () => Promise<T>): Promise<T> {
  receiving += 1;
  lastReceivedAt = Date.now();
  try {
    return await work();
  } finally {
    receiving -= 1;
    lastReceivedAt = Date.now();
  }
}

/** True while deliveries are coming in: one is being received, or one came in just now. */
export function deliveriesArriving(quietMs: number): boolean {
  return receiving > 0 || Date.now() - lastReceivedAt < quietMs;
}

let waiting: Waiting[] = [];
let writing = false;

const keyOf = (d: { shopDomain: string; webhookId: string }) => `${d.shopDomain}\n${d.webhookId}`;

export function recordDelivery(delivery: IncomingDelivery): Promise<Recorded> {
  return new Promise((resolve, reject) => {
    waiting.push({ ...delivery, resolve, reject });
    if (!writing) {
      writing = true;
      void writeWaiting();
    }
  });
}

/**
 * How long the first delivery of a group waits for others to join it. A write costs about the same
 * for one delivery as for twenty (one SQLite commit: ~0.4 ms of CPU alone, ~0.08 ms each in a group
 * of 16+), so at a steady 1,000 deliveries/s — one per millisecond, each otherwise written alone —
 * two milliseconds of waiting more than halve the cost of storing them. Shopify allows seconds.
 */
const GROUP_WINDOW_MS = 2;
const groupWindow = () => new Promise((resolve) => setTimeout(resolve, GROUP_WINDOW_MS));

async function writeWaiting(): Promise<void> {
  try {
    for (;;) {
      await groupWindow();
      if (waiting.length === 0) return;
      const group = waiting.slice(0, MAX_GROUP);
      waiting = waiting.slice(MAX_GROUP);
      try {
        const results = await writeGroup(group);
        group.forEach((item, index) => item.resolve(results[index] ?? { alreadyProcessed: false }));
      } catch (error) {
        for (const item of group) item.reject(error);
      }
    }
  } finally {
    writing = false;
  }
}

/**
 * Each group is written with plain SQL that SQLite and PostgreSQL read alike, sent straight to the
 * driver (`directQuery`): three statements at most whatever the group's size. This is the busiest
 * write of the app, and Prisma's query compiler cost more than the writes themselves (ADR 005).
 * New deliveries (nearly all of them) take one INSERT; repeats a SELECT and an UPDATE besides.
 */
async function writeGroup(group: IncomingDelivery[]): Promise<Recorded[]> {
  const firsts = new Map<string, IncomingDelivery>(); // each delivery once, as first seen
  const extraAttempts = new Map<string, number>(); // delivery key → repeats beyond the stored row
  for (const delivery of group) {
    const key = keyOf(delivery);
    if (firsts.has(key)) extraAttempts.set(key, (extraAttempts.get(key) ?? 0) + 1);
    else firsts.set(key, delivery);
  }

  // Insert first and ask afterwards: most deliveries are new, and then this is the only statement.
  const stored = await insertNew([...firsts.values()]);
  const repeats = [...firsts.values()].filter((delivery) => !stored.has(keyOf(delivery)));
  const statusByKey = new Map<string, string>();
  if (repeats.length > 0) {
    for (const row of await findStatuses(repeats)) statusByKey.set(keyOf(row), row.status);
    for (const delivery of repeats) extraAttempts.set(keyOf(delivery), (extraAttempts.get(keyOf(delivery)) ?? 0) + 1);
  }
  await countRepeats(extraAttempts);
  for (const delivery of repeats) {
    if (statusByKey.get(keyOf(delivery)) !== "failed") continue;
    // A failed delivery that Shopify sends again gets another chance, with its new payload.
    await db.webhookDelivery.updateMany({
      where: { shopDomain: delivery.shopDomain, webhookId: delivery.webhookId, status: "failed" },
      data: { status: "received", payload: delivery.payload, tries: 0, availableAt: new Date(), lockedUntil: null },
    });
  }
  return group.map((delivery) => ({ alreadyProcessed: statusByKey.get(keyOf(delivery)) === "processed" }));
}

/** Webhook ids by shop: each shop's ids are one index range lookup on (shopDomain, webhookId). */
function idsByShop(keys: Iterable<{ shopDomain: string; webhookId: string }>): Map<string, string[]> {
  const byShop = new Map<string, Set<string>>();
  for (const { shopDomain, webhookId } of keys) byShop.set(shopDomain, (byShop.get(shopDomain) ?? new Set()).add(webhookId));
  return new Map([...byShop].map(([shop, ids]) => [shop, [...ids]]));
}

function sameShopAndIds(shopDomain: string, webhookIds: string[]): Prisma.Sql {
  return Prisma.sql`("shopDomain" = ${shopDomain} AND "webhookId" IN (${Prisma.join(webhookIds)}))`;
}

async function findStatuses(keys: { shopDomain: string; webhookId: string }[]) {
  const where = [...idsByShop(keys)].map(([shop, ids]) => sameShopAndIds(shop, ids));
  const rows = await directQuery(
    db,
    Prisma.sql`SELECT "shopDomain", "webhookId", "status" FROM "WebhookDelivery" WHERE ${Prisma.join(where, " OR ")}`,
  );
  return rows as { shopDomain: string; webhookId: string; status: string }[];
}

/** Stores the deliveries not stored yet; returns the keys it stored (the others were there already). */
async function insertNew(deliveries: IncomingDelivery[]): Promise<Set<string>> {
  const now = new Date();
  const rows = deliveries.map(
    (d) =>
      Prisma.sql`(${randomUUID()}, ${d.shopDomain}, ${d.webhookId}, ${d.topic}, ${d.eventId ?? null}, 'received', ${d.payload}, 1, 0, ${now}, ${now})`,
  );
  const inserted = (await directQuery(
    db,
    Prisma.sql`
      INSERT INTO "WebhookDelivery"
        ("id", "shopDomain", "webhookId", "topic", "eventId", "status", "payload", "attempts", "tries", "availableAt", "receivedAt")
      VALUES ${Prisma.join(rows)}
      ON CONFLICT ("shopDomain", "webhookId") DO NOTHING
      RETURNING "shopDomain", "webhookId"`,
  )) as { shopDomain: string; webhookId: string }[];
  return new Set(inserted.map(keyOf));
}

/** attempts += repeats, one statement per repeat count (usually one in all). */
async function countRepeats(extraAttempts: Map<string, number>): Promise<void> {
  const byCount = new Map<number, { shopDomain: string; webhookId: string }[]>();
  for (const [key, count] of extraAttempts) {
    const [shopDomain = "", webhookId = ""] = key.split("\n");
    byCount.set(count, [...(byCount.get(count) ?? []), { shopDomain, webhookId }]);
  }
  for (const [count, keys] of byCount) {
    const where = [...idsByShop(keys)].map(([shop, ids]) => sameShopAndIds(shop, ids));
    await directQuery(
      db,
      Prisma.sql`UPDATE "WebhookDelivery" SET "attempts" = "attempts" + ${count} WHERE ${Prisma.join(where, " OR ")}`,
    );
  }
}

/** A delivery refused before it could be stored (malformed or unreadable payload). */
export async function recordRejected(
  delivery: Omit<IncomingDelivery, "payload">,
  reason: string,
): Promise<void> {
  const where = { shopDomain_webhookId: { shopDomain: delivery.shopDomain, webhookId: delivery.webhookId } };
  const data = { status: "failed", error: reason.slice(0, 1000), payload: null };
  try {
    await db.webhookDelivery.upsert({
      where,
      create: { shopDomain: delivery.shopDomain, webhookId: delivery.webhookId, topic: delivery.topic, ...data },
      update: { ...data, attempts: { increment: 1 } },
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    await db.webhookDelivery.update({ where, data: { ...data, attempts: { increment: 1 } } });
  }
}
