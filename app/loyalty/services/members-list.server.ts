/**
 * The members list (store staff): search, filters, sort and keyset pages, scoped to the shop
 * (docs/decisions/017-members-at-scale.md). Also walks every matching member in keyset batches for
 * the CSV export, with the same filter.
 *
 * Speed at 1,000,000 members: every sort has an index (shopId, column, id) and every equality filter ×
 * sort has one (shopId, tierHandle|segment, column, id), so a page reads ~26 index entries in order;
 * range filters on another column are checked while walking the sort's index.
 */
import { Prisma } from "@prisma/client";
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
import { prefixRange, SEARCH_COLUMNS, searchWords, type SearchColumn } from "~/loyalty/member-search";
import { ensureShop } from "./shops.server";

export const PAGE_SIZE = 25;

const SORT_COLUMN = { balance: "balance", joined: "enrolledAt", activity: "lastActivityAt" } as const;
type SortColumn = (typeof SORT_COLUMN)[MemberSort];

/**
 * Search (ADR 017 addendum): each word must start the first name, last name, email or email domain
 * (the lower-case search copies, each indexed (shopId, column, id)). How a page is found depends on
 * how many members a word matches, counted first on those indexes (index only, capped):
 * - up to DIRECT_LIMIT (a rare word; none at all ends there): their ids and sort values are read
 *   from the search indexes, ordered here, and the page's rows read by primary key in growing
 *   batches, with the other filters and words checked in that query;
 * - more (a common word): walking the sort's index with the prefix conditions finds a page within
 *   26 × members / matches rows (≤ ~9,000 at 1,000,000 members).
 * Several words: the sets of the rare ones are intersected; common words stay conditions.
 */
export const DIRECT_LIMIT = 3000;
/** Ids per primary-key read: under SQLite's 999 bound parameters in Prisma, with the filters'. */
const BATCH = 900;

type SearchPlan =
  /** Every word was common: conditions only. */
  | { candidates: null; rest: string[] }
  /** The members matching the capped words (id → sort value; possibly none); `rest`: words still to check. */
  | { candidates: Map<string, number | null>; rest: string[] };

const startsWith = (word: string): Prisma.MemberWhereInput => ({
  OR: SEARCH_COLUMNS.map((column) => ({ [column]: prefixRange(word) })),
});

const searchColumn = (column: SearchColumn) => Prisma.raw(`"${column}"`);
const prefixCondition = (column: SearchColumn, word: string) => {
  const range = prefixRange(word);
  return Prisma.sql`${searchColumn(column)} >= ${range.gte} AND ${searchColumn(column)} < ${range.lt}`;
};

/**
 * The shop's members a word starts a search column of, or null if more than `limit`: first one
 * statement counting each column's matches up to limit + 1 (index only: each is a range of its
 * (shopId, column, id) index), then, if few, one statement reading their ids. Raw SQL because the
 * whole check is two round trips instead of eight (each one costs more than its index range), and a
 * capped count through Prisma gets an ORDER BY id that makes SQLite sort the whole range.
 */
async function membersStartingWith(shopId: string, word: string, limit: number, sort: SortColumn): Promise<Map<string, number | null> | null> {
  const capped = (column: SearchColumn) =>
    Prisma.sql`(SELECT COUNT(*) FROM (SELECT 1 FROM "Member" WHERE "shopId" = ${shopId} AND ${prefixCondition(column, word)} LIMIT ${limit + 1}) AS capped)`;
  const [counts] = await db.$queryRaw<Record<SearchColumn, bigint | number>[]>`SELECT ${Prisma.join(
    SEARCH_COLUMNS.map((column) => Prisma.sql`${capped(column)} AS ${searchColumn(column)}`),
  )}`;
  const matching = SEARCH_COLUMNS.filter((column) => Number(counts![column]) > 0);
  if (matching.some((column) => Number(counts![column]) > limit)) return null;
  if (matching.length === 0) return new Map();
  // With each id its sort value, so a page of them is ordered here and only its rows are read again.
  const rows = await db.$queryRaw<{ id: string; value: unknown }[]>`${Prisma.join(
    matching.map(
      (column) => Prisma.sql`SELECT "id", ${Prisma.raw(`"${sort}"`)} AS "value" FROM "Member" WHERE "shopId" = ${shopId} AND ${prefixCondition(column, word)}`,
    ),
    " UNION ",
  )}`;
  const found = new Map(rows.map((row) => [row.id, sortValue(row.value)]));
  return found.size > limit ? null : found;
}

async function searchPlan(shopId: string, words: string[], sort: SortColumn): Promise<SearchPlan> {
  let candidates = null as Map<string, number | null> | null;
  const rest: string[] = [];
  // Longest words first: the likeliest to be rare. Once the set is small, later words are conditions.
  const ordered = [...words].sort((a, b) => b.length - a.length);
  for (const [index, word] of ordered.entries()) {
    if (candidates && candidates.size <= BATCH) {
      rest.push(...ordered.slice(index));
      break;
    }
    const found = await membersStartingWith(shopId, word, DIRECT_LIMIT, sort);
    if (!found) {
      rest.push(word);
      continue;
    }
    candidates = candidates ? new Map([...candidates].filter(([id]) => found.has(id))) : found;
    if (candidates.size === 0) return { candidates, rest: [] };
  }
  return candidates ? { candidates, rest } : { candidates: null, rest };
}

/** The filter's conditions; without shopId only for the primary-key read of searched ids (see above). */
export function memberWhere(shopId: string | null, filter: MemberFilter, words: string[]): Prisma.MemberWhereInput {
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
    ...(shopId === null ? {} : { shopId }),
    ...(filter.tier ? { tierHandle: filter.tier } : {}),
    ...(filter.segment ? { segment: filter.segment } : {}),
    ...(Object.keys(balance).length ? { balance } : {}),
    ...(Object.keys(active).length ? { lastActivityAt: active } : {}),
    ...(Object.keys(enrolled).length ? { enrolledAt: enrolled } : {}),
    ...(words.length ? { AND: words.map(startsWith) } : {}),
  };
}

/**
 * One stretch of the walking order, as a query SQLite and PostgreSQL answer from one index range:
 * the non-null values of the sort column, or (last activity only) the never-active members by id.
 */
interface Stretch {
  where: Prisma.MemberWhereInput;
  orderBy: Prisma.MemberOrderByWithRelationInput[];
  /** The same stretch for members already in memory (searched ones): which rows, from where. */
  nulls: boolean;
  direction: "asc" | "desc";
  after: { value: number | null; id: string } | null;
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
  const valued: Stretch = { where: {}, orderBy: [{ [column]: direction }, { id: direction }], nulls: false, direction, after: null };
  const nulls: Stretch = { where: { [column]: null }, orderBy: [{ id: direction }], nulls: true, direction, after: null };
  const from = (value: number | Date) => {
    valued.where = { AND: [{ [column]: { [loose]: value } }, { OR: [{ [column]: { [strict]: value } }, { id: { [strict]: cursor!.id } }] }] };
    valued.after = { value: sortValue(value), id: cursor!.id };
  };
  if (column !== "lastActivityAt") {
    if (cursor && cursor.v !== null) from(column === "balance" ? Number(cursor.v) : new Date(String(cursor.v)));
    return [valued];
  }
  valued.where = { [column]: { not: null } };
  if (!cursor) return direction === "desc" ? [valued, nulls] : [nulls, valued];
  if (cursor.v === null) {
    nulls.where = { [column]: null, id: { [strict]: cursor.id } };
    nulls.after = { value: null, id: cursor.id };
    return direction === "desc" ? [nulls] : [nulls, valued];
  }
  from(new Date(String(cursor.v)));
  return direction === "desc" ? [valued, nulls] : [valued];
}

/** A sort column's value as a number (balance, or an instant in ms; raw SQLite rows give dates as text). */
function sortValue(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.getTime();
  if (typeof value === "string") return Date.parse(value);
  return Number(value);
}

/** Searched members (id → sort value) of one stretch beyond its cursor, in walking order. */
function inWalkingOrder(candidates: Map<string, number | null>, stretch: Stretch): string[] {
  const sign = stretch.direction === "asc" ? 1 : -1;
  const compare = (a: [string, number | null], b: [string, number | null]) =>
    sign * ((a[1] ?? 0) - (b[1] ?? 0) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const bound = stretch.after ? ([stretch.after.id, stretch.after.value] as [string, number | null]) : null;
  return [...candidates.entries()]
    .filter(([, value]) => (value === null) === stretch.nulls)
    .filter((entry) => !bound || compare(entry, bound) > 0)
    .sort(compare)
    .map(([id]) => id);
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
  const words = searchWords(filter.words.join(" "));
  const plan: SearchPlan = words.length ? await searchPlan(shopId, words, column) : { candidates: null, rest: [] };
  const rows: ListRow[] = [];
  if (plan.candidates) {
    // Few searched members: walk them in memory, reading their rows (filters checked) a batch at a time.
    // No shopId in this query, on purpose: with one, SQLite walks a (shopId, …) index over the whole
    // shop instead of reading these ids by primary key. Every id came from the shop's own index, and
    // each row's shop is checked again here.
    const where = memberWhere(null, filter, plan.rest);
    for (const stretch of stretches(column, direction, cursor)) {
      const ids = inWalkingOrder(plan.candidates, stretch);
      // Batches grow (52, 208, 832): a plain search needs one; a filter that rejects most, a few.
      for (let start = 0, size = 2 * (PAGE_SIZE + 1); start < ids.length && rows.length <= PAGE_SIZE; start += size, size = Math.min(size * 4, BATCH)) {
        const batch = ids.slice(start, start + size);
        const found = await db.member.findMany({ where: { AND: [where, { id: { in: batch } }, stretch.where] }, select: { ...LIST_SELECT, shopId: true } });
        const byId = new Map(found.filter((row) => row.shopId === shopId).map(({ shopId: _, ...row }) => [row.id, row]));
        for (const id of batch) {
          const row = byId.get(id);
          if (row && rows.length <= PAGE_SIZE) rows.push(row);
        }
      }
      if (rows.length > PAGE_SIZE) break;
    }
  } else {
    const where = memberWhere(shopId, filter, plan.rest);
    for (const stretch of stretches(column, direction, cursor)) {
      rows.push(...(await db.member.findMany({ where: { AND: [where, stretch.where] }, orderBy: stretch.orderBy, take: PAGE_SIZE + 1 - rows.length, select: LIST_SELECT })));
      if (rows.length > PAGE_SIZE) break;
    }
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
  const words = searchWords(filter.words.join(" "));
  const plan: SearchPlan = words.length ? await searchPlan(shopId, words, "enrolledAt") : { candidates: null, rest: [] };
  if (plan.candidates) {
    // Few searched members: in enrolled order here, their rows read by id (see listMembersOfShop).
    const [stretch] = stretches("enrolledAt", "asc", null);
    const ids = inWalkingOrder(plan.candidates, stretch!);
    const where = memberWhere(null, filter, plan.rest);
    for (let start = 0; start < ids.length; start += BATCH) {
      const batch = ids.slice(start, start + BATCH);
      const found = await db.member.findMany({ where: { AND: [where, { id: { in: batch } }] }, select: { ...LIST_SELECT, customerGid: true, shopId: true } });
      const byId = new Map(found.filter((row) => row.shopId === shopId).map(({ shopId: _, ...row }) => [row.id, row]));
      const rows = batch.flatMap((id) => byId.get(id) ?? []);
      if (rows.length) yield rows;
    }
    return;
  }
  const where = memberWhere(shopId, filter, plan.rest);
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
