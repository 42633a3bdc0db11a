/**
 * The members list's URL query: filters parse, a bad field is dropped with its message (the rest still
 * applies), ranges must be ordered, dates are the shop's days, cursors survive a round trip and a
 * tampered one means the first page.
 */
import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor, hasFilter, memberFilter, parseMemberListQuery, queryToParams, FILTER_KEYS } from "~/loyalty/members-query";

describe("parseMemberListQuery", () => {
  it("reads every filter, sort and cursor from the URL", () => {
    const { query, errors } = parseMemberListQuery(
      new URLSearchParams("q=Ada%20Love&tier=gold&segment=at_risk&pointsMin=10&pointsMax=500&activeFrom=2026-01-01&activeTo=2026-01-31&enrolledFrom=2025-01-01&sort=balance&direction=asc&after=abc"),
    );
    expect(errors).toEqual({});
    expect(query).toEqual({
      q: "Ada Love",
      tier: "gold",
      segment: "at_risk",
      pointsMin: 10,
      pointsMax: 500,
      activeFrom: "2026-01-01",
      activeTo: "2026-01-31",
      enrolledFrom: "2025-01-01",
      sort: "balance",
      direction: "asc",
      after: "abc",
    });
    expect(hasFilter(query)).toBe(true);
  });

  it("defaults to newest members first with no filter", () => {
    const { query, errors } = parseMemberListQuery(new URLSearchParams("pointsMin=&unknown=1"));
    expect(errors).toEqual({});
    expect(query).toEqual({ q: "", sort: "joined", direction: "desc" });
    expect(hasFilter(query)).toBe(false);
  });

  it("drops only the bad fields, each with its message", () => {
    const { query, errors } = parseMemberListQuery({ segment: "vip", pointsMin: "-5", activeFrom: "2026-02-30", sort: "evil", tier: "gold" });
    expect(Object.keys(errors).sort()).toEqual(["activeFrom", "pointsMin", "segment", "sort"]);
    expect(errors.pointsMin).toMatch(/whole number/);
    expect(errors.activeFrom).toMatch(/2026-01-31/);
    expect(query).toMatchObject({ tier: "gold", sort: "joined" });
    expect(query.segment).toBeUndefined();
  });

  it("refuses a range whose end is before its start", () => {
    const points = parseMemberListQuery({ pointsMin: "500", pointsMax: "100" });
    expect(points.errors).toEqual({ pointsMax: "Must be at least the minimum" });
    expect(points.query).toMatchObject({ pointsMin: 500 });
    expect(points.query.pointsMax).toBeUndefined();
    const dates = parseMemberListQuery({ enrolledFrom: "2026-03-01", enrolledTo: "2026-02-01" });
    expect(dates.errors).toEqual({ enrolledTo: "Must be on or after the start date" });
  });

  it("turns the filter back into the same URL (defaults left out)", () => {
    const { query } = parseMemberListQuery({ segment: "loyal", pointsMin: "5", sort: "joined", direction: "desc", after: "x" });
    expect(queryToParams(query, FILTER_KEYS).toString()).toBe("segment=loyal&pointsMin=5");
    expect(queryToParams(query).toString()).toBe("segment=loyal&pointsMin=5&after=x");
  });
});

describe("memberFilter", () => {
  it("makes date filters the shop's local days (end day included) and search words lower case", () => {
    const { query } = parseMemberListQuery({ q: "ADA  Love", activeFrom: "2026-03-08", activeTo: "2026-03-08", enrolledTo: "2026-11-01" });
    const filter = memberFilter(query, "America/New_York");
    expect(filter.words).toEqual(["ada", "love"]);
    // 2026-03-08 is the DST change in New York: the day starts at 05:00Z and ends at 04:00Z next day.
    expect(filter.activeFrom?.toISOString()).toBe("2026-03-08T05:00:00.000Z");
    expect(filter.activeBefore?.toISOString()).toBe("2026-03-09T04:00:00.000Z");
    expect(filter.enrolledBefore?.toISOString()).toBe("2026-11-02T05:00:00.000Z");
    expect(filter.enrolledFrom).toBeUndefined();
  });
});

describe("cursors", () => {
  it("round-trip numbers, instants and null (never active)", () => {
    for (const v of [42, "2026-11-23T02:00:00.000Z", null]) {
      expect(decodeCursor(encodeCursor({ v, id: "cm1abc" }))).toEqual({ v, id: "cm1abc" });
    }
  });

  it("ignore tampered or foreign cursors", () => {
    expect(decodeCursor("garbage")).toBeNull();
    expect(decodeCursor(Buffer.from(JSON.stringify({ v: { $gt: 1 }, id: "x" })).toString("base64url"))).toBeNull();
    expect(decodeCursor(Buffer.from(JSON.stringify({ v: 1 })).toString("base64url"))).toBeNull();
    expect(decodeCursor(undefined)).toBeNull();
  });
});
