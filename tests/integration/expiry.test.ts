/**
 * Points expiry end to end with a controlled clock: points earned through signed webhooks (the real
 * ledger writes keep lastActivityAt / pointsExpireOn / expiresOn), settings saved through the
 * service, the daily jobs run by the scheduler's `runDueJobs` for chosen instants. The clock: only
 * `Date` is faked (vi.setSystemTime), so the ledger stamps entries on the test's days.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import db from "~/db.server";
import { expiryRemindersJob } from "~/jobs/expiry-reminders.server";
import { expirySweepJob } from "~/jobs/expiry-sweep.server";
import { runDueJobs } from "~/jobs/scheduler.server";
import { findBalanceMismatches } from "~/loyalty/ledger.server";
import { updateExpirySettings } from "~/loyalty/services/expiry.server";
import { deliver, entriesOf, installShop, memberOf, proxyGet } from "../support/app";
import { resetDatabase } from "../support/database";
import { customerPayload, paidOrderPayload, refundPayload } from "../support/shopify/payloads";

const SHOP = "expiry-a.myshopify.com";
const OTHER = "expiry-b.myshopify.com";
const JOBS = [expirySweepJob, expiryRemindersJob];

/** Noon UTC on a day (every shop here is in UTC unless a test says otherwise). */
const at = (day: string) => new Date(`${day}T12:00:00Z`);

function setDay(day: string) {
  vi.setSystemTime(at(day));
}

async function runJobs(day: string, owner = "test") {
  setDay(day);
  return runDueJobs({ now: at(day), owner, jobs: JOBS });
}

async function earn(customer: ReturnType<typeof customerPayload>, price: string, shop = SHOP) {
  const order = paidOrderPayload({ customer, lines: [{ title: "Tea", price, quantity: 2 }] });
  await deliver("orders/paid", order, { shop });
  return order;
}

async function expiryEntries(customerGid: string, shop = SHOP) {
  return (await entriesOf(shop, customerGid)).filter((entry) => entry.kind === "expiry");
}

async function notices(shop = SHOP) {
  const rows = await db.notification.findMany({ where: { shop: { domain: shop } }, orderBy: { createdAt: "asc" } });
  return rows.map((row) => ({ key: row.idempotencyKey, kind: row.kind, payload: JSON.parse(row.payload) as Record<string, unknown> }));
}

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ["Date"], shouldAdvanceTime: true });
  setDay("2026-01-10");
  await resetDatabase(db);
  await installShop(SHOP);
  await installShop(OTHER);
});

afterEach(() => {
  vi.useRealTimers();
});

describe("inactivity mode", () => {
  it("expires the whole balance N months after the last activity; reminders 30 and 3 days before; reruns do nothing", async () => {
    await updateExpirySettings(SHOP, { mode: "inactivity", months: 3, reminderDays: [30, 3] }, "staff-1", at("2026-01-10"));
    const customer = customerPayload();
    const gid = `gid://shopify/Customer/${customer.id}`;
    const first = await earn(customer, "50.00"); // 100 points on 2026-01-10
    expect(await memberOf(SHOP, gid)).toMatchObject({ balance: 100, pointsExpireOn: "2026-04-10" });
    expect((await memberOf(SHOP, gid))?.lastActivityAt?.toISOString()).toMatch(/^2026-01-10T12:00/);

    setDay("2026-02-15");
    await earn(customer, "25.00"); // +50: activity moves the day
    expect(await memberOf(SHOP, gid)).toMatchObject({ balance: 150, pointsExpireOn: "2026-05-15" });
    setDay("2026-03-01");
    await deliver("refunds/create", refundPayload(first, { lines: [{ lineIndex: 0, quantity: 1 }] }), { shop: SHOP });
    // A reversal is not activity: the day stays.
    expect(await memberOf(SHOP, gid)).toMatchObject({ balance: 100, pointsExpireOn: "2026-05-15" });
    expect((await memberOf(SHOP, gid))?.lastActivityAt?.toISOString()).toMatch(/^2026-02-15T12:00/);

    await runJobs("2026-04-10");
    expect(await expiryEntries(gid)).toEqual([]);
    expect(await notices()).toEqual([]);

    // Five days later: the days in between are caught up in order; the 30-day reminder is due on 04-15.
    const catchUp = await runJobs("2026-04-15");
    expect(catchUp.filter((r) => r.job === "expiry-sweep").map((r) => r.day)).toEqual(
      expect.arrayContaining(["2026-04-11", "2026-04-12", "2026-04-13", "2026-04-14", "2026-04-15"]),
    );
    const member = await memberOf(SHOP, gid);
    expect(await notices()).toEqual([
      {
        key: `expiry-reminder:${member?.id}:2026-05-15:30`,
        kind: "points_expiring",
        payload: expect.objectContaining({
          trigger: "keepsake/points-expiring",
          shop: SHOP,
          customer_id: String(customer.id),
          customer_gid: gid,
          points: 100,
          expires_on: "2026-05-15",
          days_before: 30,
          days_left: 30,
        }),
      },
    ]);

    await runJobs("2026-05-13");
    expect((await notices()).map((n) => n.key)).toEqual([
      `expiry-reminder:${member?.id}:2026-05-15:30`,
      `expiry-reminder:${member?.id}:2026-05-15:3`,
    ]);
    expect(await expiryEntries(gid)).toEqual([]);

    // Spendable through 05-14; the sweep of 05-15 takes it.
    await runJobs("2026-05-14");
    expect((await memberOf(SHOP, gid))?.balance).toBe(100);
    await runJobs("2026-05-15");
    expect(await expiryEntries(gid)).toMatchObject([{ delta: -100, idempotencyKey: `expire:${member?.id}:2026-05-15`, expiresEntryId: null }]);
    expect(await memberOf(SHOP, gid)).toMatchObject({ balance: 0, pointsExpireOn: null });
    expect((await findBalanceMismatches(db)).mismatches).toEqual([]);
    // The storefront balance sync (queued by the earnings) now carries 0, as a newer version.
    const sync = await db.shopifyOutbox.findFirstOrThrow({ where: { key: `balance:${member?.id}` } });
    expect(sync).toMatchObject({ status: "pending", tries: 0 });
    expect(sync.version).toBeGreaterThan(0);
    expect(JSON.parse(sync.payload)).toEqual({ customerGid: gid, balance: 0 });

    // A rerun of the same day (another pass, another instance) does nothing.
    const rerun = await runJobs("2026-05-15", "another-instance");
    expect(rerun.filter((r) => r.outcome === "ran")).toEqual([]);
    expect(await expiryEntries(gid)).toHaveLength(1);
    expect(await notices()).toHaveLength(2);
    expect(await db.jobRun.count({ where: { shop: { domain: SHOP }, status: { not: "done" } } })).toBe(0);
  });
});

describe("per-earning mode", () => {
  it("expires each lot N months after it was earned, oldest first after debits, once", async () => {
    await updateExpirySettings(SHOP, { mode: "per_earning", months: 2, reminderDays: [30, 3] }, null, at("2026-01-10"));
    const customer = customerPayload();
    const gid = `gid://shopify/Customer/${customer.id}`;
    const first = await earn(customer, "50.00"); // lot 1: 100 points, expires 2026-03-10
    setDay("2026-02-01");
    await earn(customer, "25.00"); // lot 2: 50 points, expires 2026-04-01
    setDay("2026-02-05");
    await deliver("refunds/create", refundPayload(first, { lines: [{ lineIndex: 0, quantity: 1 }] }), { shop: SHOP }); // −50 from lot 1
    const credits = (await entriesOf(SHOP, gid)).filter((entry) => entry.delta > 0);
    expect(credits.map((entry) => entry.expiresOn)).toEqual(["2026-03-10", "2026-04-01"]);
    const member = await memberOf(SHOP, gid);
    expect(member).toMatchObject({ balance: 100, pointsExpireOn: "2026-03-10" });

    await runJobs("2026-03-09");
    expect(await expiryEntries(gid)).toEqual([]);
    await runJobs("2026-03-10");
    expect(await expiryEntries(gid)).toMatchObject([
      { delta: -50, idempotencyKey: `expire:${member?.id}:${credits[0]?.id}`, expiresEntryId: credits[0]?.id },
    ]);
    expect(await memberOf(SHOP, gid)).toMatchObject({ balance: 50, pointsExpireOn: "2026-04-01" });
    // The member sees the next lot.
    const view = await (await proxyGet({ shop: SHOP, loggedInCustomerId: String(customer.id) })).json();
    expect(view.expiry).toEqual({ points: 50, expiresOn: "2026-04-01" });

    // Missed days: the sweep of 04-03 catches up 04-01 and expires lot 2 exactly once.
    await runJobs("2026-04-03");
    expect((await expiryEntries(gid)).map((entry) => [entry.delta, entry.expiresEntryId])).toEqual([
      [-50, credits[0]?.id],
      [-50, credits[1]?.id],
    ]);
    expect(await memberOf(SHOP, gid)).toMatchObject({ balance: 0, pointsExpireOn: null });
    expect((await findBalanceMismatches(db)).mismatches).toEqual([]);
    const reminders = (await notices()).map((n) => n.key);
    // First run on 03-09: lot 1's 30-day reminder (02-08) was missed → only its 3-day one; lot 2 is
    // 23 days away → its 30-day one, late; then its 3-day one on 03-29 (caught up on 04-03).
    expect(reminders).toEqual([
      `expiry-reminder:${member?.id}:2026-03-10:3`,
      `expiry-reminder:${member?.id}:2026-04-01:30`,
      `expiry-reminder:${member?.id}:2026-04-01:3`,
    ]);
  });
});

describe("notice period", () => {
  it("enabling expiry never expires points before enabledOn + notice; missed reminders are sent late", async () => {
    const customer = customerPayload();
    const gid = `gid://shopify/Customer/${customer.id}`;
    setDay("2025-01-05");
    await earn(customer, "50.00"); // earned a year before expiry is turned on
    const other = customerPayload();
    await earn(other, "10.00", OTHER); // another shop, expiry off
    setDay("2026-01-10");
    const saved = await updateExpirySettings(SHOP, { mode: "inactivity", months: 3, reminderDays: [30, 3] }, null, at("2026-01-10"));
    expect(saved).toMatchObject({ mode: "inactivity", enabledOn: "2026-01-10", earliestExpiry: "2026-02-09" });
    const member = await memberOf(SHOP, gid);
    expect(member?.pointsExpireOn).toBe("2026-02-09");

    // First run two weeks in: the 30-day reminder (due 01-10) is sent late, once.
    await runJobs("2026-01-25");
    expect((await notices()).map((n) => [n.key, n.payload.days_left])).toEqual([
      [`expiry-reminder:${member?.id}:2026-02-09:30`, 15],
    ]);
    await runJobs("2026-02-08");
    expect(await expiryEntries(gid)).toEqual([]);
    expect((await notices()).map((n) => n.key)).toEqual([
      `expiry-reminder:${member?.id}:2026-02-09:30`,
      `expiry-reminder:${member?.id}:2026-02-09:3`,
    ]);
    await runJobs("2026-02-09");
    expect(await expiryEntries(gid)).toMatchObject([{ delta: -100, idempotencyKey: `expire:${member?.id}:2026-02-09` }]);

    // The other shop (expiry off) is untouched: its jobs ran and wrote nothing.
    const otherMember = await memberOf(OTHER, `gid://shopify/Customer/${other.id}`);
    expect(otherMember).toMatchObject({ balance: 20, pointsExpireOn: null });
    expect(await notices(OTHER)).toEqual([]);
    expect(await db.ledgerEntry.count({ where: { shop: { domain: OTHER }, kind: "expiry" } })).toBe(0);
    expect(await db.jobRun.count({ where: { shop: { domain: OTHER }, status: "done", written: { gt: 0 } } })).toBe(0);
  });

  it("shrinking the months restarts the notice period; growing them keeps it", async () => {
    const first = await updateExpirySettings(SHOP, { mode: "per_earning", months: 12, reminderDays: [30, 3] }, null, at("2026-01-10"));
    expect(first.enabledOn).toBe("2026-01-10");
    const grown = await updateExpirySettings(SHOP, { mode: "per_earning", months: 18, reminderDays: [60] }, null, at("2026-03-01"));
    expect(grown).toMatchObject({ enabledOn: "2026-01-10", earliestExpiry: "2026-03-11" }); // notice = 60 days
    const shrunk = await updateExpirySettings(SHOP, { mode: "per_earning", months: 6, reminderDays: [30, 3] }, null, at("2026-04-02"));
    expect(shrunk).toMatchObject({ enabledOn: "2026-04-02", earliestExpiry: "2026-05-02" });
    const off = await updateExpirySettings(SHOP, { mode: "off", months: 6, reminderDays: [30, 3] }, null, at("2026-05-01"));
    expect(off).toMatchObject({ mode: "off", earliestExpiry: null });
    const again = await updateExpirySettings(SHOP, { mode: "per_earning", months: 6, reminderDays: [30, 3] }, null, at("2026-06-01"));
    expect(again.enabledOn).toBe("2026-06-01");
    expect(await db.auditLog.count({ where: { shop: { domain: SHOP }, action: "expiry.update" } })).toBe(5);
  });
});

describe("member response", () => {
  it("says how many points expire on which day, and null when expiry is off", async () => {
    const customer = customerPayload();
    await earn(customer, "50.00");
    const off = await (await proxyGet({ shop: SHOP, loggedInCustomerId: String(customer.id) })).json();
    expect(off.expiry).toBeNull();
    await updateExpirySettings(SHOP, { mode: "inactivity", months: 12, reminderDays: [30, 3] }, null, at("2026-01-10"));
    const on = await (await proxyGet({ shop: SHOP, loggedInCustomerId: String(customer.id) })).json();
    expect(on.expiry).toEqual({ points: 100, expiresOn: "2027-01-10" });
  });
});
