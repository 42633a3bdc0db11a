/**
 * Staff retrieve the documents built for customers/data_request, to hand to the customer.
 */
import db from "~/db.server";

export interface DataRequestSummary {
  requestId: string;
  customerGid: string;
  createdAt: string;
}

export async function listDataRequests(shopDomain: string): Promise<DataRequestSummary[]> {
  const rows = await db.dataRequest.findMany({
    where: { shop: { domain: shopDomain } },
    orderBy: { createdAt: "desc" },
    take: 50,
    select: { requestId: true, customerGid: true, createdAt: true },
  });
  return rows.map((row) => ({ ...row, createdAt: row.createdAt.toISOString() }));
}

/** The document, or null when that shop has no such request (another shop's id reads nothing). */
export async function dataRequestDocument(shopDomain: string, requestId: string): Promise<string | null> {
  const row = await db.dataRequest.findFirst({
    where: { requestId, shop: { domain: shopDomain } },
    select: { document: true },
  });
  return row?.document ?? null;
}
