/**
 * The members list's query as it travels in the URL (docs/decisions/017-members-at-scale.md):
 * search, filters (tier, segment, points range, last activity and enrolled date ranges in the
 * shop's time zone), sort and keyset cursors. Pure: parsing, the filter's instants, cursors.
 *
 * A bad value never fails the page: that field is dropped (the list shows everything it would show
 * without it) and its message is returned for the page to show next to the filter.
 */
import { z } from "zod";
import { addDays, isLocalDate, startOfLocalDay } from "./schedule";
import { SEGMENTS } from "./segments";

export const MEMBER_SORTS = ["joined", "balance", "activity"] as const;
export type MemberSort = (typeof MEMBER_SORTS)[number];

const localDate = z
  .string()
  .trim()
  .refine((text) => isLocalDate(text), "Use a date like 2026-01-31")
  .optional();

const points = z
  .string()
  .trim()
  .regex(/^\d{1,9}$/, "Enter a whole number of points, 0 or more")
  .transform(Number)
  .optional();

const FIELDS = {
  q: z.string().trim().max(200, "At most 200 characters").default(""),
  tier: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "Unknown tier")
    .optional(),
  segment: z.enum(SEGMENTS, { message: "Unknown segment" }).optional(),
  pointsMin: points,
  pointsMax: points,
  activeFrom: localDate,
  activeTo: localDate,
  enrolledFrom: localDate,
  enrolledTo: localDate,
  sort: z.enum(MEMBER_SORTS, { message: "Unknown sort" }).default("joined"),
  direction: z.enum(["asc", "desc"], { message: "Unknown direction" }).default("desc"),
  after: z.string().max(500).optional(),
  before: z.string().max(500).optional(),
};

const MemberListQuerySchema = z
  .object(FIELDS)
  .refine((q) => q.pointsMin === undefined || q.pointsMax === undefined || q.pointsMin <= q.pointsMax, {
    path: ["pointsMax"],
    message: "Must be at least the minimum",
  })
  .refine((q) => !q.activeFrom || !q.activeTo || q.activeFrom <= q.activeTo, {
    path: ["activeTo"],
    message: "Must be on or after the start date",
  })
  .refine((q) => !q.enrolledFrom || !q.enrolledTo || q.enrolledFrom <= q.enrolledTo, {
    path: ["enrolledTo"],
    message: "Must be on or after the start date",
  });

export type MemberListQuery = z.output<typeof MemberListQuerySchema>;
export type FilterField = keyof typeof FIELDS;
export type QueryErrors = Partial<Record<FilterField, string>>;

/** URL parameters the list understands, in a stable order (for links and the export). */
export const QUERY_KEYS = Object.keys(FIELDS) as FilterField[];
/** The filter part (what an export of "these members" takes): no sort, no cursor. */
export const FILTER_KEYS: FilterField[] = ["q", "tier", "segment", "pointsMin", "pointsMax", "activeFrom", "activeTo", "enrolledFrom", "enrolledTo"];

/**
 * Parses URL parameters: empty values are absent, unknown keys are ignored, a bad field is dropped
 * with its message (the rest still applies). Never throws.
 */
export function parseMemberListQuery(params: URLSearchParams | Record<string, string | undefined>): {
  query: MemberListQuery;
  errors: QueryErrors;
} {
  const raw: Record<string, string> = {};
  const entries = params instanceof URLSearchParams ? [...params.entries()] : Object.entries(params);
  for (const [key, value] of entries) {
    if (typeof value === "string" && value.trim() !== "" && (QUERY_KEYS as string[]).includes(key)) raw[key] = value;
  }
  const errors: QueryErrors = {};
  // Each pass drops the fields zod complained about; the refinements can only add one more pass each.
  for (let pass = 0; pass < 5; pass += 1) {
    const parsed = MemberListQuerySchema.safeParse(raw);
    if (parsed.success) return { query: parsed.data, errors };
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as FilterField | undefined;
      if (!field) continue;
      errors[field] ??= issue.message;
      delete raw[field];
    }
  }
  return { query: MemberListQuerySchema.parse({}), errors };
}

/** The query back as URL parameters (defaults left out), e.g. for the export link. */
export function queryToParams(query: Partial<MemberListQuery>, keys: FilterField[] = QUERY_KEYS): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of keys) {
    const value = query[key];
    if (value === undefined || value === "") continue;
    if (key === "sort" && value === "joined") continue;
    if (key === "direction" && value === "desc") continue;
    params.set(key, String(value));
  }
  return params;
}

/** The filter as database conditions: instants are the shop-local days' boundaries (end exclusive). */
export interface MemberFilter {
  words: string[];
  tier?: string;
  segment?: string;
  pointsMin?: number;
  pointsMax?: number;
  activeFrom?: Date;
  activeBefore?: Date;
  enrolledFrom?: Date;
  enrolledBefore?: Date;
}

export function memberFilter(query: MemberListQuery, timeZone: string): MemberFilter {
  const from = (day: string | undefined) => (day ? startOfLocalDay(day, timeZone) : undefined);
  const before = (day: string | undefined) => (day ? startOfLocalDay(addDays(day, 1), timeZone) : undefined);
  const filter: MemberFilter = {
    // Each word must appear in the first name, last name or email (case-insensitive): "ada love".
    words: query.q
      .toLowerCase()
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, 5),
  };
  if (query.tier) filter.tier = query.tier;
  if (query.segment) filter.segment = query.segment;
  if (query.pointsMin !== undefined) filter.pointsMin = query.pointsMin;
  if (query.pointsMax !== undefined) filter.pointsMax = query.pointsMax;
  const activeFrom = from(query.activeFrom);
  const activeBefore = before(query.activeTo);
  const enrolledFrom = from(query.enrolledFrom);
  const enrolledBefore = before(query.enrolledTo);
  if (activeFrom) filter.activeFrom = activeFrom;
  if (activeBefore) filter.activeBefore = activeBefore;
  if (enrolledFrom) filter.enrolledFrom = enrolledFrom;
  if (enrolledBefore) filter.enrolledBefore = enrolledBefore;
  return filter;
}

export function hasFilter(query: MemberListQuery): boolean {
  return FILTER_KEYS.some((key) => query[key] !== undefined && query[key] !== "");
}

// ---------------------------------------------------------------------------------------------
// keyset cursors: (sort value, id), opaque base64url; a tampered cursor means the first page.

export interface Cursor {
  /** The sort column's value: a number (balance), an ISO instant, or null (never active). */
  v: number | string | null;
  id: string;
}

const CursorSchema = z.object({ v: z.union([z.number(), z.string().max(40), z.null()]), id: z.string().min(1).max(64) });

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

export function decodeCursor(text: string | undefined): Cursor | null {
  if (!text) return null;
  try {
    const parsed = CursorSchema.safeParse(JSON.parse(Buffer.from(text, "base64url").toString("utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
