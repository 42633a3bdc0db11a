/**
 * Expiry reminders selected by exact lead day (docs/decisions/014 addendum), end to end: points
 * earned through signed webhooks, redeemed through the storefront proxy (Admin API stand-in),
 * settings saved through the service, the daily jobs run by `runDueJobs` on chosen days (only
 * `Date` is faked, so the ledger stamps entries on the test's days). Shop in UTC; per-earning
 * expiry after 2 months, reminders 30 and 3 days before, enabled 2026-01-10 (notice until 02-09).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import db from "~/db.server";
import { expiryRemindersJob } from "~/jobs/expiry-reminders.server";
import { expirySweepJob } from "~/jobs/expiry-sweep.server";
import { runDueJobs } from "~/jobs/scheduler.server";
import { logger } from "~/logger.server";
import { findBalanceMismatches } from "~/loyalty/ledger.server";
import { creditDaysExpiringOn, updateExpirySettings } from "~/loyalty/services/expiry.server";
import { createReward } from "~/loyalty/services/redemptions.server";
import { deliver, installShop, memberOf, proxyPost } from "../support/app";
import { resetDatabase } from "../support/database";
import { createAdminApiStandIn, installAdminApiFetch, type AdminApiFetchHandle } from "../support/shopify/admin-graphql";
import { customerPayload, paidOrderPayload, type CustomerPayload } from "../support/shopify/payloads";

const SHOP = "reminders-a.myshopify.com";
const JOBS = [expirySweepJob, expiryRemindersJob];

/** Noon UTC on a day. */
const at = (day: string, hour = 12) => new Date(`${day}T${String(hour).padStart(2, "0")}:00:00Z`);

function setDay(day: string) {
  vi.setSystemTime(at(day));
}

async function runJobs(day: string, owner = "test") {
  setDay(day);
  return runDueJobs({ now: at(day), owner, jobs: JOBS, batchSize: 1 }); // one member per batch: the keyset paths run
}

/** A customer who earns `points` (1 point per dollar) on `day`; returns the customer and member id. */
async function earnOn(day: string, points: number, customer: CustomerPayload = customerPayload()) {
  setDay(day);
  const order = paidOrderPayload({ customer, lines: [{ title: "Tea", price: (points / 2).toFixed(2), quantity: 2 }] });
  await deliver("orders/paid", order, { shop: SHOP });
  const member = await memberOf(SHOP, `gid://shopify/Customer/${customer.id}`);
  if (!member) throw new Error("member not enrolled");
  return { customer, memberId: member.id };
}

async function notices() {
  const rows = await db.notification.findMany({ where: { shop: { domain: SHOP }, kind: "points_expiring" }, orderBy: [{ createdAt: "asc" }, { idempotencyKey: "asc" }] });
  return rows.map((row) => {
    const payload = JSON.parse(row.payload) as { points: number; days_before: number; days_left: number };
    return { key: row.idempotencyKey, points: payload.points, daysBefore: payload.days_before, daysLeft: payload.days_left };
  });
}

/** Members the reminders job looked at, per business day (JobRun.processed). */
async function lookedAt(from: string, to: string) {
  const runs = await db.jobRun.findMany({
    where: { shop: { domain: SHOP }, job: "expiry-reminders", periodKey: { gte: from, lte: to } },
    orderBy: { periodKey: "asc" },
  });
  expect(runs.every((run) => run.status === "done")).toBe(true);
  return Object.fromEntries(runs.filter((run) => run.processed > 0).map((run) => [run.periodKey, run.processed]));
}

let handle: AdminApiFetchHandle | undefined;

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ["Date"], shouldAdvanceTime: true });
  setDay("2026-01-10");
  await resetDatabase(db);
  await installShop(SHOP);
  handle = installAdminApiFetch(createAdminApiStandIn({ throttle: false }), { passthrough: false });
  await updateExpirySettings(SHOP, { mode: "per_earning", months: 2, reminderDays: [30, 3] }, "staff-1", at("2026-01-10"));
});

afterEach(() => {
  handle?.restore();
  vi.useRealTimers();
});

describe("credit days behind an expiry day", () => {
  it("inverts addMonths, month ends included", () => {
    expect(creditDaysExpiringOn("2026-03-20", 2)).toEqual(["2026-01-20"]);
    expect(creditDaysExpiringOn("2026-02-28", 1)).toEqual(["2026-01-28", "2026-01-29", "2026-01-30", "2026-01-31"]);
    expect(creditDaysExpiringOn("2026-02-27", 1)).toEqual(["2026-01-27"]);
    expect(creditDaysExpiringOn("2027-11-23", 12)).toEqual(["2026-11-23"]);
    expect(creditDaysExpiringOn("2026-04-30", 1)).toEqual(["2026-03-30", "2026-03-31"]);
    expect(creditDaysExpiringOn("2026-04-30", 2)).toEqual([]); // 02-28 + 2 months = 04-28; no Feb 29-31 in 2026
  });
});

describe("reminders by exact lead day", () => {
  it("looks only at members whose points expire a lead time ahead, and reminds each on that day", async () => {
    const c = await earnOn("2026-01-12", 100); // expires 03-12: reminders on 02-10 and 03-09
    const a = await earnOn("2026-01-20", 60); // expires 03-20: reminders on 02-18 and 03-17
    await earnOn("2026-01-25", 80); // expires 03-25: reminders on 02-23 and 03-22

    await runJobs("2026-02-01"); // the first run looks at the window (nothing within 30 days yet)
    await runJobs("2026-02-09"); // 02-02…02-09 by lead day: nobody
    expect(await notices()).toEqual([]);
    await runJobs("2026-02-10");
    expect(await notices()).toEqual([{ key: `expiry-reminder:${c.memberId}:2026-03-12:30`, points: 100, daysBefore: 30, daysLeft: 30 }]);
    await runJobs("2026-02-17");
    expect(await notices()).toHaveLength(1);
    await runJobs("2026-02-18");
    expect((await notices()).at(-1)).toEqual({ key: `expiry-reminder:${a.memberId}:2026-03-20:30`, points: 60, daysBefore: 30, daysLeft: 30 });
    await runJobs("2026-03-09");

    // Each day looked at exactly the members with an expiry on day + 30 or day + 3 (the window would
    // have looked at c every day from 02-10, a from 02-18 and the third from 02-23).
    expect(await lookedAt("2026-02-02", "2026-03-09")).toEqual({ "2026-02-10": 1, "2026-02-18": 1, "2026-02-23": 1, "2026-03-09": 1 });
    expect((await notices()).map((n) => [n.key, n.daysLeft])).toEqual([
      [`expiry-reminder:${c.memberId}:2026-03-12:30`, 30],
      [`expiry-reminder:${a.memberId}:2026-03-20:30`, 30],
      [expect.stringMatching(/:2026-03-25:30$/), 30],
      [`expiry-reminder:${c.memberId}:2026-03-12:3`, 3],
    ]);
  });

  it("a catch-up after two missed days sends each missed day's reminders once", async () => {
    const a = await earnOn("2026-01-20", 60); // 30-day reminder due 02-18
    const b = await earnOn("2026-01-21", 40); // 30-day reminder due 02-19
    await runJobs("2026-02-01");
    await runJobs("2026-02-17");
    expect(await notices()).toEqual([]);

    // 02-18 and 02-19 missed: the pass of 02-20 runs 02-18, 02-19 and 02-20 in order.
    const pass = await runJobs("2026-02-20");
    expect(pass.filter((r) => r.job === "expiry-reminders").map((r) => [r.day, r.outcome])).toEqual([
      ["2026-02-18", "ran"],
      ["2026-02-19", "ran"],
      ["2026-02-20", "ran"],
    ]);
    const sent = [
      { key: `expiry-reminder:${a.memberId}:2026-03-20:30`, points: 60, daysBefore: 30, daysLeft: 30 },
      { key: `expiry-reminder:${b.memberId}:2026-03-21:30`, points: 40, daysBefore: 30, daysLeft: 30 },
    ];
    expect(await notices()).toEqual(sent);

    // Another pass, another instance, and a replay of a caught-up day's batch: nothing more.
    await runJobs("2026-02-20", "another-instance");
    await runJobs("2026-02-21");
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: SHOP }, select: { id: true, domain: true, ianaTimezone: true } });
    const replay = await expiryRemindersJob.runBatch({ db, shop, day: "2026-02-18", now: at("2026-02-21"), log: logger }, null, 10);
    expect(replay).toMatchObject({ processed: 1, written: 0, nextCursor: null });
    expect(await notices()).toEqual(sent);
  });

  it("points redeemed before their lead day get no reminder; a partly redeemed lot is reminded for what is left", async () => {
    const reward = await createReward(SHOP, { kind: "amount_off", name: "$1 off", pointsCost: 100, amount: "1.00", codeExpiresInDays: 30 });
    if (!reward.ok) throw new Error(reward.issues.join("; "));
    const spent = await earnOn("2026-01-20", 100); // lot 1: 100, expires 03-20
    const partly = await earnOn("2026-01-20", 150); // one lot of 150, expires 03-20
    await earnOn("2026-02-01", 100, spent.customer); // lot 2: 100, expires 04-01
    await runJobs("2026-02-01");
    setDay("2026-02-05");
    for (const who of [spent, partly]) {
      const response = await proxyPost({ shop: SHOP, loggedInCustomerId: String(who.customer.id), body: { rewardId: reward.id, requestId: `redeem-${who.memberId}` } });
      expect(response.status).toBe(200);
    }
    expect((await db.member.findUniqueOrThrow({ where: { id: spent.memberId } })).balance).toBe(100);
    expect((await db.member.findUniqueOrThrow({ where: { id: partly.memberId } })).balance).toBe(50);

    await runJobs("2026-02-18"); // lead day of 03-20: both members are looked at
    expect(await lookedAt("2026-02-18", "2026-02-18")).toEqual({ "2026-02-18": 2 });
    // Lot 1 went to the redemption (oldest first): nothing expires on 03-20 for `spent`.
    expect(await notices()).toEqual([{ key: `expiry-reminder:${partly.memberId}:2026-03-20:30`, points: 50, daysBefore: 30, daysLeft: 30 }]);
    await runJobs("2026-03-02");
    expect((await notices()).at(-1)).toEqual({ key: `expiry-reminder:${spent.memberId}:2026-04-01:30`, points: 100, daysBefore: 30, daysLeft: 30 });
    expect((await notices()).filter((n) => n.key.startsWith(`expiry-reminder:${spent.memberId}:`))).toHaveLength(1);
    expect((await findBalanceMismatches(db)).mismatches).toEqual([]);
  });

  it("points credited inside their own lead time (months shorter than it) are reminded late by the next run, once", async () => {
    await updateExpirySettings(SHOP, { mode: "per_earning", months: 1, reminderDays: [30, 3] }, "staff-1", at("2026-01-10", 13));
    await runJobs("2026-02-01");
    await runJobs("2026-02-14");
    const late = await earnOn("2026-02-15", 70); // expires 03-15: its 30-day lead day (02-13) is already behind
    await runJobs("2026-02-15");
    expect(await notices()).toEqual([{ key: `expiry-reminder:${late.memberId}:2026-03-15:30`, points: 70, daysBefore: 30, daysLeft: 28 }]);
    await runJobs("2026-02-16"); // looks again (credited yesterday), sends nothing twice
    await runJobs("2026-03-12");
    expect((await notices()).map((n) => [n.key, n.daysLeft])).toEqual([
      [`expiry-reminder:${late.memberId}:2026-03-15:30`, 28],
      [`expiry-reminder:${late.memberId}:2026-03-15:3`, 3],
    ]);
    expect(await lookedAt("2026-02-02", "2026-03-12")).toEqual({ "2026-02-15": 1, "2026-02-16": 1, "2026-03-12": 1 });
  });

  it("shortened lead days: after the change the new lead days apply, the old ones no longer", async () => {
    const soon = await earnOn("2026-01-12", 100); // expires 03-12
    const later = await earnOn("2026-01-25", 80); // expires 03-25
    await runJobs("2026-02-01");
    await runJobs("2026-02-12");
    expect((await notices()).map((n) => n.key)).toEqual([`expiry-reminder:${soon.memberId}:2026-03-12:30`]);

    // The afternoon of 02-12, after that day's run: reminders 14 and 3 days before.
    await updateExpirySettings(SHOP, { mode: "per_earning", months: 2, reminderDays: [14, 3] }, "staff-1", at("2026-02-12", 15));
    // The settings changed: this run looks at the whole (now 14-day) window once; nobody is in it.
    await runJobs("2026-02-13");
    expect(await lookedAt("2026-02-13", "2026-02-13")).toEqual({});
    await runJobs("2026-02-25");
    expect(await notices()).toHaveLength(1); // no 30-day reminder for `later` on 02-23
    await runJobs("2026-02-26");
    expect((await notices()).at(-1)).toEqual({ key: `expiry-reminder:${soon.memberId}:2026-03-12:14`, points: 100, daysBefore: 14, daysLeft: 14 });
    await runJobs("2026-03-11");
    expect((await notices()).map((n) => n.key)).toEqual([
      `expiry-reminder:${soon.memberId}:2026-03-12:30`,
      `expiry-reminder:${soon.memberId}:2026-03-12:14`,
      `expiry-reminder:${soon.memberId}:2026-03-12:3`,
      `expiry-reminder:${later.memberId}:2026-03-25:14`,
    ]);
    expect(await lookedAt("2026-02-14", "2026-03-11")).toEqual({ "2026-02-26": 1, "2026-03-09": 1, "2026-03-11": 1 });
  });
});
