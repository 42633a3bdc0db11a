/**
 * GET /apps/keepsake/member tells the panel the member's birthday and the shop's birthday rules: the lead
 * and cooldown days it explains, and the day a change is allowed again (the same day POST birthday refuses
 * until), through the signed app proxy on the real database.
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import db from "~/db.server";
import type { MemberResponse } from "~/loyalty/storefront-contract";
import { APP_SECRET, deliver, installShop, proxyGet } from "../support/app";
import { resetDatabase } from "../support/database";
import { signedAppProxyRequest } from "../support/shopify/app-proxy";
import { customerPayload } from "../support/shopify/payloads";

const SHOP = "test-shop.myshopify.com";

beforeEach(async () => {
  await resetDatabase(db);
  await installShop(SHOP);
});
afterEach(() => {
  vi.useRealTimers();
});

async function enrolled(settings: { birthdayMinLeadDays?: number; birthdayChangeCooldownDays?: number; ianaTimezone?: string } = {}) {
  await db.shop.update({ where: { domain: SHOP }, data: { birthdayEnabled: true, birthdayRewardPoints: 200, ...settings } });
  const customer = customerPayload();
  await deliver("customers/create", customer);
  return String(customer.id);
}

async function memberView(customerId: string): Promise<Extract<MemberResponse, { enrolled: true }>> {
  const response = await proxyGet({ shop: SHOP, loggedInCustomerId: customerId });
  expect(response.status).toBe(200);
  const body = (await response.json()) as MemberResponse;
  if (!body.enrolled) throw new Error("not enrolled");
  return body;
}

async function postBirthday(customerId: string, body: Record<string, unknown>) {
  const { action } = (await import("~/routes/proxy.birthday")) as { action: (args: ActionFunctionArgs) => Promise<Response> };
  const request = signedAppProxyRequest({ shop: SHOP, loggedInCustomerId: customerId, path: "/birthday", method: "POST", body, secret: APP_SECRET() });
  const response = await action({ request, params: {}, context: {} });
  return { status: response.status, body: (await response.json()) as { error?: { code: string; nextChangeOn?: string } } };
}

describe("GET /apps/keepsake/member: birthday rules", () => {
  it("sends the configured rules, no change date before a birthday is set, and the day a change is allowed again after", async () => {
    const customerId = await enrolled({ birthdayMinLeadDays: 10, birthdayChangeCooldownDays: 90 });
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-03-01T12:00:00Z") });
    expect(await memberView(customerId)).toMatchObject({ birthday: null, birthdayRules: { minLeadDays: 10, cooldownDays: 90, nextChangeOn: null } });

    expect((await postBirthday(customerId, { month: 7, day: 19 })).status).toBe(200);
    const view = await memberView(customerId);
    expect(view.birthday).toEqual({ month: 7, day: 19, year: null });
    expect(view.birthdayRules).toEqual({ minLeadDays: 10, cooldownDays: 90, nextChangeOn: "2026-05-30" });

    // The day before, POST refuses with that same day; on it, GET says a change is allowed and POST saves.
    vi.setSystemTime(new Date("2026-05-29T12:00:00Z"));
    expect((await postBirthday(customerId, { month: 7, day: 20 })).body.error).toMatchObject({ code: "change_too_soon", nextChangeOn: "2026-05-30" });
    expect((await memberView(customerId)).birthdayRules?.nextChangeOn).toBe("2026-05-30");
    vi.setSystemTime(new Date("2026-05-30T12:00:00Z"));
    expect((await memberView(customerId)).birthdayRules?.nextChangeOn).toBeNull();
    expect((await postBirthday(customerId, { month: 7, day: 20 })).status).toBe(200);
  });

  it("counts the cooldown in the shop's time zone, and says nothing about a change date with no cooldown", async () => {
    const customerId = await enrolled({ birthdayChangeCooldownDays: 1, ianaTimezone: "Asia/Seoul" });
    // 20:00 UTC on March 1st is already March 2nd in Seoul: a change is allowed again on March 3rd.
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-03-01T20:00:00Z") });
    expect((await postBirthday(customerId, { month: 7, day: 19 })).status).toBe(200);
    expect((await memberView(customerId)).birthdayRules).toEqual({ minLeadDays: 30, cooldownDays: 1, nextChangeOn: "2026-03-03" });

    await db.shop.update({ where: { domain: SHOP }, data: { birthdayChangeCooldownDays: 0, birthdayMinLeadDays: 0 } });
    expect((await memberView(customerId)).birthdayRules).toEqual({ minLeadDays: 0, cooldownDays: 0, nextChangeOn: null });
  });

  it("sends neither the birthday nor the rules while birthdays are off", async () => {
    const customerId = await enrolled();
    await db.shop.update({ where: { domain: SHOP }, data: { birthdayEnabled: false } });
    const view = await memberView(customerId);
    expect(view).not.toHaveProperty("birthday");
    expect(view).not.toHaveProperty("birthdayRules");
  });
});
