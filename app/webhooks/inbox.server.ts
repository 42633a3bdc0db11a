/**
 * The webhook inbox: a delivery is answered 200 only once it is stored (WebhookDelivery, payload
 * included), and applied afterwards by the worker — Shopify's own advice (answer within seconds,
 * process asynchronously), and what lets a crash lose nothing: unprocessed rows are picked up again.
 *
 * Writes are group-committed: deliveries arriving while a write is under way wait for the next
 * one, and each write stores the whole group with a few statements (one createMany), so storing a
 * delivery costs a fraction of a query instead of several.
 */
import { ZodError } from "zod";
import db from "~/db.server";
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
 * The driver answers synchronously, so without a pause every delivery would be written alone:
 * waiting for the next turn of the event loop lets the deliveries read in the same turn join.
 */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

async function writeWaiting(): Promise<void> {
  try {
    for (;;) {
      await nextTurn();
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

async function writeGroup(group: IncomingDelivery[]): Promise<Recorded[]> {
  // By (shopDomain, webhookId): the unique index's order, so this is an index lookup, not a scan.
  const idsByShop = new Map<string, Set<string>>();
  for (const d of group) idsByShop.set(d.shopDomain, (idsByShop.get(d.shopDomain) ?? new Set()).add(d.webhookId));
  const existing = await db.webhookDelivery.findMany({
    where: { OR: [...idsByShop].map(([shopDomain, ids]) => ({ shopDomain, webhookId: { in: [...ids] } })) },
    select: { id: true, shopDomain: true, webhookId: true, status: true },
  });
  const existingByKey = new Map(existing.map((row) => [keyOf(row), row]));

  const fresh = new Map<string, IncomingDelivery>();
  const extraAttempts = new Map<string, number>(); // delivery key → repeats in this group
  const requeue = new Map<string, IncomingDelivery>(); // failed before, delivered again
  for (const delivery of group) {
    const key = keyOf(delivery);
    const row = existingByKey.get(key);
    if (!row && !fresh.has(key)) {
      fresh.set(key, delivery);
      continue;
    }
    extraAttempts.set(key, (extraAttempts.get(key) ?? 0) + 1);
    if (row?.status === "failed" && !requeue.has(key)) requeue.set(key, delivery);
  }

  if (fresh.size > 0) await insertFresh([...fresh.values()], extraAttempts);
  await countRepeats(extraAttempts);
  for (const delivery of requeue.values()) {
    // A failed delivery that Shopify sends again gets another chance, with its new payload.
    await db.webhookDelivery.updateMany({
      where: { shopDomain: delivery.shopDomain, webhookId: delivery.webhookId, status: "failed" },
      data: { status: "received", payload: delivery.payload, tries: 0, availableAt: new Date(), lockedUntil: null },
    });
  }
  return group.map((delivery) => ({ alreadyProcessed: existingByKey.get(keyOf(delivery))?.status === "processed" }));
}

async function insertFresh(deliveries: IncomingDelivery[], extraAttempts: Map<string, number>): Promise<void> {
  const rows = deliveries.map((d) => ({
    shopDomain: d.shopDomain,
    webhookId: d.webhookId,
    topic: d.topic,
    eventId: d.eventId ?? null,
    status: "received",
    payload: d.payload,
  }));
  try {
    await db.webhookDelivery.createMany({ data: rows });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // Another app instance stored one of them first: store the rest one by one.
    for (const row of rows) {
      try {
        await db.webhookDelivery.create({ data: row });
      } catch (rowError) {
        if (!isUniqueViolation(rowError)) throw rowError;
        const key = keyOf(row);
        extraAttempts.set(key, (extraAttempts.get(key) ?? 0) + 1);
      }
    }
  }
}

/** attempts += repeats, one statement per (shop, repeat count) — usually one in all. */
async function countRepeats(extraAttempts: Map<string, number>): Promise<void> {
  const groups = new Map<string, { shopDomain: string; count: number; webhookIds: string[] }>();
  for (const [key, count] of extraAttempts) {
    const [shopDomain = "", webhookId = ""] = key.split("\n");
    const groupKey = `${shopDomain}\n${count}`;
    const entry = groups.get(groupKey) ?? { shopDomain, count, webhookIds: [] };
    entry.webhookIds.push(webhookId);
    groups.set(groupKey, entry);
  }
  for (const { shopDomain, count, webhookIds } of groups.values()) {
    await db.webhookDelivery.updateMany({
      where: { shopDomain, webhookId: { in: webhookIds } },
      data: { attempts: { increment: count } },
    });
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
