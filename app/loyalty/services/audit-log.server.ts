/**
 * The admin audit log: who (the staff user id from the session token) changed what, when, with
 * before/after snapshots. Written in the same transaction as the change wherever the change is ours,
 * so a rolled-back change leaves no entry and a committed one always has its entry.
 */
import type { Prisma, PrismaClient } from "@prisma/client";
import db from "~/db.server";

type Db = Prisma.TransactionClient | PrismaClient;

export type AuditAction =
  | "program.update"
  | "reward.create"
  | "reward.update"
  | "reward.archive"
  | "reward.unarchive"
  | "member.adjust_points"
  | "redemption.cancel"
  | "expiry.update"
  | "birthdays.update"
  | "earn_actions.update"
  | "integration_secret.rotate"
  | "campaign.create"
  | "campaign.update"
  | "campaign.archive"
  | "tiers.update" // the tier ladder and tier settings (app/routes/app.tiers.tsx)
  | "member.change_tier" // staff moved a member to another tier (member page)
  | "referrals.update" // referral settings (app/routes/app.referrals.tsx)
  | "segments.update" // segment rules (app/routes/app.segments.tsx)
  | "members.import" // a CSV import started (app/routes/app.import.tsx)
  | "member.exclude" // staff excluded a member from the program (member page)
  | "member.include" // staff re-included an excluded member
  | "onboarding.complete_step" // staff marked a manual onboarding step done (dashboard checklist)
  | "onboarding.dismiss"; // staff hid the finished onboarding checklist

export interface AuditEntry {
  shopId: string;
  staffId: string | null;
  action: AuditAction;
  subjectType: "shop" | "reward" | "member" | "redemption" | "campaign" | "import";
  subjectId: string;
  before?: unknown;
  after?: unknown;
}

export function writeAudit(client: Db, entry: AuditEntry) {
  return client.auditLog.create({
    data: {
      shopId: entry.shopId,
      staffId: entry.staffId,
      action: entry.action,
      subjectType: entry.subjectType,
      subjectId: entry.subjectId,
      before: entry.before === undefined ? null : JSON.stringify(entry.before),
      after: entry.after === undefined ? null : JSON.stringify(entry.after),
    },
    select: { id: true },
  });
}

export interface AuditItem {
  id: string;
  staffId: string | null;
  action: string;
  subjectType: string;
  subjectId: string;
  before: unknown;
  after: unknown;
  createdAt: string;
}

/** The latest entries of a shop (optionally about one subject), newest first. */
export async function auditTrail(
  shopDomain: string,
  subject: { type: AuditEntry["subjectType"]; id: string } | null = null,
  take = 50,
): Promise<AuditItem[]> {
  const rows = await db.auditLog.findMany({
    where: { shop: { domain: shopDomain }, ...(subject ? { subjectType: subject.type, subjectId: subject.id } : {}) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
  });
  return rows.map((row) => ({
    id: row.id,
    staffId: row.staffId,
    action: row.action,
    subjectType: row.subjectType,
    subjectId: row.subjectId,
    before: row.before === null ? null : (JSON.parse(row.before) as unknown),
    after: row.after === null ? null : (JSON.parse(row.after) as unknown),
    createdAt: row.createdAt.toISOString(),
  }));
}
