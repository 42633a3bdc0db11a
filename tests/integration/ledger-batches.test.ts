/**
 * The ledger's batch writers for the nightly jobs (appendDebits: the expiry sweep; appendCredits:
 * tier entry rewards placed by a job) against the real database — SQLite, and PostgreSQL in CI.
 * Their entries go in as ONE raw statement (ADR 014 addendum), so this proves what createMany gave
 * for free: every column as written, the batch's order kept, and a key that exists rolling the whole
 * unit back and reading as "already applied" (runOnce → applied: false), not as an error.
 */
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { appendCredit, appendCredits, appendDebits, findBalanceMismatches, runOnce, type NewEntry } from "~/loyalty/ledger.server";
import { deliver, installShop, memberOf } from "../support/app";
import { resetDatabase } from "../support/database";
import { customerPayload } from "../support/shopify/payloads";

const SHOP = "ledger-batches.myshopify.com";

async function enrolled(points: number) {
  const customer = customerPayload();
  await deliver("customers/create", customer, { shop: SHOP });
  const member = await memberOf(SHOP, customer.admin_graphql_api_id);
  if (!member) throw new Error("member not enrolled");
  if (points > 0) {
    const granted = await runOnce(db, (tx) =>
      appendCredit(tx, {
        shopId: member.shopId,
        memberId: member.id,
        kind: "manual_adjustment",
        delta: points,
        idempotencyKey: `test:grant:${member.id}`,
        description: "Test grant",
      }),
    );
    expect(granted.applied).toBe(true);
  }
  return (await db.member.findUniqueOrThrow({ where: { id: member.id } })) as { id: string; shopId: string; balance: number };
}

const entriesOf = (memberId: string) =>
  db.ledgerEntry.findMany({ where: { memberId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
const balanceOf = async (memberId: string) => (await db.member.findUniqueOrThrow({ where: { id: memberId } })).balance;

const expiry = (member: { id: string; shopId: string }, key: string, points: number, lot: string | null = null): NewEntry => ({
  shopId: member.shopId,
  memberId: member.id,
  kind: "expiry",
  delta: points,
  idempotencyKey: key,
  description: `Points expired (${key})`,
  expiresEntryId: lot,
  rule: { mode: "per_earning", months: 12, expiresOn: "2026-11-23" },
});

beforeEach(async () => {
  await resetDatabase(db);
  await installShop(SHOP);
});

describe("appendDebits", () => {
  it("writes every column of each entry, never below zero, in the batch's order", async () => {
    const a = await enrolled(30);
    const b = await enrolled(5);
    const lot = (await entriesOf(a.id)).at(-1)?.id ?? null;
    const outcome = await runOnce(db, (tx) =>
      appendDebits(tx, [expiry(a, "expire:a:1", 20, lot), expiry(a, "expire:a:2", 20), expiry(b, "expire:b:1", 8)]),
    );
    expect(outcome).toEqual({
      applied: true,
      value: [
        { taken: 20, shortfall: 0 },
        { taken: 10, shortfall: 10 },
        { taken: 5, shortfall: 3 },
      ],
    });
    const written = (await entriesOf(a.id)).filter((entry) => entry.kind === "expiry");
    expect(written.map((entry) => [entry.idempotencyKey, entry.delta, entry.shortfall])).toEqual([
      ["expire:a:1", -20, 0],
      ["expire:a:2", -10, 10],
    ]);
    expect(written[0]).toMatchObject({
      shopId: a.shopId,
      description: "Points expired (expire:a:1)",
      expiresEntryId: lot,
      orderGid: null,
      refundGid: null,
      staffId: null,
      expiresOn: null,
    });
    expect(JSON.parse(written[0]?.rule ?? "null")).toEqual({ mode: "per_earning", months: 12, expiresOn: "2026-11-23" });
    expect(written[0]?.createdAt).toBeInstanceOf(Date);
    expect(Math.abs((written[0]?.createdAt.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
    expect(await balanceOf(a.id)).toBe(0);
    expect(await balanceOf(b.id)).toBe(0);
    expect((await findBalanceMismatches(db)).mismatches).toEqual([]);
  });

  it("a key that exists rolls the whole batch back and reads as already applied", async () => {
    const a = await enrolled(30);
    const b = await enrolled(40);
    expect((await runOnce(db, (tx) => appendDebits(tx, [expiry(b, "expire:b:1", 10)]))).applied).toBe(true);
    const outboxBefore = await db.shopifyOutbox.findMany({ orderBy: { key: "asc" }, select: { key: true, payload: true, version: true } });

    const again = await runOnce(db, (tx) => appendDebits(tx, [expiry(a, "expire:a:1", 5), expiry(b, "expire:b:1", 10)]));
    expect(again).toEqual({ applied: false });
    expect((await entriesOf(a.id)).map((entry) => entry.kind)).toEqual(["manual_adjustment"]);
    expect(await balanceOf(a.id)).toBe(30);
    expect(await balanceOf(b.id)).toBe(30);
    expect(await db.shopifyOutbox.findMany({ orderBy: { key: "asc" }, select: { key: true, payload: true, version: true } })).toEqual(outboxBefore);
  });

  it("refuses bad input before writing anything", async () => {
    const a = await enrolled(30);
    await expect(runOnce(db, (tx) => appendDebits(tx, [expiry(a, "expire:a:1", -5)]))).rejects.toThrow(RangeError);
    await expect(runOnce(db, (tx) => appendDebits(tx, [{ ...expiry(a, "x", 5), kind: "redemption" }]))).rejects.toThrow(/not activity/);
    expect(await entriesOf(a.id)).toHaveLength(1);
  });
});

describe("appendCredits", () => {
  const reward = (member: { id: string; shopId: string }, key: string, points: number): NewEntry => ({
    shopId: member.shopId,
    memberId: member.id,
    kind: "tier_entry_reward",
    delta: points,
    idempotencyKey: key,
    description: `Tier reward ${key}`,
    rule: { tier: key },
  });

  it("writes each credit in the batch's order and moves the balances", async () => {
    const a = await enrolled(0);
    const outcome = await runOnce(db, (tx) => appendCredits(tx, [reward(a, "tier-entry:a:silver", 100), reward(a, "tier-entry:a:gold", 250)]));
    expect(outcome.applied).toBe(true);
    const written = await entriesOf(a.id);
    expect(written.map((entry) => [entry.kind, entry.idempotencyKey, entry.delta, entry.shortfall, entry.description])).toEqual([
      ["tier_entry_reward", "tier-entry:a:silver", 100, 0, "Tier reward tier-entry:a:silver"],
      ["tier_entry_reward", "tier-entry:a:gold", 250, 0, "Tier reward tier-entry:a:gold"],
    ]);
    expect(JSON.parse(written[1]?.rule ?? "null")).toEqual({ tier: "tier-entry:a:gold" });
    expect(await balanceOf(a.id)).toBe(350);
    expect((await findBalanceMismatches(db)).mismatches).toEqual([]);
  });

  it("a key that exists rolls the whole batch back and reads as already applied", async () => {
    const a = await enrolled(0);
    const b = await enrolled(0);
    expect((await runOnce(db, (tx) => appendCredits(tx, [reward(b, "tier-entry:b:gold", 250)]))).applied).toBe(true);
    const again = await runOnce(db, (tx) => appendCredits(tx, [reward(a, "tier-entry:a:gold", 250), reward(b, "tier-entry:b:gold", 250)]));
    expect(again).toEqual({ applied: false });
    expect(await entriesOf(a.id)).toEqual([]);
    expect(await balanceOf(a.id)).toBe(0);
    expect(await balanceOf(b.id)).toBe(250);
  });
});
