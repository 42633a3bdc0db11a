/**
 * The Campaigns pages' loaders and actions through session-token auth: list grouped by status in the
 * shop's time zone, create/edit with per-field zod errors that store nothing, target tiers limited to
 * the shop's tiers, archive (once, audited), and shop isolation.
 */
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { listCampaigns } from "~/loyalty/services/campaigns-admin.server";
import { loader as listLoader } from "~/routes/app.campaigns._index";
import { action, loader } from "~/routes/app.campaigns.$campaignId";
import { installShop } from "../support/app";
import { adminAction, adminLoader } from "../support/admin-route";
import { resetDatabase } from "../support/database";
import { sessionToken } from "../support/session-token";

const SHOP_A = "shop-a.myshopify.com";
const SHOP_B = "shop-b.myshopify.com";
const STAFF = "8811";

const FORM = {
  intent: "save",
  name: "Double points weekend",
  startsAt: "2026-11-28T00:00",
  endsAt: "2026-11-30T00:00",
  kind: "multiplier",
  value: "2",
  minimumOrderAmount: "",
  targetTiers: "",
  oncePerMember: "false",
};

let tokenA = "";

const save = async (campaignId: string, fields: Record<string, string>, shop = SHOP_A) =>
  adminAction(action, `/app/campaigns/${campaignId}`, shop, { ...FORM, ...fields }, {
    params: { campaignId },
    token: shop === SHOP_A ? tokenA : await sessionToken(shop, { sub: STAFF }),
  });

beforeEach(async () => {
  await resetDatabase(db);
  const shop = await installShop(SHOP_A);
  await db.shop.update({ where: { id: shop.id }, data: { ianaTimezone: "Asia/Seoul", currencyCode: "KRW" } });
  await installShop(SHOP_B);
  tokenA = await sessionToken(SHOP_A, { sub: STAFF });
});

describe("Campaigns pages", () => {
  it("the list of a new shop is empty and names the shop's time zone", async () => {
    expect(await adminLoader(listLoader, "/app/campaigns", SHOP_A)).toEqual({
      status: 200,
      body: { campaigns: [], timeZone: "Asia/Seoul", currencyCode: "KRW" },
    });
  });

  it("creates and edits a campaign through the form, audited with the staff user and before/after", async () => {
    const created = await save("new", { minimumOrderAmount: "50000", oncePerMember: "true" });
    expect(created).toMatchObject({ status: 200, body: { ok: true, intent: "created" } });
    const id = created.body.id as string;
    const row = await db.campaign.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({
      name: "Double points weekend",
      startsAt: "2026-11-28T00:00",
      endsAt: "2026-11-30T00:00",
      kind: "multiplier",
      value: "2",
      minimumOrderAmount: "50000",
      targetTiers: null,
      oncePerMember: true,
      archivedAt: null,
    });

    const loaded = await adminLoader(loader, `/app/campaigns/${id}`, SHOP_A, { params: { campaignId: id } });
    expect(loaded.status).toBe(200);
    expect(loaded.body).toMatchObject({ timeZone: "Asia/Seoul", currencyCode: "KRW", tiers: [] });
    expect(loaded.body.campaign.values).toEqual({
      name: "Double points weekend",
      startsAt: "2026-11-28T00:00",
      endsAt: "2026-11-30T00:00",
      kind: "multiplier",
      value: "2",
      minimumOrderAmount: "50000",
      targetTiers: [],
      oncePerMember: true,
    });

    const edited = await save(id, { kind: "fixed_bonus", value: "300", name: "Plus 300" });
    expect(edited).toMatchObject({ status: 200, body: { ok: true, intent: "saved" } });
    expect(await db.campaign.findUniqueOrThrow({ where: { id } })).toMatchObject({ kind: "fixed_bonus", value: "300", name: "Plus 300", minimumOrderAmount: null });
    const audit = await db.auditLog.findMany({ where: { subjectId: id }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    expect(audit.map((entry) => [entry.action, entry.subjectType, entry.staffId, entry.before === null])).toEqual([
      ["campaign.create", "campaign", STAFF, true],
      ["campaign.update", "campaign", STAFF, false],
    ]);
    expect(JSON.parse(audit[1]?.before ?? "{}")).toMatchObject({ kind: "multiplier", value: "2" });
    expect(JSON.parse(audit[1]?.after ?? "{}")).toMatchObject({ kind: "fixed_bonus", value: "300" });
  });

  it("validation errors come back next to their fields and store nothing", async () => {
    const cases: [Record<string, string>, string][] = [
      [{ name: "  " }, "name"],
      [{ startsAt: "2026-11-28" }, "startsAt"],
      [{ endsAt: "2026-11-27T23:00" }, "endsAt"],
      [{ endsAt: "2026-11-28T00:00" }, "endsAt"],
      [{ value: "1" }, "value"],
      [{ value: "abc" }, "value"],
      [{ kind: "fixed_bonus", value: "1.5" }, "value"],
      [{ kind: "percent" }, "kind"],
      [{ minimumOrderAmount: "-5" }, "minimumOrderAmount"],
      [{ targetTiers: "gold" }, "targetTiers"],
    ];
    for (const [fields, field] of cases) {
      const answer = await save("new", fields);
      expect({ fields, status: answer.status, ok: answer.body.ok }).toEqual({ fields, status: 400, ok: false });
      expect(Object.keys(answer.body.errors)).toContain(field);
    }
    expect(await db.campaign.count()).toBe(0);
    expect(await db.auditLog.count()).toBe(0);
    expect((await save("new", { intent: "delete" })).status).toBe(400);
  });

  it("target tiers are chosen from the shop's own tiers", async () => {
    const shopA = await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } });
    const shopB = await db.shop.findUniqueOrThrow({ where: { domain: SHOP_B } });
    const tier = (shopId: string, handle: string, position: number) =>
      db.tier.create({
        data: { shopId, handle, name: handle.toUpperCase(), position, thresholdKind: "points_earned", thresholdValue: String(position * 100), qualificationPeriod: "lifetime" },
      });
    await tier(shopA.id, "bronze", 0);
    await tier(shopA.id, "gold", 1);
    await tier(shopB.id, "platinum", 1);
    const editor = await adminLoader(loader, "/app/campaigns/new", SHOP_A, { params: { campaignId: "new" } });
    expect(editor.body.tiers).toEqual([
      { handle: "bronze", name: "BRONZE" },
      { handle: "gold", name: "GOLD" },
    ]);
    expect((await save("new", { targetTiers: "gold,platinum" })).body.errors).toEqual({ targetTiers: "unknown tier: platinum" });
    const created = await save("new", { targetTiers: "gold, bronze,gold" });
    expect(created.status).toBe(200);
    expect((await db.campaign.findUniqueOrThrow({ where: { id: created.body.id } })).targetTiers).toBe('["gold","bronze"]');
  });

  it("lists campaigns as running, upcoming, ended and archived in the shop's zone", async () => {
    // Seoul is UTC+9: a campaign starting 2026-11-28 00:00 there starts at 2026-11-27T15:00Z.
    const ids: Record<string, string> = {};
    for (const [name, startsAt, endsAt] of [
      ["past", "2026-11-01T00:00", "2026-11-27T00:00"],
      ["next", "2026-11-28T00:00", "2026-11-30T00:00"],
      ["now", "2026-11-27T00:00", "2026-11-28T00:00"],
    ] as const) {
      ids[name] = (await save("new", { name, startsAt, endsAt })).body.id;
    }
    const status = async (at: string) =>
      Object.fromEntries((await listCampaigns(SHOP_A, new Date(at))).campaigns.map((campaign) => [campaign.name, campaign.status]));
    expect(await status("2026-11-27T14:59:59Z")).toEqual({ past: "ended", now: "running", next: "upcoming" });
    expect(await status("2026-11-27T15:00:00Z")).toEqual({ past: "ended", now: "ended", next: "running" });
    // Running first, then upcoming, ended, archived.
    expect((await listCampaigns(SHOP_A, new Date("2026-11-27T14:00:00Z"))).campaigns.map((campaign) => campaign.name)).toEqual(["now", "next", "past"]);

    const archived = await adminAction(action, `/app/campaigns/${ids.past}`, SHOP_A, { intent: "archive" }, { params: { campaignId: ids.past ?? "" }, token: tokenA });
    expect(archived).toMatchObject({ status: 200, body: { ok: true, intent: "archived" } });
    expect(await status("2026-11-27T14:00:00Z")).toEqual({ past: "archived", now: "running", next: "upcoming" });
    const list = await adminLoader(listLoader, "/app/campaigns", SHOP_A);
    expect(list.body.campaigns).toHaveLength(3);
  });

  it("archives once: the campaign stops, the row stays, one audit entry", async () => {
    const id = (await save("new", {})).body.id as string;
    const archive = () => adminAction(action, `/app/campaigns/${id}`, SHOP_A, { intent: "archive" }, { params: { campaignId: id }, token: tokenA });
    const [first, second] = await Promise.all([archive(), archive()]);
    expect(first?.status).toBe(200);
    expect(second?.status).toBe(200);
    expect((await db.campaign.findUniqueOrThrow({ where: { id } })).archivedAt).not.toBeNull();
    expect(await db.auditLog.count({ where: { subjectId: id, action: "campaign.archive", staffId: STAFF } })).toBe(1);
    const loaded = await adminLoader(loader, `/app/campaigns/${id}`, SHOP_A, { params: { campaignId: id } });
    expect(loaded.body.campaign.status).toBe("archived");
  });

  it("another shop's campaign is not found for reading, editing or archiving", async () => {
    const id = (await save("new", {})).body.id as string;
    expect((await adminLoader(loader, `/app/campaigns/${id}`, SHOP_B, { params: { campaignId: id } })).status).toBe(404);
    expect((await save(id, { name: "Hijacked" }, SHOP_B)).status).toBe(404);
    const archived = await adminAction(action, `/app/campaigns/${id}`, SHOP_B, { intent: "archive" }, { params: { campaignId: id } });
    expect(archived.status).toBe(404);
    expect(await db.campaign.findUniqueOrThrow({ where: { id } })).toMatchObject({ name: "Double points weekend", archivedAt: null });
    expect((await adminLoader(listLoader, "/app/campaigns", SHOP_B)).body.campaigns).toEqual([]);
    expect(await db.auditLog.count({ where: { subjectId: id } })).toBe(1);
    expect((await adminAction(action, "/app/campaigns/new", SHOP_A, { intent: "archive" }, { params: { campaignId: "new" } })).status).toBe(404);
  });

  it("refuses requests without a valid session token", async () => {
    const answer = await adminLoader(listLoader, "/app/campaigns", SHOP_A, { token: "not-a-token" });
    expect([401, 302, 403]).toContain(answer.status);
  });
});
