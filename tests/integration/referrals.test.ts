/**
 * Referrals end to end against the real database and the Admin GraphQL stand-in, through signed
 * app-proxy calls (GET /apps/keepsake/referral, POST /apps/keepsake/referral/claim) and signed
 * webhooks (orders/paid, refunds/create, orders/cancelled, customers/redact): the friend's code,
 * the referrer's reward once, its reversal, every rejection recorded, and shop isolation.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { drainInbox } from "~/jobs/webhook-inbox.server";
import { findBalanceMismatches } from "~/loyalty/ledger.server";
import { hashEmail } from "~/loyalty/referrals";
import { createReward } from "~/loyalty/services/redemptions.server";
import type { MemberResponse, ReferralClaimError, ReferralClaimSuccess, ReferralResponse } from "~/loyalty/storefront-contract";
import { APP_SECRET, deliver, entriesOf, installShop, memberOf, proxyGet } from "../support/app";
import { resetDatabase } from "../support/database";
import {
  createAdminApiStandIn,
  installAdminApiFetch,
  type AdminApiFetchHandle,
  type AdminApiStandIn,
} from "../support/shopify/admin-graphql";
import { signedAppProxyRequest } from "../support/shopify/app-proxy";
import {
  cancelledOrderPayload,
  customerPayload,
  customersDataRequestPayload,
  customersRedactPayload,
  paidOrderPayload,
  refundPayload,
  type CustomerPayload,
} from "../support/shopify/payloads";

const SHOP = "test-shop.myshopify.com";
const OTHER_SHOP = "other-shop.myshopify.com";
const REFERRER_ADDRESS = { address1: "9 Referrer Lane", address2: null, zip: "90210", countryCodeV2: "US", phone: null };

let shopify: AdminApiStandIn;
let handle: AdminApiFetchHandle | undefined;
/** What the stand-in answers for `customer(id:)`: the referrer's contact details, by customer GID. */
const contacts = new Map<string, { email: string | null; phone: string | null; address: typeof REFERRER_ADDRESS | null }>();
/** …and a customer's orders as Shopify knows them (orders Keepsake never saw, e.g. from before install). */
const orderHistories = new Map<string, { numberOfOrders: number; orders: { id: string; createdAt: string }[] }>();
/** `order(id:).createdAt` by order GID (default: now). */
const orderCreatedAt = new Map<string, string>();
/** Set to make the order-history question fail (a GraphQL error, as when Shopify errs). */
let orderHistoryFails = false;
let ipCounter = 0;

beforeEach(async () => {
  await resetDatabase(db);
  contacts.clear();
  orderHistories.clear();
  orderCreatedAt.clear();
  orderHistoryFails = false;
  shopify = createAdminApiStandIn({ throttle: false });
  shopify.onQuery("customer", (args) => {
    const contact = contacts.get(String(args.id));
    const history = orderHistories.get(String(args.id));
    if (!contact && !history) return null;
    return {
      id: args.id,
      defaultEmailAddress: contact?.email ? { emailAddress: contact.email } : null,
      defaultPhoneNumber: contact?.phone ? { phoneNumber: contact.phone } : null,
      defaultAddress: contact?.address ?? null,
      numberOfOrders: String(history?.numberOfOrders ?? history?.orders.length ?? 0),
      orders: { nodes: history?.orders ?? [] },
    };
  });
  shopify.onQuery("order", (args) => {
    if (orderHistoryFails) throw new Error("Internal error. Looks like something went wrong on our end.");
    return { id: args.id, createdAt: orderCreatedAt.get(String(args.id)) ?? new Date().toISOString() };
  });
  handle = installAdminApiFetch(shopify, { passthrough: false });
});

afterEach(() => handle?.restore());

/** A fresh network per claim unless a test says otherwise (the daily IP limit is its own test). */
const freshIp = () => `198.51.100.${(ipCounter = (ipCounter % 250) + 1)}`;

async function setUpShop(domain = SHOP, settings: Record<string, unknown> = {}) {
  const shop = await installShop(domain);
  const friendReward = await createReward(domain, { kind: "amount_off", name: "$10 off your first order", pointsCost: 1, amount: "10.00" });
  if (!friendReward.ok) throw new Error(friendReward.issues.join("; "));
  await db.shop.update({
    where: { id: shop.id },
    data: {
      referralsEnabled: true,
      referrerRewardPoints: 500,
      friendRewardId: friendReward.id,
      referralPendingDays: 30,
      referralMonthlyCap: 10,
      referralIpClaimsPerDay: 5,
      ...settings,
    },
  });
  return { shopId: shop.id, friendRewardId: friendReward.id };
}

async function enrolReferrer(domain = SHOP, options: { phone?: string } = {}) {
  const customer = customerPayload({ email: `referrer-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`, phone: options.phone ?? null });
  await deliver("customers/create", customer, { shop: domain });
  contacts.set(customer.admin_graphql_api_id, { email: customer.email, phone: options.phone ?? "+1 202 555 0100", address: REFERRER_ADDRESS });
  const view = await getReferral({ shop: domain, customerId: String(customer.id) });
  if (!view.body.own) throw new Error("no own referral");
  return { customer, code: view.body.own.code, link: view.body.own.link };
}

async function getReferral(options: { shop?: string; customerId?: string; ref?: string }) {
  const { loader } = (await import("~/routes/proxy.referral")) as { loader: (args: LoaderFunctionArgs) => Promise<Response> };
  const request = signedAppProxyRequest({
    shop: options.shop ?? SHOP,
    loggedInCustomerId: options.customerId ?? "",
    path: "/referral",
    secret: APP_SECRET(),
    query: options.ref ? { ref: options.ref } : {},
  });
  const response = await loader({ request, params: {}, context: {} });
  return { status: response.status, body: (await response.json()) as ReferralResponse };
}

async function memberJson(customerId: string): Promise<MemberResponse> {
  return (await (await proxyGet({ shop: SHOP, loggedInCustomerId: customerId })).json()) as MemberResponse;
}

async function claim(options: { ref: string; email: string; shop?: string; ip?: string; customerId?: string; body?: unknown; secret?: string }) {
  const { action } = (await import("~/routes/proxy.referral.claim")) as { action: (args: ActionFunctionArgs) => Promise<Response> };
  const request = signedAppProxyRequest({
    shop: options.shop ?? SHOP,
    loggedInCustomerId: options.customerId ?? "",
    path: "/referral/claim",
    method: "POST",
    secret: options.secret ?? APP_SECRET(),
    body: (options.body ?? { ref: options.ref, email: options.email }) as Record<string, unknown>,
    headers: { "X-Forwarded-For": `${options.ip ?? freshIp()}, 10.0.0.1` },
  });
  let response: Response;
  try {
    response = await action({ request, params: {}, context: {} });
  } catch (thrown) {
    if (!(thrown instanceof Response)) throw thrown;
    response = thrown;
  }
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as ReferralClaimSuccess & ReferralClaimError };
}

/** A friend (new customer) who pays an order with `code`. */
async function friendOrder(code: string, options: { customer?: CustomerPayload; shop?: string; email?: string } = {}) {
  const customer = options.customer ?? customerPayload({ email: options.email ?? `friend-${Math.random().toString(36).slice(2)}@example.com` });
  const order = paidOrderPayload({ customer, discountCodes: [{ code, amount: "10.00" }] });
  return { customer, order };
}

async function referralsOf(domain = SHOP) {
  return db.referral.findMany({ where: { shop: { domain } }, orderBy: { createdAt: "asc" } });
}

const referralEntries = async (customerGid: string, domain = SHOP) =>
  (await entriesOf(domain, customerGid)).filter((entry) => entry.kind.startsWith("referral_"));

async function expectLedgerExact() {
  expect((await findBalanceMismatches(db)).mismatches).toEqual([]);
}

describe("GET /apps/keepsake/referral", () => {
  it("gives a member a code and a kp_ref link (kept), shows a friend the offer, and shows nothing when off", async () => {
    await setUpShop();
    const { customer, code, link } = await enrolReferrer();
    expect(code).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
    expect(link).toBe(`https://${SHOP}/?kp_ref=${code}`);
    const again = await getReferral({ customerId: String(customer.id) });
    expect(again.body.own).toMatchObject({
      code,
      referrerReward: { points: 500, rewardName: null },
      friendReward: { rewardName: "$10 off your first order", kind: "amount_off" },
      stats: { claimed: 0, rewarded: 0, pointsEarned: 0 },
    });
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.referralCode).toBe(code);

    const guest = await getReferral({ ref: code.toLowerCase() });
    expect(guest.body).toEqual({ enabled: true, offer: { rewardName: "$10 off your first order", kind: "amount_off" }, own: null });
    expect((await getReferral({ ref: "ZZZZZZZZ" })).body.offer).toBeNull();

    // GET member tells the widget referrals are on, and lists the referral as a way to earn.
    const member = await memberJson(String(customer.id));
    expect(member.program.referrals).toBe(true);
    expect(member.program.waysToEarn).toContainEqual({ kind: "referral", points: 500, description: "Points for each friend you refer" });

    await db.shop.update({ where: { domain: SHOP }, data: { referralsEnabled: false } });
    expect((await getReferral({ ref: code, customerId: String(customer.id) })).body).toEqual({ enabled: false, offer: null, own: null });
    const off = await memberJson(String(customer.id));
    expect(off.program.referrals).toBeUndefined();
    expect(off.program.waysToEarn.map((way) => way.kind)).not.toContain("referral");
  });
});

describe("claim → friend code → first order → referrer reward", () => {
  it("creates an uncapped single-use code, rewards the referrer once (duplicate and repeated deliveries), and counts it", async () => {
    await setUpShop();
    const referrer = await enrolReferrer();
    const claimed = await claim({ ref: referrer.code, email: "Friend.One@Example.com" });
    expect(claimed.status).toBe(200);
    expect(claimed.body).toMatchObject({ rewardName: "$10 off your first order", kind: "amount_off", expiresAt: null });
    expect(claimed.body.code).toMatch(/^KR-[A-HJ-NP-Z2-9]{12}$/);

    // The code in Shopify: any buyer (the friend may not be a customer), one use, once per customer.
    const discounts = [...shopify.discounts.values()];
    expect(discounts).toHaveLength(1);
    const input = discounts[0]!.input as Record<string, unknown>;
    expect(discounts[0]!.code).toBe(claimed.body.code);
    expect(input).toMatchObject({ usageLimit: 1, appliesOncePerCustomer: true, context: { all: "ALL" } });
    expect(JSON.stringify(input)).not.toContain("gid://shopify/Customer");

    // Claiming again with the same email and link gives the same code (a reload, a double click).
    const repeat = await claim({ ref: referrer.code, email: "friend.one@example.com" });
    expect(repeat.body.code).toBe(claimed.body.code);
    expect(shopify.discounts.size).toBe(1);
    const [row] = await referralsOf();
    expect(row).toMatchObject({ status: "claimed", friendEmail: "friend.one@example.com", acceptedEmailKey: hashEmail("friend.one@example.com") });
    expect(row!.claimIpHash).toMatch(/^[0-9a-f]{64}$/);

    const { order } = await friendOrder(claimed.body.code.toLowerCase(), { email: "friend.one@example.com" });
    const webhookId = "referral-order-webhook-1";
    expect((await deliver("orders/paid", order, { webhookId })).status).toBe(200);
    await deliver("orders/paid", order, { webhookId }); // Shopify's retry of the same delivery
    await deliver("orders/paid", order); // the same order again under a new delivery id

    const rewards = await referralEntries(referrer.customer.admin_graphql_api_id);
    expect(rewards.map((entry) => [entry.kind, entry.delta, entry.orderGid])).toEqual([["referral_reward", 500, order.admin_graphql_api_id]]);
    const [rewarded] = await referralsOf();
    expect(rewarded).toMatchObject({ status: "rewarded", orderGid: order.admin_graphql_api_id, friendCustomerGid: order.customer!.admin_graphql_api_id });
    expect((await getReferral({ customerId: String(referrer.customer.id) })).body.own?.stats).toEqual({ claimed: 1, rewarded: 1, pointsEarned: 500 });
    // The friend's order earned its own points as usual, and the referrer's contact was compared.
    expect(shopify.requestsFor("CustomerContact")).toHaveLength(1);
    await expectLedgerExact();
  });

  it("Shopify unreachable while comparing the referrer: the delivery is retried and rewards once then", async () => {
    await setUpShop();
    const referrer = await enrolReferrer();
    const claimed = await claim({ ref: referrer.code, email: "patient@example.com" });
    const { order } = await friendOrder(claimed.body.code, { email: "patient@example.com" });
    shopify.failNext(503);
    expect((await deliver("orders/paid", order)).status).toBe(200);
    expect((await referralsOf())[0]!.status).toBe("claimed");
    const waiting = await db.webhookDelivery.findFirstOrThrow({ where: { topic: "ORDERS_PAID" } });
    expect(waiting.status).toBe("received"); // kept for a retry, not given up
    // The retry's time comes: the worker applies it again.
    await db.webhookDelivery.updateMany({ where: { id: waiting.id }, data: { availableAt: new Date(Date.now() - 1000) } });
    await drainInbox();
    expect((await referralsOf())[0]!.status).toBe("rewarded");
    expect((await referralEntries(referrer.customer.admin_graphql_api_id)).map((e) => e.delta)).toEqual([500]);
    expect(await db.ledgerEntry.count({ where: { orderGid: order.admin_graphql_api_id, kind: "order_earn" } })).toBe(1);
    await expectLedgerExact();
  });

  it("a full refund within the pending days reverses the reward; a partial refund does not", async () => {
    await setUpShop();
    const referrer = await enrolReferrer();
    const claimed = await claim({ ref: referrer.code, email: "refunded@example.com" });
    const { order } = await friendOrder(claimed.body.code, { email: "refunded@example.com" });
    await deliver("orders/paid", order);

    await deliver("refunds/create", refundPayload(order, { lines: [{ lineIndex: 0, quantity: 1 }] }));
    expect((await referralsOf())[0]!.status).toBe("rewarded");
    expect((await referralEntries(referrer.customer.admin_graphql_api_id)).map((e) => e.delta)).toEqual([500]);

    const rest = refundPayload(order, { lines: [{ lineIndex: 0, quantity: 1 }] });
    await deliver("refunds/create", rest);
    await deliver("refunds/create", rest); // redelivered
    const entries = await referralEntries(referrer.customer.admin_graphql_api_id);
    expect(entries.map((e) => [e.kind, e.delta])).toEqual([
      ["referral_reward", 500],
      ["referral_reversal", -500],
    ]);
    expect(entries[1]!.idempotencyKey).toBe(`referral:${(await referralsOf())[0]!.id}:reverse`);
    expect((await referralsOf())[0]).toMatchObject({ status: "reversed" });
    expect((await referralsOf())[0]!.reversedAt).toBeInstanceOf(Date);
    expect((await getReferral({ customerId: String(referrer.customer.id) })).body.own?.stats).toEqual({ claimed: 1, rewarded: 0, pointsEarned: 0 });
    await expectLedgerExact();
  });

  it("a cancellation within the pending days reverses it; a full refund after them keeps it", async () => {
    await setUpShop();
    const referrer = await enrolReferrer();
    const first = await claim({ ref: referrer.code, email: "cancelled@example.com" });
    const cancelled = await friendOrder(first.body.code, { email: "cancelled@example.com" });
    await deliver("orders/paid", cancelled.order);
    await deliver("orders/cancelled", cancelledOrderPayload(cancelled.order));

    const second = await claim({ ref: referrer.code, email: "late-refund@example.com" });
    const late = await friendOrder(second.body.code, { email: "late-refund@example.com" });
    await deliver("orders/paid", late.order);
    // The order was paid 31 days ago: the pending period (30 days) is over.
    await db.orderRecord.updateMany({
      where: { orderGid: late.order.admin_graphql_api_id },
      data: { paidAt: new Date(Date.now() - 31 * 86_400_000) },
    });
    await deliver("refunds/create", refundPayload(late.order));

    const byOrder = new Map((await referralsOf()).map((r) => [r.orderGid, r.status]));
    expect(byOrder.get(cancelled.order.admin_graphql_api_id)).toBe("reversed");
    expect(byOrder.get(late.order.admin_graphql_api_id)).toBe("rewarded");
    const deltas = (await referralEntries(referrer.customer.admin_graphql_api_id)).map((e) => [e.kind, e.delta]);
    expect(deltas).toEqual([
      ["referral_reward", 500],
      ["referral_reversal", -500],
      ["referral_reward", 500],
    ]);
    await expectLedgerExact();
  });

  it("a catalog reward for the referrer is a code locked to them; a reversal cancels it while unused", async () => {
    const { shopId } = await setUpShop();
    const referrerReward = await createReward(SHOP, { kind: "free_shipping", name: "Free shipping", pointsCost: 1 });
    if (!referrerReward.ok) throw new Error("reward");
    await db.shop.update({ where: { id: shopId }, data: { referrerRewardPoints: null, referrerRewardId: referrerReward.id } });
    const referrer = await enrolReferrer();
    const claimed = await claim({ ref: referrer.code, email: "gift@example.com" });
    const { order } = await friendOrder(claimed.body.code, { email: "gift@example.com" });
    await deliver("orders/paid", order);
    await deliver("orders/paid", order);

    const grants = await db.redemption.findMany({ where: { shopId, requestId: { startsWith: "grant:referral:" } } });
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({ status: "issued", pointsSpent: 0, rewardId: referrerReward.id });
    const grantDiscount = shopify.discounts.get(grants[0]!.discountGid!);
    expect(JSON.stringify(grantDiscount?.input)).toContain(referrer.customer.admin_graphql_api_id);
    expect(await referralEntries(referrer.customer.admin_graphql_api_id)).toEqual([]); // no points configured

    await deliver("refunds/create", refundPayload(order));
    expect((await db.redemption.findUniqueOrThrow({ where: { id: grants[0]!.id } })).status).toBe("cancelled");
    expect(shopify.requestsFor("DiscountCodeDelete")).toHaveLength(1);
    expect((await referralsOf())[0]!.status).toBe("reversed");
  });
});

describe("fraud rules: each rejection is refused and recorded for staff", () => {
  it("self-referral: the referrer's own email, or the referrer logged in", async () => {
    await setUpShop();
    const referrer = await enrolReferrer();
    const byEmail = await claim({ ref: referrer.code, email: referrer.customer.email!.toUpperCase() });
    expect(byEmail.status).toBe(422);
    expect(byEmail.body.error.code).toBe("self_referral");
    const loggedIn = await claim({ ref: referrer.code, email: "alias@example.com", customerId: String(referrer.customer.id) });
    expect(loggedIn.body.error.code).toBe("self_referral");
    const rows = await referralsOf();
    expect(rows.map((r) => [r.status, r.rejectReason, r.acceptedEmailKey, r.friendCode])).toEqual([
      ["rejected", "self_referral", null, null],
      ["rejected", "self_referral", null, null],
    ]);
    expect(shopify.discounts.size).toBe(0);
  });

  it("existing customer: an email Keepsake already has a paid order for", async () => {
    await setUpShop();
    const referrer = await enrolReferrer();
    await deliver("orders/paid", paidOrderPayload({ customer: null, email: "Shopper@example.com" }));
    const answer = await claim({ ref: referrer.code, email: "shopper@example.com" });
    expect(answer.status).toBe(422);
    expect(answer.body.error.code).toBe("existing_customer");
    expect((await referralsOf())[0]).toMatchObject({ status: "rejected", rejectReason: "existing_customer", friendEmail: "shopper@example.com" });
  });

  it("one friend reward per email: another referrer's link for the same email is refused", async () => {
    await setUpShop();
    const first = await enrolReferrer();
    const second = await enrolReferrer();
    expect((await claim({ ref: first.code, email: "popular@example.com" })).status).toBe(200);
    const again = await claim({ ref: second.code, email: "POPULAR@example.com" });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("email_used");
    const rows = await referralsOf();
    expect(rows.map((r) => [r.status, r.rejectReason])).toEqual([
      ["claimed", null],
      ["rejected", "email_used"],
    ]);
    expect(shopify.discounts.size).toBe(1);
  });

  it("one friend reward per email even when two claims race", async () => {
    await setUpShop();
    const first = await enrolReferrer();
    const second = await enrolReferrer();
    const answers = await Promise.all([
      claim({ ref: first.code, email: "racer@example.com" }),
      claim({ ref: second.code, email: "racer@example.com" }),
    ]);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    const accepted = await db.referral.findMany({ where: { acceptedEmailKey: hashEmail("racer@example.com") } });
    expect(accepted).toHaveLength(1);
    expect(shopify.discounts.size).toBe(1);
  });

  it("too many claims from one IP in a day (the first X-Forwarded-For address, stored only as a hash)", async () => {
    await setUpShop(SHOP, { referralIpClaimsPerDay: 2 });
    const referrer = await enrolReferrer();
    const ip = "203.0.113.9";
    expect((await claim({ ref: referrer.code, email: "a@example.com", ip })).status).toBe(200);
    expect((await claim({ ref: referrer.code, email: "b@example.com", ip })).status).toBe(200);
    const third = await claim({ ref: referrer.code, email: "c@example.com", ip });
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe("ip_limit");
    expect((await claim({ ref: referrer.code, email: "d@example.com", ip: "203.0.113.10" })).status).toBe(200);
    const rows = await referralsOf();
    expect(rows.map((r) => r.rejectReason)).toEqual([null, null, "ip_limit", null]);
    expect(JSON.stringify(rows)).not.toContain("203.0.113");
    expect(new Set(rows.slice(0, 3).map((r) => r.claimIpHash)).size).toBe(1);
  });

  it("at order time: the friend ships to the referrer's address or uses their phone → rejected, nothing earned", async () => {
    await setUpShop();
    const referrer = await enrolReferrer();
    const byAddress = await claim({ ref: referrer.code, email: "same-house@example.com" });
    const housemate = customerPayload({
      email: "same-house@example.com",
      address: { address1: "9 referrer lane", zip: "90210", country_code: "US" },
    });
    await deliver("orders/paid", (await friendOrder(byAddress.body.code, { customer: housemate })).order);

    const byPhone = await claim({ ref: referrer.code, email: "same-phone@example.com" });
    const samePhone = customerPayload({ email: "same-phone@example.com", phone: "(202) 555-0100" });
    await deliver("orders/paid", (await friendOrder(byPhone.body.code, { customer: samePhone })).order);

    const rows = await referralsOf();
    expect(rows.map((r) => [r.status, r.rejectReason])).toEqual([
      ["rejected", "self_referral"],
      ["rejected", "self_referral"],
    ]);
    expect(rows.every((r) => r.orderGid !== null)).toBe(true);
    expect(await referralEntries(referrer.customer.admin_graphql_api_id)).toEqual([]);
  });

  it("at order time: not the friend's first order, and the referrer's monthly cap", async () => {
    await setUpShop(SHOP, { referralMonthlyCap: 1 });
    const referrer = await enrolReferrer();
    const returning = customerPayload({ email: "returning@example.com" });
    const claimedEarly = await claim({ ref: referrer.code, email: "returning@example.com" });
    await deliver("orders/paid", paidOrderPayload({ customer: returning })); // an order without the code first
    await deliver("orders/paid", (await friendOrder(claimedEarly.body.code, { customer: returning })).order);

    const one = await claim({ ref: referrer.code, email: "one@example.com" });
    const two = await claim({ ref: referrer.code, email: "two@example.com" });
    await deliver("orders/paid", (await friendOrder(one.body.code, { email: "one@example.com" })).order);
    await deliver("orders/paid", (await friendOrder(two.body.code, { email: "two@example.com" })).order);

    const byEmail = new Map((await referralsOf()).map((r) => [r.friendEmail, [r.status, r.rejectReason]]));
    expect(byEmail.get("returning@example.com")).toEqual(["rejected", "existing_customer"]);
    expect(byEmail.get("one@example.com")).toEqual(["rewarded", null]);
    expect(byEmail.get("two@example.com")).toEqual(["rejected", "monthly_cap"]);
    expect((await referralEntries(referrer.customer.admin_graphql_api_id)).map((e) => e.delta)).toEqual([500]);
  });

  it("at order time: a friend who ordered before Keepsake was installed (only Shopify knows) → rejected, nothing earned", async () => {
    await setUpShop();
    const referrer = await enrolReferrer();
    const claimed = await claim({ ref: referrer.code, email: "old-customer@example.com" });
    expect(claimed.status).toBe(200); // Keepsake has no order for this email: the claim passes
    const { order, customer } = await friendOrder(claimed.body.code, { email: "old-customer@example.com" });
    orderCreatedAt.set(order.admin_graphql_api_id, "2026-11-20T10:00:00Z");
    orderHistories.set(customer.admin_graphql_api_id, {
      numberOfOrders: 2,
      orders: [
        { id: "gid://shopify/Order/1001", createdAt: "2026-10-02T09:00:00Z" }, // before install
        { id: order.admin_graphql_api_id, createdAt: "2026-11-20T10:00:00Z" },
      ],
    });
    await deliver("orders/paid", order);
    expect((await referralsOf())[0]).toMatchObject({ status: "rejected", rejectReason: "existing_customer", orderGid: order.admin_graphql_api_id });
    expect(await referralEntries(referrer.customer.admin_graphql_api_id)).toEqual([]);
    const [asked] = shopify.requestsFor("CustomerOrderHistory");
    expect(asked?.variables).toEqual({ customerId: customer.admin_graphql_api_id, orderId: order.admin_graphql_api_id });

    // An order older than the 60 days the app may read: Shopify counts it, the list shows only this one.
    const second = await claim({ ref: referrer.code, email: "long-ago@example.com" });
    const late = await friendOrder(second.body.code, { email: "long-ago@example.com" });
    orderHistories.set(late.customer.admin_graphql_api_id, {
      numberOfOrders: 2,
      orders: [{ id: late.order.admin_graphql_api_id, createdAt: new Date().toISOString() }],
    });
    await deliver("orders/paid", late.order);
    expect((await referralsOf())[1]).toMatchObject({ status: "rejected", rejectReason: "existing_customer" });

    // A truly new customer (this order is their first in Shopify too) still rewards the referrer.
    const third = await claim({ ref: referrer.code, email: "brand-new@example.com" });
    const fresh = await friendOrder(third.body.code, { email: "brand-new@example.com" });
    orderHistories.set(fresh.customer.admin_graphql_api_id, {
      numberOfOrders: 1,
      orders: [{ id: fresh.order.admin_graphql_api_id, createdAt: new Date().toISOString() }],
    });
    await deliver("orders/paid", fresh.order);
    expect((await referralsOf())[2]).toMatchObject({ status: "rewarded" });
    expect((await referralEntries(referrer.customer.admin_graphql_api_id)).map((e) => e.delta)).toEqual([500]);
    await expectLedgerExact();
  });

  it("at order time: Shopify failing on the friend's order history → no decision, the delivery retries, then decides once", async () => {
    await setUpShop();
    const referrer = await enrolReferrer();
    const claimed = await claim({ ref: referrer.code, email: "history@example.com" });
    const { order, customer } = await friendOrder(claimed.body.code, { email: "history@example.com" });
    orderHistories.set(customer.admin_graphql_api_id, {
      numberOfOrders: 2,
      orders: [
        { id: "gid://shopify/Order/1002", createdAt: "2025-01-02T09:00:00Z" },
        { id: order.admin_graphql_api_id, createdAt: new Date().toISOString() },
      ],
    });
    orderHistoryFails = true;
    expect((await deliver("orders/paid", order)).status).toBe(200);
    expect((await referralsOf())[0]).toMatchObject({ status: "claimed", rejectReason: null }); // not rewarded, not rejected
    const waiting = await db.webhookDelivery.findFirstOrThrow({ where: { topic: "ORDERS_PAID" } });
    expect(waiting.status).toBe("received");
    orderHistoryFails = false;
    await db.webhookDelivery.updateMany({ where: { id: waiting.id }, data: { availableAt: new Date(Date.now() - 1000) } });
    await drainInbox();
    expect((await referralsOf())[0]).toMatchObject({ status: "rejected", rejectReason: "existing_customer" });
    expect(await referralEntries(referrer.customer.admin_graphql_api_id)).toEqual([]);
    expect(await db.ledgerEntry.count({ where: { orderGid: order.admin_graphql_api_id, kind: "order_earn" } })).toBe(1);
    await expectLedgerExact();
  });

  it("at order time: the referrer's own customer account, or their email on a guest checkout → self-referral", async () => {
    await setUpShop();
    const referrer = await enrolReferrer();
    // A "friend" claim with another email, but the order is placed by the referrer's own customer account.
    const byCustomer = await claim({ ref: referrer.code, email: "alias-one@example.com" });
    expect(byCustomer.status).toBe(200);
    await deliver("orders/paid", (await friendOrder(byCustomer.body.code, { customer: referrer.customer })).order);

    // Another claim, then a guest checkout (no customer) with the referrer's email, in other letter case.
    const byEmail = await claim({ ref: referrer.code, email: "alias-two@example.com" });
    expect(byEmail.status).toBe(200);
    const guest = paidOrderPayload({ customer: null, email: referrer.customer.email!.toUpperCase(), discountCodes: [{ code: byEmail.body.code, amount: "10.00" }] });
    await deliver("orders/paid", guest);

    const rows = await referralsOf();
    expect(rows.map((r) => [r.friendEmail, r.status, r.rejectReason])).toEqual([
      ["alias-one@example.com", "rejected", "self_referral"],
      ["alias-two@example.com", "rejected", "self_referral"],
    ]);
    expect(rows.every((r) => r.orderGid !== null)).toBe(true);
    expect(await referralEntries(referrer.customer.admin_graphql_api_id)).toEqual([]);
    await expectLedgerExact();
  });
});

describe("bad input and failures change nothing", () => {
  it("answers clear errors: not an email, no body, unknown code, referrals off, bad signature", async () => {
    await setUpShop();
    const referrer = await enrolReferrer();
    const notEmail = await claim({ ref: referrer.code, email: "not-an-email" });
    expect(notEmail.status).toBe(400);
    expect(notEmail.body.error).toMatchObject({ code: "invalid_body" });
    expect(notEmail.body.error.message).toContain("email");
    expect((await claim({ ref: "", email: "x@example.com", body: { email: "x@example.com" } })).body.error.code).toBe("invalid_body");
    const unknown = await claim({ ref: "ZZZZZZZZ", email: "x@example.com" });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, "referral_not_found"]);
    const forged = await claim({ ref: referrer.code, email: "x@example.com", secret: "not-the-secret" });
    expect(forged.status).toBe(400);
    await db.shop.update({ where: { domain: SHOP }, data: { referralsEnabled: false } });
    const off = await claim({ ref: referrer.code, email: "x@example.com" });
    expect([off.status, off.body.error.code]).toEqual([403, "referrals_disabled"]);
    expect(await referralsOf()).toEqual([]);
    expect(shopify.discounts.size).toBe(0);
  });

  it("Shopify refusing the code → 502, nothing kept, and the friend can claim again", async () => {
    await setUpShop();
    const referrer = await enrolReferrer();
    shopify.userErrorsNext("discountCodeBasicCreate", [{ field: ["basicCodeDiscount", "code"], message: "Code must be unique." }]);
    const failed = await claim({ ref: referrer.code, email: "unlucky@example.com" });
    expect([failed.status, failed.body.error.code]).toEqual([502, "shopify_unavailable"]);
    expect(await referralsOf()).toEqual([]);
    const retried = await claim({ ref: referrer.code, email: "unlucky@example.com" });
    expect(retried.status).toBe(200);
    expect((await referralsOf()).map((r) => r.status)).toEqual(["claimed"]);
  });
});

describe("shop isolation and personal data", () => {
  it("a code works only in its own shop, and an order in another shop rewards nobody", async () => {
    await setUpShop(SHOP);
    await setUpShop(OTHER_SHOP);
    const referrer = await enrolReferrer(SHOP);
    const elsewhere = await claim({ shop: OTHER_SHOP, ref: referrer.code, email: "x@example.com" });
    expect([elsewhere.status, elsewhere.body.error.code]).toEqual([404, "referral_not_found"]);
    expect((await getReferral({ shop: OTHER_SHOP, ref: referrer.code })).body.offer).toBeNull();

    const claimed = await claim({ ref: referrer.code, email: "traveller@example.com" });
    await deliver("orders/paid", (await friendOrder(claimed.body.code, { email: "traveller@example.com" })).order, { shop: OTHER_SHOP });
    expect((await referralsOf(SHOP))[0]!.status).toBe("claimed");
    expect(await referralsOf(OTHER_SHOP)).toEqual([]);
    expect(await referralEntries(referrer.customer.admin_graphql_api_id)).toEqual([]);
  });

  it("customers/data_request lists the referrer's code and friends, and the friend's claim", async () => {
    await setUpShop();
    const referrer = await enrolReferrer();
    const claimed = await claim({ ref: referrer.code, email: "asked@example.com" });
    await deliver("customers/data_request", customersDataRequestPayload({ customer: referrer.customer }));
    await deliver("customers/data_request", customersDataRequestPayload({ customer: customerPayload({ email: "asked@example.com" }) }));
    const documents = (await db.dataRequest.findMany({ orderBy: { createdAt: "asc" } })).map((row) => JSON.parse(row.document) as { referrals: unknown });
    expect(documents[0]!.referrals).toMatchObject({ referralCode: referrer.code, referred: [{ friendEmail: "asked@example.com", status: "claimed" }], claimedAsFriend: [] });
    expect(documents[1]!.referrals).toMatchObject({ referralCode: null, referred: [], claimedAsFriend: [{ friendCode: claimed.body.code }] });
  });

  it("customers/redact of the friend or of the referrer erases the friend emails (the hash stays)", async () => {
    await setUpShop();
    const referrer = await enrolReferrer();
    const claimed = await claim({ ref: referrer.code, email: "private@example.com" });
    const friend = customerPayload({ email: "private@example.com" });
    await deliver("orders/paid", (await friendOrder(claimed.body.code, { customer: friend })).order);
    await claim({ ref: referrer.code, email: "other@example.com" });

    await deliver("customers/redact", customersRedactPayload({ customer: friend }));
    let rows = await referralsOf();
    expect(rows.map((r) => r.friendEmail)).toEqual([null, "other@example.com"]);
    expect(rows[0]!.friendEmailHash).toBe(hashEmail("private@example.com"));

    await deliver("customers/redact", customersRedactPayload({ customer: referrer.customer }));
    rows = await referralsOf();
    expect(rows.map((r) => r.friendEmail)).toEqual([null, null]);
  });
});
