/**
 * The Rewards pages' loaders and actions through session-token auth: every kind created and edited
 * through the form, per-field validation errors that store nothing, archive instead of delete, and
 * shop isolation (another shop's reward id is "not found" for reading and writing).
 */
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { createReward } from "~/loyalty/services/redemptions.server";
import { loader as listLoader } from "~/routes/app.rewards._index";
import { action, loader } from "~/routes/app.rewards.$rewardId";
import { installShop } from "../support/app";
import { adminAction, adminLoader } from "../support/admin-route";
import { resetDatabase } from "../support/database";

const SHOP_A = "shop-a.myshopify.com";
const SHOP_B = "shop-b.myshopify.com";

const BASE = {
  intent: "save",
  active: "true",
  combinesWithOrderDiscounts: "false",
  combinesWithProductDiscounts: "false",
  combinesWithShippingDiscounts: "false",
};

const FORMS: Record<string, Record<string, string>> = {
  amount_off: { kind: "amount_off", name: "$5 off", pointsCost: "500", amount: "5.00", minimumSubtotal: "20.00" },
  percent_off: { kind: "percent_off", name: "10% off", pointsCost: "800", percentage: "10", codeExpiresInDays: "30" },
  free_shipping: { kind: "free_shipping", name: "Free shipping", pointsCost: "300", combinesWithOrderDiscounts: "true" },
  free_product: { kind: "free_product", name: "Free mug", pointsCost: "1200", variantGid: "gid://shopify/ProductVariant/42" },
  sliding_scale: {
    kind: "sliding_scale",
    name: "Points off",
    pointsPerStep: "100",
    amountPerStep: "1.00",
    minPoints: "100",
    maxPoints: "2000",
  },
  donation: { kind: "donation", name: "Plant a tree", pointsCost: "250", donationCause: "One Tree Planted" },
};

const save = (rewardId: string, fields: Record<string, string>, shop = SHOP_A) =>
  adminAction(action, `/app/rewards/${rewardId}`, shop, { ...BASE, ...fields }, { params: { rewardId } });

beforeEach(async () => {
  await resetDatabase(db);
  await installShop(SHOP_A);
  await installShop(SHOP_B);
});

describe("Rewards pages", () => {
  it("the list of a new shop is empty (the page shows what to do next)", async () => {
    expect(await adminLoader(listLoader, "/app/rewards", SHOP_A)).toEqual({ status: 200, body: { rewards: [] } });
  });

  it.each(Object.keys(FORMS))("creates and edits a %s reward through the form", async (kind) => {
    const created = await save("new", FORMS[kind] ?? {});
    expect(created).toMatchObject({ status: 200, body: { ok: true, intent: "created" } });
    const id = created.body.id as string;

    const loaded = await adminLoader(loader, `/app/rewards/${id}`, SHOP_A, { params: { rewardId: id } });
    expect(loaded.status).toBe(200);
    // The form holds checkboxes as booleans and everything else as text, as it was posted.
    const expected = Object.fromEntries(
      Object.entries(FORMS[kind] ?? {}).map(([key, value]) => [key, value === "true" ? true : value === "false" ? false : value]),
    );
    expect(loaded.body.reward.values).toMatchObject({ ...expected, active: true });

    const renamed = await save(id, { ...FORMS[kind], name: `${FORMS[kind]?.name} (edited)` });
    expect(renamed).toMatchObject({ status: 200, body: { ok: true, intent: "saved" } });
    const row = await db.reward.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ kind, name: `${FORMS[kind]?.name} (edited)` });
    // Each write re-publishes the storefront's program, and is audited with the before/after rows.
    expect(await db.shopifyOutbox.count({ where: { shopId: row.shopId, kind: "program", status: "pending" } })).toBe(1);
    const audit = await db.auditLog.findMany({ where: { subjectId: id }, orderBy: { createdAt: "asc" } });
    expect(audit.map((a) => [a.action, a.before === null])).toEqual([
      ["reward.create", true],
      ["reward.update", false],
    ]);
    expect(JSON.parse(audit[1]?.before ?? "{}").name).toBe(FORMS[kind]?.name);
    expect(JSON.parse(audit[1]?.after ?? "{}").name).toBe(`${FORMS[kind]?.name} (edited)`);
  });

  it("stores the sliding scale's steps and the stacking flags it was given", async () => {
    const created = await save("new", FORMS.sliding_scale ?? {});
    const row = await db.reward.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(row).toMatchObject({ pointsCost: 100, pointsPerStep: 100, amountPerStep: "1.00", minPoints: 100, maxPoints: 2000 });
    const shipping = await save("new", FORMS.free_shipping ?? {});
    expect(await db.reward.findUniqueOrThrow({ where: { id: shipping.body.id } })).toMatchObject({
      combinesWithOrderDiscounts: true,
      combinesWithShippingDiscounts: false,
    });
  });

  it("returns errors next to each bad field and stores nothing", async () => {
    const bad = await save("new", { kind: "amount_off", name: " ", pointsCost: "abc", amount: "-5" });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.errors).sort()).toEqual(["amount", "name", "pointsCost"]);

    const sliding = await save("new", { ...FORMS.sliding_scale, minPoints: "150", maxPoints: "50" });
    expect(sliding.status).toBe(400);
    expect(sliding.body.errors).toHaveProperty("minPoints");
    expect(sliding.body.errors).toHaveProperty("maxPoints");

    const percent = await save("new", { ...FORMS.percent_off, percentage: "120" });
    expect(percent.body.errors.percentage).toMatch(/at most 100/);
    expect(await db.reward.count()).toBe(0);
    expect(await db.shopifyOutbox.count()).toBe(0);
    expect(await db.auditLog.count()).toBe(0);

    // An edit with a bad value leaves the stored reward as it was.
    const { id } = (await save("new", FORMS.amount_off ?? {})).body;
    const before = await db.reward.findUniqueOrThrow({ where: { id } });
    expect((await save(id, { ...FORMS.amount_off, amount: "" })).body.errors).toHaveProperty("amount");
    expect(await db.reward.findUniqueOrThrow({ where: { id } })).toEqual(before);
  });

  it("archives (inactive, never deleted) and brings back; the list shows redemption counts", async () => {
    const { id } = (await save("new", FORMS.amount_off ?? {})).body;
    const archived = await adminAction(action, `/app/rewards/${id}`, SHOP_A, { intent: "archive" }, { params: { rewardId: id } });
    expect(archived).toMatchObject({ status: 200, body: { ok: true, intent: "archived" } });
    expect(await db.reward.findUniqueOrThrow({ where: { id } })).toMatchObject({ active: false });
    const list = await adminLoader(listLoader, "/app/rewards", SHOP_A);
    expect(list.body.rewards).toMatchObject([{ id, active: false, redemptions: 0 }]);
    await adminAction(action, `/app/rewards/${id}`, SHOP_A, { intent: "unarchive" }, { params: { rewardId: id } });
    expect(await db.reward.findUniqueOrThrow({ where: { id } })).toMatchObject({ active: true });
    expect((await db.auditLog.findMany({ where: { subjectId: id }, orderBy: { createdAt: "asc" } })).map((a) => a.action)).toEqual([
      "reward.create",
      "reward.archive",
      "reward.unarchive",
    ]);
    // There is no delete: an unknown intent changes nothing.
    const unknown = await adminAction(action, `/app/rewards/${id}`, SHOP_A, { intent: "delete" }, { params: { rewardId: id } });
    expect(unknown.status).toBe(400);
    expect(await db.reward.count()).toBe(1);
  });

  it("shop A's staff can neither read nor change shop B's rewards", async () => {
    const other = await createReward(SHOP_B, { kind: "amount_off", name: "B's reward", pointsCost: 100, amount: "1.00" });
    if (!other.ok) throw new Error(other.issues.join("; "));
    const before = await db.reward.findUniqueOrThrow({ where: { id: other.id } });
    const outboxBefore = await db.shopifyOutbox.findMany();

    expect((await adminLoader(loader, `/app/rewards/${other.id}`, SHOP_A, { params: { rewardId: other.id } })).status).toBe(404);
    expect((await adminLoader(listLoader, "/app/rewards", SHOP_A)).body.rewards).toEqual([]);
    expect((await save(other.id, FORMS.amount_off ?? {})).status).toBe(404);
    const archive = await adminAction(action, `/app/rewards/${other.id}`, SHOP_A, { intent: "archive" }, { params: { rewardId: other.id } });
    expect(archive.status).toBe(404);
    expect(await db.reward.findUniqueOrThrow({ where: { id: other.id } })).toEqual(before);
    expect(await db.shopifyOutbox.findMany()).toEqual(outboxBefore);
    expect(await db.auditLog.count()).toBe(0);
  });
});
