/**
 * Applies stored webhook deliveries (app/webhooks/inbox.server.ts), oldest first, one at a time
 * per app instance. A row is leased before it is applied, so several instances (PostgreSQL) never
 * apply the same row at once; a crash leaves the row to be picked up when its lease ends.
 * The payload is erased once the row is processed or given up on: it holds personal data.
 * Application is idempotent (ledger keys), so applying a row twice after a crash changes nothing.
 */
import { ZodError } from "zod";
import db from "~/db.server";
import { logger, withContext } from "~/logger.server";
import { ensureShop, type ShopRecord } from "~/loyalty/services/shops.server";
import { parseShopifyJson } from "~/shopify/json";
import { WEBHOOK_HANDLERS } from "~/webhooks/handlers.server";
import { deliveriesArriving, describeFailure } from "~/webhooks/inbox.server";

const BATCH = 50;
const LEASE_MS = 60_000;
const MAX_TRIES = 8;
/** Retry after 1 s, 2 s, 4 s … capped at 10 minutes. */
const backoffMs = (tries: number) => Math.min(1000 * 2 ** (tries - 1), 600_000);


interface InboxRow {
  id: string;
  shopDomain: string;
  webhookId: string;
  topic: string;
  payload: string | null;
  tries: number;
}

async function claim(row: InboxRow, now: Date): Promise<boolean> {
  const claimed = await db.webhookDelivery.updateMany({
    where: { id: row.id, status: "received", OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] },
    data: { lockedUntil: new Date(now.getTime() + LEASE_MS), tries: { increment: 1 } },
  });
  return claimed.count === 1;
}

async function finish(row: InboxRow, status: "processed" | "failed", error?: string): Promise<void> {
  // updateMany: shop/redact deletes the shop's deliveries, this one included.
  await db.webhookDelivery.updateMany({
    where: { id: row.id },
    data: {
      status,
      payload: null,
      lockedUntil: null,
      error: error?.slice(0, 1000) ?? null,
      processedAt: status === "processed" ? new Date() : null,
    },
  });
}

async function applyRow(row: InboxRow): Promise<void> {
  const log = withContext({ shop: row.shopDomain, topic: row.topic, webhookId: row.webhookId });
  const handler = WEBHOOK_HANDLERS.get(row.topic);
  if (!handler || row.payload === null) {
    await finish(row, "failed", handler ? "no payload stored" : `no handler for ${row.topic}`);
    return;
  }
  let shop: Promise<ShopRecord> | undefined;
  try {
    const data = handler.parse(parseShopifyJson(row.payload));
    await handler.apply({ domain: row.shopDomain, shop: () => (shop ??= ensureShop(row.shopDomain)), log }, data);
    await finish(row, "processed");
  } catch (error) {
    const message = describeFailure(error);
    const tries = row.tries + 1;
    if (error instanceof ZodError || tries >= MAX_TRIES) {
      log.error({ error: message, tries }, "webhook given up");
      await finish(row, "failed", message);
      return;
    }
    log.warn({ error: message, tries }, "webhook will be retried");
    await db.webhookDelivery.updateMany({
      where: { id: row.id },
      data: { lockedUntil: null, error: message.slice(0, 1000), availableAt: new Date(Date.now() + backoffMs(tries)) },
    });
  }
}

/**
 * Longest the worker waits for a burst of deliveries before applying one row anyway. Applying a row
 * holds the event loop for ~20 ms (a chain of synchronous SQLite statements), which every delivery
 * arriving meanwhile waits out: once every 2 s that touches well under 1 % of a 1,000/s burst
 * (ADR 005), and a burst longer than that still sees rows applied.
 */
const MAX_GIVE_WAY_MS = 2000;
/** Deliveries count as a burst while they come in less than this apart. */
const QUIET_MS = 20;

async function giveWayToReceiving(): Promise<void> {
  // better-sqlite3 answers synchronously, so a pass is a chain of already-resolved promises that
  // would never let the event loop read a socket: step out to the macrotask queue first, so
  // deliveries waiting on the network are read (and counted below) before the next row.
  await new Promise((resolve) => setImmediate(resolve));
  const started = Date.now();
  while (deliveriesArriving(QUIET_MS) && Date.now() - started < MAX_GIVE_WAY_MS) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Applies every row that is due; returns how many were applied. */
async function applyDue(): Promise<number> {
  let applied = 0;
  for (;;) {
    const now = new Date();
    const rows = await db.webhookDelivery.findMany({
      where: {
        status: "received",
        availableAt: { lte: now },
        OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }],
      },
      orderBy: [{ receivedAt: "asc" }, { id: "asc" }],
      take: BATCH,
      select: { id: true, shopDomain: true, webhookId: true, topic: true, payload: true, tries: true },
    });
    if (rows.length === 0) return applied;
    for (const row of rows) {
      await giveWayToReceiving();
      if (!(await claim(row, new Date()))) continue;
      await applyRow(row);
      applied += 1;
    }
  }
}

let running: Promise<number> | null = null;
let again = false;

/**
 * Applies what is due now. Concurrent calls share one pass; a call made during a pass makes it
 * look again before it ends, so nothing stored meanwhile waits for the timer.
 */
export function drainInbox(): Promise<number> {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    let total = 0;
    try {
      do {
        again = false;
        total += await applyDue();
      } while (again);
      return total;
    } finally {
      running = null;
    }
  })();
  return running;
}

/** After a delivery is stored: apply it soon, without holding up the answer to Shopify. */
export function kickInbox(): void {
  if (running) {
    again = true;
    return;
  }
  setImmediate(() => {
    drainInbox().catch((error) => logger.error({ error: describeFailure(error) }, "webhook inbox pass failed"));
  });
}

let timer: NodeJS.Timeout | undefined;

/** Picks up retries and whatever an earlier process left (started once at server boot). */
export function startInboxWorker(intervalMs = 1000): void {
  if (timer) return;
  timer = setInterval(kickInbox, intervalMs);
  timer.unref();
  kickInbox();
}
