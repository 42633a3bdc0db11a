/**
 * The member page (store staff): one member's profile, ledger history and rewards, manual point
 * adjustments, cancelling an unused reward, and excluding a member from the program (and back). Every query is
 * scoped by the shop of the session token; ids from the URL are looked up within that shop only.
 */
import { z } from "zod";
import db from "~/db.server";
import { appendCredit, appendDebit, runOnce } from "~/loyalty/ledger.server";
import { decodeCursor, encodeCursor } from "~/loyalty/members-query";
import { writeAudit } from "./audit-log.server";
import { cancelRedemption, type CancelOutcome } from "./redemptions.server";
import { ensureShop } from "./shops.server";

/** The ledger kind of a staff adjustment (listed in ledger.server.ts EntryKind). */
export const MANUAL_ADJUSTMENT = "manual_adjustment" as const;
export const adjustKey = (requestId: string) => `adjust:${requestId}`;

// The list (search, filters, sort, keyset pages) is in members-list.server.ts (ADR 017).

// ---------------------------------------------------------------------------------------------
// one member

export const HISTORY_PAGE_SIZE = 20;

export interface LedgerItem {
  id: string;
  kind: string;
  delta: number;
  description: string;
  staffId: string | null;
  createdAt: string;
}

export interface RedemptionItem {
  id: string;
  rewardName: string;
  kind: string;
  pointsSpent: number;
  amount: string | null;
  status: string;
  code: string | null;
  expiresAt: string | null;
  createdAt: string;
  cancellable: boolean;
}

export interface MemberDetail {
  id: string;
  name: string | null;
  email: string | null;
  erased: boolean;
  customerGid: string;
  balance: number;
  enrolledAt: string;
  /** When staff excluded the member from the program (earns nothing while set), or null. */
  excludedAt: string | null;
  /** The birthday the member gave (year optional), null when none or erased. */
  birthday: { month: number; day: number; year: number | null } | null;
  currencyCode: string;
  history: LedgerItem[];
  historyNextCursor: string | null;
  redemptions: RedemptionItem[];
}

export async function memberDetail(
  shopDomain: string,
  memberId: string,
  options: { historyAfter?: string } = {},
): Promise<MemberDetail | null> {
  const shop = await ensureShop(shopDomain);
  const member = await db.member.findFirst({ where: { id: memberId, shopId: shop.id } });
  if (!member) return null;
  const cursor = decodeCursor(options.historyAfter);
  const after = cursor
    ? [{ OR: [{ createdAt: { lt: new Date(String(cursor.v)) } }, { createdAt: new Date(String(cursor.v)), id: { lt: cursor.id } }] }]
    : [];
  const [entries, redemptions] = await Promise.all([
    db.ledgerEntry.findMany({
      where: { shopId: shop.id, memberId: member.id, AND: after },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: HISTORY_PAGE_SIZE + 1,
    }),
    db.redemption.findMany({
      where: { shopId: shop.id, memberId: member.id },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: 50,
    }),
  ]);
  const page = entries.slice(0, HISTORY_PAGE_SIZE);
  const last = page[page.length - 1];
  return {
    id: member.id,
    name: member.redactedAt ? null : [member.firstName, member.lastName].filter(Boolean).join(" ") || null,
    email: member.redactedAt ? null : member.email,
    erased: member.redactedAt !== null,
    customerGid: member.customerGid,
    balance: member.balance,
    enrolledAt: member.enrolledAt.toISOString(),
    excludedAt: member.excludedAt?.toISOString() ?? null,
    birthday: member.birthdayMonth !== null && member.birthdayDay !== null ? { month: member.birthdayMonth, day: member.birthdayDay, year: member.birthdayYear } : null,
    currencyCode: shop.currencyCode,
    history: page.map((entry) => ({
      id: entry.id,
      kind: entry.kind,
      delta: entry.delta,
      description: entry.description,
      staffId: entry.staffId,
      createdAt: entry.createdAt.toISOString(),
    })),
    historyNextCursor:
      entries.length > HISTORY_PAGE_SIZE && last ? encodeCursor({ v: last.createdAt.toISOString(), id: last.id }) : null,
    redemptions: redemptions.map((r) => ({
      id: r.id,
      rewardName: r.rewardName,
      kind: r.kind,
      pointsSpent: r.pointsSpent,
      amount: r.amount,
      status: r.status,
      code: r.code,
      expiresAt: r.expiresAt?.toISOString() ?? null,
      createdAt: r.createdAt.toISOString(),
      cancellable: r.status === "issued",
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// adjust points

export const AdjustPointsInput = z.object({
  delta: z
    .string()
    .trim()
    .regex(/^[+-]?\d+$/, "Enter a whole number of points, like 50 or -50")
    .transform(Number)
    .refine((points) => points !== 0, "Must not be 0")
    .refine((points) => Math.abs(points) <= 1_000_000, "Must be between -1,000,000 and 1,000,000"),
  reason: z.string().trim().min(1, "Say why (customers may ask)").max(200, "At most 200 characters"),
  // Made by the page once per form: a double submit (or a retried request) carries the same id.
  requestId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "Missing request id; reload the page"),
});
export type AdjustPoints = z.output<typeof AdjustPointsInput>;

export type AdjustOutcome =
  | { ok: true; balance: number; alreadyApplied: boolean }
  | { ok: false; reason: "not_found" }
  | { ok: false; reason: "insufficient"; balance: number };

/** Thrown inside the transaction so a refused debit rolls back whole (nothing is written). */
class Insufficient extends Error {
  constructor(readonly balance: number) {
    super("not enough points");
  }
}

/**
 * A staff adjustment: one `manual_adjustment` ledger entry (key `adjust:<request id>`, so the same
 * request adjusts once) with the reason as its description and the staff user id (session token
 * `sub`) in staffId. A debit larger than the balance is refused, never clipped: staff see why.
 */
export async function adjustPoints(
  shopDomain: string,
  memberId: string,
  adjustment: AdjustPoints,
  staffId: string | null,
): Promise<AdjustOutcome> {
  const shop = await ensureShop(shopDomain);
  const member = await db.member.findFirst({ where: { id: memberId, shopId: shop.id }, select: { id: true } });
  if (!member) return { ok: false, reason: "not_found" };
  const entry = {
    shopId: shop.id,
    memberId: member.id,
    kind: MANUAL_ADJUSTMENT,
    idempotencyKey: adjustKey(adjustment.requestId),
    description: `Adjusted by staff: ${adjustment.reason}`,
    staffId,
    rule: { reason: adjustment.reason, staffId },
  };
  try {
    const outcome = await runOnce(db, async (tx) => {
      const before = await tx.member.findUniqueOrThrow({ where: { id: member.id }, select: { balance: true } });
      if (adjustment.delta > 0) {
        await appendCredit(tx, { ...entry, delta: adjustment.delta });
      } else {
        const debit = await appendDebit(tx, { ...entry, delta: -adjustment.delta }, { requireFull: true });
        if (debit.taken === 0) {
          const { balance } = await tx.member.findUniqueOrThrow({ where: { id: member.id }, select: { balance: true } });
          throw new Insufficient(balance);
        }
      }
      // Same transaction as the entry: a double submit (idempotency conflict) rolls this back too.
      await writeAudit(tx, {
        shopId: shop.id,
        staffId,
        action: "member.adjust_points",
        subjectType: "member",
        subjectId: member.id,
        before: { balance: before.balance },
        after: { balance: before.balance + adjustment.delta, delta: adjustment.delta, reason: adjustment.reason, requestId: adjustment.requestId },
      });
    });
    const { balance } = await db.member.findUniqueOrThrow({ where: { id: member.id }, select: { balance: true } });
    return { ok: true, balance, alreadyApplied: !outcome.applied };
  } catch (error) {
    if (!(error instanceof Insufficient)) throw error;
    // The same request may have debited already (a double submit): then the low balance is its own doing.
    const done = await db.ledgerEntry.findUnique({
      where: { shopId_idempotencyKey: { shopId: shop.id, idempotencyKey: entry.idempotencyKey } },
      select: { id: true },
    });
    if (done) return { ok: true, balance: error.balance, alreadyApplied: true };
    return { ok: false, reason: "insufficient", balance: error.balance };
  }
}

/**
 * Staff cancel an unused reward from the member page: only a redemption of this member in this shop,
 * through the one cancel path (cancelRedemption: the code is deleted in Shopify, then the points come
 * back), then the audit entry — a separate transaction, as cancelRedemption owns its own.
 */
export async function cancelMemberReward(
  shopDomain: string,
  memberId: string,
  redemptionId: string,
  staffId: string | null,
): Promise<CancelOutcome> {
  const redemption = await db.redemption.findFirst({
    where: { id: redemptionId, memberId, shop: { domain: shopDomain } },
    select: { id: true, shopId: true, status: true },
  });
  if (!redemption) return { ok: false, reason: "not_found" };
  const outcome = await cancelRedemption(shopDomain, redemption.id, staffId);
  if (outcome.ok && !outcome.alreadyCancelled) {
    await writeAudit(db, {
      shopId: redemption.shopId,
      staffId,
      action: "redemption.cancel",
      subjectType: "redemption",
      subjectId: redemption.id,
      before: { status: redemption.status },
      after: { status: "cancelled", pointsReturned: outcome.refunded },
    });
  }
  return outcome;
}

// ---------------------------------------------------------------------------------------------
// exclude from the program (and re-include)

export const ExcludeInput = z.object({
  reason: z.string().trim().max(200, "At most 200 characters").default(""),
});

export type ExcludeOutcome = { ok: true; excluded: boolean; changed: boolean } | { ok: false; reason: "not_found" };

/**
 * Staff exclude a member from the program (Member.excludedAt: orders earn nothing while it is set —
 * orders.server.ts checks it) or include them again. The balance and history stay as they are; the
 * change and its reason are in the audit log, in the same transaction. Repeating it changes nothing.
 */
export async function setMemberExcluded(
  shopDomain: string,
  memberId: string,
  exclude: boolean,
  reason: string,
  staffId: string | null,
  now = new Date(),
): Promise<ExcludeOutcome> {
  const shop = await ensureShop(shopDomain);
  return db.$transaction(async (tx) => {
    const member = await tx.member.findFirst({ where: { id: memberId, shopId: shop.id }, select: { id: true, excludedAt: true } });
    if (!member) return { ok: false as const, reason: "not_found" as const };
    // Conditional update: of two concurrent clicks only one changes the row (and writes the audit entry).
    const { count } = await tx.member.updateMany({
      where: { id: member.id, excludedAt: exclude ? null : { not: null } },
      data: { excludedAt: exclude ? now : null },
    });
    if (count === 0) return { ok: true as const, excluded: exclude, changed: false };
    await writeAudit(tx, {
      shopId: shop.id,
      staffId,
      action: exclude ? "member.exclude" : "member.include",
      subjectType: "member",
      subjectId: member.id,
      before: { excludedAt: member.excludedAt?.toISOString() ?? null },
      after: { excludedAt: exclude ? now.toISOString() : null, ...(reason ? { reason } : {}) },
    });
    return { ok: true as const, excluded: exclude, changed: true };
  });
}
