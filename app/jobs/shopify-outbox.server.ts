/**
 * Sends the Shopify outbox (ShopifyOutbox rows, app/loyalty/services/shopify-outbox.server.ts):
 * storefront metafields after balance and program changes (docs/decisions/009-shopify-outbox.md),
 * a member's tier tag and tier metafields (customer_tier, docs/decisions/012-tiers-wiring.md), and the
 * customer's birth date (customer_birth_date: set, or removed when the birthday has no year; ADR 015).
 *
 * - Rows are leased in bulk with a conditional update stamped with this pass's token, so several
 *   instances (PostgreSQL) never send the same row at once, and a row a crashed process held is
 *   picked up when its lease ends. A pass only finishes rows that still carry its token.
 * - A send completes only the version it sent: if the row was upserted meanwhile, it stays pending
 *   with the newer value and goes out on the next pass (the lease kept the two sends in order).
 * - Up to 25 metafields per metafieldsSet call (Shopify's limit), grouped by shop.
 * - Failures (throttling, HTTP errors, GraphQL errors, userErrors, no session) retry with
 *   exponential backoff; after MAX_TRIES the row is `failed` with its last error. Throttling or an
 *   HTTP error stops the shop's pass: its other rows wait a little instead of hammering Shopify.
 * - Uninstalled shops are skipped: their rows wait (a reinstall sends them; shop/redact deletes them).
 * - Logs carry shop, row id, kind and errors — never payloads or values.
 */
import { randomUUID } from "node:crypto";
import type { Prisma } from "@prisma/client";
import { z } from "zod";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { checkNewsletter } from "~/loyalty/services/earn-actions.server";
import { publishedProgram } from "~/loyalty/services/storefront.server";
import { tierSyncOf } from "~/loyalty/services/tiers.server";
import { addCustomerTags, removeCustomerTags, tierMetafields } from "~/shopify/customer-tags.server";
import { offlineAccess, ShopifyApiError, type AdminAccess } from "~/shopify/admin-api.server";
import { BIRTH_DATE_FORMAT, birthDateIdentifier, birthDateMetafield } from "~/shopify/customer-birth-date";
import {
  balanceMetafield,
  chunkBySize,
  currentAppInstallationId,
  deleteMetafields,
  forgetAppInstallation,
  MetafieldsRejectedError,
  programMetafields,
  setMetafields,
  type MetafieldIdentifier,
  type MetafieldInput,
} from "~/shopify/metafields.server";

const BATCH = 100;
/** With the backoff below, about 2.4 hours of tries: a Shopify incident rarely lasts longer. */
export const MAX_TRIES = 12;
/**
 * How long a pass may hold its rows, and how long one Shopify call may take (longer than any sane
 * answer, well inside the lease). A pass renews its lease before a call that could outlive it, so a
 * slow Shopify never lets another instance take rows this pass is still sending. Tests shorten both.
 */
export interface OutboxTiming {
  leaseMs: number;
  sendTimeoutMs: number;
}
const DEFAULT_TIMING: OutboxTiming = { leaseMs: 60_000, sendTimeoutMs: 20_000 };
/** Rows of a shop that Shopify just throttled or failed wait this long before their first try. */
const SHOP_PAUSE_MS = 2_000;

/** Retry after 5 s, 10 s, 20 s … capped at one hour (tries = attempts made so far, ≥ 1). */
export function outboxBackoffMs(tries: number): number {
  return Math.min(5_000 * 2 ** (Math.max(tries, 1) - 1), 3_600_000);
}

const TierPayload = z.object({ memberId: z.string().min(1) });
const CustomerGid = z.string().regex(/^gid:\/\/shopify\/Customer\/\d+$/);
/** birthDate null: the birthday has no year now, the metafield is removed. */
const BirthDatePayload = z.object({ customerGid: CustomerGid, birthDate: z.string().regex(BIRTH_DATE_FORMAT).nullable() });
const NewsletterPayload = z.object({ memberId: z.string().min(1), customerGid: CustomerGid });
const BalancePayload = z.object({ customerGid: z.string().regex(/^gid:\/\/shopify\/Customer\/\d+$/), balance: z.number().int() });

interface OutboxRow {
  id: string;
  shopId: string;
  kind: string;
  payload: string;
  version: number;
  tries: number;
  shop: { domain: string };
}

/** One row's share of a call: what it sets and removes. */
interface Unit {
  row: OutboxRow;
  set: MetafieldInput[];
  remove: MetafieldIdentifier[];
}

export interface OutboxReport {
  sent: number;
  retrying: number;
  failed: number;
}

class PermanentError extends Error {}

class SendTimeoutError extends Error {
  constructor(ms: number) {
    super(`Shopify did not answer within ${ms} ms`);
    this.name = "SendTimeoutError";
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SendTimeoutError(ms)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 1000);

class Pass {
  readonly token = randomUUID();
  readonly report: OutboxReport = { sent: 0, retrying: 0, failed: 0 };
  /** The rows of the current claim and when their lease ends. */
  private claimed: string[] = [];
  private leaseEndsAt = 0;

  constructor(readonly timing: OutboxTiming) {}

  /** `promise` bounded by the send timeout. */
  send<T>(promise: Promise<T>): Promise<T> {
    return withTimeout(promise, this.timing.sendTimeoutMs);
  }

  /**
   * Of `rows`, those this pass still holds, with the lease renewed first when the next call (up to
   * the send timeout, plus half of it to finish the rows) could outlive it. A row whose lease ran out
   * and that another instance claimed carries that instance's token: it is dropped here, not sent twice.
   */
  async holding<T extends OutboxRow>(rows: T[]): Promise<T[]> {
    const now = Date.now();
    if (now + this.timing.sendTimeoutMs * 1.5 < this.leaseEndsAt) return rows;
    const until = new Date(now + this.timing.leaseMs);
    await db.shopifyOutbox.updateMany({ where: { id: { in: this.claimed }, lockedBy: this.token }, data: { lockedUntil: until } });
    this.leaseEndsAt = until.getTime();
    const held = await db.shopifyOutbox.findMany({ where: { id: { in: rows.map((row) => row.id) }, lockedBy: this.token }, select: { id: true } });
    const ids = new Set(held.map((row) => row.id));
    return rows.filter((row) => ids.has(row.id));
  }

  /** Leases up to BATCH due rows; returns those this pass holds (others may hold the rest). */
  async claim(now: Date): Promise<{ found: number; rows: OutboxRow[] }> {
    const lease = { status: "pending", availableAt: { lte: now }, OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] };
    const due = await db.shopifyOutbox.findMany({
      where: { ...lease, shop: { uninstalledAt: null } },
      orderBy: [{ availableAt: "asc" }, { id: "asc" }],
      take: BATCH,
      select: { id: true },
    });
    if (due.length === 0) return { found: 0, rows: [] };
    const ids = due.map((row) => row.id);
    const leaseEndsAt = now.getTime() + this.timing.leaseMs;
    try {
      await db.shopifyOutbox.updateMany({
        where: { id: { in: ids }, ...lease },
        data: { lockedUntil: new Date(leaseEndsAt), lockedBy: this.token, tries: { increment: 1 } },
      });
    } catch (error) {
      // Another instance claiming the same rows at this instant (PostgreSQL may call it a deadlock or
      // a serialization failure): they are that instance's now; this pass ends and the timer comes back.
      if (/deadlock|could not serialize|40P01|40001|SQLITE_BUSY|database is locked/i.test(describe(error))) {
        return { found: due.length, rows: [] };
      }
      throw error;
    }
    const rows = await db.shopifyOutbox.findMany({
      where: { id: { in: ids }, lockedBy: this.token },
      orderBy: [{ availableAt: "asc" }, { id: "asc" }],
      select: { id: true, shopId: true, kind: true, payload: true, version: true, tries: true, shop: { select: { domain: true } } },
    });
    this.claimed = rows.map((row) => row.id);
    this.leaseEndsAt = leaseEndsAt;
    return { found: due.length, rows };
  }

  /** Ends this pass's lease on a row whose version moved on: the newer value is due now. */
  private async release(row: OutboxRow): Promise<void> {
    await db.shopifyOutbox.updateMany({
      where: { id: row.id, lockedBy: this.token },
      data: { lockedUntil: null, lockedBy: null },
    });
  }

  private async finish(row: OutboxRow, data: Prisma.ShopifyOutboxUpdateManyMutationInput): Promise<boolean> {
    const updated = await db.shopifyOutbox.updateMany({
      where: { id: row.id, lockedBy: this.token, version: row.version },
      data: { ...data, lockedUntil: null, lockedBy: null },
    });
    if (updated.count === 1) return true;
    await this.release(row);
    return false;
  }

  async succeeded(row: OutboxRow): Promise<void> {
    if (await this.finish(row, { status: "done", lastError: null, sentAt: new Date() })) this.report.sent += 1;
  }

  async failed(row: OutboxRow, error: unknown): Promise<void> {
    const message = describe(error);
    const log = logger.child({ shop: row.shop.domain, outboxId: row.id, kind: row.kind, tries: row.tries });
    const kind = error instanceof ShopifyApiError ? error.kind : error instanceof SendTimeoutError ? "timeout" : "internal";
    if (error instanceof PermanentError || row.tries >= MAX_TRIES) {
      if (await this.finish(row, { status: "failed", lastError: message })) {
        this.report.failed += 1;
        log.error({ error: message, errorKind: kind }, "shopify outbox row given up");
      }
      return;
    }
    // A timed-out call may still land: nobody sends this row again before its lease would have ended.
    const delay = Math.max(outboxBackoffMs(row.tries), error instanceof SendTimeoutError ? this.timing.leaseMs : 0);
    if (await this.finish(row, { lastError: message, availableAt: new Date(Date.now() + delay) })) {
      this.report.retrying += 1;
      log.warn({ error: message, errorKind: kind, retryInMs: delay }, "shopify outbox row will be retried");
    }
  }

  /** Not tried after all (a neighbour's fault, or the shop paused): the try does not count. */
  async untried(row: OutboxRow, delayMs: number): Promise<void> {
    await this.finish(row, { tries: { decrement: 1 }, availableAt: new Date(Date.now() + delayMs) });
  }
}

/** What a row sends. Throws PermanentError for a payload that can never be sent. */
async function unitFor(row: OutboxRow, access: AdminAccess): Promise<Unit> {
  if (row.kind === "customer_balance") {
    let parsed: z.infer<typeof BalancePayload>;
    try {
      parsed = BalancePayload.parse(JSON.parse(row.payload));
    } catch {
      throw new PermanentError("unreadable customer_balance payload");
    }
    return { row, set: [balanceMetafield(parsed.customerGid, parsed.balance)], remove: [] };
  }
  if (row.kind === "program") {
    const published = await publishedProgram(row.shopId);
    if (!published) throw new PermanentError("shop not found");
    const installationId = await currentAppInstallationId(access);
    return { row, ...programMetafields(installationId, published.program, published.earnRate) };
  }
  if (row.kind === "customer_tier") {
    // Tags first (their own calls), then the metafields go out with the chunk like a balance.
    const parsed = TierPayload.safeParse(JSON.parse(row.payload));
    if (!parsed.success) throw new PermanentError("unreadable customer_tier payload");
    const sync = await tierSyncOf(row.shopId, parsed.data.memberId);
    if (!sync) throw new PermanentError("member not found");
    await removeCustomerTags(access, sync.customerGid, sync.removeTags);
    if (sync.tag) await addCustomerTags(access, sync.customerGid, [sync.tag]);
    return { row, ...tierMetafields(sync.customerGid, sync.name ? { name: sync.name, progress: sync.progress } : null) };
  }
  if (row.kind === "customer_birth_date") {
    const parsed = BirthDatePayload.safeParse(parseJson(row.payload));
    if (!parsed.success) throw new PermanentError("unreadable customer_birth_date payload");
    const { customerGid, birthDate } = parsed.data;
    if (birthDate === null) return { row, set: [], remove: [birthDateIdentifier(customerGid)] };
    return { row, set: [birthDateMetafield(customerGid, birthDate)], remove: [] };
  }
  if (row.kind === "newsletter_check") {
    // A read and maybe a ledger credit (once, by key); nothing to set.
    const parsed = NewsletterPayload.safeParse(parseJson(row.payload));
    if (!parsed.success) throw new PermanentError("unreadable newsletter_check payload");
    await checkNewsletter(access, row.shopId, parsed.data.memberId, parsed.data.customerGid);
    return { row, set: [], remove: [] };
  }
  throw new PermanentError(`unknown outbox kind ${row.kind}`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** True when Shopify asks us to slow down or is failing: stop this shop's pass. */
function shopShouldPause(error: unknown): boolean {
  return (
    error instanceof SendTimeoutError ||
    (error instanceof ShopifyApiError && (error.kind === "throttled" || error.kind === "http"))
  );
}

async function sendShop(pass: Pass, domain: string, rows: OutboxRow[]): Promise<void> {
  let access: AdminAccess;
  try {
    access = await offlineAccess(domain);
  } catch (error) {
    for (const row of rows) await pass.failed(row, error);
    return;
  }
  const units: Unit[] = [];
  for (const [index, row] of rows.entries()) {
    if ((await pass.holding([row])).length === 0) continue;
    try {
      units.push(await pass.send(unitFor(row, access)));
    } catch (error) {
      await pass.failed(row, error);
      if (shopShouldPause(error)) {
        for (const rest of rows.slice(index + 1)) await pass.untried(rest, SHOP_PAUSE_MS);
        return;
      }
    }
  }
  const chunks = chunkBySize(units, (unit) => Math.max(unit.set.length, 1));
  for (const [index, claimed] of chunks.entries()) {
    const held = new Set(await pass.holding(claimed.map((unit) => unit.row)));
    const chunk = claimed.filter((unit) => held.has(unit.row));
    if (chunk.length === 0) continue;
    try {
      await pass.send(
        (async () => {
          await setMetafields(access, chunk.flatMap((unit) => unit.set));
          const removals = chunk.flatMap((unit) => unit.remove);
          await deleteMetafields(access, removals);
        })(),
      );
      for (const unit of chunk) await pass.succeeded(unit.row);
    } catch (error) {
      await chunkFailed(pass, chunk, error);
      if (shopShouldPause(error)) {
        for (const rest of chunks.slice(index + 1).flat()) await pass.untried(rest.row, SHOP_PAUSE_MS);
        return;
      }
    }
  }
}

/**
 * metafieldsSet is atomic: when Shopify names the inputs at fault, only their rows count a failed
 * try; the others were refused with them through no fault of their own and go again right away.
 */
async function chunkFailed(pass: Pass, chunk: Unit[], error: unknown): Promise<void> {
  if (!(error instanceof MetafieldsRejectedError) || error.elementIndexes === null) {
    for (const unit of chunk) await pass.failed(unit.row, error);
    return;
  }
  const guilty = new Set<Unit>();
  let offset = 0;
  for (const unit of chunk) {
    const end = offset + unit.set.length;
    if (error.elementIndexes.some((index) => index >= offset && index < end)) guilty.add(unit);
    offset = end;
  }
  for (const unit of chunk) {
    if (!guilty.has(unit)) {
      await pass.untried(unit.row, 0);
      continue;
    }
    // An app-data owner refused may be a stale cached installation id: look it up again next try.
    if (unit.row.kind === "program") forgetAppInstallation(unit.row.shop.domain);
    await pass.failed(unit.row, error);
  }
}

/**
 * One pass of this process over everything due, as one worker instance: leases, sends, finishes.
 * Exported so tests can run two at once, as two app instances would.
 */
export async function processDueOutbox(timing: OutboxTiming = DEFAULT_TIMING): Promise<OutboxReport> {
  const pass = new Pass(timing);
  for (;;) {
    const { found, rows } = await pass.claim(new Date());
    if (found === 0 || rows.length === 0) return pass.report;
    const byShop = new Map<string, OutboxRow[]>();
    for (const row of rows) byShop.set(row.shop.domain, [...(byShop.get(row.shop.domain) ?? []), row]);
    for (const [domain, shopRows] of byShop) await sendShop(pass, domain, shopRows);
  }
}

let running: Promise<OutboxReport> | null = null;
let again = false;

/**
 * Sends what is due now. Concurrent calls share one pass; a call made during a pass makes it look
 * again before it ends. Tests call this; the server's timer calls it through kickShopifyOutbox.
 */
export function drainShopifyOutbox(): Promise<OutboxReport> {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    const total: OutboxReport = { sent: 0, retrying: 0, failed: 0 };
    try {
      do {
        again = false;
        const report = await processDueOutbox();
        total.sent += report.sent;
        total.retrying += report.retrying;
        total.failed += report.failed;
      } while (again);
      return total;
    } finally {
      running = null;
    }
  })();
  return running;
}

export function kickShopifyOutbox(): void {
  drainShopifyOutbox().catch((error: unknown) => logger.error({ error: describe(error) }, "shopify outbox pass failed"));
}

let timer: NodeJS.Timeout | undefined;

/**
 * Started once at server boot. Polling (rather than a kick after each commit) keeps the webhook
 * path free of Shopify work and batches a burst of balance changes into few calls.
 */
export function startShopifyOutboxWorker(intervalMs = 2000): void {
  if (timer) return;
  timer = setInterval(kickShopifyOutbox, intervalMs);
  timer.unref();
  kickShopifyOutbox();
}
