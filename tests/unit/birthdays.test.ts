import { describe, expect, it } from "vitest";
import {
  birthDateValue,
  birthdayIn,
  birthdayProblem,
  birthdayWindow,
  changeAllowed,
  firstRewardYear,
  issueDayIn,
  rewardYearDueOn,
  windowYearOn,
} from "~/loyalty/birthdays";
import { localDateOf } from "~/loyalty/schedule";

const feb29 = { month: 2, day: 29, year: null };

describe("birthday validation", () => {
  const today = "2026-11-23";
  it("accepts Feb 29 without a year or with a leap year, refuses it with a common year", () => {
    expect(birthdayProblem(feb29, today)).toBeNull();
    expect(birthdayProblem({ ...feb29, year: 2000 }, today)).toBeNull();
    expect(birthdayProblem({ ...feb29, year: 2001 }, today)).toBe("day");
  });
  it("refuses impossible months, days, years and future dates", () => {
    expect(birthdayProblem({ month: 13, day: 1, year: null }, today)).toBe("month");
    expect(birthdayProblem({ month: 0, day: 1, year: null }, today)).toBe("month");
    expect(birthdayProblem({ month: 4, day: 31, year: null }, today)).toBe("day");
    expect(birthdayProblem({ month: 4, day: 0, year: null }, today)).toBe("day");
    expect(birthdayProblem({ month: 4, day: 1.5, year: null }, today)).toBe("day");
    expect(birthdayProblem({ month: 4, day: 30, year: 1899 }, today)).toBe("year");
    expect(birthdayProblem({ month: 4, day: 30, year: 2027 }, today)).toBe("year");
    expect(birthdayProblem({ month: 12, day: 1, year: 2026 }, today)).toBe("future");
    expect(birthdayProblem({ month: 11, day: 23, year: 2026 }, today)).toBeNull();
  });
});

describe("the day a birthday falls on", () => {
  it("puts Feb 29 on Feb 28 in a common year and keeps it in a leap year", () => {
    expect(birthdayIn(feb29, 2027)).toBe("2027-02-28");
    expect(birthdayIn(feb29, 2028)).toBe("2028-02-29");
    expect(birthdayIn(feb29, 2100)).toBe("2100-02-28"); // not a leap year
    expect(birthdayIn(feb29, 2000)).toBe("2000-02-29");
  });
  it("issues on the day or on the 1st of the month", () => {
    expect(issueDayIn({ month: 7, day: 19 }, 2027, "day")).toBe("2027-07-19");
    expect(issueDayIn({ month: 7, day: 19 }, 2027, "month_start")).toBe("2027-07-01");
    expect(issueDayIn(feb29, 2027, "month_start")).toBe("2027-02-01");
  });
});

describe("rewardYearDueOn", () => {
  it("is due exactly on the issue day, in day and month_start modes", () => {
    expect(rewardYearDueOn({ month: 7, day: 19 }, "2027-07-19", "day", null)).toBe(2027);
    expect(rewardYearDueOn({ month: 7, day: 19 }, "2027-07-18", "day", null)).toBeNull();
    expect(rewardYearDueOn({ month: 7, day: 19 }, "2027-07-01", "month_start", null)).toBe(2027);
    expect(rewardYearDueOn({ month: 7, day: 19 }, "2027-07-19", "month_start", null)).toBeNull();
  });
  it("rewards a Feb 29 birthday on Feb 28 of a common year, and not twice in a leap year", () => {
    expect(rewardYearDueOn(feb29, "2027-02-28", "day", null)).toBe(2027);
    expect(rewardYearDueOn(feb29, "2027-03-01", "day", null)).toBeNull();
    expect(rewardYearDueOn(feb29, "2028-02-28", "day", null)).toBeNull();
    expect(rewardYearDueOn(feb29, "2028-02-29", "day", null)).toBe(2028);
  });
  it("waits for the first reward year", () => {
    expect(rewardYearDueOn({ month: 7, day: 19 }, "2027-07-19", "day", 2028)).toBeNull();
    expect(rewardYearDueOn({ month: 7, day: 19 }, "2028-07-19", "day", 2028)).toBe(2028);
  });
  it("follows the shop's time zone: the same instant is the birthday in Seoul but not yet in New York", () => {
    const instant = new Date("2027-03-14T16:30:00Z"); // Seoul 2027-03-15 01:30, New York 2027-03-14 12:30
    const birthday = { month: 3, day: 15 };
    expect(rewardYearDueOn(birthday, localDateOf(instant, "Asia/Seoul"), "day", null)).toBe(2027);
    expect(rewardYearDueOn(birthday, localDateOf(instant, "America/New_York"), "day", null)).toBeNull();
    expect(rewardYearDueOn(birthday, localDateOf(new Date("2027-03-15T04:30:00Z"), "America/New_York"), "day", null)).toBe(2027);
  });
});

describe("the lead rule (a date entered shortly before it falls waits a year)", () => {
  const settings = { issueOn: "day" as const, minLeadDays: 30 };
  it("rewards this year when the birthday is at least 30 days away", () => {
    expect(firstRewardYear({ month: 7, day: 19 }, "2027-06-19", settings)).toBe(2027); // exactly 30 days
    expect(firstRewardYear({ month: 7, day: 19 }, "2027-06-20", settings)).toBe(2028); // 29 days
  });
  it("waits for next year once this year's has passed, and the year after if next year's is too close", () => {
    expect(firstRewardYear({ month: 3, day: 1 }, "2027-06-01", settings)).toBe(2028);
    expect(firstRewardYear({ month: 1, day: 10 }, "2027-12-20", settings)).toBe(2029);
  });
  it("measures the lead to the 1st of the month in month_start mode", () => {
    const monthStart = { issueOn: "month_start" as const, minLeadDays: 30 };
    expect(firstRewardYear({ month: 7, day: 31 }, "2027-06-10", monthStart)).toBe(2028); // July 1 is 21 days away
    expect(firstRewardYear({ month: 7, day: 31 }, "2027-05-31", monthStart)).toBe(2027);
  });
  it("with no lead, today's birthday still counts", () => {
    expect(firstRewardYear({ month: 11, day: 23 }, "2026-11-23", { issueOn: "day", minLeadDays: 0 })).toBe(2026);
  });
  it("uses Feb 28 for a Feb 29 birthday in a common year", () => {
    expect(firstRewardYear(feb29, "2027-01-29", settings)).toBe(2027); // Feb 28 is 30 days away
    expect(firstRewardYear(feb29, "2027-01-30", settings)).toBe(2028);
  });
});

describe("the pop-up window", () => {
  it("runs 7 days from the birthday in day mode, across the new year", () => {
    expect(birthdayWindow({ month: 12, day: 29 }, 2026, "day")).toEqual({ from: "2026-12-29", to: "2027-01-04" });
    expect(windowYearOn({ month: 12, day: 29 }, "2027-01-03", "day")).toBe(2026);
    expect(windowYearOn({ month: 12, day: 29 }, "2027-01-05", "day")).toBeNull();
    expect(windowYearOn({ month: 12, day: 29 }, "2026-12-28", "day")).toBeNull();
  });
  it("runs the whole birthday month in month_start mode (Feb 29 in a common year included)", () => {
    expect(birthdayWindow(feb29, 2027, "month_start")).toEqual({ from: "2027-02-01", to: "2027-02-28" });
    expect(windowYearOn(feb29, "2027-02-28", "month_start")).toBe(2027);
    expect(windowYearOn(feb29, "2027-03-01", "month_start")).toBeNull();
  });
});

describe("change cooldown", () => {
  it("allows the first entry and any change after the cooldown", () => {
    expect(changeAllowed(null, "2026-11-23", 365)).toEqual({ allowed: true });
    expect(changeAllowed("2025-11-23", "2026-11-23", 365)).toEqual({ allowed: true });
    expect(changeAllowed("2026-11-23", "2026-11-23", 0)).toEqual({ allowed: true });
  });
  it("refuses a change inside the cooldown and says when it becomes possible", () => {
    expect(changeAllowed("2026-01-10", "2026-11-23", 365)).toEqual({ allowed: false, nextChangeOn: "2027-01-10" });
  });
});

describe("birth-date metafield value", () => {
  it("is a full date only when the year is known", () => {
    expect(birthDateValue({ month: 2, day: 9, year: 1990 })).toBe("1990-02-09");
    expect(birthDateValue({ month: 2, day: 9, year: null })).toBeNull();
  });
});
