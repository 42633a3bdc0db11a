/**
 * Admin dates: Korean times on the 24-hour clock (no day period, which Node's ICU and Chromium's
 * spell differently — "PM" vs "오후" — and React then discards the server's HTML); English unchanged.
 */
import { describe, expect, it } from "vitest";
import { adminDateTimeFormat, formatDateTime } from "~/i18n/format";

const AT = "2026-11-23T17:49:01Z";

describe("admin date formats", () => {
  it("writes Korean times without a day period", () => {
    const text = adminDateTimeFormat("ko", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(new Date(AT));
    expect(text).toBe("2026. 11. 23. 17:49");
    expect(formatDateTime(AT, "ko")).not.toMatch(/AM|PM|오전|오후/);
    expect(formatDateTime(AT, "ko")).toMatch(/\d{2}:49:01$/);
  });

  it("keeps English as before and dates without times untouched", () => {
    expect(formatDateTime(AT, "en")).toBe(new Date(AT).toLocaleString("en"));
    expect(adminDateTimeFormat("ko", { dateStyle: "medium", timeZone: "UTC" }).resolvedOptions().hourCycle).toBeUndefined();
  });
});
