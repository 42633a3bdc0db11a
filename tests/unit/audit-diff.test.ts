/**
 * The audit log's field-by-field diff (app/loyalty/audit-diff.ts): only changed fields, nested
 * objects and ladders by path, creations and removals, plain-value arrays as one value; and how
 * values and paths read.
 */
import { describe, expect, it } from "vitest";
import { auditDiff, auditPathLabel, formatAuditValue, humanizeKey } from "~/loyalty/audit-diff";

describe("auditDiff", () => {
  it("lists only the fields that changed", () => {
    const before = { programEnabled: true, earnRate: "1", earnRounding: "floor", signupBonusPoints: 0 };
    const after = { programEnabled: true, earnRate: "2", earnRounding: "floor", signupBonusPoints: 50 };
    expect(auditDiff(before, after)).toEqual([
      { path: ["earnRate"], before: "1", after: "2" },
      { path: ["signupBonusPoints"], before: 0, after: 50 },
    ]);
  });

  it("answers nothing for equal snapshots, whatever the key order", () => {
    expect(auditDiff({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toEqual([]);
    expect(auditDiff(null, null)).toEqual([]);
  });

  it("lists every field of a creation from absent, and of a removal to absent", () => {
    expect(auditDiff(null, { name: "Tote", pointsCost: 500 })).toEqual([
      { path: ["name"], before: undefined, after: "Tote" },
      { path: ["pointsCost"], before: undefined, after: 500 },
    ]);
    expect(auditDiff({ balance: 10, note: "x" }, { balance: 10 })).toEqual([{ path: ["note"], before: "x", after: undefined }]);
  });

  it("walks nested objects and arrays of objects by path", () => {
    const before = { tiers: [{ handle: "base", threshold: 0 }, { handle: "gold", threshold: 500 }], settings: { grace: 0 } };
    const after = { tiers: [{ handle: "base", threshold: 0 }, { handle: "gold", threshold: 800 }, { handle: "vip", threshold: 2000 }], settings: { grace: 7 } };
    expect(auditDiff(before, after)).toEqual([
      { path: ["tiers", 1, "threshold"], before: 500, after: 800 },
      { path: ["tiers", 2, "handle"], before: undefined, after: "vip" },
      { path: ["tiers", 2, "threshold"], before: undefined, after: 2000 },
      { path: ["settings", "grace"], before: 0, after: 7 },
    ]);
  });

  it("compares arrays of plain values as one value", () => {
    expect(auditDiff({ targetTiers: ["gold"] }, { targetTiers: ["gold", "vip"] })).toEqual([
      { path: ["targetTiers"], before: ["gold"], after: ["gold", "vip"] },
    ]);
  });

  it("keeps a change of shape (object ↔ value) as one field", () => {
    expect(auditDiff({ rule: { days: 30 } }, { rule: null })).toEqual([{ path: ["rule"], before: { days: 30 }, after: null }]);
  });

  it("leaves out updatedAt, which every write moves", () => {
    expect(auditDiff({ name: "A", updatedAt: "2026-01-01T00:00:00.000Z" }, { name: "A", updatedAt: "2026-02-01T00:00:00.000Z" })).toEqual([]);
  });

  it("handles snapshots that are not objects", () => {
    expect(auditDiff("old", "new")).toEqual([{ path: [], before: "old", after: "new" }]);
  });
});

describe("formatAuditValue", () => {
  const seoul = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short", timeZone: "Asia/Seoul" });
  const options = { locale: "en", formatInstant: (instant: Date) => seoul.format(instant), labels: { empty: "—", yes: "Yes", no: "No" } };

  it("reads values as people would", () => {
    expect(formatAuditValue(undefined, options)).toBe("—");
    expect(formatAuditValue(null, options)).toBe("—");
    expect(formatAuditValue("", options)).toBe("—");
    expect(formatAuditValue(true, options)).toBe("Yes");
    expect(formatAuditValue(false, options)).toBe("No");
    expect(formatAuditValue(1500, options)).toBe("1,500");
    expect(formatAuditValue("floor", options)).toBe("floor");
    expect(formatAuditValue(["gold", "vip"], options)).toBe("gold, vip");
    expect(formatAuditValue([], options)).toBe("—");
  });

  it("shows instants as the page formats them (the shop's time zone)", () => {
    // 15:30 UTC is 00:30 the next day in Seoul.
    expect(formatAuditValue("2026-03-01T15:30:00.000Z", options)).toBe("Mar 2, 2026, 12:30 AM");
    expect(formatAuditValue("2026-03-01", options)).toBe("2026-03-01"); // a local date stays as it is
  });

  it("indents structured values instead of one long line", () => {
    expect(formatAuditValue({ days: 30 }, options)).toBe('{\n  "days": 30\n}');
  });
});

describe("paths", () => {
  it("humanizes keys and numbers positions from 1", () => {
    expect(humanizeKey("earnRate")).toBe("Earn rate");
    expect(humanizeKey("tier_grace_days")).toBe("Tier grace days");
    expect(auditPathLabel(["tiers", 1, "threshold"])).toBe("Tiers › #2 › Threshold");
    expect(auditPathLabel(["earnRate"], (key) => (key === "earnRate" ? "Points rate" : undefined))).toBe("Points rate");
    expect(auditPathLabel([], undefined, "Value")).toBe("Value");
  });
});
