import { describe, expect, it } from "vitest";
import {
  dueExpiries,
  dueReminders,
  earliestExpiryDay,
  expirySchedule,
  ExpirySettingsSchema,
  memberExpiryNotice,
  noticeDays,
  remainingLots,
  upcomingExpiries,
  type ExpiryLedgerEntry,
  type ExpirySettings,
  type ExpirySettingsInput,
  type LedgerKind,
} from "~/loyalty/expiry";
import { startOfLocalDay } from "~/loyalty/schedule";

const NY = "America/New_York";
const SEOUL = "Asia/Seoul";

function settings(overrides: Partial<ExpirySettingsInput> = {}): ExpirySettings {
  return ExpirySettingsSchema.parse({ mode: "per_earning", months: 12, enabledOn: "2020-01-01", ...overrides });
}

let counter = 0;
/** An entry at noon shop-local time (New York unless told). */
function entry(kind: LedgerKind, day: string, delta: number, extra: Partial<ExpiryLedgerEntry> = {}, zone = NY): ExpiryLedgerEntry {
  counter += 1;
  return { id: `e${counter}`, at: new Date(startOfLocalDay(day, zone).getTime() + 12 * 3_600_000), kind, delta, ...extra };
}

const ctx = (today: string, timeZone = NY) => ({ memberId: "m1", today, timeZone });

describe("settings", () => {
  it("defaults reminders to 30 and 3 days and a 30-day notice", () => {
    const s = settings();
    expect(s.reminderDays).toEqual([30, 3]);
    expect(noticeDays(s)).toBe(30);
    expect(noticeDays(settings({ reminderDays: [60, 7] }))).toBe(60);
    expect(noticeDays(settings({ reminderDays: [] }))).toBe(30);
    expect(earliestExpiryDay(settings({ enabledOn: "2026-11-23" }))).toBe("2026-12-23");
  });

  it("validates", () => {
    expect(ExpirySettingsSchema.safeParse({ mode: "per_earning", months: 0, enabledOn: "2026-01-01" }).success).toBe(false);
    expect(ExpirySettingsSchema.safeParse({ mode: "per_earning", months: 12, enabledOn: "2026-02-30" }).success).toBe(false);
    expect(ExpirySettingsSchema.safeParse({ mode: "weekly", months: 12, enabledOn: "2026-01-01" }).success).toBe(false);
    expect(
      ExpirySettingsSchema.safeParse({ mode: "inactivity", months: 12, enabledOn: "2026-01-01", reminderDays: [3, 3] }).success,
    ).toBe(false);
  });
});

describe("mode off", () => {
  it("never expires anything", () => {
    const entries = [entry("earn", "2020-01-05", 100)];
    expect(dueExpiries(entries, settings({ mode: "off" }), ctx("2030-01-01"))).toEqual([]);
    expect(memberExpiryNotice(entries, settings({ mode: "off" }), ctx("2030-01-01"))).toBeNull();
  });
});

describe("per-earning expiry (FIFO)", () => {
  it("each earning expires N months after its shop-local day", () => {
    const entries = [entry("earn", "2025-03-10", 100, { id: "a" }), entry("earn", "2025-06-01", 50, { id: "b" })];
    const s = settings();
    expect(dueExpiries(entries, s, ctx("2026-03-09"))).toEqual([]);
    expect(dueExpiries(entries, s, ctx("2026-03-10"))).toEqual([
      { points: 100, expiresOn: "2026-03-10", idempotencyKey: "expire:m1:a", lotEntryId: "a" },
    ]);
    // A sweep that missed days catches up with the same keys, oldest first.
    expect(dueExpiries(entries, s, ctx("2026-07-01")).map((lot) => lot.idempotencyKey)).toEqual(["expire:m1:a", "expire:m1:b"]);
  });

  it("uses the shop-local day of the earning", () => {
    // 2025-03-10T03:00Z is Mar 9 in New York and Mar 10 in Seoul.
    const late = [{ id: "x", at: new Date("2025-03-10T03:00:00Z"), kind: "earn" as const, delta: 10 }];
    expect(expirySchedule(late, settings(), { memberId: "m1", timeZone: NY })[0]?.expiresOn).toBe("2026-03-09");
    expect(expirySchedule(late, settings(), { memberId: "m1", timeZone: SEOUL })[0]?.expiresOn).toBe("2026-03-10");
  });

  it("DST days: an earning just after local midnight belongs to that day", () => {
    // 00:30 EST on 2026-03-08 (the spring-forward day) and 00:30 EDT on 2026-11-01 (fall back).
    const spring = { id: "s", at: new Date("2026-03-08T05:30:00Z"), kind: "earn" as const, delta: 1 };
    const fall = { id: "f", at: new Date("2026-11-01T04:30:00Z"), kind: "earn" as const, delta: 1 };
    const lots = expirySchedule([spring, fall], settings({ months: 1 }), { memberId: "m1", timeZone: NY });
    expect(lots.map((lot) => lot.expiresOn)).toEqual(["2026-04-08", "2026-12-01"]);
    const seoul = expirySchedule([spring, fall], settings({ months: 1 }), { memberId: "m1", timeZone: SEOUL });
    expect(seoul.map((lot) => lot.expiresOn)).toEqual(["2026-04-08", "2026-12-01"]);
    const utcEvening = { id: "u", at: new Date("2026-03-07T16:00:00Z"), kind: "earn" as const, delta: 1 };
    expect(expirySchedule([utcEvening], settings({ months: 1 }), { memberId: "m1", timeZone: SEOUL })[0]?.expiresOn).toBe("2026-04-08");
    expect(expirySchedule([utcEvening], settings({ months: 1 }), { memberId: "m1", timeZone: NY })[0]?.expiresOn).toBe("2026-04-07");
  });

  it("debits consume the oldest earnings first, partially", () => {
    const entries = [
      entry("earn", "2025-01-15", 100, { id: "a" }),
      entry("earn", "2025-02-15", 100, { id: "b" }),
      entry("redeem", "2025-03-01", -130),
      entry("earn", "2025-04-15", 40, { id: "c" }),
      entry("reversal", "2025-05-01", -20),
    ];
    expect(remainingLots(entries).map((lot) => [lot.id, lot.remaining])).toEqual([
      ["b", 50],
      ["c", 40],
    ]);
    expect(dueExpiries(entries, settings(), ctx("2026-01-15"))).toEqual([]); // a was fully spent
    expect(dueExpiries(entries, settings(), ctx("2026-02-15"))).toEqual([
      { points: 50, expiresOn: "2026-02-15", idempotencyKey: "expire:m1:b", lotEntryId: "b" },
    ]);
  });

  it("a written expiry entry consumes its lot, so rerunning expires nothing more", () => {
    const entries = [
      entry("earn", "2025-01-15", 100, { id: "a" }),
      entry("earn", "2025-02-15", 80, { id: "b" }),
      entry("redeem", "2025-03-01", -30),
    ];
    const due = dueExpiries(entries, settings(), ctx("2026-01-15"));
    expect(due).toEqual([{ points: 70, expiresOn: "2026-01-15", idempotencyKey: "expire:m1:a", lotEntryId: "a" }]);
    const after = [...entries, entry("expiry", "2026-01-15", -70, { expiresEntryId: "a" })];
    expect(dueExpiries(after, settings(), ctx("2026-01-15"))).toEqual([]);
    expect(remainingLots(after).map((lot) => [lot.id, lot.remaining])).toEqual([["b", 80]]);
  });

  it("an expiry entry for a lot that a later debit already touched takes the rest FIFO", () => {
    const entries = [
      entry("earn", "2025-01-15", 10, { id: "a" }),
      entry("earn", "2025-01-16", 10, { id: "b" }),
      entry("expiry", "2026-01-16", -15, { expiresEntryId: "b" }),
    ];
    expect(remainingLots(entries).map((lot) => [lot.id, lot.remaining])).toEqual([["a", 5]]);
  });

  it("a debit beyond every lot is paid by the next credit", () => {
    const entries = [entry("earn", "2025-01-15", 10, { id: "a" }), entry("reversal", "2025-01-20", -15), entry("earn", "2025-02-01", 20, { id: "b" })];
    expect(remainingLots(entries).map((lot) => [lot.id, lot.remaining])).toEqual([["b", 15]]);
    const total = dueExpiries(entries, settings(), ctx("2027-01-01")).reduce((sum, lot) => sum + lot.points, 0);
    expect(total).toBe(entries.reduce((sum, e) => sum + e.delta, 0)); // never more than the balance
  });

  it("month ends clamp: Jan 31 + 1 month = Feb 28, or Feb 29 in a leap year", () => {
    const s = settings({ months: 1 });
    expect(expirySchedule([entry("earn", "2026-01-31", 5)], s, { memberId: "m1", timeZone: NY })[0]?.expiresOn).toBe("2026-02-28");
    expect(expirySchedule([entry("earn", "2028-01-31", 5)], s, { memberId: "m1", timeZone: NY })[0]?.expiresOn).toBe("2028-02-29");
    const yearly = settings({ months: 12 });
    expect(expirySchedule([entry("earn", "2028-02-29", 5)], yearly, { memberId: "m1", timeZone: NY })[0]?.expiresOn).toBe("2029-02-28");
  });

  it("many small earnings and debits: only the newest remain", () => {
    const entries: ExpiryLedgerEntry[] = [];
    for (let i = 0; i < 5_000; i += 1) {
      entries.push({ id: `l${i}`, at: new Date(Date.UTC(2025, 0, 1) + i * 3_600_000), kind: "earn", delta: 2 });
      entries.push({ id: `d${i}`, at: new Date(Date.UTC(2025, 0, 1) + i * 3_600_000 + 1), kind: "redeem", delta: -1 });
    }
    entries.push({ id: "big", at: new Date(Date.UTC(2026, 0, 1)), kind: "redeem", delta: -4_990 });
    expect(remainingLots(entries).map((lot) => [lot.id, lot.remaining])).toEqual([
      ["l4995", 2],
      ["l4996", 2],
      ["l4997", 2],
      ["l4998", 2],
      ["l4999", 2],
    ]);
  });

  it("rejects fractional deltas", () => {
    expect(() => remainingLots([entry("earn", "2025-01-01", 1.5)])).toThrow(RangeError);
  });
});

describe("inactivity expiry", () => {
  const s = settings({ mode: "inactivity", months: 6 });

  it("expires the whole balance N months after the last earn or redeem", () => {
    const entries = [entry("earn", "2025-01-10", 100), entry("redeem", "2025-03-31", -40), entry("reversal", "2025-05-01", -10)];
    // The reversal is not activity: the clock runs from Mar 31 → Sep 30 (clamped).
    expect(dueExpiries(entries, s, ctx("2025-09-29"))).toEqual([]);
    expect(dueExpiries(entries, s, ctx("2025-09-30"))).toEqual([
      { points: 50, expiresOn: "2025-09-30", idempotencyKey: "expire:m1:2025-09-30", lotEntryId: null },
    ]);
    // Catching up later keeps the key of the expiry day, not the run day.
    expect(dueExpiries(entries, s, ctx("2025-10-05"))[0]?.idempotencyKey).toBe("expire:m1:2025-09-30");
  });

  it("any earn or redeem resets the clock", () => {
    const entries = [entry("earn", "2025-01-10", 100), entry("earn", "2025-09-01", 5)];
    expect(dueExpiries(entries, s, ctx("2025-07-10"))).toEqual([]);
    expect(memberExpiryNotice(entries, s, ctx("2025-09-02"))).toEqual({ points: 105, expiresOn: "2026-03-01" });
  });

  it("without any activity, the clock runs from the latest entry", () => {
    const entries = [entry("reversal", "2025-02-10", 30), entry("reversal", "2025-01-10", 10)];
    expect(memberExpiryNotice(entries, s, ctx("2025-03-01"))).toEqual({ points: 40, expiresOn: "2025-08-10" });
  });

  it("once expired (balance 0), nothing more is due", () => {
    const entries = [entry("earn", "2025-01-10", 100), entry("expiry", "2025-07-10", -100)];
    expect(dueExpiries(entries, s, ctx("2025-12-31"))).toEqual([]);
    // A later staff adjustment starts a new clock with a new key.
    const adjusted = [...entries, entry("adjustment", "2025-08-01", 20)];
    expect(dueExpiries(adjusted, s, ctx("2026-02-01"))).toEqual([
      { points: 20, expiresOn: "2026-02-01", idempotencyKey: "expire:m1:2026-02-01", lotEntryId: null },
    ]);
  });
});

describe("enabling expiry: one full notice period first", () => {
  it("old points expire no earlier than enabledOn + notice, in both modes", () => {
    const old = [entry("earn", "2022-05-01", 100, { id: "old" }), entry("earn", "2026-10-01", 30, { id: "new" })];
    const perEarning = settings({ enabledOn: "2026-11-23" });
    expect(dueExpiries(old, perEarning, ctx("2026-11-23"))).toEqual([]);
    expect(dueExpiries(old, perEarning, ctx("2026-12-22"))).toEqual([]);
    expect(dueExpiries(old, perEarning, ctx("2026-12-23"))).toEqual([
      { points: 100, expiresOn: "2026-12-23", idempotencyKey: "expire:m1:old", lotEntryId: "old" },
    ]);
    const inactivity = settings({ mode: "inactivity", months: 12, enabledOn: "2026-11-23", reminderDays: [60, 7] });
    expect(expirySchedule([entry("earn", "2024-01-01", 10)], inactivity, { memberId: "m1", timeZone: NY })[0]?.expiresOn).toBe(
      "2027-01-22",
    );
  });

  it("the first reminder is never before enabling", () => {
    const old = [entry("earn", "2022-05-01", 100)];
    const s = settings({ enabledOn: "2026-11-23" });
    expect(dueReminders(old, s, ctx("2026-11-22"))).toEqual([]);
    expect(dueReminders(old, s, ctx("2026-11-23"))).toMatchObject([{ daysBefore: 30, daysLeft: 30, expiresOn: "2026-12-23" }]);
  });
});

describe("reminders", () => {
  const entries = [entry("earn", "2025-12-01", 80, { id: "a" }), entry("earn", "2025-12-20", 20, { id: "b" })];
  const s = settings();

  it("are due at the configured days before, with stable keys", () => {
    expect(dueReminders(entries, s, ctx("2026-10-31"))).toEqual([]);
    expect(dueReminders(entries, s, ctx("2026-11-01"))).toEqual([
      { expiresOn: "2026-12-01", points: 80, daysBefore: 30, daysLeft: 30, idempotencyKey: "expiry-reminder:m1:2026-12-01:30" },
    ]);
    expect(dueReminders(entries, s, ctx("2026-11-28"))).toEqual([
      { expiresOn: "2026-12-01", points: 80, daysBefore: 3, daysLeft: 3, idempotencyKey: "expiry-reminder:m1:2026-12-01:3" },
      { expiresOn: "2026-12-20", points: 20, daysBefore: 30, daysLeft: 22, idempotencyKey: "expiry-reminder:m1:2026-12-20:30" },
    ]);
  });

  it("rerunning the same day or the next gives the same key (sent once)", () => {
    const day1 = dueReminders(entries, s, ctx("2026-11-02")).map((r) => r.idempotencyKey);
    const day2 = dueReminders(entries, s, ctx("2026-11-03")).map((r) => r.idempotencyKey);
    expect(day1).toEqual(["expiry-reminder:m1:2026-12-01:30"]);
    expect(day2).toEqual(day1);
  });

  it("a job that missed both reminders sends only the latest; none on the day itself", () => {
    expect(dueReminders(entries, s, ctx("2026-11-30")).map((r) => r.idempotencyKey)).toEqual([
      "expiry-reminder:m1:2026-12-01:3",
      "expiry-reminder:m1:2026-12-20:30",
    ]);
    expect(dueReminders([entries[0] as ExpiryLedgerEntry], s, ctx("2026-12-01"))).toEqual([]);
  });

  it("configurable days", () => {
    const custom = settings({ reminderDays: [7] });
    expect(dueReminders(entries, custom, ctx("2026-11-23"))).toEqual([]);
    expect(dueReminders(entries, custom, ctx("2026-11-24"))[0]?.idempotencyKey).toBe("expiry-reminder:m1:2026-12-01:7");
  });
});

describe("member view", () => {
  it("shows the soonest expiry; amounts due today are shown as today", () => {
    const entries = [entry("earn", "2025-12-01", 80), entry("earn", "2025-12-01", 20), entry("earn", "2026-01-15", 5)];
    expect(memberExpiryNotice(entries, settings(), ctx("2026-11-23"))).toEqual({ points: 100, expiresOn: "2026-12-01" });
    expect(upcomingExpiries(entries, settings(), ctx("2026-12-05"))).toEqual([
      { expiresOn: "2026-12-05", points: 100 },
      { expiresOn: "2027-01-15", points: 5 },
    ]);
    expect(memberExpiryNotice([entry("earn", "2025-01-01", 5), entry("redeem", "2025-02-01", -5)], settings(), ctx("2025-03-01"))).toBeNull();
  });
});
