import { describe, expect, it } from "vitest";
import {
  addDays,
  addMonths,
  businessDay,
  businessDaysToRun,
  daysBetween,
  InvalidLocalDateError,
  isLocalDate,
  isLocalDateTime,
  isValidTimeZone,
  jobRunKey,
  localDateOf,
  localDateTimeOf,
  periodKey,
  periodWindow,
  startOfLocalDay,
  timeZoneOffsetMs,
  zonedTimeToInstant,
} from "~/loyalty/schedule";

const NY = "America/New_York";
const SEOUL = "Asia/Seoul";
const HOUR = 3_600_000;

describe("business day", () => {
  it("is the shop-local date of the instant", () => {
    const now = new Date("2026-11-23T01:30:00Z");
    expect(businessDay(now, NY)).toBe("2026-11-22");
    expect(businessDay(now, SEOUL)).toBe("2026-11-23");
    expect(businessDay(now, "UTC")).toBe("2026-11-23");
    expect(businessDay(new Date("2026-11-22T14:59:59Z"), SEOUL)).toBe("2026-11-22");
    expect(businessDay(new Date("2026-11-22T15:00:00Z"), SEOUL)).toBe("2026-11-23");
  });

  it("follows DST in New York (EST −5 h, EDT −4 h)", () => {
    // Spring forward, Sunday 2026-03-08 02:00 EST → 03:00 EDT.
    expect(businessDay(new Date("2026-03-08T04:59:00Z"), NY)).toBe("2026-03-07");
    expect(businessDay(new Date("2026-03-08T05:00:00Z"), NY)).toBe("2026-03-08");
    expect(timeZoneOffsetMs(new Date("2026-03-08T06:59:00Z"), NY)).toBe(-5 * HOUR);
    expect(timeZoneOffsetMs(new Date("2026-03-08T07:00:00Z"), NY)).toBe(-4 * HOUR);
    // In summer, midnight is 04:00Z.
    expect(businessDay(new Date("2026-07-01T03:59:59Z"), NY)).toBe("2026-06-30");
    expect(businessDay(new Date("2026-07-01T04:00:00Z"), NY)).toBe("2026-07-01");
    expect(localDateTimeOf(new Date("2026-11-01T05:30:00Z"), NY)).toBe("2026-11-01T01:30:00");
    expect(localDateTimeOf(new Date("2026-11-01T06:30:00Z"), NY)).toBe("2026-11-01T01:30:00");
  });

  it("Seoul has no DST: always +9 h", () => {
    expect(timeZoneOffsetMs(new Date("2026-01-15T00:00:00Z"), SEOUL)).toBe(9 * HOUR);
    expect(timeZoneOffsetMs(new Date("2026-07-15T00:00:00Z"), SEOUL)).toBe(9 * HOUR);
  });

  it("validates time zones", () => {
    expect(isValidTimeZone(NY)).toBe(true);
    expect(isValidTimeZone("Mars/Olympus_Mons")).toBe(false);
  });
});

describe("wall-clock time → instant", () => {
  it("converts ordinary times in both zones", () => {
    expect(zonedTimeToInstant("2026-11-23T00:00", SEOUL).toISOString()).toBe("2026-11-22T15:00:00.000Z");
    expect(zonedTimeToInstant("2026-01-10T09:15:30", NY).toISOString()).toBe("2026-01-10T14:15:30.000Z");
    expect(zonedTimeToInstant("2026-07-10T09:15", NY).toISOString()).toBe("2026-07-10T13:15:00.000Z");
  });

  it("moves a skipped time forward by the gap (spring forward)", () => {
    expect(zonedTimeToInstant("2026-03-08T02:30", NY).toISOString()).toBe("2026-03-08T07:30:00.000Z");
    expect(localDateTimeOf(zonedTimeToInstant("2026-03-08T02:30", NY), NY)).toBe("2026-03-08T03:30:00");
    expect(zonedTimeToInstant("2026-03-08T03:00", NY).toISOString()).toBe("2026-03-08T07:00:00.000Z");
  });

  it("takes the first of a repeated time (fall back)", () => {
    expect(zonedTimeToInstant("2026-11-01T01:30", NY).toISOString()).toBe("2026-11-01T05:30:00.000Z");
    expect(zonedTimeToInstant("2026-11-01T02:00", NY).toISOString()).toBe("2026-11-01T07:00:00.000Z");
  });

  it("a DST day is 23 or 25 hours long", () => {
    const length = (day: string) =>
      startOfLocalDay(addDays(day, 1), NY).getTime() - startOfLocalDay(day, NY).getTime();
    expect(length("2026-03-08")).toBe(23 * HOUR);
    expect(length("2026-11-01")).toBe(25 * HOUR);
    expect(length("2026-11-02")).toBe(24 * HOUR);
    expect(startOfLocalDay("2026-03-08", SEOUL).toISOString()).toBe("2026-03-07T15:00:00.000Z");
  });

  it("round-trips every hour of a DST week", () => {
    for (let t = Date.parse("2026-10-29T00:00:00Z"); t < Date.parse("2026-11-04T00:00:00Z"); t += HOUR) {
      const instant = new Date(t);
      const local = localDateTimeOf(instant, NY);
      const back = zonedTimeToInstant(local, NY);
      // The repeated hour maps to its first occurrence; everything else is exact.
      expect(t - back.getTime() === 0 || (local.startsWith("2026-11-01T01:") && t - back.getTime() === HOUR)).toBe(true);
    }
  });

  it("rejects malformed and impossible dates", () => {
    expect(() => zonedTimeToInstant("2026-02-30T10:00", NY)).toThrow(InvalidLocalDateError);
    expect(() => zonedTimeToInstant("2026-11-23 10:00", NY)).toThrow(InvalidLocalDateError);
    expect(() => startOfLocalDay("2026-13-01", NY)).toThrow(InvalidLocalDateError);
    expect(isLocalDate("2028-02-29")).toBe(true);
    expect(isLocalDate("2026-02-29")).toBe(false);
    expect(isLocalDateTime("2026-11-23T24:00")).toBe(false);
    expect(isLocalDateTime("2026-11-23T23:59:59")).toBe(true);
  });
});

describe("calendar arithmetic", () => {
  it("clamps month ends", () => {
    expect(addMonths("2026-01-31", 1)).toBe("2026-02-28");
    expect(addMonths("2028-01-31", 1)).toBe("2028-02-29");
    expect(addMonths("2026-03-31", -1)).toBe("2026-02-28");
    expect(addMonths("2028-02-29", 12)).toBe("2029-02-28");
    expect(addMonths("2026-08-31", 6)).toBe("2027-02-28");
    expect(addMonths("2026-01-15", 1)).toBe("2026-02-15");
    expect(addMonths("2026-11-30", 3)).toBe("2027-02-28");
    expect(addMonths("2026-12-31", -12)).toBe("2025-12-31");
    expect(addMonths("2026-01-31", -2)).toBe("2025-11-30");
  });

  it("adds days across month, year and leap day", () => {
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(addDays("2026-02-28", 1)).toBe("2026-03-01");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2026-01-01", -1)).toBe("2025-12-31");
    expect(daysBetween("2028-01-01", "2029-01-01")).toBe(366);
    expect(daysBetween("2026-03-08", "2026-03-09")).toBe(1); // a 23-hour day is still one day
    expect(daysBetween("2026-11-23", "2026-11-20")).toBe(-3);
  });

  it("knows the Gregorian leap years and refuses days that do not exist, however often asked", () => {
    expect(addMonths("2000-01-31", 1)).toBe("2000-02-29"); // divisible by 400
    expect(addMonths("2100-01-31", 1)).toBe("2100-02-28"); // divisible by 100 only
    expect(addMonths("2024-01-31", 1)).toBe("2024-02-29");
    expect(addMonths("2026-03-31", 1)).toBe("2026-04-30");
    expect(addDays("2100-02-28", 1)).toBe("2100-03-01");
    for (let round = 0; round < 3; round++) {
      // Days remembered after a first use must not let a bad one through on a later call.
      expect(addDays("2024-02-29", 0)).toBe("2024-02-29");
      expect(() => addDays("2100-02-29", 0)).toThrow(InvalidLocalDateError);
      expect(() => addDays("2026-02-30", 1)).toThrow(InvalidLocalDateError);
      expect(() => addDays("2026-04-31", 1)).toThrow(InvalidLocalDateError);
      expect(() => daysBetween("2026-13-01", "2026-01-01")).toThrow(InvalidLocalDateError);
    }
  });
});

describe("period windows and keys", () => {
  it("computes each period's window", () => {
    expect(periodWindow("day", "2026-11-23")).toEqual({ start: "2026-11-23", end: "2026-11-23" });
    expect(periodWindow("calendar_year", "2026-11-23")).toEqual({ start: "2026-01-01", end: "2026-12-31" });
    expect(periodWindow("rolling_12_months", "2026-11-23")).toEqual({ start: "2025-11-24", end: "2026-11-23" });
    expect(periodWindow("rolling_12_months", "2028-02-29")).toEqual({ start: "2027-03-01", end: "2028-02-29" });
    expect(periodWindow("rolling_12_months", "2027-02-28")).toEqual({ start: "2026-03-01", end: "2027-02-28" });
    expect(periodWindow("lifetime", "2026-11-23")).toEqual({ start: null, end: "2026-11-23" });
  });

  it("gives stable keys", () => {
    expect(periodKey("day", "2026-11-23")).toBe("2026-11-23");
    expect(periodKey("calendar_year", "2026-11-23")).toBe("2026");
    expect(periodKey("rolling_12_months", "2026-11-23")).toBe("2025-11-24..2026-11-23");
    expect(periodKey("lifetime", "2026-11-23")).toBe("lifetime..2026-11-23");
  });

  it("a job's key is the same all business day and changes at local midnight", () => {
    const key = (iso: string, zone: string) => jobRunKey("expiry-sweep", "shop_1", "day", new Date(iso), zone);
    expect(key("2026-11-22T15:00:00Z", SEOUL)).toBe("expiry-sweep:shop_1:2026-11-23");
    expect(key("2026-11-23T14:59:59Z", SEOUL)).toBe("expiry-sweep:shop_1:2026-11-23");
    expect(key("2026-11-23T15:00:00Z", SEOUL)).toBe("expiry-sweep:shop_1:2026-11-24");
    // The 25-hour fall-back day in New York is one business day.
    expect(key("2026-11-01T04:00:00Z", NY)).toBe("expiry-sweep:shop_1:2026-11-01");
    expect(key("2026-11-02T04:59:59Z", NY)).toBe("expiry-sweep:shop_1:2026-11-01");
    expect(key("2026-11-02T05:00:00Z", NY)).toBe("expiry-sweep:shop_1:2026-11-02");
    expect(jobRunKey("tier-review", "s", "calendar_year", new Date("2026-12-31T23:00:00Z"), SEOUL)).toBe("tier-review:s:2027");
    expect(() => jobRunKey("Expiry Sweep", "s", "day", new Date(), SEOUL)).toThrow(RangeError);
  });

  it("lists the business days a job still owes", () => {
    const now = new Date("2026-11-23T12:00:00Z");
    expect(businessDaysToRun(null, now, SEOUL)).toEqual(["2026-11-23"]);
    expect(businessDaysToRun("2026-11-23", now, SEOUL)).toEqual([]);
    expect(businessDaysToRun("2026-11-20", now, SEOUL)).toEqual(["2026-11-21", "2026-11-22", "2026-11-23"]);
    expect(businessDaysToRun("2026-11-20", now, SEOUL, 2)).toEqual(["2026-11-22", "2026-11-23"]);
    expect(businessDaysToRun("2026-11-23", now, NY)).toEqual([]); // still the 23rd in New York
  });
});

describe("fast local dates", () => {
  const zones = [NY, SEOUL, "Europe/London", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe", "Pacific/Chatham"];
  const slowDate = (instant: Date, zone: string) => localDateTimeOf(instant, zone).slice(0, 10);

  it("agree with Intl over a whole year in zones with odd offsets and half-hour DST", () => {
    const mismatches: string[] = [];
    for (const zone of zones) {
      for (let t = Date.parse("2026-01-01T00:00:00Z"); t < Date.parse("2027-01-01T00:00:00Z"); t += 193 * 60_000) {
        const instant = new Date(t + 17_000);
        if (localDateOf(instant, zone) !== slowDate(instant, zone)) mismatches.push(`${zone} ${instant.toISOString()}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it("agree minute by minute around DST transitions", () => {
    const windows: Array<[string, string]> = [
      [NY, "2026-03-08T07:00:00Z"],
      [NY, "2026-11-01T06:00:00Z"],
      ["Australia/Lord_Howe", "2026-04-04T15:00:00Z"],
      ["Australia/Lord_Howe", "2026-10-03T15:30:00Z"],
      ["Europe/London", "2026-03-29T01:00:00Z"],
    ];
    const mismatches: string[] = [];
    for (const [zone, iso] of windows) {
      const center = Date.parse(iso);
      for (let t = center - 4 * HOUR; t <= center + 4 * HOUR; t += 60_000) {
        for (const instant of [new Date(t), new Date(t - 1)]) {
          if (localDateOf(instant, zone) !== slowDate(instant, zone)) mismatches.push(`${zone} ${instant.toISOString()}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(localDateOf(new Date("2026-11-23T10:14:59.999Z"), "Asia/Kathmandu")).toBe("2026-11-23");
    expect(localDateOf(new Date("2026-11-23T18:14:59.999Z"), "Asia/Kathmandu")).toBe("2026-11-23");
    expect(localDateOf(new Date("2026-11-23T18:15:00Z"), "Asia/Kathmandu")).toBe("2026-11-24");
    expect(() => localDateOf(new Date(Number.NaN), NY)).toThrow(RangeError);
  });
});

it("localDateOf agrees with businessDay", () => {
  const now = new Date("2028-02-29T23:30:00Z");
  expect(localDateOf(now, SEOUL)).toBe("2028-03-01");
  expect(localDateOf(now, NY)).toBe("2028-02-29");
});
