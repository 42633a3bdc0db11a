/**
 * Ways to earn (issue 5) through the real routes and database: the shopper's social actions (signed
 * app-proxy POST), the integrations' signed endpoint (HMAC of the raw body with the shop's secret,
 * idempotent by event id), and the newsletter check after customers/update (outbox → Admin GraphQL
 * stand-in → award once).
 */
import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import type { ActionFunctionArgs } from "@remix-run/node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { findBalanceMismatches } from "~/loyalty/ledger.server";
import { rotateIntegrationSecret, saveEarnActions } from "~/loyalty/services/earn-actions.server";
import { EarnActionInput } from "~/loyalty/earn-actions";
import type { MemberResponse } from "~/loyalty/storefront-contract";
import { APP_SECRET, deliver, drainOutbox, entriesOf, installShop, memberOf, proxyGet } from "../support/app";
import { resetDatabase } from "../support/database";
import { createAdminApiStandIn, installAdminApiFetch, type AdminApiFetchHandle, type AdminApiStandIn } from "../support/shopify/admin-graphql";
import { signedAppProxyRequest } from "../support/shopify/app-proxy";
import { customerPayload } from "../support/shopify/payloads";

const SHOP = "test-shop.myshopify.com";
const OTHER = "other-shop.myshopify.com";

let shopify: AdminApiStandIn;
let handle: AdminApiFetchHandle | undefined;
const consent = new Map<string, string>();

beforeEach(async () => {
  await resetDatabase(db);
  consent.clear();
  shopify = createAdminApiStandIn({
    throttle: false,
    queries: {
      customer: (args) => ({ id: String(args.id), defaultEmailAddress: { marketingState: consent.get(String(args.id)) ?? "NOT_SUBSCRIBED" } }),
    },
  });
  handle = installAdminApiFetch(shopify, { passthrough: false });
});
afterEach(() => handle?.restore());

async function setUp(domain = SHOP) {
  const shop = await installShop(domain);
  const saved = await saveEarnActions(
    shop.id,
    [
      { kind: "social_follow", network: "instagram", url: "https://instagram.com/keepsake", label: "Follow us on Instagram", points: 50 },
      { kind: "social_share", network: "facebook", url: "https://facebook.com/keepsake", label: "Share on Facebook", points: 20, active: false },
      { kind: "newsletter", label: "Join our newsletter", points: 30 },
      { kind: "review", label: "Write a review", points: 100 },
      { kind: "custom", key: "quiz", label: "Take the quiz", points: 15 },
    ].map((input) => EarnActionInput.parse(input)),
    "staff-1",
  );
  expect(saved.ok).toBe(true);
  const customer = customerPayload();
  await deliver("customers/create", customer, { shop: domain });
  const member = await memberOf(domain, customer.admin_graphql_api_id);
  if (!member) throw new Error("not enrolled");
  return { shop, customer, member, numericId: customer.admin_graphql_api_id.split("/").pop() ?? "" };
}

async function proxyAction(body: unknown, customerId: string, shop = SHOP) {
  const { action } = (await import("~/routes/proxy.action")) as { action: (args: ActionFunctionArgs) => Promise<Response> };
  const request = signedAppProxyRequest({ shop, loggedInCustomerId: customerId, path: "/action", method: "POST", body: body as Record<string, unknown>, secret: APP_SECRET() });
  return action({ request, params: {}, context: {} });
}

async function integration(body: string, options: { shop?: string; secret?: string | null; signature?: string } = {}) {
  const { action } = (await import("~/routes/api.actions")) as { action: (args: ActionFunctionArgs) => Promise<Response> };
  const headers = new Headers({ "Content-Type": "application/json", "X-Keepsake-Shop-Domain": options.shop ?? SHOP });
  const signature = options.signature ?? createHmac("sha256", options.secret ?? "").update(body).digest("base64");
  headers.set("X-Keepsake-Hmac-Sha256", signature);
  const request = new Request("https://keepsake.test/api/actions", { method: "POST", headers, body });
  return action({ request, params: {}, context: {} });
}

describe("social actions from the widget (POST /apps/keepsake/action)", () => {
  it("awards a follow once: the second click answers awarded false and changes nothing", async () => {
    const { numericId, customer } = await setUp();
    const first = await proxyAction({ key: "instagram-follow" }, numericId);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ awarded: true, points: 50, balance: 50 });
    const again = await proxyAction({ key: "instagram-follow" }, numericId);
    expect(await again.json()).toEqual({ awarded: false, points: 50, balance: 50 });
    const entries = await entriesOf(SHOP, customer.admin_graphql_api_id);
    expect(entries.map((e) => [e.kind, e.delta, e.idempotencyKey])).toEqual([["action_award", 50, `action:instagram-follow:${customer.admin_graphql_api_id}`]]);
  });

  it("gives two concurrent clicks one award", async () => {
    const { numericId, customer } = await setUp();
    const answers = await Promise.all([1, 2, 3, 4].map(() => proxyAction({ key: "instagram-follow" }, numericId)));
    const bodies = await Promise.all(answers.map((r) => r.json() as Promise<{ awarded: boolean }>));
    expect(bodies.filter((b) => b.awarded)).toHaveLength(1);
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(50);
    expect((await findBalanceMismatches(db)).mismatches).toEqual([]);
  });

  it("refuses guests, non-members, inactive, unknown and integration-only actions, and bad bodies", async () => {
    const { numericId, customer } = await setUp();
    expect((await proxyAction({ key: "instagram-follow" }, "")).status).toBe(401);
    expect((await proxyAction({ key: "instagram-follow" }, "999999")).status).toBe(403);
    for (const key of ["facebook-share", "nope", "review", "newsletter"]) {
      const answer = await proxyAction({ key }, numericId);
      expect(answer.status).toBe(404);
      expect(((await answer.json()) as { error: { code: string } }).error.code).toBe("action_not_found");
    }
    expect((await proxyAction({ nokey: 1 }, numericId)).status).toBe(400);
    expect(await entriesOf(SHOP, customer.admin_graphql_api_id)).toEqual([]);
  });

  it("refuses a request whose app-proxy signature is wrong", async () => {
    const { numericId } = await setUp();
    const { action } = await import("~/routes/proxy.action");
    const request = signedAppProxyRequest({ shop: SHOP, loggedInCustomerId: numericId, path: "/action", method: "POST", body: { key: "instagram-follow" }, secret: "not-the-secret" });
    const answer = await action({ request, params: {}, context: {} }).catch((thrown: unknown) => thrown as Response);
    expect(answer.status).toBe(400);
  });
});

/**
 * The README's curl recipe for the signed endpoint, as written: its ```sh block (under "Awarding actions
 * from your integrations") run by bash with `curl` replaced by a function that prints its arguments, so
 * the openssl line and the quoting are exactly the README's. Only the secret and the customer id are ours.
 */
function readmeActionsRecipe(secret: string, customerId: string): { url: string; headers: Headers; body: string; documented: unknown } {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("### Awarding actions from your integrations"));
  const script = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!script) throw new Error("README: no sh block for the signed actions endpoint");
  const body = /^BODY='([^']*)'$/m.exec(script)?.[1];
  if (!body || !/^SECRET='[^']*'/m.test(script)) throw new Error("README: the recipe no longer sets SECRET='…' and BODY='…'");
  const example = JSON.parse(body) as Record<string, unknown>;
  expect(Object.keys(example).sort()).toEqual(["action", "customer_id", "event_id"]);
  const ours = JSON.stringify({ ...example, customer_id: customerId });
  const runnable = script
    .replace(/^SECRET='[^']*'/m, `SECRET='${secret}'`)
    .replace(/^BODY='[^']*'/m, `BODY='${ours}'`);
  const printed = execFileSync("bash", ["-euc", `curl() { printf '%s\\0' "$@"; }\n${runnable}`], { encoding: "utf8" });
  const args = printed.split("\0").slice(0, -1);
  const headers = new Headers();
  let url = "";
  let sent: string | null = null;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    if (arg === "-H") {
      const [name, ...value] = (args[(i += 1)] as string).split(":");
      headers.set(name as string, value.join(":").trim());
    } else if (arg === "--data-binary") sent = args[(i += 1)] as string;
    else if (!arg.startsWith("-")) url = arg;
  }
  if (sent === null) throw new Error("README: the curl line sends no --data-binary body");
  const documented = JSON.parse(/^# 200 (\{.*\})$/m.exec(script)?.[1] ?? "null") as unknown;
  return { url, headers, body: sent, documented };
}

describe("the README's curl example for POST /api/actions", () => {
  it("signs with the documented openssl line so that the endpoint accepts it, answering the documented shape", async () => {
    const readmeShop = "your-shop.myshopify.com"; // the README's placeholder shop
    const { shop, customer, numericId } = await setUp(readmeShop);
    const secret = await rotateIntegrationSecret(shop.id, "staff-1");
    const recipe = readmeActionsRecipe(secret, numericId);
    expect(recipe.headers.get("X-Keepsake-Shop-Domain")).toBe(readmeShop);
    expect(recipe.headers.get("X-Keepsake-Hmac-Sha256")).toMatch(/^[A-Za-z0-9+/]{43}=$/);

    const { action } = (await import("~/routes/api.actions")) as { action: (args: ActionFunctionArgs) => Promise<Response> };
    const path = new URL(recipe.url).pathname;
    expect(path).toBe("/api/actions");
    const response = await action({ request: new Request(`https://keepsake.test${path}`, { method: "POST", headers: recipe.headers, body: recipe.body }), params: {}, context: {} });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as Record<string, unknown>;
    expect(answer).toMatchObject({ awarded: true, points: 100 });
    expect(Object.keys(answer).sort()).toEqual(Object.keys(recipe.documented as object).sort());
    expect((await entriesOf(readmeShop, customer.admin_graphql_api_id)).map((e) => e.delta)).toEqual([100]);

    // The same recipe with another secret is refused: the README's signature really is the check.
    const forged = readmeActionsRecipe(`${secret}x`, numericId);
    const refused = await action({ request: new Request(`https://keepsake.test${path}`, { method: "POST", headers: forged.headers, body: forged.body }), params: {}, context: {} });
    expect(refused.status).toBe(401);
  });
});

describe("the signed endpoint for reviews and custom actions (POST /api/actions)", () => {
  it("awards once per event id, for a numeric id or a gid", async () => {
    const { shop, customer, numericId } = await setUp();
    const secret = await rotateIntegrationSecret(shop.id, "staff-1");
    const body = JSON.stringify({ action: "review", event_id: "rev-1", customer_id: numericId });
    const first = await integration(body, { secret });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ awarded: true, points: 100, balance: 100 });
    const again = await integration(body, { secret });
    expect(await again.json()).toEqual({ awarded: false, points: 100, balance: 100 });
    const second = await integration(JSON.stringify({ action: "quiz", event_id: "rev-1", customer_id: customer.admin_graphql_api_id }), { secret });
    expect(await second.json()).toEqual({ awarded: true, points: 15, balance: 115 });
    const keys = (await entriesOf(SHOP, customer.admin_graphql_api_id)).map((e) => e.idempotencyKey).sort();
    expect(keys).toEqual(["action:quiz:event:rev-1", "action:review:event:rev-1"]);
    const audit = await db.auditLog.findMany({ where: { shopId: shop.id, action: "integration_secret.rotate" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]?.after).not.toContain(secret);
  });

  it("refuses a wrong signature, an old secret after rotation, an unknown shop and a shop without a secret — and changes nothing", async () => {
    const { shop, customer, numericId } = await setUp();
    const body = JSON.stringify({ action: "review", event_id: "rev-1", customer_id: numericId });
    expect((await integration(body, { secret: "anything" })).status).toBe(401); // no secret yet
    const old = await rotateIntegrationSecret(shop.id, null);
    const current = await rotateIntegrationSecret(shop.id, null);
    expect(current).not.toBe(old);
    expect((await integration(body, { secret: old })).status).toBe(401);
    expect((await integration(body, { signature: "" })).status).toBe(401);
    expect((await integration(body, { secret: current, shop: "unknown-shop.myshopify.com" })).status).toBe(401);
    expect((await integration(body + " ", { signature: createHmac("sha256", current).update(body).digest("base64") })).status).toBe(401);
    expect(await entriesOf(SHOP, customer.admin_graphql_api_id)).toEqual([]);
  });

  it("answers clear errors for bad bodies, unknown or shopper-only actions and non-members", async () => {
    const { shop, customer, numericId } = await setUp();
    const secret = await rotateIntegrationSecret(shop.id, null);
    const code = async (body: string) => {
      const answer = await integration(body, { secret });
      return [answer.status, ((await answer.json()) as { error?: { code: string } }).error?.code];
    };
    expect(await code("not json")).toEqual([400, "invalid_body"]);
    expect(await code(JSON.stringify({ action: "review", customer_id: numericId }))).toEqual([400, "invalid_body"]);
    expect(await code(JSON.stringify({ action: "instagram-follow", event_id: "e1", customer_id: numericId }))).toEqual([404, "action_not_found"]);
    expect(await code(JSON.stringify({ action: "nothing", event_id: "e1", customer_id: numericId }))).toEqual([404, "action_not_found"]);
    expect(await code(JSON.stringify({ action: "review", event_id: "e1", customer_id: "424242" }))).toEqual([404, "customer_not_member"]);
    expect(await entriesOf(SHOP, customer.admin_graphql_api_id)).toEqual([]);
  });

  it("keeps shops apart: one shop's secret cannot award in another", async () => {
    const mine = await setUp(SHOP);
    const theirs = await setUp(OTHER);
    const secret = await rotateIntegrationSecret(mine.shop.id, null);
    const body = JSON.stringify({ action: "review", event_id: "x", customer_id: theirs.numericId });
    expect((await integration(body, { secret, shop: OTHER })).status).toBe(401);
    expect((await integration(body, { secret, shop: SHOP })).status).toBe(404); // not a member of SHOP
    expect(await entriesOf(OTHER, theirs.customer.admin_graphql_api_id)).toEqual([]);
  });
});

describe("newsletter sign-up (customers/update → consent from Admin GraphQL)", () => {
  it("awards once when Shopify says the customer is subscribed, never while not", async () => {
    const { customer } = await setUp();
    const gid = customer.admin_graphql_api_id;
    await deliver("customers/update", customer);
    await drainOutbox();
    expect(shopify.requestsFor("CustomerEmailMarketing")).toHaveLength(1);
    expect(await entriesOf(SHOP, gid)).toEqual([]);

    consent.set(gid, "SUBSCRIBED");
    await deliver("customers/update", customer);
    await drainOutbox();
    const entries = await entriesOf(SHOP, gid);
    expect(entries.map((e) => [e.kind, e.delta, e.idempotencyKey])).toEqual([["action_award", 30, `action:newsletter:${gid}`]]);

    // Rewarded: later updates do not even ask Shopify.
    await deliver("customers/update", customer);
    await drainOutbox();
    expect(shopify.requestsFor("CustomerEmailMarketing")).toHaveLength(2);
    expect(await entriesOf(SHOP, gid)).toHaveLength(1);
  });

  it("retries the check when Shopify fails, then awards", async () => {
    const { customer } = await setUp();
    consent.set(customer.admin_graphql_api_id, "SUBSCRIBED");
    shopify.failNext(503);
    await deliver("customers/update", customer);
    const report = await drainOutbox();
    expect(report.retrying).toBe(1);
    await db.shopifyOutbox.updateMany({ data: { availableAt: new Date(0) } });
    await drainOutbox();
    expect((await memberOf(SHOP, customer.admin_graphql_api_id))?.balance).toBe(30);
  });

  it("checks a new customer too (subscribed while creating the account)", async () => {
    const shop = await installShop(SHOP);
    await saveEarnActions(shop.id, [EarnActionInput.parse({ kind: "newsletter", label: "Newsletter", points: 30 })], null);
    const customer = customerPayload();
    consent.set(customer.admin_graphql_api_id, "SUBSCRIBED");
    await deliver("customers/create", customer);
    await drainOutbox();
    expect((await entriesOf(SHOP, customer.admin_graphql_api_id)).map((e) => e.idempotencyKey)).toEqual([`action:newsletter:${customer.admin_graphql_api_id}`]);
  });

  it("asks nothing when the shop has no active newsletter action", async () => {
    const { shop, customer } = await setUp();
    await db.earnAction.updateMany({ where: { shopId: shop.id, key: "newsletter" }, data: { active: false } });
    consent.set(customer.admin_graphql_api_id, "SUBSCRIBED");
    await deliver("customers/update", customer);
    await drainOutbox();
    expect(shopify.requestsFor("CustomerEmailMarketing")).toHaveLength(0);
    expect(await entriesOf(SHOP, customer.admin_graphql_api_id)).toEqual([]);
  });
});

describe("the member response lists every enabled way to earn", () => {
  it("lists orders, the birthday gift and each active action with its points; social actions carry their page and whether done", async () => {
    const { shop, numericId } = await setUp();
    await db.shop.update({ where: { id: shop.id }, data: { birthdayEnabled: true, birthdayRewardPoints: 200 } });
    await proxyAction({ key: "instagram-follow" }, numericId);
    const member = (await (await proxyGet({ shop: SHOP, loggedInCustomerId: numericId })).json()) as Extract<MemberResponse, { enrolled: true }>;
    expect(member.program.birthdays).toBe(true);
    expect(member.birthday).toBeNull();
    expect(member.program.waysToEarn.map((way) => [way.kind, way.key ?? null, way.points, way.done ?? null])).toEqual([
      ["order", null, 1, null],
      ["birthday", null, 200, null],
      ["social_follow", "instagram-follow", 50, true],
      ["newsletter", "newsletter", 30, null],
      ["review", "review", 100, null],
      ["custom", "quiz", 15, null],
    ]);
    expect(member.program.waysToEarn[2]).toMatchObject({ url: "https://instagram.com/keepsake", network: "instagram", description: "Follow us on Instagram" });
    const guest = (await (await proxyGet({ shop: SHOP, loggedInCustomerId: "" })).json()) as MemberResponse;
    expect(guest.program.waysToEarn.find((way) => way.kind === "social_follow")).not.toHaveProperty("done");
    await db.shop.update({ where: { id: shop.id }, data: { programEnabled: false } });
    const paused = (await (await proxyGet({ shop: SHOP, loggedInCustomerId: numericId })).json()) as MemberResponse;
    expect(paused.program.waysToEarn).toEqual([]);
  });
});

describe("action points count toward VIP tiers", () => {
  it("promotes the member as soon as an action's points cross a threshold, with the entry reward once", async () => {
    const { shop, customer, numericId, member } = await setUp();
    await db.tier.createMany({
      data: [
        { shopId: shop.id, handle: "bronze", name: "Bronze", position: 0, thresholdKind: "points_earned", thresholdValue: "0", qualificationPeriod: "lifetime", earnMultiplier: "1" },
        { shopId: shop.id, handle: "silver", name: "Silver", position: 1, thresholdKind: "points_earned", thresholdValue: "40", qualificationPeriod: "lifetime", earnMultiplier: "1.5", entryRewardPoints: 10 },
      ],
    });
    await db.shop.update({ where: { id: shop.id }, data: { tiersEnabled: true } });
    expect(await (await proxyAction({ key: "instagram-follow" }, numericId)).json()).toMatchObject({ awarded: true, points: 50 });
    const after = await db.member.findUniqueOrThrow({ where: { id: member.id } });
    expect(after.tierHandle).toBe("silver");
    expect(after.balance).toBe(60);
    const changes = await db.tierChange.findMany({ where: { memberId: member.id }, orderBy: { createdAt: "asc" } });
    expect(changes.at(-1)).toMatchObject({ toHandle: "silver", reason: "promotion" });
    const entries = await entriesOf(SHOP, customer.admin_graphql_api_id);
    expect(entries.filter((e) => e.kind === "tier_entry_reward").map((e) => e.delta)).toEqual([10]);
    expect((await findBalanceMismatches(db)).mismatches).toEqual([]);
  });
});
