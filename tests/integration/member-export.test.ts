/**
 * CSV exports through the admin routes: members (all, or filtered as on the list, e.g. one segment)
 * and the ledger for a date range; streamed in keyset batches — proven by changing the rows after the
 * first batch was read and seeing the later batches reflect it; formula cells neutralised; erased
 * members without personal data; bad filters or dates answer 400; shop isolation.
 */
import { parse } from "csv-parse/sync";
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { appendCredit, runOnce } from "~/loyalty/ledger.server";
import { EXPORT_BATCH } from "~/loyalty/services/member-export.server";
import { loader as ledgerExport } from "~/routes/app.ledger.export";
import { loader as membersExport } from "~/routes/app.members.export";
import { installShop } from "../support/app";
import { adminLoader } from "../support/admin-route";
import { resetDatabase } from "../support/database";
import { adminRequest } from "../support/session-token";

const SHOP_A = "export-a.myshopify.com";
const SHOP_B = "export-b.myshopify.com";

async function shopId(domain: string) {
  return (await db.shop.findUniqueOrThrow({ where: { domain } })).id;
}

async function addMembers(domain: string, count: number, fields: (i: number) => Record<string, unknown> = () => ({}), offset = 0) {
  const id = await shopId(domain);
  const base = Date.parse("2025-01-01T00:00:00Z");
  await db.member.createMany({
    data: Array.from({ length: count }, (_, i) => ({
      shopId: id,
      customerGid: `gid://shopify/Customer/${offset + i + 1}`,
      email: `m${offset + i}@example.com`,
      firstName: `First${offset + i}`,
      lastName: "Member",
      balance: i,
      enrolledAt: new Date(base + (offset + i) * 60_000),
      ...fields(i),
    })),
  });
}

/** The route's Response, straight from the loader (the body is the stream). */
async function exportResponse(loader: typeof membersExport, path: string, shop = SHOP_A): Promise<Response> {
  const result = await loader({ request: await adminRequest(path, shop), params: {}, context: {} });
  if (!(result instanceof Response)) throw new Error(`expected a Response, got ${JSON.stringify(result)}`);
  return result;
}

const rowsOf = (text: string) => parse(text, { columns: true }) as Record<string, string>[];

beforeEach(async () => {
  await resetDatabase(db);
  await installShop(SHOP_A);
  await installShop(SHOP_B);
});

describe("members export", () => {
  it("streams every member in batches: rows after the first batch are read only when asked for", async () => {
    const total = EXPORT_BATCH * 2 + 500;
    await addMembers(SHOP_A, total);
    await addMembers(SHOP_B, 5, () => ({}), 10_000);
    const response = await exportResponse(membersExport, "/app/members/export");
    expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toMatch(/^attachment; filename="keepsake-members-\d{4}-\d{2}-\d{2}\.csv"$/);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    const chunks: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      const { value, done } = await reader.read();
      expect(done).toBe(false);
      chunks.push(decoder.decode(value));
    }
    expect(chunks[0]).toBe("customer_id,email,first_name,last_name,points_balance,tier,segment,enrolled_at,last_activity_at,excluded\n");
    expect(chunks[1]!.trim().split("\n")).toHaveLength(EXPORT_BATCH);

    // The first batch is out; the rest is not read yet: rename everyone, then read on.
    await db.member.updateMany({ where: { shopId: await shopId(SHOP_A) }, data: { lastName: "Renamed" } });
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks.push(decoder.decode(value));
    }
    expect(chunks).toHaveLength(1 + 3); // header + 3 batches, each its own chunk
    const rows = rowsOf(chunks.join(""));
    expect(rows).toHaveLength(total);
    expect(rows.slice(0, EXPORT_BATCH).every((row) => row.last_name === "Member")).toBe(true);
    expect(rows.slice(EXPORT_BATCH).every((row) => row.last_name === "Renamed")).toBe(true);
    expect(new Set(rows.map((row) => row.customer_id)).size).toBe(total);
    expect(rows.some((row) => Number(row.customer_id) > 10_000)).toBe(false);
  });

  it("exports one segment (or any list filter) with personal data of erased members left out and formulas neutralised", async () => {
    await addMembers(SHOP_A, 6, (i) => ({
      segment: i < 3 ? "loyal" : "churned",
      ...(i === 0 ? { firstName: "=HYPERLINK(\"http://evil\")" } : {}),
      ...(i === 1 ? { redactedAt: new Date(), email: "gone@example.com" } : {}),
      ...(i === 2 ? { excludedAt: new Date(), tierHandle: "gold" } : {}),
    }));
    const response = await exportResponse(membersExport, "/app/members/export?segment=loyal&sort=balance&after=ignored");
    expect(response.headers.get("Content-Disposition")).toMatch(/keepsake-members-loyal-/);
    const rows = rowsOf(await response.text());
    expect(rows.map((row) => row.customer_id)).toEqual(["1", "2", "3"]);
    expect(rows[0]).toMatchObject({ first_name: "'=HYPERLINK(\"http://evil\")", segment: "loyal", points_balance: "0", excluded: "no" });
    expect(rows[1]).toMatchObject({ email: "", first_name: "", last_name: "", points_balance: "1" });
    expect(rows[2]).toMatchObject({ tier: "gold", excluded: "yes" });

    const filtered = rowsOf(await (await exportResponse(membersExport, "/app/members/export?pointsMin=4")).text());
    expect(filtered.map((row) => row.points_balance)).toEqual(["4", "5"]);
  });

  it("answers 400 with the messages for a bad filter, exporting nothing", async () => {
    await addMembers(SHOP_A, 2);
    const answer = await adminLoader(membersExport, "/app/members/export?segment=vip&pointsMin=x", SHOP_A);
    expect(answer.status).toBe(400);
    expect(Object.keys(answer.body.errors).sort()).toEqual(["pointsMin", "segment"]);
  });
});

describe("ledger export", () => {
  async function entry(domain: string, memberIndex: number, delta: number, createdAt: string, key: string) {
    const id = await shopId(domain);
    const member = await db.member.findFirstOrThrow({ where: { shopId: id }, orderBy: { enrolledAt: "asc" }, skip: memberIndex });
    await runOnce(db, (tx) => appendCredit(tx, { shopId: id, memberId: member.id, kind: "manual_adjustment", delta, idempotencyKey: key, description: `Entry ${key}` }));
    await db.ledgerEntry.update({ where: { shopId_idempotencyKey: { shopId: id, idempotencyKey: key } }, data: { createdAt: new Date(createdAt) } });
  }

  it("exports the entries of the shop's days in the range, oldest first, with the customer", async () => {
    await db.shop.update({ where: { domain: SHOP_A }, data: { ianaTimezone: "Asia/Seoul" } });
    await addMembers(SHOP_A, 2);
    await addMembers(SHOP_B, 1, () => ({}), 50);
    await entry(SHOP_A, 0, 10, "2026-03-31T14:59:00Z", "before"); // 2026-03-31 23:59 in Seoul
    await entry(SHOP_A, 0, 20, "2026-03-31T15:00:00Z", "first"); // 2026-04-01 00:00 in Seoul
    await entry(SHOP_A, 1, 30, "2026-04-15T12:00:00Z", "middle");
    await entry(SHOP_A, 1, 5, "2026-04-30T14:59:59Z", "last");
    await entry(SHOP_A, 1, 40, "2026-04-30T15:00:00Z", "after");
    await entry(SHOP_B, 0, 99, "2026-04-10T00:00:00Z", "other-shop");

    const response = await exportResponse(ledgerExport, "/app/ledger/export?from=2026-04-01&to=2026-04-30");
    expect(response.headers.get("Content-Disposition")).toBe('attachment; filename="keepsake-ledger-2026-04-01-to-2026-04-30.csv"');
    const rows = rowsOf(await response.text());
    expect(rows.map((row) => [row.description, row.points, row.customer_id])).toEqual([
      ["Entry first", "20", "1"],
      ["Entry middle", "30", "2"],
      ["Entry last", "5", "2"],
    ]);
    expect(rows[0]).toMatchObject({ kind: "manual_adjustment", email: "m0@example.com", created_at: "2026-03-31T15:00:00.000Z" });
  });

  it("answers 400 with a message per field for missing or reversed dates", async () => {
    const missing = await adminLoader(ledgerExport, "/app/ledger/export?from=2026-04-01", SHOP_A);
    expect(missing.status).toBe(400);
    expect(Object.keys(missing.body.errors)).toEqual(["to"]);
    const reversed = await adminLoader(ledgerExport, "/app/ledger/export?from=2026-05-01&to=2026-04-01", SHOP_A);
    expect(reversed).toMatchObject({ status: 400, body: { errors: { to: "Must be on or after the start date" } } });
  });
});
