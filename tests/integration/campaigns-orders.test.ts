/**
 * Bonus campaigns through signed webhooks (issue 4, ADR 011/013): window edges in a shop zone with
 * DST, best-of overlap, minimum, target tiers, once per member (sequential and concurrent), exact
 * proportional reversals over partial refunds, cancellation, duplicates, guest claims.
 */
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { findBalanceMismatches } from "~/loyalty/ledger.server";
import { recordPaidOrder } from "~/loyalty/services/orders.server";
import { parseOrder } from "~/shopify/payloads";
import { deliver, entriesOf, installShop, memberOf } from "../support/app";
import { resetDatabase } from "../support/database";
import {
  cancelledOrderPayload,
  customerPayload,
  paidOrderPayload,
  refundPayload,
  type CustomerPayload,
} from "../support/shopify/payloads";

const SHOP = "test-shop.myshopify.com";
const ZONE = "America/New_York";

let shopId = "";

beforeEach(async () => {
  await resetDatabase(db);
  const shop = await installShop(SHOP);
  await db.shop.update({ where: { id: shop.id }, data: { ianaTimezone: ZONE } });
  shopId = shop.id;
});

interface CampaignFields {
  name?: string;
  startsAt?: string;
  endsAt?: string;
  kind?: "multiplier" | "fixed_bonus";
  value?: string;
  minimumOrderAmount?: string | null;
  targetTiers?: string[] | null;
  oncePerMember?: boolean;
  archivedAt?: Date | null;
}

async function campaign(fields: CampaignFields = {}) {
  return db.campaign.create({
    data: {
      shopId,
      name: fields.name ?? "Double points",
      startsAt: fields.startsAt ?? "2026-11-20T00:00",
      endsAt: fields.endsAt ?? "2026-11-30T00:00",
      kind: fields.kind ?? "multiplier",
      value: fields.value ?? "2",
      minimumOrderAmount: fields.minimumOrderAmount ?? null,
      targetTiers: fields.targetTiers ? JSON.stringify(fields.targetTiers) : null,
      oncePerMember: fields.oncePerMember ?? false,
      archivedAt: fields.archivedAt ?? null,
    },
  });
}

/** An order of `amount` (one line) paid at `processedAt` (an ISO instant). */
function order(customer: CustomerPayload | null, amount: string, processedAt: string, lines?: { price: string; quantity?: number }[]) {
  return paidOrderPayload({
    customer,
    ...(customer ? {} : { email: "guest@example.com" }),
    processedAt: new Date(processedAt),
    lines: (lines ?? [{ price: amount }]).map((line, index) => ({ title: `Item ${index}`, ...line })),
  });
}

async function bonusEntries(customer: CustomerPayload) {
  return (await entriesOf(SHOP, customer.admin_graphql_api_id)).filter((entry) => entry.kind.startsWith("campaign_bonus"));
}

async function expectLedgerExact() {
  const { mismatches } = await findBalanceMismatches(db);
  expect(mismatches).toEqual([]);
}

describe("campaign window (shop zone America/New_York, end exclusive)", () => {
  it("applies from the first instant of the start to the last before the end, across the fall-back weekend", async () => {
    // Sat Oct 31 00:00 EDT (04:00Z) → Mon Nov 2 00:00 EST (05:00Z): 49 hours, clocks go back on Nov 1.
    const weekend = await campaign({ startsAt: "2026-10-31T00:00", endsAt: "2026-11-02T00:00" });
    const cases: [string, boolean][] = [
      ["2026-10-31T03:59:59Z", false],
      ["2026-10-31T04:00:00Z", true],
      ["2026-11-02T04:30:00Z", true], // Nov 1 23:30 EST: a fixed −04:00 offset would have ended it at 04:00Z
      ["2026-11-02T04:59:59Z", true],
      ["2026-11-02T05:00:00Z", false],
    ];
    for (const [processedAt, inside] of cases) {
      const customer = customerPayload();
      const paid = order(customer, "30.00", processedAt);
      expect((await deliver("orders/paid", paid)).status).toBe(200);
      const member = await memberOf(SHOP, customer.admin_graphql_api_id);
      expect({ processedAt, balance: member?.balance }).toEqual({ processedAt, balance: inside ? 60 : 30 });
      const bonus = await bonusEntries(customer);
      if (inside) {
        expect(bonus).toHaveLength(1);
        expect(bonus[0]).toMatchObject({
          kind: "campaign_bonus",
          delta: 30,
          orderGid: paid.admin_graphql_api_id,
          idempotencyKey: `order:${paid.admin_graphql_api_id}:campaign-bonus`,
        });
        expect(JSON.parse(bonus[0]?.rule ?? "{}")).toMatchObject({ campaignId: weekend.id, kind: "multiplier", value: "2", basePoints: 30 });
      } else {
        expect(bonus).toEqual([]);
      }
    }
    await expectLedgerExact();
  });

  it("spring-forward weekend: 2026-03-08 02:30 does not exist, so a campaign starting then starts at 03:30 EDT", async () => {
    await campaign({ startsAt: "2026-03-08T02:30", endsAt: "2026-03-09T00:00", kind: "fixed_bonus", value: "15" });
    const before = customerPayload();
    await deliver("orders/paid", order(before, "10.00", "2026-03-08T07:29:59Z")); // 03:29:59 EDT
    const after = customerPayload();
    await deliver("orders/paid", order(after, "10.00", "2026-03-08T07:30:00Z")); // 03:30 EDT
    expect((await memberOf(SHOP, before.admin_graphql_api_id))?.balance).toBe(10);
    expect((await memberOf(SHOP, after.admin_graphql_api_id))?.balance).toBe(25);
  });

  it("archived campaigns give nothing", async () => {
    await campaign({ archivedAt: new Date("2026-11-01T00:00:00Z") });
    const customer = customerPayload();
    await deliver("orders/paid", order(customer, "30.00", "2026-11-21T15:00:00Z"));
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(30);
    expect(await bonusEntries(customer)).toEqual([]);
  });

  it("another shop's campaign does not apply", async () => {
    const other = await installShop("other-shop.myshopify.com");
    await db.campaign.create({
      data: { shopId: other.id, name: "Theirs", startsAt: "2026-11-01T00:00", endsAt: "2026-12-01T00:00", kind: "fixed_bonus", value: "500" },
    });
    const customer = customerPayload();
    await deliver("orders/paid", order(customer, "30.00", "2026-11-21T15:00:00Z"));
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(30);
  });
});

describe("which campaign", () => {
  it("overlapping campaigns: the one giving the most bonus wins, never both", async () => {
    const double = await campaign({ name: "Double", kind: "multiplier", value: "2" });
    const fixed = await campaign({ name: "Plus 30", kind: "fixed_bonus", value: "30" });
    const big = customerPayload();
    await deliver("orders/paid", order(big, "50.00", "2026-11-21T15:00:00Z"));
    const small = customerPayload();
    await deliver("orders/paid", order(small, "20.00", "2026-11-21T15:00:00Z"));
    const [bigBonus] = await bonusEntries(big);
    const [smallBonus] = await bonusEntries(small);
    expect(JSON.parse(bigBonus?.rule ?? "{}")).toMatchObject({ campaignId: double.id });
    expect(bigBonus?.delta).toBe(50);
    expect(JSON.parse(smallBonus?.rule ?? "{}")).toMatchObject({ campaignId: fixed.id, kind: "fixed_bonus", value: "30" });
    expect((await memberOf(SHOP, small.admin_graphql_api_id))?.balance).toBe(50);
    expect(await bonusEntries(big)).toHaveLength(1);
  });

  it("minimum order is on eligible merchandise (after discounts, without shipping)", async () => {
    await campaign({ kind: "fixed_bonus", value: "100", minimumOrderAmount: "100.00" });
    const below = customerPayload();
    await deliver(
      "orders/paid",
      paidOrderPayload({
        customer: below,
        processedAt: new Date("2026-11-21T15:00:00Z"),
        lines: [{ title: "Vase", price: "110.00", discount: "20.00" }],
        shipping: "30.00",
      }),
    );
    const at = customerPayload();
    await deliver("orders/paid", order(at, "100.00", "2026-11-21T15:00:00Z"));
    expect((await memberOf(SHOP, below.admin_graphql_api_id))?.balance).toBe(90);
    expect((await memberOf(SHOP, at.admin_graphql_api_id))?.balance).toBe(200);
  });

  it("target tiers: the member's tier when the order is paid", async () => {
    await campaign({ kind: "fixed_bonus", value: "40", targetTiers: ["gold"] });
    const customer = customerPayload();
    await deliver("orders/paid", order(customer, "10.00", "2026-11-21T15:00:00Z"));
    expect(await bonusEntries(customer)).toEqual([]);
    await db.member.updateMany({ where: { customerGid: customer.admin_graphql_api_id }, data: { tierHandle: "gold" } });
    await deliver("orders/paid", order(customer, "10.00", "2026-11-22T15:00:00Z"));
    expect((await bonusEntries(customer)).map((entry) => entry.delta)).toEqual([40]);
    await db.member.updateMany({ where: { customerGid: customer.admin_graphql_api_id }, data: { tierHandle: "silver" } });
    await deliver("orders/paid", order(customer, "10.00", "2026-11-23T15:00:00Z"));
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(70);
  });

  it("once per member: the second order gets the next best campaign, not the used one", async () => {
    const once = await campaign({ name: "Welcome back", kind: "fixed_bonus", value: "100", oncePerMember: true });
    const plain = await campaign({ name: "Plus 5", kind: "fixed_bonus", value: "5" });
    const customer = customerPayload();
    const first = order(customer, "10.00", "2026-11-21T15:00:00Z");
    await deliver("orders/paid", first);
    await deliver("orders/paid", first); // a redelivery decides nothing again
    await deliver("orders/paid", order(customer, "10.00", "2026-11-22T15:00:00Z"));
    const rules = (await bonusEntries(customer)).map((entry) => JSON.parse(entry.rule ?? "{}").campaignId);
    expect(rules).toEqual([once.id, plain.id]);
    expect(await db.campaignUse.findMany({ select: { campaignId: true, orderGid: true } })).toEqual([
      { campaignId: once.id, orderGid: first.admin_graphql_api_id },
    ]);
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(125);
    await expectLedgerExact();
  });

  it("once per member holds when two orders are paid at the same moment", async () => {
    const once = await campaign({ kind: "fixed_bonus", value: "100", oncePerMember: true });
    const customer = customerPayload();
    await deliver("orders/paid", order(customer, "1.00", "2026-11-01T15:00:00Z")); // the member exists
    const shop = await db.shop.findUniqueOrThrow({ where: { id: shopId } });
    const paid = Array.from({ length: 4 }, (_, index) => parseOrder(order(customer, "10.00", `2026-11-21T15:0${index}:00Z`)));
    await Promise.all(paid.map((facts) => recordPaidOrder(shop, facts)));
    expect((await bonusEntries(customer)).map((entry) => entry.delta)).toEqual([100]);
    expect(await db.campaignUse.count({ where: { campaignId: once.id } })).toBe(1);
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(1 + 40 + 100);
    await expectLedgerExact();
  });

  it("a multiplier campaign works on base points: a 1.5× Gold member in a 2× campaign gets base × 1.5 + base × 1", async () => {
    await db.shop.update({ where: { id: shopId }, data: { tiersEnabled: true } });
    const tier = (handle: string, position: number, thresholdValue: string, earnMultiplier: string) =>
      db.tier.create({
        data: { shopId, handle, name: handle, position, thresholdKind: "points_earned", thresholdValue, qualificationPeriod: "lifetime", earnMultiplier },
      });
    await tier("member", 0, "0", "1");
    await tier("gold", 1, "100000", "1.5");
    await campaign({ kind: "multiplier", value: "2", targetTiers: ["gold"] });
    const customer = customerPayload();
    await deliver("customers/create", customer);
    await db.member.updateMany({ where: { customerGid: customer.admin_graphql_api_id }, data: { tierHandle: "gold" } });
    const paid = order(customer, "40.00", "2026-11-21T15:00:00Z");
    await deliver("orders/paid", paid);
    const entries = await entriesOf(SHOP, customer.admin_graphql_api_id);
    expect(entries.map((entry) => [entry.kind, entry.delta])).toEqual([
      ["order_earn", 60],
      ["campaign_bonus", 40],
    ]);
    expect(JSON.parse(entries[1]?.rule ?? "{}")).toMatchObject({ basePoints: 40, kind: "multiplier", value: "2" });
    // A full refund takes back both, each exactly.
    await deliver("refunds/create", refundPayload(paid));
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(0);
    await expectLedgerExact();
  });

  it("orders earning no base points get no bonus (program off)", async () => {
    await campaign({ kind: "fixed_bonus", value: "100" });
    await db.shop.update({ where: { id: shopId }, data: { programEnabled: false } });
    const customer = customerPayload();
    await deliver("orders/paid", order(customer, "10.00", "2026-11-21T15:00:00Z"));
    expect(await db.ledgerEntry.count({ where: { kind: "campaign_bonus" } })).toBe(0);
  });
});

describe("reversals", () => {
  it("partial refunds take back exactly the bonus in proportion, duplicates nothing", async () => {
    await campaign({ kind: "fixed_bonus", value: "100" });
    const customer = customerPayload();
    const paid = order(customer, "", "2026-11-21T15:00:00Z", [{ price: "10.00" }, { price: "10.00" }, { price: "10.00" }]);
    await deliver("orders/paid", paid);
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(130);
    const refunds = [0, 1, 2].map((lineIndex) => refundPayload(paid, { lines: [{ lineIndex, quantity: 1 }] }));
    const taken: number[] = [];
    for (const refund of refunds) {
      await deliver("refunds/create", refund);
      await deliver("refunds/create", refund);
      const bonus = await bonusEntries(customer);
      taken.push(-(bonus.at(-1)?.delta ?? 0));
      expect(bonus.filter((entry) => entry.refundGid === refund.admin_graphql_api_id)).toHaveLength(1);
    }
    expect(taken).toEqual([33, 34, 33]);
    expect((await bonusEntries(customer)).map((entry) => entry.idempotencyKey)).toEqual([
      `order:${paid.admin_graphql_api_id}:campaign-bonus`,
      ...refunds.map((refund) => `refund:${refund.admin_graphql_api_id}:campaign-bonus-reverse`),
    ]);
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(0);
    // Cancelling after everything was refunded takes nothing more.
    await deliver("orders/cancelled", cancelledOrderPayload(paid));
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(0);
    expect(await bonusEntries(customer)).toHaveLength(4);
    await expectLedgerExact();
  });

  it("cancel after a partial refund takes back the rest of the bonus, once", async () => {
    await campaign({ kind: "multiplier", value: "1.5" });
    const customer = customerPayload();
    const paid = order(customer, "", "2026-11-21T15:00:00Z", [{ price: "25.00" }, { price: "15.00" }]);
    await deliver("orders/paid", paid);
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(40 + 20);
    await deliver("refunds/create", refundPayload(paid, { lines: [{ lineIndex: 1, quantity: 1 }] }));
    expect((await bonusEntries(customer)).map((entry) => entry.delta)).toEqual([20, -8]); // round(20 × 15/40) = 8
    const cancelled = cancelledOrderPayload(paid);
    await deliver("orders/cancelled", cancelled);
    await deliver("orders/cancelled", cancelled);
    const bonus = await bonusEntries(customer);
    expect(bonus.map((entry) => entry.delta)).toEqual([20, -8, -12]);
    expect(bonus.at(-1)?.idempotencyKey).toBe(`order:${paid.admin_graphql_api_id}:campaign-bonus-cancel`);
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(0);
    await expectLedgerExact();
  });

  it("a refund arriving before orders/paid waits, then reverses base and bonus", async () => {
    await campaign({ kind: "fixed_bonus", value: "50" });
    const customer = customerPayload();
    const paid = order(customer, "", "2026-11-21T15:00:00Z", [{ price: "20.00" }, { price: "20.00" }]);
    await deliver("refunds/create", refundPayload(paid, { lines: [{ lineIndex: 0, quantity: 1 }] }));
    await deliver("orders/paid", paid);
    expect((await bonusEntries(customer)).map((entry) => entry.delta)).toEqual([50, -25]);
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(40 + 50 - 20 - 25);
    await expectLedgerExact();
  });

  it("spent bonus: the reversal takes the balance to zero and records the shortfall", async () => {
    await campaign({ kind: "fixed_bonus", value: "50" });
    const customer = customerPayload();
    const paid = order(customer, "10.00", "2026-11-21T15:00:00Z");
    await deliver("orders/paid", paid);
    const member = await memberOf(SHOP, customer.admin_graphql_api_id);
    // Spend 55 of the 60 points through the ledger (a staff adjustment stands in for a redemption).
    const { appendDebit, runOnce } = await import("~/loyalty/ledger.server");
    await runOnce(db, (tx) =>
      appendDebit(tx, { shopId, memberId: member!.id, kind: "manual_adjustment", delta: 55, idempotencyKey: "spend", description: "spent" }),
    );
    await deliver("orders/cancelled", cancelledOrderPayload(paid));
    const reversals = (await entriesOf(SHOP, customer.admin_graphql_api_id)).filter((entry) => entry.kind.endsWith("reversal"));
    expect(reversals.reduce((sum, entry) => sum + entry.delta, 0)).toBe(-5);
    expect(reversals.reduce((sum, entry) => sum + entry.shortfall, 0)).toBe(55);
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(0);
    await expectLedgerExact();
  });
});

describe("guest orders", () => {
  it("a guest order in the window gets its bonus when the email becomes a customer, once", async () => {
    await campaign({ kind: "multiplier", value: "3" });
    const paid = order(null, "12.00", "2026-11-21T15:00:00Z");
    await deliver("orders/paid", paid);
    expect(await db.ledgerEntry.count()).toBe(0);
    const customer = customerPayload({ email: "guest@example.com" });
    await deliver("customers/create", customer);
    await deliver("customers/create", customer);
    expect((await bonusEntries(customer)).map((entry) => entry.delta)).toEqual([24]);
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(36);
    await expectLedgerExact();
  });
});
