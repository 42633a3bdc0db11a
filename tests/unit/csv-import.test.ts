/**
 * CSV import formats and row validation: header aliases per format (generic, Smile.io, LoyaltyLion),
 * format detection, every row message, one row per customer per file, and stable row keys.
 */
import { describe, expect, it } from "vitest";
import { detectFormat, mapColumns, normalizeHeader, validateRow, validateRows } from "~/loyalty/csv-import";

describe("formats", () => {
  it("normalizes headers (case, spaces, dashes, BOM)", () => {
    expect(normalizeHeader("\uFEFF Points Balance ")).toBe("points_balance");
    expect(normalizeHeader("First-Name")).toBe("first_name");
  });

  it("detects the format from the columns", () => {
    expect(detectFormat(["merchant_id", "email", "points_approved", "points_pending"])).toBe("loyaltylion");
    expect(detectFormat(["email", "points"])).toBe("smile");
    expect(detectFormat(["customer_id", "email", "points_balance"])).toBe("generic");
  });

  it("maps each format's columns", () => {
    expect(mapColumns(["Email", "Points Approved", "Merchant ID", "Points Pending"], "loyaltylion")).toEqual({
      ok: true,
      columns: { customerId: 2, email: 0, points: 1 },
    });
    expect(mapColumns(["email", "points"], "smile")).toEqual({ ok: true, columns: { email: 0, points: 1 } });
    expect(mapColumns(["customer_id", "email", "first_name", "last_name", "points_balance", "enrolled_at"], "generic")).toEqual({
      ok: true,
      columns: { customerId: 0, email: 1, firstName: 2, lastName: 3, points: 4, enrolledAt: 5 },
    });
  });

  it("refuses a file without any customer column", () => {
    const mapped = mapColumns(["name", "points"], "generic");
    expect(mapped).toEqual({ ok: false, error: "The file has no customer column (expected one of: customer_id, email)" });
  });
});

describe("rows", () => {
  const columns = { customerId: 0, email: 1, firstName: 2, lastName: 3, points: 4, enrolledAt: 5 };

  it("accepts a full row", () => {
    expect(validateRow(["1001", " Ada@Example.com ", "Ada", "Lovelace", "250", "2024-05-31"], columns, 2)).toEqual({
      ok: true,
      row: {
        line: 2,
        customerGid: "gid://shopify/Customer/1001",
        email: "ada@example.com",
        firstName: "Ada",
        lastName: "Lovelace",
        points: 250,
        enrolledAt: new Date("2024-05-31"),
        key: "c:1001",
      },
    });
    const gid = validateRow(["gid://shopify/Customer/7", "", "", "", "", ""], columns, 3);
    expect(gid).toMatchObject({ ok: true, row: { customerGid: "gid://shopify/Customer/7", points: 0, key: "c:7" } });
    expect(validateRow(["", "grace@example.com", "", "", "5", ""], columns, 4)).toMatchObject({ ok: true, row: { key: "e:grace@example.com" } });
  });

  it("reports every problem of a row", () => {
    expect(validateRow(["abc", "not-an-email", "", "", "1,000", "31/05/2024"], columns, 9)).toEqual({
      ok: false,
      line: 9,
      messages: [
        'customer id "abc" is not a Shopify customer id (digits)',
        'email "not-an-email" is not an email address',
        'points "1,000" must be a whole number of 0 or more, without separators',
        'enrolled date "31/05/2024" must look like 2024-05-31',
      ],
    });
    expect(validateRow(["", "", "Ada", "", "5", ""], columns, 2)).toEqual({ ok: false, line: 2, messages: ["needs a customer id or an email"] });
    expect(validateRow(["1", "", "", "", "-5", ""], columns, 2)).toMatchObject({ ok: false });
  });

  it("allows one row per customer in a file (by id or by email)", () => {
    const results = validateRows(
      [
        ["1", "a@example.com", "", "", "10", ""],
        ["2", "b@example.com", "", "", "10", ""],
        ["1", "", "", "", "10", ""],
        ["", "b@example.com", "", "", "10", ""],
      ],
      columns,
    );
    expect(results.map((result) => result.ok)).toEqual([true, true, false, false]);
    expect(results[2]).toEqual({ ok: false, line: 4, messages: ["same customer as line 2"] });
    expect(results[3]).toEqual({ ok: false, line: 5, messages: ["same customer as line 3"] });
  });
});
