/**
 * The batched tier review (app/jobs/tier-review.server.ts: progress of a whole batch in one SQL
 * statement, set-based writes) decides exactly what evaluating the members one by one decides: for
 * each member, the event-by-event progress reading (`progressFromEvents`, the JS reference) of that
 * member alone, then the pure rules `evaluateRetention` / `confirmPendingDowngrade`.
 *
 * Over a varied dataset, for every threshold kind (points / amount spent / orders), both downgrade
 * rules and with or without grace days: hidden tiers, refunds (partial, over the order, "0.00"),
 * cancellations, skipped orders, orders without base points or with rules the SQL leaves to JS
 * (not JSON, spaces, 5.0), amounts with 0–6 decimals or none, orders at local midnight, other
 * earnings that count and that do not, members not due, and another shop's orders for the same
 * customer; every other order carries the integer twins the orders service writes (orderProgressColumns),
 * the rest only their texts. The whole progress (points, amount, orders) is compared as well, member by member.
 */
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import type { ShopJobContext } from "~/jobs/job-types";
import { tierReviewJob } from "~/jobs/tier-review.server";
import { logger } from "~/logger.server";
import { addDays, startOfLocalDay, type LocalDate } from "~/loyalty/schedule";
import { loadLadder, orderProgressColumns, progressFromEvents, progressOfMembers } from "~/loyalty/services/tiers.server";
import { confirmPendingDowngrade, evaluateRetention, type DowngradeRule, type ThresholdKind, type TierLadder } from "~/loyalty/tiers";
import { installShop } from "../support/app";
import { resetDatabase } from "../support/database";

const SHOP = "test-shop.myshopify.com";
const OTHER = "other-shop.myshopify.com";
const ZONE = "America/New_York";
const REVIEW_DAY: LocalDate = "2026-01-01";
const PERIOD_END: LocalDate = "2025-12-31";

const LADDERS: Record<ThresholdKind, string[]> = {
  points_earned: ["0", "100", "200", "300", "600"],
  amount_spent: ["0", "50.5", "120", "200.25", "400"],
  orders_count: ["0", "2", "4", "6", "9"],
};
const HANDLES = ["bronze", "silver", "vip", "gold", "platinum"]; // vip is hidden

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  return { next, pick, int: (below: number) => Math.floor(next() * below) };
}

const AMOUNTS = ["12.50", "0", "7", "99.999", "15.1", null, "0.000001", "250.00", "80", "33.333333", " 12.50", "1234.5"];
const RULES = [
  (base: number) => JSON.stringify({ earnRate: "1", rounding: "floor", basePoints: base, tierHandle: "gold", tierMultiplier: "1.5" }),
  (base: number) => JSON.stringify({ basePoints: base }),
  () => JSON.stringify({ earnRate: "1", rounding: "floor", minimumOrderAmount: null, currencyCode: "USD" }), // before tiers: the award is the base
  () => null,
  (base: number) => `{ "basePoints" : ${base} }`, // spaces: PostgreSQL leaves it to JS
  (base: number) => `{"basePoints":${base}.0}`, // 5.0 is 5 in JS: left to JS
  () => "not json",
  (base: number) => JSON.stringify({ basePoints: String(base) }), // a string: the award counts
];

let shopId = "";
let otherShopId = "";

beforeEach(async () => {
  await resetDatabase(db);
  shopId = (await installShop(SHOP)).id;
  otherShopId = (await installShop(OTHER)).id;
});

async function seed(kind: ThresholdKind, options: { downgrade: DowngradeRule; graceDays: number; seed: number }) {
  await db.shop.update({
    where: { id: shopId },
    data: { ianaTimezone: ZONE, tiersEnabled: true, tierDowngrade: options.downgrade, tierGraceDays: options.graceDays },
  });
  await db.tier.createMany({
    data: HANDLES.map((handle, position) => ({
      shopId,
      handle,
      name: handle,
      position,
      thresholdKind: kind,
      thresholdValue: LADDERS[kind][position] ?? "0",
      qualificationPeriod: "calendar_year",
      hidden: handle === "vip",
    })),
  });
  const random = prng(options.seed);
  const instant = (day: LocalDate) => {
    const start = startOfLocalDay(day, ZONE).getTime();
    const end = startOfLocalDay(addDays(day, 1), ZONE).getTime();
    const at = random.pick(["midnight", "last", "any"] as const);
    return new Date(at === "midnight" ? start : at === "last" ? end - 1 : start + random.int(end - start));
  };
  const day = () => addDays("2024-12-30", random.int(370)); // 2024-12-30 … 2026-01-03
  const members = [];
  let orders = 0;
  let entries = 0;
  for (let i = 0; i < 36; i += 1) {
    const customerGid = `gid://shopify/Customer/${7000 + i}`;
    const due = i % 9 !== 8;
    const member = await db.member.create({
      data: {
        shopId,
        customerGid,
        tierHandle: i % 12 === 11 ? "bronze" : random.pick(HANDLES.slice(1)),
        tierSince: "2025-02-01",
        tierReviewOn: due ? REVIEW_DAY : "2027-01-01",
      },
    });
    members.push(member);
    for (let j = random.int(9); j > 0; j -= 1) {
      orders += 1;
      const eligibleAmount = random.pick(AMOUNTS);
      const base = random.int(180);
      const refund = random.pick(["0", "0", "0", "0.00", "half", "all", "more", "5"] as const);
      const amount = Number((eligibleAmount ?? "0").trim());
      const refundedAmount =
        refund === "half" ? (amount / 2).toFixed(2) : refund === "all" ? (eligibleAmount ?? "0").trim() : refund === "more" ? (amount + 10).toFixed(2) : refund;
      const facts = {
        shopId,
        orderGid: `gid://shopify/Order/${orders}`,
        customerGid,
        paidAt: instant(day()),
        eligibleAmount,
        refundedAmount,
        pointsAwarded: base * 2,
        cancelledAt: random.next() < 0.08 ? new Date("2025-12-01T00:00:00Z") : null,
        rule: random.pick(RULES)(base),
        skipReason: random.next() < 0.1 ? random.pick(["test_order", "below_minimum", "member_excluded", "pos_order"]) : null,
      };
      // Every other order as the orders service writes it now (with its integer twins), the rest as
      // rows written before the twins existed and left null by the migration's backfill.
      await db.orderRecord.create({ data: orders % 2 === 0 ? { ...facts, ...orderProgressColumns(facts) } : facts });
    }
    for (let j = random.int(4); j > 0; j -= 1) {
      entries += 1;
      await db.ledgerEntry.create({
        data: {
          shopId,
          memberId: member.id,
          kind: random.pick(["signup_bonus", "birthday_reward", "action_award", "referral_reward", "tier_entry_reward", "adjustment"]),
          delta: random.int(90),
          idempotencyKey: `fixture:${entries}`,
          description: "fixture",
          createdAt: instant(day()),
        },
      });
    }
    // The same customer in another shop: its orders never count here.
    await db.orderRecord.create({
      data: { shopId: otherShopId, orderGid: `gid://shopify/Order/other-${i}`, customerGid, paidAt: instant("2025-06-01"), eligibleAmount: "900", pointsAwarded: 900 },
    });
  }
  return members;
}

function context(day: LocalDate): ShopJobContext {
  return { db, shop: { id: shopId, domain: SHOP, ianaTimezone: ZONE }, day, now: new Date(`${day}T12:00:00Z`), log: logger };
}

async function runDay(day: LocalDate, batchSize = 7) {
  let cursor: string | null = null;
  for (let guard = 0; guard < 100; guard += 1) {
    const result = await tierReviewJob.runBatch(context(day), cursor, batchSize);
    cursor = result.nextCursor;
    if (cursor === null) return;
  }
  throw new Error("the job never finished");
}

type Expected = { tier: string | null; pendingHandle: string | null; pendingOn: string | null; change: string | null };

/** Each member alone: the JS progress reading of that member, then the pure rules. */
async function expectedOneByOne(ladder: TierLadder, members: Awaited<ReturnType<typeof seed>>, downgrade: DowngradeRule, graceDays: number) {
  const shop = { id: shopId, ianaTimezone: ZONE };
  const expected = new Map<string, Expected>();
  for (const member of members) {
    const tier = member.tierHandle ?? "bronze";
    if (member.tierReviewOn !== REVIEW_DAY) {
      expected.set(member.id, { tier, pendingHandle: null, pendingOn: null, change: null });
      continue;
    }
    const progress = (await progressFromEvents(shop, ladder, [member], PERIOD_END)).get(member.id);
    if (!progress) throw new Error("no progress");
    const result = evaluateRetention(ladder, tier, progress, { downgrade, graceDays, periodEnd: PERIOD_END });
    if (result.decision === "retain") expected.set(member.id, { tier, pendingHandle: null, pendingOn: null, change: null });
    else if (graceDays === 0) expected.set(member.id, { tier: result.to, pendingHandle: null, pendingOn: null, change: `${tier}>${result.to}` });
    else expected.set(member.id, { tier, pendingHandle: result.to, pendingOn: result.effectiveOn, change: null });
  }
  return expected;
}

async function actual(members: { id: string }[]) {
  const rows = await db.member.findMany({ where: { id: { in: members.map((member) => member.id) } } });
  const changes = await db.tierChange.findMany({ where: { shopId } });
  return new Map(
    rows.map((row) => {
      const change = changes.filter((item) => item.memberId === row.id);
      return [
        row.id,
        {
          tier: row.tierHandle,
          pendingHandle: row.tierPendingHandle,
          pendingOn: row.tierPendingOn,
          change: change.length === 0 ? null : change.map((item) => `${item.fromHandle}>${item.toHandle}`).join(","),
        } satisfies Expected,
      ];
    }),
  );
}

const SCENARIOS = (["points_earned", "amount_spent", "orders_count"] as const).flatMap((kind, k) =>
  (["to_qualifying", "one_level"] as const).flatMap((downgrade, d) => [0, 3].map((graceDays, g) => ({ kind, downgrade, graceDays, seed: 1000 + k * 100 + d * 10 + g }))),
);

describe("batched tier review = members one by one", () => {
  it.each(SCENARIOS)("$kind, $downgrade, $graceDays grace days", async ({ kind, downgrade, graceDays, seed: seedNumber }) => {
    const members = await seed(kind, { downgrade, graceDays, seed: seedNumber });
    const ladder = await loadLadder(shopId);
    const shop = { id: shopId, ianaTimezone: ZONE };

    // The batch's SQL progress is the JS reading of each member alone (all three measures).
    for (const asOf of [PERIOD_END, "2026-01-03"] as const) {
      const batched = await progressOfMembers(shop, ladder, members, asOf);
      for (const member of members) {
        expect(batched.get(member.id), `${member.id} as of ${asOf}`).toEqual((await progressFromEvents(shop, ladder, [member], asOf)).get(member.id));
      }
    }

    const expected = await expectedOneByOne(ladder, members, downgrade, graceDays);
    const moves = [...expected.values()].filter((item) => item.change !== null || item.pendingOn !== null).length;
    expect(moves).toBeGreaterThan(3); // the dataset does put members down
    expect([...expected.values()].filter((item) => item.change === null && item.pendingOn === null).length).toBeGreaterThan(3);
    await runDay(REVIEW_DAY);
    expect(await actual(members)).toEqual(expected);

    if (graceDays > 0) {
      const pendingDay = addDays(REVIEW_DAY, graceDays);
      const confirmed = new Map<string, Expected>();
      for (const member of members) {
        const before = expected.get(member.id);
        if (!before?.pendingHandle || !before.tier) {
          if (before) confirmed.set(member.id, before);
          continue;
        }
        const progressNow = (await progressFromEvents(shop, ladder, [member], pendingDay)).get(member.id);
        if (!progressNow) throw new Error("no progress");
        const decision = confirmPendingDowngrade(ladder, { from: before.tier, to: before.pendingHandle }, before.tier, progressNow);
        confirmed.set(
          member.id,
          decision.apply
            ? { tier: decision.to, pendingHandle: null, pendingOn: null, change: `${before.tier}>${decision.to}` }
            : { tier: before.tier, pendingHandle: null, pendingOn: null, change: null },
        );
      }
      await runDay(addDays(pendingDay, -1));
      expect(await actual(members)).toEqual(expected); // nothing before the pending day
      await runDay(pendingDay);
      expect(await actual(members)).toEqual(confirmed);
    }
  });
});
