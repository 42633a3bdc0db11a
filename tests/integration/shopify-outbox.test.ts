/**
 * The Shopify outbox (ADR 009) against the real database and the Admin GraphQL stand-in: balance and
 * program changes reach the storefront metafields the theme extension reads, collapsed, retried with
 * backoff, given up with the error kept, skipped for uninstalled shops, per shop, and never sent twice
 * by two workers at once (this file also runs on PostgreSQL).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { runRedemptionRecovery } from "~/jobs/redemption-recovery.server";
import { MAX_TRIES, outboxBackoffMs, processDueOutbox } from "~/jobs/shopify-outbox.server";
import { appendCredit, appendDebit, findBalanceMismatches, runOnce } from "~/loyalty/ledger.server";
import { createReward } from "~/loyalty/services/redemptions.server";
import { markUninstalled } from "~/loyalty/services/shops.server";
import { balanceKey, PROGRAM_KEY } from "~/loyalty/services/shopify-outbox.server";
import type { MemberResponse } from "~/loyalty/storefront-contract";
import { deliver, drainOutbox, installShop, memberOf, proxyGet } from "../support/app";
import { resetDatabase } from "../support/database";
import {
  adminSchema,
  createAdminApiStandIn,
  installAdminApiFetch,
  type AdminApiFetchHandle,
  type AdminApiRequestRecord,
  type AdminApiStandIn,
} from "../support/shopify/admin-graphql";
import { customerPayload, paidOrderPayload, shopRedactPayload, type CustomerPayload } from "../support/shopify/payloads";

const SHOP = "test-shop.myshopify.com";
const OTHER_SHOP = "other-shop.myshopify.com";
const BALANCE = { namespace: "$app:keepsake", key: "balance" };

let shopify: AdminApiStandIn;
let handle: AdminApiFetchHandle | undefined;

beforeEach(async () => {
  await resetDatabase(db);
  await installShop(SHOP);
  await installShop(OTHER_SHOP);
  // Throttling on demand only (the concurrency test sends many calls at once).
  shopify = createAdminApiStandIn({ throttle: false });
  handle = installAdminApiFetch(shopify, { passthrough: false });
});

afterEach(() => handle?.restore());

async function enrolled(domain = SHOP, customer: CustomerPayload = customerPayload()) {
  await deliver("customers/create", customer, { shop: domain });
  const member = await memberOf(domain, customer.admin_graphql_api_id);
  if (!member) throw new Error("member not enrolled");
  return { customer, member, customerGid: customer.admin_graphql_api_id };
}

let grants = 0;
async function grant(member: { id: string; shopId: string }, points: number): Promise<void> {
  grants += 1;
  await runOnce(db, (tx) =>
    appendCredit(tx, {
      shopId: member.shopId,
      memberId: member.id,
      kind: "manual_adjustment",
      delta: points,
      idempotencyKey: `test:grant:${member.id}:${grants}`,
      description: "Test grant",
    }),
  );
}

async function spend(member: { id: string; shopId: string }, points: number): Promise<void> {
  grants += 1;
  await runOnce(db, (tx) =>
    appendDebit(tx, {
      shopId: member.shopId,
      memberId: member.id,
      kind: "manual_adjustment",
      delta: points,
      idempotencyKey: `test:spend:${member.id}:${grants}`,
      description: "Test spend",
    }),
  );
}

const metafieldsSetCalls = () => shopify.requestsFor("MetafieldsSet");

/** The metafield inputs of a recorded call, as sent. */
function inputsOf(record: AdminApiRequestRecord): Record<string, string>[] {
  return (record.variables.metafields ?? []) as Record<string, string>[];
}

function balanceInputsFor(customerGid: string): Record<string, string>[] {
  return metafieldsSetCalls()
    .flatMap(inputsOf)
    .filter((input) => input.ownerId === customerGid);
}

async function outboxRow(domain: string, key: string) {
  return db.shopifyOutbox.findFirstOrThrow({ where: { key, shop: { domain } } });
}

/** Makes a row that waits for its backoff due now (time travel for the retry tests). */
async function makeDue(id: string): Promise<void> {
  await db.shopifyOutbox.update({ where: { id }, data: { availableAt: new Date(Date.now() - 1) } });
}

describe("Shopify outbox: balances", () => {
  it("a paid order publishes the member's new balance to the customer's $app:keepsake.balance metafield", async () => {
    const { customer, member, customerGid } = await enrolled();
    await deliver("orders/paid", paidOrderPayload({ customer, lines: [{ title: "Mug", price: "42.00" }] }));
    // Committed with the balance: pending before any worker ran.
    const pending = await outboxRow(SHOP, balanceKey(member.id));
    expect(pending).toMatchObject({ kind: "customer_balance", status: "pending", tries: 0 });

    const report = await drainOutbox();
    expect(report).toMatchObject({ sent: 1, failed: 0, retrying: 0 });
    const calls = metafieldsSetCalls();
    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    // The stand-in validated the document and its variables against the 2026-07 schema and answered data.
    expect(call).toMatchObject({ status: 200, errors: [], shop: SHOP, accessToken: `shpat_test_${SHOP}` });
    expect(adminSchema().getMutationType()?.getFields().metafieldsSet).toBeDefined();
    expect(inputsOf(call)).toEqual([{ ownerId: customerGid, ...BALANCE, type: "number_integer", value: "42" }]);
    expect(shopify.metafield(SHOP, customerGid, BALANCE.namespace, BALANCE.key)).toMatchObject({
      type: "number_integer",
      value: "42",
    });
    expect(await outboxRow(SHOP, balanceKey(member.id))).toMatchObject({ status: "done", lockedUntil: null, lastError: null });
    expect((await findBalanceMismatches(db)).mismatches).toEqual([]);

    // Nothing left: another pass sends nothing.
    expect((await drainOutbox()).sent).toBe(0);
    expect(metafieldsSetCalls()).toHaveLength(1);
  });

  it("five balance changes before a pass make ONE call carrying the latest balance", async () => {
    const { member, customerGid } = await enrolled();
    await grant(member, 100);
    await grant(member, 50);
    await spend(member, 30);
    await grant(member, 5);
    await spend(member, 25);
    expect(await db.shopifyOutbox.count()).toBe(1);
    expect((await outboxRow(SHOP, balanceKey(member.id))).version).toBe(4);

    await drainOutbox();
    expect(metafieldsSetCalls()).toHaveLength(1);
    expect(balanceInputsFor(customerGid).map((input) => input.value)).toEqual(["100"]);

    // A later change reuses the same row: one row per member, however long the shop lives.
    await grant(member, 1);
    await drainOutbox();
    expect(balanceInputsFor(customerGid).map((input) => input.value)).toEqual(["100", "101"]);
    expect(await db.shopifyOutbox.count()).toBe(1);
  });

  it("a change that does not move the balance enqueues nothing", async () => {
    const { member } = await enrolled();
    await grant(member, 0);
    expect(await db.shopifyOutbox.count()).toBe(0);
  });

  it("a change committed while its row is being sent stays pending with the newer value, sent next", async () => {
    const { member, customerGid } = await enrolled();
    await grant(member, 10);
    // Shopify answers the first call only after another balance change committed.
    const slow = createAdminApiStandIn({ throttle: false });
    let first = true;
    slow.onMutation("metafieldsSet", async () => {
      if (first) {
        first = false;
        await grant(member, 7);
      }
      return { metafields: [], userErrors: [] };
    });
    handle?.use(slow);
    const report = await drainOutbox();
    expect(report.sent).toBe(1); // the second, newer send
    const values = slow.requestsFor("MetafieldsSet").flatMap(inputsOf).map((input) => input.value);
    expect(values).toEqual(["10", "17"]);
    expect(await outboxRow(SHOP, balanceKey(member.id))).toMatchObject({ status: "done", lockedBy: null });
    expect(customerGid).toMatch(/^gid:\/\/shopify\/Customer\/\d+$/);
  });
});

describe("Shopify outbox: failures", () => {
  it.each([
    ["throttled", () => shopify.throttleNext(), /throttled/i],
    ["HTTP 500", () => shopify.failNext(500), /HTTP 500/],
    [
      "userErrors",
      () => shopify.userErrorsNext("metafieldsSet", [{ field: ["metafields", "0", "value"], message: "Value is invalid.", code: "INVALID_VALUE", elementIndex: 0 }]),
      /Value is invalid/,
    ],
  ] as const)("%s → retried later with exponential backoff, then sent", async (_name, fail, errorPattern) => {
    const { member, customerGid } = await enrolled();
    await grant(member, 12);
    fail();
    const before = Date.now();
    expect(await drainOutbox()).toMatchObject({ sent: 0, retrying: 1 });
    let row = await outboxRow(SHOP, balanceKey(member.id));
    expect(row).toMatchObject({ status: "pending", tries: 1, lockedUntil: null, lockedBy: null });
    expect(row.lastError).toMatch(errorPattern);
    const firstDelay = row.availableAt.getTime() - before;
    expect(firstDelay).toBeGreaterThanOrEqual(outboxBackoffMs(1) - 50);
    expect(firstDelay).toBeLessThan(outboxBackoffMs(1) + 5_000);
    // Not due yet: a pass now sends nothing.
    expect((await drainOutbox()).sent).toBe(0);
    expect(metafieldsSetCalls()).toHaveLength(1);

    // Second failure: the wait doubles.
    fail();
    await makeDue(row.id);
    const again = Date.now();
    await drainOutbox();
    row = await outboxRow(SHOP, balanceKey(member.id));
    expect(row.tries).toBe(2);
    expect(row.availableAt.getTime() - again).toBeGreaterThanOrEqual(outboxBackoffMs(2) - 50);
    expect(outboxBackoffMs(2)).toBe(2 * outboxBackoffMs(1));

    await makeDue(row.id);
    expect((await drainOutbox()).sent).toBe(1);
    expect(await outboxRow(SHOP, balanceKey(member.id))).toMatchObject({ status: "done", lastError: null });
    expect(shopify.metafield(SHOP, customerGid, BALANCE.namespace, BALANCE.key)?.value).toBe("12");
  });

  it(`gives up after ${MAX_TRIES} tries and keeps the last error`, async () => {
    const { member, customerGid } = await enrolled();
    await grant(member, 3);
    const row = await outboxRow(SHOP, balanceKey(member.id));
    await db.shopifyOutbox.update({ where: { id: row.id }, data: { tries: MAX_TRIES - 1 } });
    shopify.failNext(503);
    expect(await drainOutbox()).toMatchObject({ sent: 0, failed: 1 });
    const failed = await outboxRow(SHOP, balanceKey(member.id));
    expect(failed).toMatchObject({ status: "failed", tries: MAX_TRIES, lockedUntil: null });
    expect(failed.lastError).toMatch(/HTTP 503/);
    await makeDue(row.id);
    expect((await drainOutbox()).sent).toBe(0);
    expect(shopify.metafield(SHOP, customerGid, BALANCE.namespace, BALANCE.key)).toBeUndefined();

    // A new balance deserves a fresh start.
    await grant(member, 1);
    expect(await outboxRow(SHOP, balanceKey(member.id))).toMatchObject({ status: "pending", tries: 0, lastError: null });
    expect((await drainOutbox()).sent).toBe(1);
    expect(shopify.metafield(SHOP, customerGid, BALANCE.namespace, BALANCE.key)?.value).toBe("4");
  });

  it("one refused input fails only its own row; the others in the same call go again at once", async () => {
    const a = await enrolled();
    const b = await enrolled();
    await grant(a.member, 1);
    await grant(b.member, 2);
    // Shopify names input 1 of the (atomic) call: nothing of it was saved.
    shopify.userErrorsNext("metafieldsSet", [{ field: ["metafields", "1", "ownerId"], message: "Owner does not exist", elementIndex: 1 }]);
    const report = await drainOutbox();
    expect(report).toMatchObject({ sent: 1, retrying: 1 });
    const rows = await db.shopifyOutbox.findMany({ orderBy: { createdAt: "asc" } });
    const [sentRow, failedRow] = rows[0]!.status === "done" ? [rows[0]!, rows[1]!] : [rows[1]!, rows[0]!];
    expect(sentRow).toMatchObject({ status: "done", tries: 1 });
    expect(failedRow).toMatchObject({ status: "pending", tries: 1 });
    expect(failedRow.lastError).toMatch(/Owner does not exist/);
  });

  it("a shop without an offline session waits with its error; the token comes back, it is sent", async () => {
    const { member, customerGid } = await enrolled();
    await grant(member, 8);
    await db.session.deleteMany({ where: { shop: SHOP } });
    expect(await drainOutbox()).toMatchObject({ sent: 0, retrying: 1 });
    expect((await outboxRow(SHOP, balanceKey(member.id))).lastError).toMatch(/no offline session/);
    await installShop(SHOP);
    await makeDue((await outboxRow(SHOP, balanceKey(member.id))).id);
    await drainOutbox();
    expect(shopify.metafield(SHOP, customerGid, BALANCE.namespace, BALANCE.key)?.value).toBe("8");
  });
});

describe("Shopify outbox: shops", () => {
  it("an uninstalled shop is skipped (nothing sent, rows kept) until it is installed again", async () => {
    const { member, customerGid } = await enrolled();
    await grant(member, 9);
    await markUninstalled(SHOP);
    expect((await drainOutbox()).sent).toBe(0);
    expect(shopify.requests).toHaveLength(0);
    expect(await outboxRow(SHOP, balanceKey(member.id))).toMatchObject({ status: "pending", tries: 0 });

    await installShop(SHOP);
    await drainOutbox();
    expect(shopify.metafield(SHOP, customerGid, BALANCE.namespace, BALANCE.key)?.value).toBe("9");
  });

  it("keeps shops apart: each shop's metafields go to its own store with its own token", async () => {
    const mine = await enrolled(SHOP);
    const theirs = await enrolled(OTHER_SHOP);
    await grant(mine.member, 11);
    await grant(theirs.member, 22);
    await drainOutbox();
    const calls = metafieldsSetCalls();
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call.accessToken).toBe(`shpat_test_${call.shop}`);
      const owners = inputsOf(call).map((input) => input.ownerId);
      expect(owners).toEqual([call.shop === SHOP ? mine.customerGid : theirs.customerGid]);
    }
    expect(shopify.metafield(SHOP, mine.customerGid, BALANCE.namespace, BALANCE.key)?.value).toBe("11");
    expect(shopify.metafield(OTHER_SHOP, theirs.customerGid, BALANCE.namespace, BALANCE.key)?.value).toBe("22");
    expect(shopify.metafield(SHOP, theirs.customerGid, BALANCE.namespace, BALANCE.key)).toBeUndefined();
    expect(shopify.metafield(OTHER_SHOP, mine.customerGid, BALANCE.namespace, BALANCE.key)).toBeUndefined();
  });

  it("shop/redact deletes the shop's outbox with the rest of its data", async () => {
    const { member } = await enrolled();
    await grant(member, 5);
    await deliver("shop/redact", shopRedactPayload({ shopDomain: SHOP }));
    expect(await db.shopifyOutbox.count({ where: { shop: { domain: SHOP } } })).toBe(0);
  });
});

describe("Shopify outbox: program", () => {
  it("a new reward republishes keepsake.earn_rate and keepsake.program on the app installation, as GET member shows it", async () => {
    await db.shop.update({ where: { domain: SHOP }, data: { earnRate: "1.5", signupBonusPoints: 50 } });
    const created = await createReward(SHOP, { kind: "amount_off", name: "$5 off", pointsCost: 500, amount: "5.00" });
    expect(created.ok).toBe(true);
    expect(await outboxRow(SHOP, PROGRAM_KEY)).toMatchObject({ kind: "program", status: "pending" });

    await drainOutbox();
    expect(shopify.requestsFor("CurrentAppInstallation")).toHaveLength(1);
    const installation = shopify.appInstallationId(SHOP);
    const rate = shopify.metafield(SHOP, installation, "keepsake", "earn_rate");
    expect(rate).toMatchObject({ type: "number_decimal", value: "1.5" });
    const program = shopify.metafield(SHOP, installation, "keepsake", "program");
    expect(program?.type).toBe("json");
    // The same ProgramInfo a guest gets from the app proxy: the first paint and the panel agree.
    const guest = (await (await proxyGet({ shop: SHOP, loggedInCustomerId: "" })).json()) as MemberResponse;
    expect(JSON.parse(program?.value ?? "null")).toEqual(guest.program);
    expect(guest.program.rewards.map((r) => r.name)).toEqual(["$5 off"]);

    // The installation id is cached per shop: the next change asks only for metafieldsSet.
    await createReward(SHOP, { kind: "free_shipping", name: "Free shipping", pointsCost: 300 });
    await drainOutbox();
    expect(shopify.requestsFor("CurrentAppInstallation")).toHaveLength(1);
    const updated = JSON.parse(shopify.metafield(SHOP, installation, "keepsake", "program")?.value ?? "null") as MemberResponse["program"];
    expect(updated.rewards.map((r) => r.name)).toEqual(["Free shipping", "$5 off"]);
  });

  it("a paused program removes the earn rate (no 'Earn 0 points') and publishes no rewards", async () => {
    await createReward(SHOP, { kind: "free_shipping", name: "Free shipping", pointsCost: 300 });
    await drainOutbox();
    const installation = shopify.appInstallationId(SHOP);
    expect(shopify.metafield(SHOP, installation, "keepsake", "earn_rate")?.value).toBe("1");

    await db.shop.update({ where: { domain: SHOP }, data: { programEnabled: false } });
    await createReward(SHOP, { kind: "free_shipping", name: "Another", pointsCost: 100 });
    await drainOutbox();
    expect(shopify.requestsFor("MetafieldsDelete")).toHaveLength(1);
    expect(shopify.metafield(SHOP, installation, "keepsake", "earn_rate")).toBeUndefined();
    const program = JSON.parse(shopify.metafield(SHOP, installation, "keepsake", "program")?.value ?? "null") as MemberResponse["program"];
    expect(program).toMatchObject({ waysToEarn: [], rewards: [] });
  });

  it("an installation id Shopify refuses is asked again on the next try", async () => {
    // Say a cached id went stale: Shopify refuses app-data metafields on an installation not the caller's.
    const stale = createAdminApiStandIn({ throttle: false });
    let answers = 0;
    stale.onQuery("currentAppInstallation", (_args, context) => {
      answers += 1;
      return { id: answers === 1 ? "gid://shopify/AppInstallation/999" : stale.appInstallationId(context.shop ?? "") };
    });
    handle?.use(stale);
    await createReward(OTHER_SHOP, { kind: "free_shipping", name: "Free shipping", pointsCost: 300 });
    expect(await drainOutbox()).toMatchObject({ sent: 0, retrying: 1 });
    const row = await outboxRow(OTHER_SHOP, PROGRAM_KEY);
    expect(row.lastError).toMatch(/own installation/);
    await makeDue(row.id);
    expect((await drainOutbox()).sent).toBe(1);
    expect(answers).toBe(2);
    expect(stale.metafield(OTHER_SHOP, stale.appInstallationId(OTHER_SHOP), "keepsake", "program")?.type).toBe("json");
  });

  it("a refused reward changes nothing and enqueues nothing", async () => {
    const refused = await createReward(SHOP, { kind: "amount_off", name: "", pointsCost: -1 });
    expect(refused.ok).toBe(false);
    expect(await db.shopifyOutbox.count()).toBe(0);
    expect(await db.reward.count()).toBe(0);
  });

  it("balance and program rows of one shop share calls of at most 25 metafields", async () => {
    const members = [];
    for (let i = 0; i < 30; i += 1) members.push(await enrolled());
    for (const { member } of members) await grant(member, 1);
    await createReward(SHOP, { kind: "free_shipping", name: "Free shipping", pointsCost: 300 });
    expect((await drainOutbox()).sent).toBe(31);
    const sizes = metafieldsSetCalls().map((call) => inputsOf(call).length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(25);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(32); // 30 balances + earn rate + program
  });
});

describe("Shopify outbox: concurrent workers", () => {
  it("two workers draining at once never send the same row twice", async () => {
    const members = [];
    for (let i = 0; i < 40; i += 1) members.push(await enrolled(i % 2 === 0 ? SHOP : OTHER_SHOP));
    for (const [i, { member }] of members.entries()) await grant(member, i + 1);

    const reports = await Promise.all([processDueOutbox(), processDueOutbox(), processDueOutbox()]);
    expect(reports.reduce((sum, report) => sum + report.sent, 0)).toBe(40);
    const owners = metafieldsSetCalls().flatMap(inputsOf).map((input) => input.ownerId);
    expect(owners).toHaveLength(40);
    expect(new Set(owners).size).toBe(40);
    for (const [i, { customerGid, member }] of members.entries()) {
      const domain = i % 2 === 0 ? SHOP : OTHER_SHOP;
      expect(shopify.metafield(domain, customerGid, BALANCE.namespace, BALANCE.key)?.value).toBe(String(i + 1));
      expect((await outboxRow(domain, balanceKey(member.id))).status).toBe("done");
    }
  });

  it("a pass slower than its lease renews it: another worker never takes and resends the rows still being sent", async () => {
    handle?.restore();
    shopify = createAdminApiStandIn({ throttle: false, latencyMs: 250 });
    handle = installAdminApiFetch(shopify, { passthrough: false });
    const members = [];
    for (let i = 0; i < 100; i += 1) members.push(await enrolled());
    for (const [i, { member }] of members.entries()) await grant(member, i + 1);
    // Four calls of 25 rows at 250 ms each: about 1 s of sending under a 700 ms lease.
    const timing = { leaseMs: 700, sendTimeoutMs: 400 };
    let slowDone = false;
    const slow = processDueOutbox(timing).finally(() => {
      slowDone = true;
    });
    await new Promise((resolve) => setTimeout(resolve, timing.leaseMs + 50));
    // The first lease has run out by now: a second worker keeps looking while the slow pass sends.
    let looks = 0;
    let stolen = 0;
    while (!slowDone) {
      looks += 1;
      stolen += (await processDueOutbox(timing)).sent;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect((await slow).sent).toBe(100);
    expect(looks).toBeGreaterThan(0);
    expect(stolen).toBe(0);
    const owners = metafieldsSetCalls().flatMap(inputsOf).map((input) => input.ownerId);
    expect(owners).toHaveLength(100);
    expect(new Set(owners).size).toBe(100);
  });

  it("a row another worker holds a lease on is left alone until the lease ends", async () => {
    const { member } = await enrolled();
    await grant(member, 4);
    const row = await outboxRow(SHOP, balanceKey(member.id));
    await db.shopifyOutbox.update({ where: { id: row.id }, data: { lockedUntil: new Date(Date.now() + 60_000), lockedBy: "another" } });
    expect((await drainOutbox()).sent).toBe(0);
    expect(shopify.requests).toHaveLength(0);
    // That worker died: its lease runs out and this one sends the row.
    await db.shopifyOutbox.update({ where: { id: row.id }, data: { lockedUntil: new Date(Date.now() - 1) } });
    expect((await drainOutbox()).sent).toBe(1);
  });
});

describe("redemption recovery job", () => {
  it("runs recoverStaleRedemptions; calls during a run share it", async () => {
    const { member } = await enrolled();
    await grant(member, 500);
    const created = await createReward(SHOP, { kind: "amount_off", name: "$5 off", pointsCost: 500, amount: "5.00" });
    if (!created.ok) throw new Error(created.issues.join("; "));
    // A redemption a crashed request left pending before its debit, long ago.
    await db.redemption.create({
      data: {
        shopId: member.shopId,
        memberId: member.id,
        rewardId: created.id,
        requestId: "left-behind-1",
        kind: "amount_off",
        rewardName: "$5 off",
        pointsSpent: 500,
        status: "pending",
        code: "KS-LEFTBEHIND23",
        updatedAt: new Date(Date.now() - 60 * 60_000),
      },
    });
    const [first, second] = [runRedemptionRecovery(), runRedemptionRecovery()];
    expect(second).toBe(first);
    expect(await first).toMatchObject({ checked: 1, failedBeforeDebit: 1 });
    expect((await db.redemption.findFirstOrThrow({ where: { requestId: "left-behind-1" } })).status).toBe("failed");
    expect((await runRedemptionRecovery()).checked).toBe(0);
  });
});
