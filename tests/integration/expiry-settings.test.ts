/**
 * The Expiry settings page (/app/expiry) through session-token auth: the token's shop only, zod
 * errors next to each field with nothing changed, turning expiry on sets enabledOn to today in the
 * shop's zone and writes the audit log with the staff user id.
 */
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { businessDay } from "~/loyalty/schedule";
import { action, loader } from "~/routes/app.expiry";
import { installShop } from "../support/app";
import { adminAction, adminLoader } from "../support/admin-route";
import { resetDatabase } from "../support/database";
import { sessionToken } from "../support/session-token";

const SHOP_A = "expiry-page-a.myshopify.com";
const SHOP_B = "expiry-page-b.myshopify.com";
const ZONE = "Pacific/Kiritimati"; // UTC+14: its day is often not UTC's

beforeEach(async () => {
  await resetDatabase(db);
  const a = await installShop(SHOP_A);
  await db.shop.update({ where: { id: a.id }, data: { ianaTimezone: ZONE } });
  await installShop(SHOP_B);
});

describe("Expiry page", () => {
  it("loads the shop's settings (off by default)", async () => {
    const page = await adminLoader(loader, "/app/expiry", SHOP_A);
    expect(page).toMatchObject({
      status: 200,
      body: { settings: { mode: "off", months: "12", reminderDays: "30, 3", enabledOn: null, earliestExpiry: null, timezone: ZONE }, changes: [] },
    });
  });

  it("turns expiry on for the token's shop: enabledOn is today in the shop zone, audited with the staff id", async () => {
    const saved = await adminAction(action, "/app/expiry", SHOP_A, { mode: "per_earning", months: "6", reminderDays: "45, 7" }, {
      token: await sessionToken(SHOP_A, { sub: "777" }),
    });
    const today = businessDay(new Date(), ZONE);
    expect(saved).toMatchObject({ status: 200, body: { ok: true, settings: { mode: "per_earning", months: "6", reminderDays: "45, 7", enabledOn: today } } });
    const a = await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } });
    expect(a).toMatchObject({ expiryMode: "per_earning", expiryMonths: 6, expiryReminderDays: "[45,7]", expiryEnabledOn: today });
    expect(await db.shop.findUniqueOrThrow({ where: { domain: SHOP_B } })).toMatchObject({ expiryMode: "off", expiryEnabledOn: null });
    const audit = await db.auditLog.findMany({ where: { shopId: a.id } });
    expect(audit).toMatchObject([{ action: "expiry.update", staffId: "777", subjectType: "shop", subjectId: a.id }]);
    expect(JSON.parse(audit[0]?.before ?? "{}")).toMatchObject({ expiryMode: "off", expiryEnabledOn: null });
    expect(JSON.parse(audit[0]?.after ?? "{}")).toMatchObject({ expiryMode: "per_earning", expiryMonths: 6, expiryReminderDays: [45, 7] });
    const page = await adminLoader(loader, "/app/expiry", SHOP_A);
    expect(page.body.changes).toMatchObject([{ staffId: "777", changed: ["expiryMode", "expiryMonths", "expiryReminderDays", "expiryEnabledOn"] }]);
    expect((await adminLoader(loader, "/app/expiry", SHOP_B)).body.changes).toEqual([]);
  });

  it("answers an error next to each bad field and changes nothing", async () => {
    const bad = await adminAction(action, "/app/expiry", SHOP_A, { mode: "sometimes", months: "0", reminderDays: "30, 30" });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.errors).sort()).toEqual(["mode", "months", "reminderDays"]);
    expect(bad.body.errors.reminderDays).toBe("Each reminder day once");
    const tooMany = await adminAction(action, "/app/expiry", SHOP_A, { mode: "inactivity", months: "121", reminderDays: "1, 2, 3, 4, 5, 6" });
    expect(tooMany.body.errors).toEqual({ months: "Must be 1 to 120 months", reminderDays: "At most 5 reminders" });
    const words = await adminAction(action, "/app/expiry", SHOP_A, { mode: "inactivity", months: "twelve", reminderDays: "soon" });
    expect(Object.keys(words.body.errors).sort()).toEqual(["months", "reminderDays"]);
    expect(await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } })).toMatchObject({ expiryMode: "off", expiryMonths: 12, expiryEnabledOn: null });
    expect(await db.auditLog.count()).toBe(0);
  });
});
