/**
 * The dashboard's onboarding checklist through the dashboard route's loader and action (session
 * tokens): status from data, manual marks audited with the staff user, refusals, dismissal only once
 * complete, shop isolation.
 */
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { action, loader } from "~/routes/app._index";
import { adminAction, adminLoader } from "../support/admin-route";
import { installShop } from "../support/app";
import { resetDatabase } from "../support/database";
import { sessionToken } from "../support/session-token";

const SHOP_A = "onboarding-a.myshopify.com";
const SHOP_B = "onboarding-b.myshopify.com";

const stepsOf = (body: { onboarding: { steps: { id: string; done: boolean; source: string | null }[] } }) =>
  Object.fromEntries(body.onboarding.steps.map((step) => [step.id, step.source]));

async function as(staff: string) {
  return { token: await sessionToken(SHOP_A, { sub: staff }) };
}

beforeEach(async () => {
  await resetDatabase(db);
  await installShop(SHOP_A);
  await installShop(SHOP_B);
});

describe("onboarding checklist on the dashboard", () => {
  it("derives steps from the shop's data and links the theme editor with the launcher embed selected", async () => {
    await db.shop.update({ where: { domain: SHOP_A }, data: { programEnabled: false } });
    const first = await adminLoader(loader, "/app", SHOP_A);
    expect(first.status).toBe(200);
    expect(stepsOf(first.body)).toEqual({ program_on: null, points_rate: null, first_reward: null, app_embed: null, preview_widget: null });
    expect(first.body.onboarding).toMatchObject({
      visible: true,
      complete: false,
      doneCount: 0,
      themeEditorUrl: `https://${SHOP_A}/admin/themes/current/editor?context=apps&activateAppId=${process.env.SHOPIFY_API_KEY}/launcher`,
      storefrontUrl: `https://${SHOP_A}/`,
    });

    const shop = await db.shop.update({ where: { domain: SHOP_A }, data: { programEnabled: true } });
    await db.reward.create({ data: { shopId: shop.id, kind: "amount_off", name: "$5 off", pointsCost: 500, amount: "5.00" } });
    await db.auditLog.create({ data: { shopId: shop.id, staffId: "1", action: "program.update", subjectType: "shop", subjectId: shop.id } });
    const later = await adminLoader(loader, "/app", SHOP_A);
    expect(stepsOf(later.body)).toEqual({ program_on: "data", points_rate: "data", first_reward: "data", app_embed: null, preview_widget: null });
    expect(later.body.onboarding.doneCount).toBe(3);
  });

  it("marks manual steps once, audited with the staff user; refuses data steps and unknown steps", async () => {
    const marked = await adminAction(action, "/app?index", SHOP_A, { intent: "mark_step", step: "app_embed" }, await as("4242"));
    expect(marked.status).toBe(200);
    expect(stepsOf(marked.body).app_embed).toBe("manual");
    const again = await adminAction(action, "/app?index", SHOP_A, { intent: "mark_step", step: "app_embed" }, await as("7"));
    expect(again.status).toBe(200);
    const audit = await db.auditLog.findMany({ where: { action: "onboarding.complete_step" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ staffId: "4242", subjectType: "shop" });
    expect(JSON.parse(audit[0]!.after!)).toEqual({ step: "app_embed", done: true });

    const dataStep = await adminAction(action, "/app?index", SHOP_A, { intent: "mark_step", step: "first_reward" });
    expect(dataStep.status).toBe(409);
    expect(dataStep.body.errors.step).toMatch(/settings/);
    const unknown = await adminAction(action, "/app?index", SHOP_A, { intent: "mark_step", step: "launch_rocket" });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors.step).toBe("Choose a checklist step");
    const badIntent = await adminAction(action, "/app?index", SHOP_A, { intent: "delete_everything" });
    expect(badIntent.status).toBe(400);
    expect(stepsOf((await adminLoader(loader, "/app", SHOP_A)).body).first_reward).toBeNull();

    // Shop B sees none of shop A's marks.
    expect(stepsOf((await adminLoader(loader, "/app", SHOP_B)).body).app_embed).toBeNull();
  });

  it("can be hidden only once complete, and stays hidden", async () => {
    const early = await adminAction(action, "/app?index", SHOP_A, { intent: "dismiss_onboarding" });
    expect(early.status).toBe(409);
    expect(early.body.errors.intent).toMatch(/Finish every step/);
    expect((await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } })).onboardingDismissedAt).toBeNull();

    const shop = await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } });
    await db.reward.create({ data: { shopId: shop.id, kind: "free_shipping", name: "Free shipping", pointsCost: 300 } });
    for (const step of ["points_rate", "app_embed", "preview_widget"]) {
      expect((await adminAction(action, "/app?index", SHOP_A, { intent: "mark_step", step }, await as("9"))).status).toBe(200);
    }
    const complete = await adminLoader(loader, "/app", SHOP_A);
    expect(complete.body.onboarding).toMatchObject({ complete: true, doneCount: 5, visible: true });

    const hidden = await adminAction(action, "/app?index", SHOP_A, { intent: "dismiss_onboarding" }, await as("9"));
    expect(hidden.status).toBe(200);
    expect(hidden.body.onboarding.visible).toBe(false);
    expect((await adminLoader(loader, "/app", SHOP_A)).body.onboarding.visible).toBe(false);
    expect(await db.auditLog.count({ where: { action: "onboarding.dismiss", staffId: "9" } })).toBe(1);
    await adminAction(action, "/app?index", SHOP_A, { intent: "dismiss_onboarding" }, await as("9"));
    expect(await db.auditLog.count({ where: { action: "onboarding.dismiss" } })).toBe(1);
    expect((await adminLoader(loader, "/app", SHOP_B)).body.onboarding.visible).toBe(true);
  });

  it("refuses an action without a valid session token", async () => {
    const forged = await adminAction(action, "/app?index", SHOP_A, { intent: "mark_step", step: "app_embed" }, { token: `${await sessionToken(SHOP_A)}x` });
    expect(forged.status).toBe(401);
    expect(await db.auditLog.count()).toBe(0);
  });
});
