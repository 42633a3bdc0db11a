/**
 * The Birthdays and Ways to earn admin pages through session-token auth: settings of the token's
 * shop only, zod errors next to fields with nothing changed, audit entries with the staff user, the
 * integration secret created and rotated.
 */
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { birthdayShopById, issueBirthdayReward } from "~/loyalty/services/birthdays.server";
import { createReward } from "~/loyalty/services/redemptions.server";
import { setRewardActive } from "~/loyalty/services/rewards-admin.server";
import { action as birthdaysAction, loader as birthdaysLoader } from "~/routes/app.birthdays";
import { action as earnAction, loader as earnLoader } from "~/routes/app.earn";
import { loader as memberLoader } from "~/routes/app.members.$memberId";
import { installShop } from "../support/app";
import { adminAction, adminLoader } from "../support/admin-route";
import { resetDatabase } from "../support/database";
import { sessionToken } from "../support/session-token";

const SHOP_A = "shop-a.myshopify.com";
const SHOP_B = "shop-b.myshopify.com";

const VALID = {
  birthdayEnabled: "true",
  rewardType: "points",
  birthdayRewardPoints: "250",
  birthdayRewardId: "",
  birthdayIssueOn: "month_start",
  birthdayMinLeadDays: "30",
  birthdayChangeCooldownDays: "365",
  birthdayPopupGuests: "true",
};

beforeEach(async () => {
  await resetDatabase(db);
  await installShop(SHOP_A);
  await installShop(SHOP_B);
});

describe("Birthdays page", () => {
  it("saves the token's shop only, audited with the staff user, and queues the program sync", async () => {
    const saved = await adminAction(birthdaysAction, "/app/birthdays", SHOP_A, VALID, { token: await sessionToken(SHOP_A, { sub: "77" }) });
    expect(saved).toMatchObject({ status: 200, body: { ok: true, settings: { birthdayEnabled: true, birthdayRewardPoints: "250", birthdayIssueOn: "month_start" } } });
    const a = await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } });
    expect(a).toMatchObject({ birthdayEnabled: true, birthdayRewardPoints: 250, birthdayRewardId: null, birthdayPopupGuests: true });
    expect((await db.shop.findUniqueOrThrow({ where: { domain: SHOP_B } })).birthdayEnabled).toBe(false);
    expect(await db.auditLog.findMany({ where: { shopId: a.id, action: "birthdays.update" } })).toEqual([expect.objectContaining({ staffId: "77" })]);
    expect(await db.shopifyOutbox.count({ where: { shopId: a.id, kind: "program" } })).toBe(1);
    const page = await adminLoader(birthdaysLoader, "/app/birthdays", SHOP_A);
    expect(page.body.changes).toHaveLength(1);
    expect(page.body.settings.birthdayRewardPoints).toBe("250");
  });

  it("shows errors next to fields and changes nothing", async () => {
    const bad = await adminAction(birthdaysAction, "/app/birthdays", SHOP_A, { ...VALID, birthdayRewardPoints: "0", birthdayMinLeadDays: "x" });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.errors).sort()).toEqual(["birthdayMinLeadDays", "birthdayRewardPoints"]);
    const noReward = await adminAction(birthdaysAction, "/app/birthdays", SHOP_A, { ...VALID, rewardType: "reward", birthdayRewardId: "nope" });
    expect(noReward.body.errors).toHaveProperty("birthdayRewardId");
    expect((await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } })).birthdayEnabled).toBe(false);
  });

  it("takes a catalog reward of the shop (not another shop's)", async () => {
    const mine = await createReward(SHOP_A, { kind: "amount_off", name: "$5", pointsCost: 500, amount: "5.00" });
    const theirs = await createReward(SHOP_B, { kind: "amount_off", name: "$5", pointsCost: 500, amount: "5.00" });
    if (!mine.ok || !theirs.ok) throw new Error("rewards not created");
    expect((await adminAction(birthdaysAction, "/app/birthdays", SHOP_A, { ...VALID, rewardType: "reward", birthdayRewardId: theirs.id })).status).toBe(400);
    const saved = await adminAction(birthdaysAction, "/app/birthdays", SHOP_A, { ...VALID, rewardType: "reward", birthdayRewardId: mine.id });
    expect(saved.body.settings).toMatchObject({ rewardType: "reward", birthdayRewardId: mine.id, birthdayRewardPoints: "" });
    expect((await adminLoader(birthdaysLoader, "/app/birthdays", SHOP_A)).body.rewards).toEqual([{ id: mine.id, name: "$5" }]);
  });
});

describe("Birthdays page: a gift that cannot be given", () => {
  it("warns when the chosen reward is archived, and lists this year's gifts not given (token's shop only)", async () => {
    const reward = await createReward(SHOP_A, { kind: "amount_off", name: "$5 gift", pointsCost: 500, amount: "5.00" });
    if (!reward.ok) throw new Error("reward not created");
    await adminAction(birthdaysAction, "/app/birthdays", SHOP_A, { ...VALID, rewardType: "reward", birthdayRewardId: reward.id });
    const fine = await adminLoader(birthdaysLoader, "/app/birthdays", SHOP_A);
    expect(fine.body).toMatchObject({ rewardProblem: null, notIssued: { count: 0, latest: [] } });

    await setRewardActive(SHOP_A, reward.id, false);
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } });
    const member = await db.member.create({ data: { shopId: shop.id, customerGid: "gid://shopify/Customer/71", email: "m@example.com" } });
    await issueBirthdayReward((await birthdayShopById(shop.id))!, member, new Date().getUTCFullYear());

    const warned = await adminLoader(birthdaysLoader, "/app/birthdays", SHOP_A);
    expect(warned.body.rewardProblem).toEqual({ kind: "archived", name: "$5 gift" });
    expect(warned.body.notIssued.count).toBe(1);
    expect(warned.body.notIssued.latest).toEqual([expect.objectContaining({ memberId: member.id, reason: "reward_archived", year: new Date().getUTCFullYear() })]);
    const other = await adminLoader(birthdaysLoader, "/app/birthdays", SHOP_B);
    expect(other.body).toMatchObject({ rewardProblem: null, notIssued: { count: 0 } });

    // Back to points: the warning goes.
    await adminAction(birthdaysAction, "/app/birthdays", SHOP_A, VALID);
    expect((await adminLoader(birthdaysLoader, "/app/birthdays", SHOP_A)).body.rewardProblem).toBeNull();
  });
});

describe("Ways to earn page", () => {
  const actions = (rows: unknown[]) => ({ intent: "save", actions: JSON.stringify(rows) });

  it("saves actions, deactivates removed ones, and keeps shops apart", async () => {
    const first = await adminAction(
      earnAction,
      "/app/earn",
      SHOP_A,
      actions([
        { kind: "social_follow", network: "tiktok", url: "https://tiktok.com/@keepsake", label: "Follow on TikTok", points: "40" },
        { kind: "custom", key: "quiz", label: "Quiz", points: "10" },
      ]),
      { token: await sessionToken(SHOP_A, { sub: "9" }) },
    );
    expect(first.status).toBe(200);
    expect(first.body.view.actions.map((a: { key: string }) => a.key)).toEqual(["tiktok-follow", "quiz"]);
    const second = await adminAction(earnAction, "/app/earn", SHOP_A, actions([{ kind: "custom", key: "quiz", label: "Quiz!", points: "12" }]));
    expect(second.body.view.actions).toEqual([
      expect.objectContaining({ key: "tiktok-follow", active: false }),
      expect.objectContaining({ key: "quiz", label: "Quiz!", points: 12, active: true }),
    ]);
    expect((await adminLoader(earnLoader, "/app/earn", SHOP_B)).body.actions).toEqual([]);
    const shopA = await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } });
    expect(await db.auditLog.count({ where: { shopId: shopA.id, action: "earn_actions.update" } })).toBe(2);
  });

  it("puts each row's errors next to its fields and saves nothing", async () => {
    const bad = await adminAction(
      earnAction,
      "/app/earn",
      SHOP_A,
      actions([
        { kind: "social_share", network: "x", url: "http://x.com/keepsake", label: "Share", points: "5" },
        { kind: "custom", key: "quiz", label: "", points: "-1" },
        { kind: "custom", key: "quiz", label: "Again", points: "1" },
      ]),
    );
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.errors).sort()).toEqual(["0.url", "1.label", "1.points"]);
    const duplicate = await adminAction(earnAction, "/app/earn", SHOP_A, actions([{ kind: "custom", key: "quiz", label: "A", points: "1" }, { kind: "custom", key: "quiz", label: "B", points: "1" }]));
    expect(duplicate.body.errors).toEqual({ "1.key": '"quiz" is used twice' });
    expect((await adminAction(earnAction, "/app/earn", SHOP_A, { intent: "save", actions: "{" })).body.errors).toHaveProperty("form");
    expect(await db.earnAction.count()).toBe(0);
  });

  it("creates and rotates the integration secret (audited), showing it to the merchant", async () => {
    expect((await adminLoader(earnLoader, "/app/earn", SHOP_A)).body).toMatchObject({ integrationSecret: null, endpoint: expect.stringMatching(/\/api\/actions$/) });
    const created = await adminAction(earnAction, "/app/earn", SHOP_A, { intent: "rotate" }, { token: await sessionToken(SHOP_A, { sub: "5" }) });
    const secret = created.body.view.integrationSecret as string;
    expect(secret).toMatch(/^kps_/);
    const rotated = await adminAction(earnAction, "/app/earn", SHOP_A, { intent: "rotate" });
    expect(rotated.body.view.integrationSecret).not.toBe(secret);
    expect((await db.shop.findUniqueOrThrow({ where: { domain: SHOP_B } })).integrationSecret).toBeNull();
    expect(await db.auditLog.count({ where: { action: "integration_secret.rotate" } })).toBe(2);
  });
});

describe("Member page", () => {
  it("shows the member's birthday (for the token's shop only)", async () => {
    const shopA = await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } });
    const member = await db.member.create({ data: { shopId: shopA.id, customerGid: "gid://shopify/Customer/901", birthdayMonth: 7, birthdayDay: 19, birthdayYear: null } });
    const page = await adminLoader(memberLoader, `/app/members/${member.id}`, SHOP_A, { params: { memberId: member.id } });
    expect(page.body.birthday).toEqual({ month: 7, day: 19, year: null });
    expect((await adminLoader(memberLoader, `/app/members/${member.id}`, SHOP_B, { params: { memberId: member.id } })).status).toBe(404);
  });
});
