/**
 * The members list (store staff): search, filters, sort and keyset pages, scoped to the shop
 * (docs/decisions/017-members-at-scale.md). Also walks every matching member in keyset batches for
 * the CSV export, with the same filter.
 *
 * Speed at 1,000,000 members: every sort has an index (shopId, column, id) and every equality filter ×
 * sort has one (shopId, tierHandle|segment, column, id), so a page reads ~26 index entries in order;
 * range filters on another column are checked while walking the sort's index.
 */
import type { Prisma } from "@prisma/client";
import db from "~/db.server";
import {
  decodeCursor,
  encodeCursor,
  memberFilter,
  type Cursor,
  type MemberFilter,
  type MemberListQuery,
  type MemberSort,
} from "~/loyalty/members-query";
import { ensureShop } from "./shops.server";

export const PAGE_SIZE = 25;

const SORT_COLUMN = { balance: "balance", joined: "enrolledAt", activity: "lastActivityAt" } as const;
type SortColumn = (typeof SORT_COLUMN)[MemberSort];

/** PostgreSQL compares text case-sensitively unless asked; SQLite's LIKE already ignores ASCII case. */
const POSTGRES = /^postgres(ql)?:/i.test(process.env.DATABASE_URL ?? "");
const contains = (word: string) => (POSTGRES ? { contains: word, mode: "insensitive" } : { contains: word }) as Prisma.StringNullableFilter;

const FULL_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * A whole email address in the search is looked up exactly (emails are stored lower case), first and
 * on its own: the (shopId, email) index answers it; inside the page query SQLite preferred walking the
 * sort's index instead (2.7 s at 1,000,000). Returns the ids it matched, or undefined without one.
 */
async function exactEmailIds(shopId: string, filter: MemberFilter): Promise<string[] | undefined> {
  const emails = [...new Set(filter.words.filter((word) => FULL_EMAIL.test(word)))];
  if (emails.length === 0) return undefined;
  if (emails.length > 1) return []; // a member has one email
  const rows = await db.member.findMany({ where: { shopId, email: emails[0] }, select: { id: true }, take: 100 });
  return rows.map((row) => row.id);
}

export function memberWhere(shopId: string, filter: MemberFilter, emailIds?: string[]): Prisma.MemberWhereInput {
  // Other words: a substring of a name or the email.
  const and: Prisma.MemberWhereInput[] = filter.words
    .filter((word) => !FULL_EMAIL.test(word))
    .map((word) => ({ OR: [{ firstName: contains(word) }, { lastName: contains(word) }, { email: contains(word) }] }));
  if (emailIds) and.push({ id: { in: emailIds } });
  const balance: Prisma.IntFilter = {};
  if (filter.pointsMin !== undefined) balance.gte = filter.pointsMin;
  if (filter.pointsMax !== undefined) balance.lte = filter.pointsMax;
  const active: Prisma.DateTimeNullableFilter = {};
  if (filter.activeFrom) active.gte = filter.activeFrom;
  if (filter.activeBefore) active.lt = filter.activeBefore;
  const enrolled: Prisma.DateTimeFilter = {};
  if (filter.enrolledFrom) enrolled.gte = filter.enrolledFrom;
  if (filter.enrolledBefore) enrolled.lt = filter.enrolledBefore;
  return {
    shopId,
    ...(filter.tier ? { tierHandle: filter.tier } : {}),
    ...(filter.segment ? { segment: filter.segment } : {}),
    ...(Object.keys(balance).length ? { balance } : {}),
    ...(Object.keys(active).length ? { lastActivityAt: active } : {}),
    ...(Object.keys(enrolled).length ? { enrolledAt: enrolled } : {}),
    ...(and.length ? { AND: and } : {}),
  };
}

/**
 * One stretch of the walking order, as a query SQLite and PostgreSQL answer from one index range:
 * the non-null values of the sort column, or (last activity only) the never-active members by id.
 */
interface Stretch {
  where: Prisma.MemberWhereInput;
  orderBy: Prisma.MemberOrderByWithRelationInput[];
}

/**
 * The stretches beyond the cursor, in walking order. Never-active members (lastActivityAt null) come
 * last when descending and first when ascending, so reversing the direction reverses the list
 * exactly. Keyset conditions are written `column <= v AND (column < v OR id < cursor id)` rather than
 * `(column < v) OR (column = v AND id < …)`: the first gives the planner an index range starting at
 * the cursor; the second made SQLite merge two scans and sort (seconds at 1,000,000 members).
 */
function stretches(column: SortColumn, direction: "asc" | "desc", cursor: Cursor | null): Stretch[] {
  const strict = direction === "desc" ? "lt" : "gt";
  const loose = direction === "desc" ? "lte" : "gte";
  const valued: Stretch = { where: {}, orderBy: [{ [column]: direction }, { id: direction }] };
  const nulls: Stretch = { where: { [column]: null }, orderBy: [{ id: direction }] };
  if (column !== "lastActivityAt") {
    if (cursor && cursor.v !== null) {
      const value = column === "balance" ? Number(cursor.v) : new Date(String(cursor.v));
      valued.where = { AND: [{ [column]: { [loose]: value } }, { OR: [{ [column]: { [strict]: value } }, { id: { [strict]: cursor.id } }] }] };
    }
    return [valued];
  }
  valued.where = { [column]: { not: null } };
  if (!cursor) return direction === "desc" ? [valued, nulls] : [nulls, valued];
  if (cursor.v === null) {
    nulls.where = { [column]: null, id: { [strict]: cursor.id } };
    return direction === "desc" ? [nulls] : [nulls, valued];
  }
  const value = new Date(String(cursor.v));
  valued.where = { AND: [{ [column]: { [loose]: value } }, { OR: [{ [column]: { [strict]: value } }, { id: { [strict]: cursor.id } }] }] };
  return direction === "desc" ? [valued, nulls] : [valued];
}

const LIST_SELECT = {
  id: true,
  firstName: true,
  lastName: true,
  email: true,
  redactedAt: true,
  excludedAt: true,
  balance: true,
  tierHandle: true,
  segment: true,
  enrolledAt: true,
  lastActivityAt: true,
} satisfies Prisma.MemberSelect;
type ListRow = Prisma.MemberGetPayload<{ select: typeof LIST_SELECT }>;

export interface MemberListItem {
  id: string;
  name: string | null;
  email: string | null;
  erased: boolean;
  excluded: boolean;
  balance: number;
  tier: string | null;
  segment: string | null;
  enrolledAt: string;
  lastActivityAt: string | null;
}

export interface MemberPage {
  members: MemberListItem[];
  previousCursor: string | null;
  nextCursor: string | null;
}

function listItem(row: ListRow): MemberListItem {
  return {
    id: row.id,
    name: row.redactedAt ? null : [row.firstName, row.lastName].filter(Boolean).join(" ") || null,
    email: row.redactedAt ? null : row.email,
    erased: row.redactedAt !== null,
    excluded: row.excludedAt !== null,
    balance: row.balance,
    tier: row.tierHandle,
    segment: row.segment,
    enrolledAt: row.enrolledAt.toISOString(),
    lastActivityAt: row.lastActivityAt?.toISOString() ?? null,
  };
}

function cursorOf(column: SortColumn, row: ListRow): string {
  const v = column === "balance" ? row.balance : column === "enrolledAt" ? row.enrolledAt.toISOString() : (row.lastActivityAt?.toISOString() ?? null);
  return encodeCursor({ v, id: row.id });
}

/** One page of members for the list: `after` walks forward, `before` walks back (tampered cursor = first page). */
export async function listMembers(shopDomain: string, query: MemberListQuery): Promise<MemberPage> {
  const shop = await ensureShop(shopDomain);
  return listMembersOfShop(shop.id, shop.ianaTimezone, query);
}

/** The list page's data: the page of members and the shop's tiers (for the filter and the Tier column). */
export async function membersListView(shopDomain: string, query: MemberListQuery) {
  const shop = await ensureShop(shopDomain);
  const [page, tiers] = await Promise.all([
    listMembersOfShop(shop.id, shop.ianaTimezone, query),
    db.tier.findMany({ where: { shopId: shop.id }, orderBy: { position: "asc" }, select: { handle: true, name: true } }),
  ]);
  return { page, tiers };
}

export async function listMembersOfShop(shopId: string, timeZone: string, query: MemberListQuery): Promise<MemberPage> {
  const column = SORT_COLUMN[query.sort];
  const backwards = Boolean(query.before) && !query.after;
  const cursor = decodeCursor(backwards ? query.before : query.after);
  const direction = backwards ? (query.direction === "desc" ? "asc" : "desc") : query.direction;
  const filter = memberFilter(query, timeZone);
  const where = memberWhere(shopId, filter, await exactEmailIds(shopId, filter));
  const rows: ListRow[] = [];
  for (const stretch of stretches(column, direction, cursor)) {
    rows.push(
      ...(await db.member.findMany({
        where: { AND: [where, stretch.where] },
        orderBy: stretch.orderBy,
        take: PAGE_SIZE + 1 - rows.length,
        select: LIST_SELECT,
      })),
    );
    if (rows.length > PAGE_SIZE) break;
  }
  const more = rows.length > PAGE_SIZE;
  const page = rows.slice(0, PAGE_SIZE);
  if (backwards) page.reverse();
  const first = page[0];
  const last = page[page.length - 1];
  return {
    members: page.map(listItem),
    // Backwards: there is a newer page if more rows were found; there is always the page we came from.
    previousCursor: first && (backwards ? more : Boolean(cursor)) ? cursorOf(column, first) : null,
    nextCursor: last && (backwards ? true : more) ? cursorOf(column, last) : null,
  };
}

/**
 * Every member matching the filter, in batches of `batchSize` walked by (enrolledAt, id) — keyset on
 * the shop's enrolled index, so each batch starts where the last ended: the export never holds more
 * than one batch. Full rows for the CSV (the list's fields plus the customer id).
 */
export async function* memberBatches(
  shopId: string,
  filter: MemberFilter,
  batchSize = 1000,
): AsyncGenerator<(ListRow & { customerGid: string })[]> {
  const where = memberWhere(shopId, filter, await exactEmailIds(shopId, filter));
  let cursor: Cursor | null = null;
  for (;;) {
    const [stretch] = stretches("enrolledAt", "asc", cursor);
    const batch: (ListRow & { customerGid: string })[] = await db.member.findMany({
      where: { AND: [where, stretch!.where] },
      orderBy: stretch!.orderBy,
      take: batchSize,
      select: { ...LIST_SELECT, customerGid: true },
    });
    if (batch.length === 0) return;
    yield batch;
    if (batch.length < batchSize) return;
    const last = batch[batch.length - 1]!;
    cursor = { v: last.enrolledAt.toISOString(), id: last.id };
  }
}
