/**
 * OrderRecord's integer twins (eligibleMicros, refundedMicros, basePoints: ADR 012 addendum) that the
 * nightly tier progress sums instead of parsing text and JSON. A twin must never disagree with its
 * text (null is always safe: the statement then reads the text). Proven here for the two ways rows
 * get them — the orders service writing them with the texts through signed webhooks, and the
 * migration's backfill of rows written before the twins existed (its own SQL, run on this test's
 * database: SQLite, and PostgreSQL in CI).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { toMicros } from "~/loyalty/money";
import { orderProgressColumns } from "~/loyalty/services/tiers.server";
import { deliver, installShop } from "../support/app";
import { resetDatabase, testDatabaseProvider } from "../support/database";
import { customerPayload, paidOrderPayload, refundPayload } from "../support/shopify/payloads";

const SHOP = "twins.myshopify.com";
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

let shopId = "";

beforeEach(async () => {
  await resetDatabase(db);
  shopId = (await installShop(SHOP)).id;
});

const twinsOf = (orderGid: string) =>
  db.orderRecord.findUniqueOrThrow({
    where: { shopId_orderGid: { shopId, orderGid } },
    select: { eligibleAmount: true, refundedAmount: true, rule: true, pointsAwarded: true, eligibleMicros: true, refundedMicros: true, basePoints: true },
  });

describe("the orders service", () => {
  it("writes the twins with the paid facts and moves refundedMicros with every refund", async () => {
    const order = paidOrderPayload({
      customer: customerPayload(),
      lines: [
        { title: "Tea", price: "12.35", quantity: 3 },
        { title: "Cup", price: "8.10", quantity: 1 },
      ],
    });
    const orderGid = order.admin_graphql_api_id;
    await deliver("orders/paid", order, { shop: SHOP });
    const paid = await twinsOf(orderGid);
    expect(paid.eligibleAmount).toBe("45.15");
    expect(paid.eligibleMicros).toBe(45_150_000n);
    expect(paid.basePoints).toBe(45); // tiers off: the award itself (basePointsOf)
    expect(paid.pointsAwarded).toBe(45);
    expect(paid.refundedMicros).toBeNull(); // nothing refunded: the statement reads "0" without a twin

    await deliver("refunds/create", refundPayload(order, { lines: [{ lineIndex: 0, quantity: 1 }] }), { shop: SHOP });
    const once = await twinsOf(orderGid);
    expect(once.refundedAmount).toBe("12.35");
    expect(once.refundedMicros).toBe(12_350_000n);
    await deliver("refunds/create", refundPayload(order, { lines: [{ lineIndex: 1, quantity: 1 }] }), { shop: SHOP });
    const twice = await twinsOf(orderGid);
    expect(twice.refundedAmount).toBe("20.45");
    expect(twice.refundedMicros).toBe(toMicros(twice.refundedAmount));
    // The paid facts' twins are frozen with them.
    expect({ eligibleMicros: twice.eligibleMicros, basePoints: twice.basePoints }).toEqual({ eligibleMicros: 45_150_000n, basePoints: 45 });
  });
});

describe("the migration's backfill", () => {
  const AMOUNTS = ["12.50", "0", "7", "99.999", "15.1", null, "0.000001", "250.00", " 12.50", "1234.5", "1.2345678", "12345678901", "123456789012", "1.", ".5", "-3", "1e3", "12.50.1"];
  const RULES = [
    JSON.stringify({ earnRate: "1", basePoints: 40, tierMultiplier: "1.5" }),
    JSON.stringify({ basePoints: 0 }),
    JSON.stringify({ earnRate: "1", currencyCode: "USD" }), // before tiers: the award is the base
    null,
    `{ "basePoints" : 40 }`,
    `{"basePoints":40.0}`,
    "not json",
    JSON.stringify({ basePoints: "40" }),
    JSON.stringify({ basePoints: -4 }),
    JSON.stringify({ basePoints: 1_000_000_000 }),
    JSON.stringify({ note: 'a "quoted" \\ name', basePoints: 40 }),
    `{"basePoints":40,"basePoints":41}`,
  ];

  function backfillSql(): string {
    const folder = path.join(root, "prisma", testDatabaseProvider() === "postgresql" ? "postgres" : "", "migrations");
    const name = readdirSync(folder).find((entry) => entry.endsWith("_order_progress_twins"));
    if (!name) throw new Error("the twins migration is missing");
    const sql = readFileSync(path.join(folder, name, "migration.sql"), "utf8");
    const backfill = sql.slice(sql.indexOf("-- Backfill"));
    expect(backfill).toMatch(/^-- Backfill\nUPDATE "OrderRecord" SET/);
    return backfill;
  }

  it("fills only what the progress statement reads exactly, each twin equal to what the orders service writes", async () => {
    let n = 0;
    for (const eligibleAmount of AMOUNTS) {
      for (const rule of RULES) {
        n += 1;
        await db.orderRecord.create({
          data: { shopId, orderGid: `gid://shopify/Order/${n}`, eligibleAmount, refundedAmount: AMOUNTS[n % AMOUNTS.length] ?? "0", rule, pointsAwarded: 60 },
        });
      }
    }
    await db.$executeRawUnsafe(backfillSql());
    const rows = await db.orderRecord.findMany({ where: { shopId } });
    expect(rows).toHaveLength(AMOUNTS.length * RULES.length);
    let filled = 0;
    let left = 0;
    for (const row of rows) {
      const written = orderProgressColumns(row);
      const context = JSON.stringify({ eligibleAmount: row.eligibleAmount, refundedAmount: row.refundedAmount, rule: row.rule });
      // Amounts: the same grammar on both sides, so exactly what the service writes.
      expect(row.eligibleMicros, context).toBe(written.eligibleMicros);
      expect(row.refundedMicros, context).toBe(written.refundedMicros);
      // Base points: SQL abstains on rules JSON.parse reads (5.0, escapes, spaces on PostgreSQL),
      // so null there is right; where it fills, the value is the service's.
      if (row.basePoints === null) left += 1;
      else {
        filled += 1;
        expect(row.basePoints, context).toBe(written.basePoints);
      }
    }
    // Filled: the five plain rules (basePoints 40 and 0, none, no rule, a string), plus on SQLite the
    // one with spaces and on PostgreSQL the duplicate keys (jsonb keeps the last, like JSON.parse);
    // left on both: 5.0, not JSON, negative, too large, escapes.
    expect({ filled, left }).toEqual({ filled: 6 * AMOUNTS.length, left: 6 * AMOUNTS.length });
    const valid = (amount: string | null) => amount !== null && /^[0-9]{1,11}(\.[0-9]{1,6})?$/.test(amount);
    expect(rows.filter((row) => row.eligibleMicros !== null).length).toBe(rows.filter((row) => valid(row.eligibleAmount ?? "0")).length);
  });
});
