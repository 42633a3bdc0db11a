/**
 * The Referrals admin page (app/routes/app.referrals.tsx) through session-token auth: settings read
 * and saved for the token's shop only (audited), errors next to fields with nothing changed, and the
 * list of referrals with rejected ones and their reasons.
 */
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { createReward } from "~/loyalty/services/redemptions.server";
import { memberReferrals } from "~/loyalty/services/referrals-admin.server";
import { action, loader } from "~/routes/app.referrals";
import { installShop } from "../support/app";
import { adminAction, adminLoader } from "../support/admin-route";
import { resetDatabase } from "../support/database";
import { sessionToken } from "../support/session-token";

const SHOP_A = "shop-a.myshopify.com";
const SHOP_B = "shop-b.myshopify.com";

let friendRewardId: string;
let referrerRewardId: string;
let slidingRewardId: string;
let otherShopRewardId: string;

async function reward(domain: string, input: Parameters<typeof createReward>[1]): Promise<string> {
  const created = await createReward(domain, input);
  if (!created.ok) throw new Error(created.issues.join("; "));
  return created.id;
}

beforeEach(async () => {
  await resetDatabase(db);
  await installShop(SHOP_A);
  await installShop(SHOP_B);
  friendRewardId = await reward(SHOP_A, { kind: "amount_off", name: "$10 off", pointsCost: 1, amount: "10.00" });
  referrerRewardId = await reward(SHOP_A, { kind: "free_shipping", name: "Free shipping", pointsCost: 1 });
  slidingRewardId = await reward(SHOP_A, {
    kind: "sliding_scale",
    name: "Any amount",
    pointsCost: 100,
    sliding: { pointsPerStep: 100, amountPerStep: "1.00", minPoints: 100, maxPoints: 1000 },
  });
  otherShopRewardId = await reward(SHOP_B, { kind: "amount_off", name: "B's $5", pointsCost: 1, amount: "5.00" });
});

const VALID = () => ({
  referralsEnabled: "true",
  referrerRewardType: "points",
  referrerRewardPoints: "250",
  referrerRewardId: "",
  friendRewardId,
  referralPendingDays: "14",
  referralMonthlyCap: "3",
  referralIpClaimsPerDay: "4",
});

describe("Referrals page", () => {
  it("loads defaults and only fixed-value rewards of the token's shop", async () => {
    const page = await adminLoader(loader, "/app/referrals", SHOP_A);
    expect(page.status).toBe(200);
    expect(page.body.settings).toEqual({
      referralsEnabled: false,
      referrerRewardType: "points",
      referrerRewardPoints: "",
      referrerRewardId: "",
      friendRewardId: "",
      referralPendingDays: "30",
      referralMonthlyCap: "10",
      referralIpClaimsPerDay: "5",
    });
    expect(page.body.rewards.map((r: { id: string }) => r.id)).toEqual([friendRewardId, referrerRewardId]);
    expect(page.body.referrals).toEqual([]);
  });

  it("saves valid settings for that shop only, with the staff user in the audit log", async () => {
    const saved = await adminAction(action, "/app/referrals", SHOP_A, VALID(), { token: await sessionToken(SHOP_A, { sub: "77" }) });
    expect(saved).toMatchObject({ status: 200, body: { ok: true, settings: { referralsEnabled: true, referrerRewardPoints: "250" } } });
    const a = await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } });
    expect(a).toMatchObject({
      referralsEnabled: true,
      referrerRewardPoints: 250,
      referrerRewardId: null,
      friendRewardId,
      referralPendingDays: 14,
      referralMonthlyCap: 3,
      referralIpClaimsPerDay: 4,
    });
    expect((await db.shop.findUniqueOrThrow({ where: { domain: SHOP_B } })).referralsEnabled).toBe(false);
    const audit = await db.auditLog.findMany({ where: { shopId: a.id } });
    expect(audit).toMatchObject([{ action: "referrals.update", staffId: "77", subjectType: "shop" }]);
    expect(JSON.parse(audit[0]!.after!)).toMatchObject({ referrerRewardPoints: 250, friendRewardId });

    // Switching the referrer's reward to a catalog reward clears the points.
    const toReward = await adminAction(action, "/app/referrals", SHOP_A, { ...VALID(), referrerRewardType: "reward", referrerRewardId });
    expect(toReward.body.settings).toMatchObject({ referrerRewardType: "reward", referrerRewardId, referrerRewardPoints: "" });
    expect((await adminLoader(loader, "/app/referrals", SHOP_A)).body.changes).toHaveLength(2);
  });

  it("puts an error next to each bad field and changes nothing", async () => {
    const before = await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } });
    const bad = await adminAction(action, "/app/referrals", SHOP_A, {
      ...VALID(),
      friendRewardId: "",
      referrerRewardPoints: "0",
      referralPendingDays: "400",
      referralMonthlyCap: "0",
      referralIpClaimsPerDay: "many",
    });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.errors).sort()).toEqual([
      "friendRewardId",
      "referralIpClaimsPerDay",
      "referralMonthlyCap",
      "referralPendingDays",
      "referrerRewardPoints",
    ]);
    // A sliding scale, or another shop's reward, cannot be given as a code.
    const sliding = await adminAction(action, "/app/referrals", SHOP_A, { ...VALID(), friendRewardId: slidingRewardId });
    expect(sliding.body.errors).toHaveProperty("friendRewardId");
    const foreign = await adminAction(action, "/app/referrals", SHOP_A, { ...VALID(), referrerRewardType: "reward", referrerRewardId: otherShopRewardId });
    expect(Object.keys(foreign.body.errors)).toEqual(["referrerRewardId"]);
    expect(await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } })).toEqual(before);
    expect(await db.auditLog.count()).toBe(0);
  });

  it("lists referrals with rejected ones and their reasons, per shop, and on the member", async () => {
    const shopA = await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } });
    const shopB = await db.shop.findUniqueOrThrow({ where: { domain: SHOP_B } });
    const referrer = await db.member.create({
      data: { shopId: shopA.id, customerGid: "gid://shopify/Customer/1", email: "ada@example.com", firstName: "Ada", lastName: "Lovelace" },
    });
    const memberB = await db.member.create({ data: { shopId: shopB.id, customerGid: "gid://shopify/Customer/1" } });
    const row = (email: string, extra: { status: string; rejectReason?: string; acceptedEmailKey?: string; friendCode?: string }) => ({
      shopId: shopA.id,
      referrerId: referrer.id,
      friendEmail: email,
      friendEmailHash: email,
      ...extra,
    });
    await db.referral.create({ data: row("ok@example.com", { status: "claimed", acceptedEmailKey: "k1", friendCode: "KR-AAAAAAAAAAAA" }) });
    await db.referral.create({ data: row("self@example.com", { status: "rejected", rejectReason: "self_referral" }) });
    await db.referral.create({ data: { ...row("b@example.com", { status: "rejected", rejectReason: "ip_limit" }), shopId: shopB.id, referrerId: memberB.id } });

    const all = await adminLoader(loader, "/app/referrals", SHOP_A);
    expect(all.body.referrals.map((r: { friendEmail: string }) => r.friendEmail).sort()).toEqual(["ok@example.com", "self@example.com"]);
    expect(all.body.referrals[0].referrer).toEqual({ memberId: referrer.id, name: "Ada Lovelace", email: "ada@example.com" });
    expect(all.body.counts).toMatchObject({ claimed: 1, rejected: 1, rewarded: 0 });
    const rejected = await adminLoader(loader, "/app/referrals?status=rejected", SHOP_A);
    expect(rejected.body.referrals).toMatchObject([{ friendEmail: "self@example.com", status: "rejected", rejectReason: "self_referral" }]);
    expect((await memberReferrals(shopA.id, referrer.id)).map((r) => r.status).sort()).toEqual(["claimed", "rejected"]);
    expect(await memberReferrals(shopA.id, memberB.id)).toEqual([]);
  });
});
