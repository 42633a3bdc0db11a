/**
 * Members: enrollment (with the optional sign-up bonus), profile updates, and the erasure of
 * personal data (customers/delete, customers/redact). Ledger totals always survive erasure.
 */
import type { Member } from "@prisma/client";
import db from "~/db.server";
import { isUniqueViolation } from "~/loyalty/ledger.server";
import { ERASED_SEARCH_COLUMNS, memberSearchColumns } from "~/loyalty/member-search";
import type { ShopRecord } from "./shops.server";
import { eraseReferralEmails, referralDataOf } from "./referrals.server";

export interface CustomerProfile {
  customerGid: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
}

export type MemberRecord = Member;

export function normalizeEmail(email: string | null): string | null {
  const trimmed = email?.trim().toLowerCase();
  return trimmed ? trimmed : null;
}

/** The member for a customer, created if needed (without any bonus). */
export async function ensureMember(shop: ShopRecord, profile: CustomerProfile): Promise<MemberRecord> {
  const where = { shopId_customerGid: { shopId: shop.id, customerGid: profile.customerGid } };
  const existing = await db.member.findUnique({ where });
  if (existing) return existing;
  try {
    return await db.member.create({
      data: {
        shopId: shop.id,
        customerGid: profile.customerGid,
        email: normalizeEmail(profile.email),
        firstName: profile.firstName,
        lastName: profile.lastName,
        ...memberSearchColumns(profile),
      },
    });
  } catch (error) {
    if (isUniqueViolation(error)) return db.member.findUniqueOrThrow({ where });
    throw error;
  }
}

/** customers/update: keep name and email current (erased members stay erased). */
export async function updateMemberProfile(shop: ShopRecord, profile: CustomerProfile): Promise<void> {
  await db.member.updateMany({
    where: { shopId: shop.id, customerGid: profile.customerGid, redactedAt: null },
    data: {
      email: normalizeEmail(profile.email),
      firstName: profile.firstName,
      lastName: profile.lastName,
      // The list's search copies (ADR 017): always written with the name and email they copy.
      ...memberSearchColumns(profile),
    },
  });
}

/** Erases a customer's personal data; balance and ledger stay (they hold none). */
export async function erasePersonalData(
  shop: ShopRecord,
  target: { customerGid: string; email?: string | null; orderGids?: string[] },
): Promise<void> {
  const email = normalizeEmail(target.email ?? null);
  await db.$transaction([
    db.member.updateMany({
      where: { shopId: shop.id, customerGid: target.customerGid },
      // The birthday is personal data too; birthdayFirstYear stays (it only guards against a second gift).
      data: { email: null, firstName: null, lastName: null, ...ERASED_SEARCH_COLUMNS, birthdayMonth: null, birthdayDay: null, birthdayYear: null, redactedAt: new Date() },
    }),
    // Guest checkouts keep an email until claimed: erase it for the redacted orders and address.
    db.orderRecord.updateMany({
      where: {
        shopId: shop.id,
        OR: [
          ...(target.orderGids?.length ? [{ orderGid: { in: target.orderGids } }] : []),
          ...(email ? [{ guestEmail: email }] : []),
          { customerGid: target.customerGid },
        ],
      },
      data: { guestEmail: null, orderName: null },
    }),
    db.dataRequest.deleteMany({ where: { shopId: shop.id, customerGid: target.customerGid } }),
  ]);
  // Referrals keep only the email's hash once the friend or the referrer is erased.
  await eraseReferralEmails(shop.id, { customerGid: target.customerGid, email });
}

/** customers/data_request: what Keepsake holds about the customer, as one JSON document. */
export async function buildDataRequest(
  shop: ShopRecord,
  request: { requestId: string; customerGid: string; email: string | null; orderGids: string[] },
): Promise<void> {
  const member = await db.member.findUnique({
    where: { shopId_customerGid: { shopId: shop.id, customerGid: request.customerGid } },
    include: { ledgerEntries: { orderBy: { createdAt: "asc" } } },
  });
  const email = normalizeEmail(request.email);
  const orders = await db.orderRecord.findMany({
    where: {
      shopId: shop.id,
      OR: [
        { customerGid: request.customerGid },
        ...(request.orderGids.length ? [{ orderGid: { in: request.orderGids } }] : []),
        ...(email ? [{ guestEmail: email }] : []),
      ],
    },
    orderBy: { createdAt: "asc" },
  });
  const document = {
    generatedAt: new Date().toISOString(),
    shop: shop.domain,
    customerGid: request.customerGid,
    member: member
      ? {
          email: member.email,
          firstName: member.firstName,
          lastName: member.lastName,
          balance: member.balance,
          enrolledAt: member.enrolledAt.toISOString(),
          birthday: member.birthdayMonth !== null ? { month: member.birthdayMonth, day: member.birthdayDay, year: member.birthdayYear } : null,
          ledger: member.ledgerEntries.map((entry) => ({
            kind: entry.kind,
            delta: entry.delta,
            description: entry.description,
            orderGid: entry.orderGid,
            createdAt: entry.createdAt.toISOString(),
          })),
        }
      : null,
    orders: orders.map((order) => ({
      orderGid: order.orderGid,
      orderName: order.orderName,
      paidAt: order.paidAt?.toISOString() ?? null,
      pointsAwarded: order.pointsAwarded,
      pointsReversed: order.pointsReversed,
      cancelledAt: order.cancelledAt?.toISOString() ?? null,
    })),
    referrals: await referralDataOf(shop.id, { customerGid: request.customerGid, email }),
  };
  await db.dataRequest.upsert({
    where: { shopId_requestId: { shopId: shop.id, requestId: request.requestId } },
    create: {
      shopId: shop.id,
      requestId: request.requestId,
      customerGid: request.customerGid,
      document: JSON.stringify(document),
    },
    update: { document: JSON.stringify(document) },
  });
}
