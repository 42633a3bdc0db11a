/**
 * An audit entry's before/after snapshots → the fields that changed, for people to read (the audit
 * log page and its CSV). Pure, safe in the browser.
 *
 * - Objects are compared key by key, recursively; arrays holding objects (a tier ladder) position by
 *   position. A path names the field: ["tiers", 1, "threshold"].
 * - Arrays of plain values (tier handles, tags) are one value: changed when any element differs.
 * - A missing snapshot (a creation has no "before") or a null one is an empty object, so a creation
 *   lists every field it set, from "absent" (undefined) to its value.
 * - Bookkeeping columns that change with every write (`updatedAt`) are left out.
 */

export type AuditPath = (string | number)[];

export interface FieldChange {
  path: AuditPath;
  /** undefined = the field was absent on that side. */
  before: unknown;
  after: unknown;
}

const IGNORED_KEYS = new Set(["updatedAt"]);
/** Deeper than this, a value is compared (and shown) whole. */
const MAX_DEPTH = 6;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isScalar = (value: unknown) => value === null || ["string", "number", "boolean"].includes(typeof value);
/** An array walked position by position (it holds objects or arrays). */
const isNestedArray = (value: unknown): value is unknown[] => Array.isArray(value) && !value.every(isScalar);

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => sameValue(item, b[index]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((key) => sameValue(a[key], b[key]));
  }
  return false;
}

function walk(before: unknown, after: unknown, path: AuditPath, out: FieldChange[]): void {
  if (sameValue(before, after)) return;
  if (path.length < MAX_DEPTH) {
    const container = (value: unknown) => value === undefined || isPlainObject(value);
    if (container(before) && container(after) && (isPlainObject(before) || isPlainObject(after))) {
      const b = isPlainObject(before) ? before : {};
      const a = isPlainObject(after) ? after : {};
      // The "after" order first (the shape the change left), then fields only "before" had.
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((key) => !IGNORED_KEYS.has(key));
      for (const key of keys) walk(b[key], a[key], [...path, key], out);
      return;
    }
    const list = (value: unknown) => value === undefined || isNestedArray(value);
    if (list(before) && list(after) && (isNestedArray(before) || isNestedArray(after))) {
      const b = isNestedArray(before) ? before : [];
      const a = isNestedArray(after) ? after : [];
      for (let index = 0; index < Math.max(a.length, b.length); index += 1) walk(b[index], a[index], [...path, index], out);
      return;
    }
  }
  out.push({ path, before, after });
}

/** The changed fields between two snapshots (JSON values), in a stable order. Same snapshots → []. */
export function auditDiff(before: unknown, after: unknown): FieldChange[] {
  const out: FieldChange[] = [];
  const snapshot = (value: unknown) => (value === null || value === undefined ? undefined : value);
  const b = snapshot(before);
  const a = snapshot(after);
  // Whole snapshots that are not objects (rare) compare as one field named by an empty path.
  if ((b === undefined || isPlainObject(b)) && (a === undefined || isPlainObject(a))) walk(b ?? {}, a ?? {}, [], out);
  else walk(b, a, [], out);
  return out;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

export interface ValueFormat {
  locale: string;
  /** How an instant (an ISO string with a zone) reads: the page passes the shop's time zone and its clock. */
  formatInstant: (instant: Date) => string;
  labels: { empty: string; yes: string; no: string };
}

/**
 * One side of a change as text: absent/null → the empty label, booleans → yes/no, ISO instants → the
 * shop's local date and time, arrays of plain values → "a, b, c", anything else structured → indented
 * JSON (never one long line).
 */
export function formatAuditValue(value: unknown, options: ValueFormat): string {
  if (value === undefined || value === null || value === "") return options.labels.empty;
  if (typeof value === "boolean") return value ? options.labels.yes : options.labels.no;
  if (typeof value === "number") return new Intl.NumberFormat(options.locale, { maximumFractionDigits: 20 }).format(value);
  if (typeof value === "string") {
    if (ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value))) return options.formatInstant(new Date(value));
    return value;
  }
  if (Array.isArray(value) && value.every(isScalar)) {
    return value.length === 0 ? options.labels.empty : value.map((item) => formatAuditValue(item, options)).join(", ");
  }
  return JSON.stringify(value, null, 2);
}

/** "earnRate" → "Earn rate", "tier_grace_days" → "Tier grace days". */
export function humanizeKey(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * A path as a label: each key through `label` (a translated name, else humanized), positions as
 * "#1" (1-based): ["tiers", 1, "threshold"] → "Tiers › #2 › Threshold".
 */
export function auditPathLabel(path: AuditPath, label: (key: string) => string | undefined = () => undefined, valueLabel = "Value"): string {
  if (path.length === 0) return valueLabel;
  return path.map((part) => (typeof part === "number" ? `#${part + 1}` : (label(part) ?? humanizeKey(part)))).join(" › ");
}
