/**
 * What a shopper may see of their own membership (through the app proxy). The shopper is the
 * `logged_in_customer_id` Shopify signed into the request — never an id from a body or query.
 */
import db from "~/db.server";

export interface HistoryItem {
  kind: string;
  delta: number;
  createdAt: string;
  description: string;
}

export type MemberView =
  | { enrolled: false }
  | { enrolled: true; balance: number; history: HistoryItem[]; nextCursor: string | null };

export const HISTORY_PAGE_MAX = 50;

interface HistoryCursor {
  createdAt: Date;
  id: string;
}

export function encodeCursor(cursor: HistoryCursor): string {
  return Buffer.from(`${cursor.createdAt.toISOString()}|${cursor.id}`).toString("base64url");
}

export function decodeCursor(text: string): HistoryCursor | null {
  const [iso, id] = Buffer.from(text, "base64url").toString("utf8").split("|");
  if (!iso || !id) return null;
  const createdAt = new Date(iso);
  return Number.isNaN(createdAt.getTime()) ? null : { createdAt, id };
}

export async function memberView(
  shopDomain: string,
  customerNumericId: string,
  page: { limit: number; cursor: HistoryCursor | null },
): Promise<MemberView> {
  if (!customerNumericId) return { enrolled: false };
  const member = await db.member.findFirst({
    where: {
      customerGid: `gid://shopify/Customer/${customerNumericId}`,
      shop: { domain: shopDomain },
    },
    select: { id: true, balance: true },
  });
  if (!member) return { enrolled: false };
  const { cursor } = page;
  const entries = await db.ledgerEntry.findMany({
    where: {
      memberId: member.id,
      ...(cursor
        ? {
            OR: [
              { createdAt: { lt: cursor.createdAt } },
              { createdAt: cursor.createdAt, id: { lt: cursor.id } },
            ],
          }
        : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: page.limit + 1,
    select: { id: true, kind: true, delta: true, createdAt: true, description: true },
  });
  const pageEntries = entries.slice(0, page.limit);
  const last = pageEntries[pageEntries.length - 1];
  return {
    enrolled: true,
    balance: member.balance,
    history: pageEntries.map((entry) => ({
      kind: entry.kind,
      delta: entry.delta,
      createdAt: entry.createdAt.toISOString(),
      description: entry.description,
    })),
    nextCursor: entries.length > page.limit && last ? encodeCursor(last) : null,
  };
}
