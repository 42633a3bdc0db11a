/**
 * CSV import of members and balances (docs/decisions/017-members-at-scale.md): which columns each
 * supported format has, and each row's validation. Pure (no database): the service decides what a
 * valid row does.
 *
 * Headers are matched case-insensitively, with spaces and dashes read as underscores
 * ("Points Balance" = points_balance). Columns not listed are ignored. Supported formats:
 *
 *  - generic (Keepsake's own, also what the members export writes):
 *      customer_id, email, first_name, last_name, points_balance (or points), enrolled_at
 *  - smile (Smile.io: its points import/adjust file is `email, points`; its customer export adds names
 *    and the balance as points_balance):
 *      email, points or points_balance, first_name, last_name, customer_id or external_id,
 *      created_at (or date_joined) as the enrolled date
 *  - loyaltylion (LoyaltyLion customer export): merchant_id (the store's customer id), email,
 *      points_approved (the balance imported; points_pending is ignored: pending points are not yet
 *      earned), first_name, last_name, enrolled_at
 *
 * Each row needs a customer id (digits, or gid://shopify/Customer/<digits>) or an email; a row with only
 * an email can only credit a member Keepsake already has. Points: a whole number ≥ 0, added to the
 * member's balance as one `import` ledger entry; one row per customer per file.
 */
import { z } from "zod";

export const IMPORT_FORMATS = ["generic", "smile", "loyaltylion"] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export type ImportField = "customerId" | "email" | "firstName" | "lastName" | "points" | "enrolledAt";

/** Header aliases per format, most specific first (normalized: lower case, underscores). */
export const FORMAT_COLUMNS: Record<ImportFormat, Record<ImportField, string[]>> = {
  generic: {
    customerId: ["customer_id"],
    email: ["email"],
    firstName: ["first_name"],
    lastName: ["last_name"],
    points: ["points_balance", "points"],
    enrolledAt: ["enrolled_at"],
  },
  smile: {
    customerId: ["customer_id", "external_id"],
    email: ["email"],
    firstName: ["first_name"],
    lastName: ["last_name"],
    points: ["points_balance", "points"],
    enrolledAt: ["created_at", "date_joined"],
  },
  loyaltylion: {
    customerId: ["merchant_id", "customer_id"],
    email: ["email"],
    firstName: ["first_name"],
    lastName: ["last_name"],
    points: ["points_approved", "points"],
    enrolledAt: ["enrolled_at"],
  },
};

export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 200_000;

export function normalizeHeader(header: string): string {
  return header
    .replace(/^\uFEFF/, "")
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_");
}

/** The format a header row most likely comes from (the staff can also say which). */
export function detectFormat(headers: string[]): ImportFormat {
  const names = new Set(headers.map(normalizeHeader));
  if (names.has("points_approved") || names.has("merchant_id")) return "loyaltylion";
  if (names.has("customer_id") || names.has("enrolled_at")) return "generic";
  if (names.has("points") || names.has("external_id") || names.has("date_joined") || names.has("created_at")) return "smile";
  return "generic";
}

export type ColumnMap = Partial<Record<ImportField, number>>;

/** Column index of each field, or the header problem that makes the file unusable. */
export function mapColumns(headers: string[], format: ImportFormat): { ok: true; columns: ColumnMap } | { ok: false; error: string } {
  const names = headers.map(normalizeHeader);
  const columns: ColumnMap = {};
  for (const [field, aliases] of Object.entries(FORMAT_COLUMNS[format]) as [ImportField, string[]][]) {
    for (const alias of aliases) {
      const index = names.indexOf(alias);
      if (index >= 0) {
        columns[field] = index;
        break;
      }
    }
  }
  if (columns.customerId === undefined && columns.email === undefined) {
    const expected = [...FORMAT_COLUMNS[format].customerId, ...FORMAT_COLUMNS[format].email].join(", ");
    return { ok: false, error: `The file has no customer column (expected one of: ${expected})` };
  }
  return { ok: true, columns };
}

export interface ImportRow {
  /** Line number as a spreadsheet shows it (the header is line 1). */
  line: number;
  customerGid: string | null;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  points: number;
  enrolledAt: Date | null;
  /** Stable within the file: the customer id, else the email (the ledger key is built from it). */
  key: string;
}

export type RowResult = { ok: true; row: ImportRow } | { ok: false; line: number; messages: string[] };

const EMAIL = z.email();

function cell(values: string[], index: number | undefined): string {
  return index === undefined ? "" : (values[index] ?? "").trim();
}

/** One data row (values as parsed) → a valid row or every message that is wrong with it. */
export function validateRow(values: string[], columns: ColumnMap, line: number): RowResult {
  const messages: string[] = [];
  const rawId = cell(values, columns.customerId);
  const rawEmail = cell(values, columns.email).toLowerCase();
  const rawPoints = cell(values, columns.points);
  const rawEnrolled = cell(values, columns.enrolledAt);

  let customerGid: string | null = null;
  if (rawId) {
    const match = /^(?:gid:\/\/shopify\/Customer\/)?(\d{1,20})$/.exec(rawId);
    if (match) customerGid = `gid://shopify/Customer/${match[1]}`;
    else messages.push(`customer id "${rawId.slice(0, 40)}" is not a Shopify customer id (digits)`);
  }
  let email: string | null = null;
  if (rawEmail) {
    if (EMAIL.safeParse(rawEmail).success) email = rawEmail;
    else messages.push(`email "${rawEmail.slice(0, 80)}" is not an email address`);
  }
  if (!rawId && !rawEmail) messages.push("needs a customer id or an email");

  let points = 0;
  if (rawPoints) {
    if (!/^\d{1,9}$/.test(rawPoints)) messages.push(`points "${rawPoints.slice(0, 20)}" must be a whole number of 0 or more, without separators`);
    else points = Number(rawPoints);
  }

  let enrolledAt: Date | null = null;
  if (rawEnrolled) {
    const parsed = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(rawEnrolled) ? new Date(rawEnrolled.replace(" ", "T")) : null;
    if (!parsed || Number.isNaN(parsed.getTime())) messages.push(`enrolled date "${rawEnrolled.slice(0, 30)}" must look like 2024-05-31`);
    else enrolledAt = parsed;
  }

  if (messages.length > 0) return { ok: false, line, messages };
  const firstName = cell(values, columns.firstName).slice(0, 255) || null;
  const lastName = cell(values, columns.lastName).slice(0, 255) || null;
  return {
    ok: true,
    row: { line, customerGid, email, firstName, lastName, points, enrolledAt, key: customerGid ? `c:${customerGid.split("/").pop()}` : `e:${email}` },
  };
}

/**
 * Validates every row of a file, including "one row per customer": a second row for the same customer
 * is an error (a spreadsheet with duplicates would otherwise import twice as many points).
 */
export function validateRows(rows: string[][], columns: ColumnMap, firstLine = 2): RowResult[] {
  const seen = new Map<string, number>();
  return rows.map((values, index) => {
    const line = firstLine + index;
    const result = validateRow(values, columns, line);
    if (!result.ok) return result;
    const keys = [result.row.key, ...(result.row.email ? [`e:${result.row.email}`] : [])];
    const earlier = keys.map((key) => seen.get(key)).find((value) => value !== undefined);
    if (earlier !== undefined) return { ok: false, line, messages: [`same customer as line ${earlier}`] };
    for (const key of keys) seen.set(key, line);
    return result;
  });
}
