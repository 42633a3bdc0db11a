/**
 * The admin dashboard's first view: is the program on, how is it set, and what happened lately.
 */
import db from "~/db.server";
import { listDataRequests, type DataRequestSummary } from "./data-requests.server";
import { ensureShop } from "./shops.server";

export interface ActivityItem {
  id: string;
  kind: string;
  delta: number;
  description: string;
  createdAt: string;
  /** The member's name or email; null when the customer was erased or has neither. */
  member: string | null;
  memberErased: boolean;
}

export interface ProgramOverview {
  shopDomain: string;
  programEnabled: boolean;
  earnRate: string;
  earnRounding: string;
  currencyCode: string;
  minimumOrderAmount: string | null;
  includePosOrders: boolean;
  signupBonusPoints: number;
  memberCount: number;
  pointsOutstanding: number;
  recentActivity: ActivityItem[];
  /** customers/data_request documents waiting for staff to hand over. */
  dataRequests: DataRequestSummary[];
}

export async function programOverview(shopDomain: string): Promise<ProgramOverview> {
  const shop = await ensureShop(shopDomain);
  const [memberCount, outstanding, recent, dataRequests] = await Promise.all([
    db.member.count({ where: { shopId: shop.id } }),
    db.member.aggregate({ where: { shopId: shop.id }, _sum: { balance: true } }),
    db.ledgerEntry.findMany({
      where: { shopId: shop.id },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: 20,
      select: {
        id: true,
        kind: true,
        delta: true,
        description: true,
        createdAt: true,
        member: { select: { firstName: true, lastName: true, email: true, redactedAt: true } },
      },
    }),
    listDataRequests(shop.domain),
  ]);
  return {
    shopDomain: shop.domain,
    programEnabled: shop.programEnabled,
    earnRate: shop.earnRate,
    earnRounding: shop.earnRounding,
    currencyCode: shop.currencyCode,
    minimumOrderAmount: shop.minimumOrderAmount,
    includePosOrders: shop.includePosOrders,
    signupBonusPoints: shop.signupBonusPoints,
    memberCount,
    pointsOutstanding: outstanding._sum.balance ?? 0,
    recentActivity: recent.map((entry) => ({
      id: entry.id,
      kind: entry.kind,
      delta: entry.delta,
      description: entry.description,
      createdAt: entry.createdAt.toISOString(),
      member: entry.member.redactedAt
        ? null
        : [entry.member.firstName, entry.member.lastName].filter(Boolean).join(" ") || entry.member.email || null,
      memberErased: entry.member.redactedAt !== null,
    })),
    dataRequests,
  };
}
