/**
 * Birthdays (issue 5) through the real routes, job and database: the shopper's GET/POST birthday
 * (signed app proxy), the lead and cooldown rules, the birth-date metafield through the outbox, the
 * daily job (points once per year, or a catalog reward as a free code), Feb 29 and time zones, and
 * what the pop-up is told to show.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import db from "~/db.server";
import { birthdayRewardsJob } from "~/jobs/birthday-rewards.server";
import { logger } from "~/logger.server";
import { findBalanceMismatches } from "~/loyalty/ledger.server";
import { createReward } from "~/loyalty/services/redemptions.server";
import { setRewardActive } from "~/loyalty/services/rewards-admin.server";
import type { BirthdayView } from "~/loyalty/services/birthdays.server";
import { APP_SECRET, deliver, drainOutbox, entriesOf, installShop, memberOf } from "../support/app";
import { resetDatabase } from "../support/database";
import { createAdminApiStandIn, installAdminApiFetch, type AdminApiFetchHandle, type AdminApiStandIn } from "../support/shopify/admin-graphql";
import { signedAppProxyRequest } from "../support/shopify/app-proxy";
import { customerPayload, customersDataRequestPayload, customersRedactPayload } from "../support/shopify/payloads";

const SHOP = "test-shop.myshopify.com";
let shopify: AdminApiStandIn;
let handle: AdminApiFetchHandle | undefined;

beforeEach(async () => {
  await resetDatabase(db);
  shopify = createAdminApiStandIn({ throttle: false });
  handle = installAdminApiFetch(shopify, { passthrough: false });
});
afterEach(() => {
  handle?.restore();
  vi.useRealTimers();
});

type Settings = Partial<{
  birthdayEnabled: boolean;
  birthdayRewardPoints: number | null;
  birthdayRewardId: string | null;
  birthdayIssueOn: string;
  birthdayMinLeadDays: number;
  birthdayChangeCooldownDays: number;
  birthdayPopupGuests: boolean;
  ianaTimezone: string;
}>;

async function setUp(settings: Settings = {}) {
  const shop = await installShop(SHOP);
  await db.shop.update({ where: { id: shop.id }, data: { birthdayEnabled: true, birthdayRewardPoints: 200, ...settings } });
  const customer = customerPayload();
  await deliver("customers/create", customer);
  const member = await memberOf(SHOP, customer.admin_graphql_api_id);
  if (!member) throw new Error("not enrolled");
  return { shop, customer, member, numericId: customer.admin_graphql_api_id.split("/").pop() ?? "" };
}

/** A catalog birthday reward chosen on `enteredOn`, when the member enters a June 1 birthday. */
async function catalogBirthday(numericId: string, input: Parameters<typeof createReward>[1], enteredOn: string) {
  vi.useFakeTimers({ toFake: ["Date"], now: new Date(`${enteredOn}T12:00:00Z`) });
  const reward = await createReward(SHOP, input);
  if (!reward.ok) throw new Error(reward.issues.join("; "));
  await db.shop.update({ where: { domain: SHOP }, data: { birthdayRewardId: reward.id, birthdayRewardPoints: null } });
  await postBirthday(numericId, { month: 6, day: 1 });
  vi.useRealTimers();
  return reward;
}

/** Another member of the set-up shop; returns their numeric customer id. */
async function setUpMember(): Promise<string> {
  const customer = customerPayload();
  await deliver("customers/create", customer);
  return customer.admin_graphql_api_id.split("/").pop() ?? "";
}

async function getBirthday(customerId: string): Promise<BirthdayView> {
  const { loader } = (await import("~/routes/proxy.birthday")) as { loader: (args: LoaderFunctionArgs) => Promise<Response> };
  const response = await loader({ request: signedAppProxyRequest({ shop: SHOP, loggedInCustomerId: customerId, path: "/birthday", secret: APP_SECRET() }), params: {}, context: {} });
  expect(response.status).toBe(200);
  return (await response.json()) as BirthdayView;
}

async function postBirthday(customerId: string, body: unknown) {
  const { action } = (await import("~/routes/proxy.birthday")) as { action: (args: ActionFunctionArgs) => Promise<Response> };
  const request = signedAppProxyRequest({ shop: SHOP, loggedInCustomerId: customerId, path: "/birthday", method: "POST", body: body as Record<string, unknown>, secret: APP_SECRET() });
  const response = await action({ request, params: {}, context: {} });
  return { status: response.status, body: (await response.json()) as BirthdayView & { error?: { code: string; field?: string; nextChangeOn?: string } } };
}

async function runJob(day: string, timeZone = "UTC") {
  const shop = await db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
  let cursor: string | null = null;
  let written = 0;
  do {
    const result = await birthdayRewardsJob.runBatch(
      { db, shop: { id: shop.id, domain: shop.domain, ianaTimezone: timeZone }, day, now: new Date(`${day}T12:00:00Z`), log: logger },
      cursor,
      2,
    );
    written += result.written;
    cursor = result.nextCursor;
  } while (cursor);
  return written;
}

describe("adding a birthday (GET/POST /apps/keepsake/birthday)", () => {
  it("invites a member without a birthday, saves it, and mirrors a full date to facts.birth_date", async () => {
    const { numericId, customer, member } = await setUp();
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-03-01T12:00:00Z") });
    expect((await getBirthday(numericId)).popup).toBe("invite");
    const saved = await postBirthday(numericId, { month: 7, day: 19, year: 1990 });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ popup: "none", birthday: { month: 7, day: 19, year: 1990 }, firstRewardYear: 2026, nextChangeOn: "2027-03-01" });
    vi.useRealTimers();
    await drainOutbox();
    expect(shopify.metafield(SHOP, customer.admin_graphql_api_id, "facts", "birth_date")).toMatchObject({ type: "date", value: "1990-07-19" });
    expect((await db.member.findUniqueOrThrow({ where: { id: member.id } })).birthdaySetAt).not.toBeNull();
  });

  it("without a year, stores month and day and sets no birth date in Shopify", async () => {
    const { numericId, member, customer } = await setUp();
    expect((await postBirthday(numericId, { month: 2, day: 29 })).status).toBe(200);
    expect(await db.member.findUniqueOrThrow({ where: { id: member.id } })).toMatchObject({ birthdayMonth: 2, birthdayDay: 29, birthdayYear: null });
    await drainOutbox();
    expect(shopify.metafield(SHOP, customer.admin_graphql_api_id, "facts", "birth_date")).toBeUndefined();
    expect(shopify.requests.filter((r) => r.operationName === "MetafieldsSet")).toHaveLength(0);
  });

  it("removes the old full date from Shopify when the new birthday has no year, and sets it again when a year comes back", async () => {
    const { numericId, customer } = await setUp();
    const gid = customer.admin_graphql_api_id;
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2024-01-10T12:00:00Z") });
    expect((await postBirthday(numericId, { month: 7, day: 19, year: 1990 })).status).toBe(200);
    vi.useRealTimers();
    await drainOutbox();
    expect(shopify.metafield(SHOP, gid, "facts", "birth_date")).toMatchObject({ type: "date", value: "1990-07-19" });

    // A year later (the default cooldown; dates in the past so the outbox row is due now): 07-20 without a year. The 1990-07-19 must not stay behind.
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2025-01-11T12:00:00Z") });
    expect((await postBirthday(numericId, { month: 7, day: 20 })).status).toBe(200);
    vi.useRealTimers();
    expect(await db.shopifyOutbox.findFirstOrThrow({ where: { kind: "customer_birth_date" } })).toMatchObject({ status: "pending", payload: JSON.stringify({ customerGid: gid, birthDate: null }) });
    await drainOutbox();
    expect(shopify.metafield(SHOP, gid, "facts", "birth_date")).toBeUndefined();
    const removal = shopify.requests.find((r) => r.operationName === "MetafieldsDelete");
    expect(removal?.variables).toEqual({ metafields: [{ ownerId: gid, namespace: "facts", key: "birth_date" }] });
    expect(await db.shopifyOutbox.findFirstOrThrow({ where: { kind: "customer_birth_date" } })).toMatchObject({ status: "done" });

    // And back to a full date: set again (YYYY-MM-DD, type date).
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-01-12T12:00:00Z") });
    expect((await postBirthday(numericId, { month: 3, day: 4, year: 1991 })).status).toBe(200);
    vi.useRealTimers();
    await drainOutbox();
    expect(shopify.metafield(SHOP, gid, "facts", "birth_date")).toMatchObject({ type: "date", value: "1991-03-04" });
  });

  it("keeps the removal pending (and retries it) when Shopify refuses it", async () => {
    const { numericId } = await setUp();
    expect((await postBirthday(numericId, { month: 7, day: 20 })).status).toBe(200);
    shopify.userErrorsNext("metafieldsDelete", [{ field: ["metafields", "0"], message: "Owner does not exist" }]);
    await drainOutbox();
    expect(await db.shopifyOutbox.findFirstOrThrow({ where: { kind: "customer_birth_date" } })).toMatchObject({ status: "pending", tries: 1, lastError: expect.stringContaining("Owner does not exist") as unknown });
  });

  it("makes a birthday entered less than 30 days ahead wait a year", async () => {
    const { numericId } = await setUp();
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-07-01T12:00:00Z") });
    expect((await postBirthday(numericId, { month: 7, day: 19 })).body.firstRewardYear).toBe(2027);
  });

  it("refuses a change inside the cooldown (saying when), allows saving the same date, and allows a change after", async () => {
    const { numericId, member } = await setUp({ birthdayChangeCooldownDays: 365 });
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-01-10T12:00:00Z") });
    expect((await postBirthday(numericId, { month: 5, day: 5 })).status).toBe(200);
    vi.setSystemTime(new Date("2026-06-01T12:00:00Z"));
    expect((await postBirthday(numericId, { month: 5, day: 5 })).status).toBe(200);
    const refused = await postBirthday(numericId, { month: 5, day: 6 });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: "change_too_soon", nextChangeOn: "2027-01-10" });
    expect((await db.member.findUniqueOrThrow({ where: { id: member.id } })).birthdayDay).toBe(5);
    vi.setSystemTime(new Date("2027-01-10T12:00:00Z"));
    expect((await postBirthday(numericId, { month: 5, day: 6 })).status).toBe(200);
  });

  it("follows a non-default notice setting (10 days instead of 30), and tells the shopper", async () => {
    const { numericId } = await setUp({ birthdayMinLeadDays: 10 });
    const other = await setUpMember();
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-07-01T12:00:00Z") });
    expect((await getBirthday(numericId)).minLeadDays).toBe(10);
    // 18 days ahead: enough notice with 10 (the default 30 would make it wait a year).
    expect((await postBirthday(numericId, { month: 7, day: 19 })).body).toMatchObject({ firstRewardYear: 2026, minLeadDays: 10 });

    // Another member, 9 days ahead: not enough, next year.
    expect((await postBirthday(other, { month: 7, day: 10 })).body.firstRewardYear).toBe(2027);
  });

  it("follows a non-default change cooldown (30 days instead of 365), saying when", async () => {
    const { numericId, member } = await setUp({ birthdayChangeCooldownDays: 30 });
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-01-10T12:00:00Z") });
    expect((await postBirthday(numericId, { month: 5, day: 5 })).body).toMatchObject({ cooldownDays: 30, nextChangeOn: "2026-02-09" });
    vi.setSystemTime(new Date("2026-02-08T12:00:00Z"));
    const refused = await postBirthday(numericId, { month: 5, day: 6 });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: "change_too_soon", nextChangeOn: "2026-02-09" });
    expect((await db.member.findUniqueOrThrow({ where: { id: member.id } })).birthdayDay).toBe(5);
    vi.setSystemTime(new Date("2026-02-09T12:00:00Z"));
    expect((await postBirthday(numericId, { month: 5, day: 6 })).body).toMatchObject({ birthday: { month: 5, day: 6 }, nextChangeOn: "2026-03-11" });
  });

  it("refuses impossible dates, bad bodies, guests, non-members and a shop without birthdays — changing nothing", async () => {
    const { numericId, member } = await setUp();
    const invalid = await postBirthday(numericId, { month: 2, day: 30 });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error).toMatchObject({ code: "invalid_birthday", field: "day" });
    expect((await postBirthday(numericId, { month: 2, day: 29, year: 2001 })).status).toBe(422);
    expect((await postBirthday(numericId, { month: "July", day: 1 })).status).toBe(400);
    expect((await postBirthday("", { month: 7, day: 1 })).status).toBe(401);
    expect((await postBirthday("4242", { month: 7, day: 1 })).status).toBe(403);
    await db.shop.update({ where: { domain: SHOP }, data: { birthdayEnabled: false } });
    expect((await postBirthday(numericId, { month: 7, day: 1 })).status).toBe(409);
    expect((await db.member.findUniqueOrThrow({ where: { id: member.id } })).birthdayMonth).toBeNull();
  });

  it("invites guests to join only when the merchant turns it on", async () => {
    await setUp();
    expect((await getBirthday("")).popup).toBe("none");
    await db.shop.update({ where: { domain: SHOP }, data: { birthdayPopupGuests: true } });
    expect((await getBirthday("")).popup).toBe("join");
  });
});

describe("the daily birthday job", () => {
  it("gives the points once on the birthday (rerun: nothing), and the pop-up shows the gift in the window", async () => {
    const { numericId, customer } = await setUp();
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-01-02T12:00:00Z") });
    await postBirthday(numericId, { month: 3, day: 15 });
    vi.useRealTimers();
    expect(await runJob("2026-03-14")).toBe(0);
    expect(await runJob("2026-03-15")).toBe(1);
    expect(await runJob("2026-03-15")).toBe(0);
    const entries = await entriesOf(SHOP, customer.admin_graphql_api_id);
    expect(entries.map((e) => [e.kind, e.delta, e.idempotencyKey])).toEqual([["birthday_reward", 200, `birthday:${customer.admin_graphql_api_id}:2026`]]);
    expect(await db.notification.count({ where: { kind: "birthday_reward" } })).toBe(1);
    expect((await findBalanceMismatches(db)).mismatches).toEqual([]);

    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-03-18T12:00:00Z") });
    const view = await getBirthday(numericId);
    expect(view.popup).toBe("gift");
    expect(view.gift).toMatchObject({ year: 2026, points: 200, code: null });
    vi.setSystemTime(new Date("2026-03-25T12:00:00Z"));
    expect((await getBirthday(numericId)).popup).toBe("none");
  });

  it("rewards Feb 29 birthdays on Feb 28 of a common year, with many members across batches", async () => {
    const { numericId } = await setUp();
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-01-02T12:00:00Z") });
    vi.useRealTimers(); // the webhook inbox needs a running clock
    const others = [];
    for (let i = 0; i < 4; i += 1) {
      const customer = customerPayload();
      await deliver("customers/create", customer);
      others.push(customer);
    }
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-01-02T12:00:00Z") });
    await postBirthday(numericId, { month: 2, day: 29 });
    for (const customer of others) await postBirthday(customer.admin_graphql_api_id.split("/").pop() ?? "", { month: 2, day: 28 });
    vi.useRealTimers();
    expect(await runJob("2026-02-28")).toBe(5);
    expect(await runJob("2026-03-01")).toBe(0);
  });

  it("issues in the month_start mode on the 1st", async () => {
    const { numericId } = await setUp({ birthdayIssueOn: "month_start" });
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-01-02T12:00:00Z") });
    await postBirthday(numericId, { month: 4, day: 20 });
    vi.useRealTimers();
    expect(await runJob("2026-04-20")).toBe(0);
    expect(await runJob("2026-04-01")).toBe(1);
  });

  it("waits for the first reward year of a late entry", async () => {
    const { numericId } = await setUp();
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-03-10T12:00:00Z") });
    await postBirthday(numericId, { month: 3, day: 15 });
    vi.useRealTimers();
    expect(await runJob("2026-03-15")).toBe(0);
    expect(await runJob("2027-03-15")).toBe(1);
  });

  it("gives a catalog reward as a free code once, shown with its code in the pop-up", async () => {
    const { numericId, member } = await setUp();
    await catalogBirthday(numericId, { kind: "amount_off", name: "$10 birthday gift", pointsCost: 1000, amount: "10.00" }, "2026-01-02");
    expect(await runJob("2026-06-01")).toBe(1);
    expect(await runJob("2026-06-01")).toBe(0);
    const grants = await db.redemption.findMany({ where: { memberId: member.id } });
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({ status: "issued", pointsSpent: 0, requestId: `grant:birthday:${member.id}:2026` });
    expect(shopify.discounts.size).toBe(1);
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-06-02T12:00:00Z") });
    const view = await getBirthday(numericId);
    expect(view.popup).toBe("gift");
    expect(view.gift).toMatchObject({ points: null, rewardName: "$10 birthday gift", code: grants[0]?.code });
  });

  it("an archived catalog reward gives nothing and records it once for staff; a code already given stays", async () => {
    const { numericId, member } = await setUp();
    const reward = await catalogBirthday(numericId, { kind: "amount_off", name: "$10 birthday gift", pointsCost: 1000, amount: "10.00" }, "2025-01-02");
    expect(await runJob("2025-06-01")).toBe(1); // 2025: given while the reward was active

    expect((await setRewardActive(SHOP, reward.id, false, "staff-1")).ok).toBe(true);
    expect(await runJob("2025-06-01")).toBe(0); // a rerun of that day: the 2025 code stays, nothing recorded
    expect(await db.notification.count({ where: { kind: "birthday_reward_not_issued" } })).toBe(0);

    expect(await runJob("2026-06-01")).toBe(0);
    expect(await runJob("2026-06-01")).toBe(0); // a rerun records nothing twice
    expect(await db.redemption.count({ where: { memberId: member.id } })).toBe(1);
    expect(shopify.discounts.size).toBe(1);
    expect(await db.ledgerEntry.count({ where: { memberId: member.id, kind: "birthday_reward" } })).toBe(0);
    const notices = await db.notification.findMany({ where: { memberId: member.id, kind: "birthday_reward_not_issued" } });
    expect(notices).toHaveLength(1);
    expect(JSON.parse(notices[0]!.payload)).toEqual({ customerId: member.customerGid, year: 2026, rewardId: reward.id, reason: "reward_archived" });
  });

  it("a deleted catalog reward gives nothing and is recorded as such", async () => {
    const { numericId, member } = await setUp();
    const reward = await catalogBirthday(numericId, { kind: "free_shipping", name: "Free shipping", pointsCost: 500 }, "2026-01-02");
    await db.reward.delete({ where: { id: reward.id } }); // by hand: the app archives, but a row may still vanish
    expect(await runJob("2026-06-01")).toBe(0);
    const notice = await db.notification.findFirstOrThrow({ where: { memberId: member.id, kind: "birthday_reward_not_issued" } });
    expect(JSON.parse(notice.payload)).toMatchObject({ reason: "reward_not_found", year: 2026 });
    expect(shopify.discounts.size).toBe(0);
  });

  it("fails the batch when Shopify refuses the code, and a rerun issues it", async () => {
    const { numericId, member } = await setUp();
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-01-02T12:00:00Z") });
    const reward = await createReward(SHOP, { kind: "free_shipping", name: "Free shipping", pointsCost: 500 });
    if (!reward.ok) throw new Error(reward.issues.join("; "));
    await db.shop.update({ where: { domain: SHOP }, data: { birthdayRewardId: reward.id } });
    await postBirthday(numericId, { month: 6, day: 1 });
    vi.useRealTimers();
    shopify.failNext(503);
    await expect(runJob("2026-06-01")).rejects.toThrow(/could not be created/);
    expect(await runJob("2026-06-01")).toBe(1);
    expect(await db.redemption.count({ where: { memberId: member.id, status: "issued" } })).toBe(1);
  });

  it("follows the shop's business day: the scheduler's Seoul day is the birthday before New York's", async () => {
    const { numericId } = await setUp({ ianaTimezone: "Asia/Seoul" });
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-01-02T12:00:00Z") });
    await postBirthday(numericId, { month: 3, day: 15 });
    vi.useRealTimers();
    const { localDateOf } = await import("~/loyalty/schedule");
    const instant = new Date("2026-03-14T16:00:00Z");
    expect(await runJob(localDateOf(instant, "America/New_York"), "America/New_York")).toBe(0);
    expect(await runJob(localDateOf(instant, "Asia/Seoul"), "Asia/Seoul")).toBe(1);
  });

  it("does nothing for a shop with birthdays off, excluded or redacted members", async () => {
    const { numericId, member } = await setUp();
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-01-02T12:00:00Z") });
    await postBirthday(numericId, { month: 3, day: 15 });
    vi.useRealTimers();
    await db.member.update({ where: { id: member.id }, data: { excludedAt: new Date() } });
    expect(await runJob("2026-03-15")).toBe(0);
    await db.member.update({ where: { id: member.id }, data: { excludedAt: null } });
    await db.shop.update({ where: { domain: SHOP }, data: { birthdayEnabled: false } });
    expect(await runJob("2026-03-15")).toBe(0);
  });
});

describe("personal data", () => {
  it("a data request includes the birthday, and customers/redact erases it", async () => {
    const { numericId, customer, member } = await setUp();
    await postBirthday(numericId, { month: 9, day: 3, year: 1985 });
    await deliver("customers/data_request", customersDataRequestPayload({ shopDomain: SHOP, customer }));
    const request = await db.dataRequest.findFirstOrThrow({ where: { shopId: member.shopId } });
    expect(JSON.parse(request.document).member.birthday).toEqual({ month: 9, day: 3, year: 1985 });
    await deliver("customers/redact", customersRedactPayload({ shopDomain: SHOP, customer }));
    expect(await db.member.findUniqueOrThrow({ where: { id: member.id } })).toMatchObject({ birthdayMonth: null, birthdayDay: null, birthdayYear: null });
  });
});
