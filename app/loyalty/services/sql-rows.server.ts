/**
 * Pieces of hand-written SQL that differ between SQLite and PostgreSQL, for set-based statements on
 * hot paths (the daily tier review, the outbox's bulk upserts). Values are always parameters.
 *
 * A batch's rows go to the database as ONE JSON parameter (`jsonRows`), read back as a derived table:
 * a statement then costs one bound value instead of thousands — Prisma's query compiler handles
 * every bound value of a raw statement, and SQLite prepares every `(?, ?, …)` or `WHEN ? THEN ?`,
 * which cost more than the writes themselves (docs/decisions/012 Performance addendum).
 */
import { Prisma } from "@prisma/client";

export const POSTGRES = /^postgres(ql)?:/i.test(process.env.DATABASE_URL ?? "");

const columns = (width: number, column: (index: number) => string) =>
  Prisma.raw(Array.from({ length: width }, (_, index) => `${column(index)} AS c${index}`).join(", "));

/**
 * Rows of text (or null), `width` columns each, as a derived table with columns c0, c1, …
 * (`… FROM ${jsonRows(rows, 3)} AS v`). Every value comes back as text.
 */
export function jsonRows(rows: readonly (readonly (string | null)[])[], width: number): Prisma.Sql {
  const json = JSON.stringify(rows);
  return POSTGRES
    ? Prisma.sql`(SELECT ${columns(width, (index) => `j.value ->> ${index}`)} FROM json_array_elements(CAST(${json} AS JSON)) AS j)`
    : Prisma.sql`(SELECT ${columns(width, (index) => `json_extract(j.value, '$[${index}]')`)} FROM json_each(${json}) AS j)`;
}

/** A DateTime parameter where PostgreSQL cannot infer its type (the select list of INSERT … SELECT). */
export function sqlTimestamp(at: Date): Prisma.Sql {
  return POSTGRES ? Prisma.sql`CAST(${at} AS TIMESTAMP(3))` : Prisma.sql`${at}`;
}

/**
 * SQLite: the index a statement must use whatever its planner's statistics say — nothing on
 * PostgreSQL. SQLite's own documentation gives INDEXED BY this purpose: a schema change (a new
 * index) must not silently turn a keyed read into a walk of the shop's rows; a dropped index makes
 * the statement fail loudly instead.
 */
export function indexedBy(index: string): Prisma.Sql {
  return POSTGRES ? Prisma.empty : Prisma.raw(`INDEXED BY "${index}"`);
}
