/**
 * The Members pages' loaders and actions through session-token auth: search, sort and keyset pages
 * scoped to the token's shop; the member page (history, rewards); adjust points once per request id,
 * refused below zero, with the staff id from the token; cancel an unused reward; shop isolation;
 * and `npm run ledger:verify` passing afterwards.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { appendCredit, findBalanceMismatches, runOnce } from "~/loyalty/ledger.server";
import { createReward } from "~/loyalty/services/redemptions.server";
import { loader as listLoader } from "~/routes/app.members._index";
import { action, loader } from "~/routes/app.members.$memberId";
import { deliver, installShop, memberOf, proxyPost } from "../support/app";
import { adminAction, adminLoader } from "../support/admin-route";
import { resetDatabase } from "../support/database";
import { sessionToken } from "../support/session-token";
import { createAdminApiStandIn, installAdminApiFetch, type AdminApiFetchHandle } from "../support/shopify/admin-graphql";
import { customerPayload } from "../support/shopify/payloads";

const SHOP_A = "shop-a.myshopify.com";
const SHOP_B = "shop-b.myshopify.com";
const ROOT = path.resolve(__dirname, "../..");
const run = promisify(execFile);

let handle: AdminApiFetchHandle | undefined;
let counter = 0;

beforeEach(async () => {
  await resetDatabase(db);
  await installShop(SHOP_A);
  await installShop(SHOP_B);
  handle = installAdminApiFetch(createAdminApiStandIn({ throttle: false }), { passthrough: false });
});

afterEach(() => handle?.restore());

/** A member enrolled by customers/create, holding `points` granted through the ledger. */
async function member(shop: string, firstName: string, lastName: string, points = 0) {
  const customer = customerPayload({ firstName, lastName, email: `${firstName}.${lastName}@example.com`.toLowerCase() });
  await deliver("customers/create", customer, { shop });
  const row = await memberOf(shop, customer.admin_graphql_api_id);
  if (!row) throw new Error("member not enrolled");
  if (points > 0) {
    await runOnce(db, (tx) =>
      appendCredit(tx, {
        shopId: row.shopId,
        memberId: row.id,
        kind: "order_earn",
        delta: points,
        idempotencyKey: `test:${row.id}:${(counter += 1)}`,
        description: "Test order",
      }),
    );
  }
  return { customer, id: row.id };
}

const requestId = () => `req-${Date.now().toString(36)}-${(counter += 1)}-abcdef`;

const adjust = (memberId: string, fields: Record<string, string>, shop = SHOP_A, token?: string) =>
  adminAction(action, `/app/members/${memberId}`, shop, { intent: "adjust", ...fields }, { params: { memberId }, ...(token ? { token } : {}) });

const list = (shop: string, query = "") => adminLoader(listLoader, `/app/members${query}`, shop);

describe("members list", () => {
  it("searches by name and email within the shop", async () => {
    await member(SHOP_A, "Ada", "Lovelace", 10);
    await member(SHOP_A, "Alan", "Turing", 20);
    await member(SHOP_B, "Ada", "Byron", 30);
    const byName = await list(SHOP_A, "?q=ada");
    expect(byName.body.page.members.map((m: { name: string }) => m.name)).toEqual(["Ada Lovelace"]);
    const full = await list(SHOP_A, "?q=Ada%20Love");
    expect(full.body.page.members).toHaveLength(1);
    // Words match the start of a name, the email or its domain (ADR 017 addendum), not its middle.
    const byEmail = await list(SHOP_A, "?q=ALAN.turing%40exa");
    expect(byEmail.body.page.members.map((m: { email: string }) => m.email)).toEqual(["alan.turing@example.com"]);
    expect((await list(SHOP_A, "?q=turing%40example")).body.page.members).toEqual([]);
    expect((await list(SHOP_A, "?q=byron")).body.page.members).toEqual([]);
  });

  it("sorts by balance both ways and pages with cursors, no member twice or missed", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 30; i += 1) ids.push((await member(SHOP_A, `M${i}`, "Test", (i % 7) * 10)).id);
    await member(SHOP_B, "Other", "Shop", 999);

    const first = await list(SHOP_A, "?sort=balance&direction=desc");
    expect(first.body.page.members).toHaveLength(25);
    expect(first.body.page.previousCursor).toBeNull();
    const next = first.body.page.nextCursor as string;
    const second = await list(SHOP_A, `?sort=balance&direction=desc&after=${next}`);
    expect(second.body.page.members).toHaveLength(5);
    expect(second.body.page.nextCursor).toBeNull();

    const all = [...first.body.page.members, ...second.body.page.members];
    expect(new Set(all.map((m: { id: string }) => m.id))).toEqual(new Set(ids));
    const balances = all.map((m: { balance: number }) => m.balance);
    expect(balances).toEqual([...balances].sort((a, b) => b - a));

    // Back from page 2 lands on exactly page 1.
    const back = await list(SHOP_A, `?sort=balance&direction=desc&before=${second.body.page.previousCursor}`);
    expect(back.body.page.members.map((m: { id: string }) => m.id)).toEqual(first.body.page.members.map((m: { id: string }) => m.id));

    const ascending = await list(SHOP_A, "?sort=balance&direction=asc");
    expect(ascending.body.page.members[0].balance).toBe(0);
    for (const sort of ["joined", "activity"]) {
      const page1 = await list(SHOP_A, `?sort=${sort}`);
      const page2 = await list(SHOP_A, `?sort=${sort}&after=${page1.body.page.nextCursor}`);
      const seen = [...page1.body.page.members, ...page2.body.page.members].map((m: { id: string }) => m.id);
      expect(new Set(seen).size).toBe(30);
    }
    // A bad sort or a tampered cursor falls back to the first page instead of failing.
    expect((await list(SHOP_A, "?sort=evil&after=garbage")).body.page.members).toHaveLength(25);
  });
});

describe("member page", () => {
  it("adjusts points with a reason and the staff id from the session token, once per request id", async () => {
    const { id } = await member(SHOP_A, "Ada", "Lovelace", 100);
    const token = await sessionToken(SHOP_A, { sub: "9001" });
    const fields = { delta: "50", reason: "Goodwill for a late parcel", requestId: requestId() };
    const first = await adjust(id, fields, SHOP_A, token);
    expect(first).toMatchObject({ status: 200, body: { ok: true, intent: "adjust", balance: 150, alreadyApplied: false } });
    const again = await adjust(id, fields, SHOP_A, token);
    expect(again).toMatchObject({ status: 200, body: { ok: true, balance: 150, alreadyApplied: true } });

    const entries = await db.ledgerEntry.findMany({ where: { memberId: id, kind: "manual_adjustment" } });
    expect(entries).toMatchObject([
      { delta: 50, staffId: "9001", idempotencyKey: `adjust:${fields.requestId}`, description: "Adjusted by staff: Goodwill for a late parcel" },
    ]);

    // One audit entry for the two submits, with the staff user, the reason and the balances.
    const audit = await db.auditLog.findMany({ where: { subjectId: id } });
    expect(audit).toMatchObject([{ action: "member.adjust_points", staffId: "9001", subjectType: "member" }]);
    expect(JSON.parse(audit[0]?.before ?? "{}")).toEqual({ balance: 100 });
    expect(JSON.parse(audit[0]?.after ?? "{}")).toMatchObject({ balance: 150, delta: 50, reason: "Goodwill for a late parcel" });

    const minus = await adjust(id, { delta: "-150", reason: "Fraudulent order", requestId: requestId() });
    expect(minus.body).toMatchObject({ ok: true, balance: 0 });

    const page = await adminLoader(loader, `/app/members/${id}`, SHOP_A, { params: { memberId: id } });
    expect(page.body).toMatchObject({ name: "Ada Lovelace", balance: 0 });
    expect(page.body.history.map((e: { delta: number }) => e.delta)).toEqual([-150, 50, 100]);
    expect((await findBalanceMismatches(db)).mismatches).toEqual([]);
  });

  it("a double submit of a debit adjusts once even when the balance is then too low", async () => {
    const { id } = await member(SHOP_A, "Ada", "Lovelace", 60);
    const fields = { delta: "-50", reason: "Correction", requestId: requestId() };
    const both = await Promise.all([adjust(id, fields), adjust(id, fields)]);
    expect(both.map((r) => r.body.ok)).toEqual([true, true]);
    expect(both.map((r) => r.body.balance)).toEqual([10, 10]);
    expect(await db.ledgerEntry.count({ where: { memberId: id, kind: "manual_adjustment" } })).toBe(1);
    expect(await db.auditLog.count({ where: { subjectId: id } })).toBe(1);
  });

  it("refuses a debit below zero and invalid input, changing nothing", async () => {
    const { id } = await member(SHOP_A, "Ada", "Lovelace", 30);
    const refused = await adjust(id, { delta: "-31", reason: "Too much", requestId: requestId() });
    expect(refused.status).toBe(400);
    expect(refused.body.errors.delta).toMatch(/balance is 30 points.*below zero/);

    const invalid = await adjust(id, { delta: "1.5", reason: " ", requestId: "x" });
    expect(invalid.status).toBe(400);
    expect(Object.keys(invalid.body.errors).sort()).toEqual(["delta", "reason", "requestId"]);
    expect((await adjust(id, { delta: "0", reason: "nothing", requestId: requestId() })).body.errors.delta).toMatch(/not be 0/);

    expect(await db.ledgerEntry.count({ where: { memberId: id } })).toBe(1);
    expect((await db.member.findUniqueOrThrow({ where: { id } })).balance).toBe(30);
    expect(await db.auditLog.count()).toBe(0);
  });

  it("lists the member's rewards and cancels an unused one (points back, by the token's staff user)", async () => {
    const { id, customer } = await member(SHOP_A, "Ada", "Lovelace", 1000);
    const reward = await createReward(SHOP_A, { kind: "amount_off", name: "$5 off", pointsCost: 500, amount: "5.00" });
    if (!reward.ok) throw new Error(reward.issues.join("; "));
    const redeemed = await proxyPost({
      shop: SHOP_A,
      loggedInCustomerId: String(customer.id),
      body: { rewardId: reward.id, requestId: requestId() },
    });
    expect(redeemed.status).toBe(200);

    const page = await adminLoader(loader, `/app/members/${id}`, SHOP_A, { params: { memberId: id } });
    expect(page.body.balance).toBe(500);
    expect(page.body.redemptions).toMatchObject([{ rewardName: "$5 off", status: "issued", pointsSpent: 500, cancellable: true }]);
    const redemptionId = page.body.redemptions[0].id as string;

    const token = await sessionToken(SHOP_A, { sub: "77" });
    const cancelled = await adminAction(
      action,
      `/app/members/${id}`,
      SHOP_A,
      { intent: "cancel", redemptionId },
      { params: { memberId: id }, token },
    );
    expect(cancelled).toMatchObject({ status: 200, body: { ok: true, intent: "cancel", refunded: 500 } });
    expect(await db.redemption.findUniqueOrThrow({ where: { id: redemptionId } })).toMatchObject({ status: "cancelled", staffId: "77" });
    expect(await db.auditLog.findMany({ where: { subjectId: redemptionId } })).toMatchObject([
      { action: "redemption.cancel", staffId: "77", subjectType: "redemption" },
    ]);
    expect((await db.member.findUniqueOrThrow({ where: { id } })).balance).toBe(1000);
    expect((await findBalanceMismatches(db)).mismatches).toEqual([]);
  });

  it("shows the member's referrals with status and rejection reason", async () => {
    const ada = await member(SHOP_A, "Ada", "Lovelace");
    const shopId = (await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } })).id;
    await db.referral.create({
      data: { shopId, referrerId: ada.id, friendEmail: "friend@example.com", friendEmailHash: "h1", acceptedEmailKey: "h1", friendCode: "KR-AAAAAAAAAAAA", status: "rewarded" },
    });
    await db.referral.create({
      data: { shopId, referrerId: ada.id, friendEmail: "ada.lovelace@example.com", friendEmailHash: "h2", status: "rejected", rejectReason: "self_referral" },
    });
    const page = await adminLoader(loader, `/app/members/${ada.id}`, SHOP_A, { params: { memberId: ada.id } });
    expect(page.status).toBe(200);
    expect(page.body.referrals.map((r: { friendEmail: string; status: string; rejectReason: string | null }) => [r.friendEmail, r.status, r.rejectReason]).sort()).toEqual([
      ["ada.lovelace@example.com", "rejected", "self_referral"],
      ["friend@example.com", "rewarded", null],
    ]);
    const other = await member(SHOP_A, "Grace", "Hopper");
    expect((await adminLoader(loader, `/app/members/${other.id}`, SHOP_A, { params: { memberId: other.id } })).body.referrals).toEqual([]);
  });

  it("shop A's staff can neither read nor change shop B's members or their rewards", async () => {
    const theirs = await member(SHOP_B, "Grace", "Hopper", 40);
    const ours = await member(SHOP_A, "Ada", "Lovelace", 40);
    expect((await adminLoader(loader, `/app/members/${theirs.id}`, SHOP_A, { params: { memberId: theirs.id } })).status).toBe(404);
    expect((await list(SHOP_A, "?q=grace")).body.page.members).toEqual([]);
    expect((await adjust(theirs.id, { delta: "500", reason: "steal", requestId: requestId() })).status).toBe(404);

    // A redemption of shop B's member, cancelled from a shop A member's page: not found.
    const redemption = await db.redemption.create({
      data: {
        shopId: (await db.shop.findUniqueOrThrow({ where: { domain: SHOP_B } })).id,
        memberId: theirs.id,
        rewardId: (
          await db.reward.create({
            data: { shopId: (await db.shop.findUniqueOrThrow({ where: { domain: SHOP_B } })).id, kind: "free_shipping", name: "B", pointsCost: 1 },
          })
        ).id,
        requestId: "b-request",
        kind: "free_shipping",
        rewardName: "B",
        pointsSpent: 0,
        status: "issued",
      },
    });
    const cancel = await adminAction(
      action,
      `/app/members/${ours.id}`,
      SHOP_A,
      { intent: "cancel", redemptionId: redemption.id },
      { params: { memberId: ours.id } },
    );
    expect(cancel.status).toBe(404);
    expect((await db.redemption.findUniqueOrThrow({ where: { id: redemption.id } })).status).toBe("issued");
    expect((await db.member.findUniqueOrThrow({ where: { id: theirs.id } })).balance).toBe(40);
    expect(await db.ledgerEntry.count({ where: { kind: "manual_adjustment" } })).toBe(0);
    expect(await db.auditLog.count()).toBe(0);
  });

  it("refuses a forged session token", async () => {
    const { id } = await member(SHOP_A, "Ada", "Lovelace", 10);
    const forged = await adjust(id, { delta: "5", reason: "x", requestId: requestId() }, SHOP_A, `${await sessionToken(SHOP_A)}x`);
    expect(forged.status).toBe(401);
    expect((await db.member.findUniqueOrThrow({ where: { id } })).balance).toBe(10);
  });

  it("npm run ledger:verify passes after adjustments, a refusal and a double submit", async () => {
    const { id } = await member(SHOP_A, "Ada", "Lovelace", 100);
    const fields = { delta: "-40", reason: "Correction", requestId: requestId() };
    await adjust(id, fields);
    await adjust(id, fields);
    await adjust(id, { delta: "-500", reason: "Too much", requestId: requestId() });
    await adjust(id, { delta: "15", reason: "Bonus", requestId: requestId() });
    const { stdout } = await run("npx", ["tsx", "scripts/ledger-verify.ts"], { cwd: ROOT, env: process.env });
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, mismatchCount: 0 });
    expect((await db.member.findUniqueOrThrow({ where: { id } })).balance).toBe(75);
  }, 60_000);

  it("excludes a member from the program and includes them again, audited with the staff id, each once", async () => {
    const { id } = await member(SHOP_A, "Ada", "Lovelace", 30);
    const token = await sessionToken(SHOP_A, { sub: "5150" });
    const exclude = (fields: Record<string, string>, shop = SHOP_A) =>
      adminAction(action, `/app/members/${id}`, shop, fields, { params: { memberId: id }, ...(shop === SHOP_A ? { token } : {}) });

    expect(await exclude({ intent: "exclude", reason: "Reseller" })).toMatchObject({ status: 200, body: { ok: true, intent: "exclude", changed: true } });
    expect(await exclude({ intent: "exclude", reason: "again" })).toMatchObject({ status: 200, body: { ok: true, changed: false } });
    const page = await adminLoader(loader, `/app/members/${id}`, SHOP_A, { params: { memberId: id } });
    expect(page.body.excludedAt).toEqual(expect.any(String));
    const listed = await list(SHOP_A, "?q=ada");
    expect(listed.body.page.members[0]).toMatchObject({ excluded: true, balance: 30 });

    // An excluded member keeps their balance; the other shop cannot touch them.
    expect((await exclude({ intent: "include" }, SHOP_B)).status).toBe(404);
    expect((await exclude({ intent: "exclude", reason: "x".repeat(201) })).status).toBe(400);
    expect(await exclude({ intent: "include" })).toMatchObject({ status: 200, body: { ok: true, intent: "include", changed: true } });
    expect((await db.member.findUniqueOrThrow({ where: { id } })).excludedAt).toBeNull();

    const audit = await db.auditLog.findMany({ where: { subjectId: id }, orderBy: { createdAt: "asc" } });
    expect(audit.map((a) => [a.action, a.staffId])).toEqual([
      ["member.exclude", "5150"],
      ["member.include", "5150"],
    ]);
    expect(JSON.parse(audit[0]!.after!)).toMatchObject({ reason: "Reseller" });
    expect(await db.ledgerEntry.count({ where: { memberId: id } })).toBe(1);
  });
});
