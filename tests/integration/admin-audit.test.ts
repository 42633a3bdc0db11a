/**
 * The audit log page's loader (and its CSV export) through session-token auth: entries of the
 * token's shop only, newest first with labels' inputs (action, staff id, subject link, changed
 * fields); each filter (change, subject, staff id, shop-local date range) alone and combined; keyset
 * pages both ways without duplicates or gaps, also across entries written in the same millisecond;
 * bad filters answer 400 with the field's message and list nothing.
 */
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { action as programAction } from "~/routes/app.program";
import { action as memberAction } from "~/routes/app.members.$memberId";
import { loader } from "~/routes/app.audit";
import { loader as exportLoader } from "~/routes/app.audit.export";
import { installShop } from "../support/app";
import { adminAction, adminLoader } from "../support/admin-route";
import { resetDatabase } from "../support/database";
import { adminRequest, sessionToken } from "../support/session-token";

const SHOP_A = "audit-a.myshopify.com";
const SHOP_B = "audit-b.myshopify.com";

interface Row {
  id: string;
  createdAt: string;
  staffId: string | null;
  action: string;
  subject: { type: string; id: string; name: string | null; url: string | null; exists: boolean };
  changes: { path: (string | number)[]; before?: unknown; after?: unknown }[];
}
interface Body {
  ok: boolean;
  errors: Record<string, string>;
  page: { timeZone: string; entries: Row[]; previousCursor: string | null; nextCursor: string | null; filterSubject: Row["subject"] | null } | null;
}

const audit = async (query: string, shop = SHOP_A) => {
  const answer = await adminLoader(loader, `/app/audit${query}`, shop);
  expect(answer.status).toBe(200);
  return answer.body as Body & { page: NonNullable<Body["page"]> };
};
const ids = (body: Body) => body.page?.entries.map((entry) => entry.id) ?? [];

let shopA: string;
let shopB: string;

async function seed(shopId: string, entries: { action: string; at: string; staffId?: string | null; subjectType?: string; subjectId?: string; before?: unknown; after?: unknown }[]) {
  for (const entry of entries) {
    await db.auditLog.create({
      data: {
        shopId,
        staffId: entry.staffId === undefined ? "100" : entry.staffId,
        action: entry.action,
        subjectType: entry.subjectType ?? "shop",
        subjectId: entry.subjectId ?? shopId,
        before: entry.before === undefined ? null : JSON.stringify(entry.before),
        after: entry.after === undefined ? null : JSON.stringify(entry.after),
        createdAt: new Date(entry.at),
      },
    });
  }
}

beforeEach(async () => {
  await resetDatabase(db);
  await installShop(SHOP_A, { earnRate: "1" });
  await installShop(SHOP_B);
  shopA = (await db.shop.update({ where: { domain: SHOP_A }, data: { ianaTimezone: "Asia/Seoul" } })).id;
  shopB = (await db.shop.findUniqueOrThrow({ where: { domain: SHOP_B } })).id;
});

describe("audit log page", () => {
  it("shows a real change with its staff user, label input, settings link and only the changed fields", async () => {
    const token = await sessionToken(SHOP_A, { sub: "4242" });
    const saved = await adminAction(
      programAction,
      "/app/program",
      SHOP_A,
      { programEnabled: "true", earnRate: "2", earnRounding: "floor", minimumOrderAmount: "", includePosOrders: "true", includeTestOrders: "false", signupBonusPoints: "0" },
      { token },
    );
    expect(saved.status).toBe(200);
    const body = await audit("");
    expect(body.ok).toBe(true);
    expect(body.page.timeZone).toBe("Asia/Seoul");
    expect(body.page.entries).toHaveLength(1);
    expect(body.page.entries[0]).toMatchObject({
      staffId: "4242",
      action: "program.update",
      subject: { type: "shop", url: "/app/program", exists: true },
      changes: [{ path: ["earnRate"], before: "1", after: "2" }],
    });
  });

  it("links a member's adjustment to the member page, and finds it from the member page's filter", async () => {
    const member = await db.member.create({ data: { shopId: shopA, customerGid: "gid://shopify/Customer/1", firstName: "Ada", lastName: "Lovelace" } });
    const other = await db.member.create({ data: { shopId: shopA, customerGid: "gid://shopify/Customer/2", firstName: "Alan" } });
    const token = await sessionToken(SHOP_A, { sub: "77" });
    for (const [id, delta] of [[member.id, "50"], [other.id, "5"]] as const) {
      const adjusted = await adminAction(
        memberAction,
        `/app/members/${id}`,
        SHOP_A,
        { intent: "adjust", delta, reason: "Goodwill", requestId: `req-${id}` },
        { params: { memberId: id }, token },
      );
      expect(adjusted.status).toBe(200);
    }
    const body = await audit(`?subjectType=member&subjectId=${member.id}`);
    expect(body.page.filterSubject).toMatchObject({ name: "Ada Lovelace", url: `/app/members/${member.id}` });
    expect(body.page.entries).toHaveLength(1);
    expect(body.page.entries[0]).toMatchObject({
      staffId: "77",
      action: "member.adjust_points",
      subject: { type: "member", id: member.id, name: "Ada Lovelace", url: `/app/members/${member.id}`, exists: true },
    });
    expect(body.page.entries[0]?.changes).toEqual(
      expect.arrayContaining([
        { path: ["balance"], before: 0, after: 50 },
        { path: ["reason"], after: "Goodwill" },
      ]),
    );
    // A subject that no longer exists (or never did in this shop) has no link.
    await seed(shopA, [{ action: "member.exclude", at: "2026-03-01T00:00:00Z", subjectType: "member", subjectId: "gone-member" }]);
    const gone = await audit("?subjectType=member&subjectId=gone-member");
    expect(gone.page.entries[0]?.subject).toMatchObject({ id: "gone-member", name: null, url: null, exists: false });
  });

  it("never shows another shop's entries, even asked by its subject id", async () => {
    const memberB = await db.member.create({ data: { shopId: shopB, customerGid: "gid://shopify/Customer/9", firstName: "Bea" } });
    await seed(shopA, [{ action: "program.update", at: "2026-03-01T00:00:00Z", after: { earnRate: "2" } }]);
    await seed(shopB, [
      { action: "program.update", at: "2026-03-02T00:00:00Z", after: { earnRate: "9" } },
      { action: "member.exclude", at: "2026-03-02T00:00:00Z", subjectType: "member", subjectId: memberB.id },
    ]);
    const a = await audit("");
    expect(a.page.entries).toHaveLength(1);
    expect(a.page.entries[0]?.changes).toEqual([{ path: ["earnRate"], after: "2" }]);
    expect((await audit(`?subjectType=member&subjectId=${memberB.id}`)).page.entries).toEqual([]);
    expect((await audit("", SHOP_B)).page.entries).toHaveLength(2);
    // A cursor made from B's newest entry walks A's entries only.
    const b = await audit("", SHOP_B);
    const newestB = b.page.entries[0]!;
    const cursor = Buffer.from(JSON.stringify({ t: newestB.createdAt, id: newestB.id })).toString("base64url");
    expect(ids(await audit(`?after=${cursor}`))).toEqual(ids(a));
    expect(ids(await audit(`?before=${cursor}`))).toEqual([]);
  });

  it("filters by change, staff id, subject and shop-local days, alone and combined", async () => {
    await seed(shopA, [
      // 2026-03-01 23:59 in Seoul (UTC+9) and 2026-03-02 00:30 in Seoul.
      { action: "program.update", at: "2026-03-01T14:59:00Z", staffId: "1", after: { earnRate: "2" } },
      { action: "program.update", at: "2026-03-01T15:30:00Z", staffId: "2", after: { earnRate: "3" } },
      { action: "tiers.update", at: "2026-03-02T10:00:00Z", staffId: "2", after: { tiersEnabled: true } },
      { action: "member.exclude", at: "2026-03-03T01:00:00Z", staffId: null, subjectType: "member", subjectId: "m1" },
      { action: "member.include", at: "2026-03-04T01:00:00Z", staffId: "1", subjectType: "member", subjectId: "m1" },
    ]);
    const actions = async (query: string) => (await audit(query)).page.entries.map((entry) => `${entry.action}@${entry.createdAt.slice(0, 16)}`);

    expect(await actions("")).toEqual([
      "member.include@2026-03-04T01:00",
      "member.exclude@2026-03-03T01:00",
      "tiers.update@2026-03-02T10:00",
      "program.update@2026-03-01T15:30",
      "program.update@2026-03-01T14:59",
    ]);
    expect(await actions("?action=program.update")).toEqual(["program.update@2026-03-01T15:30", "program.update@2026-03-01T14:59"]);
    expect(await actions("?staffId=2")).toEqual(["tiers.update@2026-03-02T10:00", "program.update@2026-03-01T15:30"]);
    expect(await actions("?subjectType=member&subjectId=m1")).toEqual(["member.include@2026-03-04T01:00", "member.exclude@2026-03-03T01:00"]);
    // The shop's day 2026-03-02 starts at 15:00 UTC on the 1st.
    expect(await actions("?from=2026-03-02&to=2026-03-02")).toEqual(["tiers.update@2026-03-02T10:00", "program.update@2026-03-01T15:30"]);
    expect(await actions("?to=2026-03-01")).toEqual(["program.update@2026-03-01T14:59"]);
    expect(await actions("?from=2026-03-03")).toEqual(["member.include@2026-03-04T01:00", "member.exclude@2026-03-03T01:00"]);
    expect(await actions("?action=program.update&staffId=2&from=2026-03-02")).toEqual(["program.update@2026-03-01T15:30"]);
    expect(await actions("?action=reward.create")).toEqual([]);
    // Empty parameters (an emptied filter field) mean no filter.
    expect(await actions("?action=&staffId=&from=&to=&subjectType=&subjectId=")).toHaveLength(5);
  });

  it("walks keyset pages forward and back without duplicates or gaps, also within one millisecond", async () => {
    const entries = Array.from({ length: 62 }, (_, index) => ({
      action: "program.update",
      // Groups of four share a millisecond: (createdAt, id) orders them.
      at: new Date(Date.UTC(2026, 2, 1) + Math.floor(index / 4) * 60_000).toISOString(),
      after: { earnRate: String(index) },
    }));
    await seed(shopA, entries);
    await seed(shopB, entries.slice(0, 10));
    const expected = (await db.auditLog.findMany({ where: { shopId: shopA }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: { id: true } })).map(
      (row) => row.id,
    );
    expect(expected).toHaveLength(62);

    const forward: string[][] = [];
    let body = await audit("");
    expect(body.page.previousCursor).toBeNull();
    forward.push(ids(body));
    while (body.page.nextCursor) {
      body = await audit(`?after=${body.page.nextCursor}`);
      forward.push(ids(body));
    }
    expect(forward.map((page) => page.length)).toEqual([25, 25, 12]);
    expect(forward.flat()).toEqual(expected);

    const backward: string[][] = [ids(body)];
    while (body.page.previousCursor) {
      body = await audit(`?before=${body.page.previousCursor}`);
      backward.unshift(ids(body));
    }
    expect(backward).toEqual(forward);
    // Back on the first page: nothing newer, and next leads on again.
    expect(body.page.previousCursor).toBeNull();
    expect(ids(await audit(`?after=${body.page.nextCursor}`))).toEqual(forward[1]);

    // Filters stay applied across pages.
    const filtered = await audit("?action=program.update&staffId=100");
    expect(ids(filtered)).toEqual(forward[0]);

    // A tampered cursor is the first page, not an error.
    expect(ids(await audit("?after=not-a-cursor"))).toEqual(forward[0]);
  });

  it("answers 400 with the field's message for a bad date range or unknown filter, listing nothing", async () => {
    await seed(shopA, [{ action: "program.update", at: "2026-03-01T00:00:00Z", after: { earnRate: "2" } }]);
    const bad = async (query: string) => {
      const answer = await adminLoader(loader, `/app/audit${query}`, SHOP_A);
      expect(answer.status, query).toBe(400);
      expect(answer.body.page, query).toBeNull();
      return answer.body.errors as Record<string, string>;
    };
    expect(await bad("?from=2026-02-30")).toEqual({ from: "Use a date like 2026-01-31" });
    expect(await bad("?from=yesterday&to=2026-03-01")).toEqual({ from: "Use a date like 2026-01-31" });
    expect(await bad("?from=2026-03-05&to=2026-03-01")).toEqual({ to: "Must be on or after the start date" });
    expect(Object.keys(await bad("?action=drop.tables"))).toEqual(["action"]);
    expect(await bad("?subjectId=m1")).toEqual({ subjectType: "Choose the subject type of this id" });
    // The entered values come back so the page can show them with their messages.
    const answer = await adminLoader(loader, "/app/audit?from=2026-03-05&to=2026-03-01", SHOP_A);
    expect(answer.body.fields).toMatchObject({ from: "2026-03-05", to: "2026-03-01" });
    expect(answer.body.timeZone).toBe("Asia/Seoul"); // the page still says which days it means
  });

  it("needs a session token", async () => {
    const request = new Request("https://keepsake.test/app/audit");
    const status = await loader({ request, params: {}, context: {} }).then(
      () => 200,
      (thrown: unknown) => (thrown instanceof Response ? thrown.status : 500),
    );
    expect(status).not.toBe(200);
  });
});

describe("audit log CSV export", () => {
  it("streams the filtered entries of the shop, oldest first, with the changed fields", async () => {
    await seed(shopA, [
      { action: "program.update", at: "2026-03-01T00:00:00Z", staffId: "1", before: { earnRate: "1", signupBonusPoints: 0 }, after: { earnRate: "2", signupBonusPoints: 0 } },
      { action: "tiers.update", at: "2026-03-02T00:00:00Z", staffId: "=cmd()", after: { tiersEnabled: true } },
      { action: "program.update", at: "2026-03-03T00:00:00Z", staffId: "1", before: { earnRate: "2" }, after: { earnRate: "3" } },
    ]);
    await seed(shopB, [{ action: "program.update", at: "2026-03-01T00:00:00Z", after: { earnRate: "9" } }]);
    const response = (await exportLoader({ request: await adminRequest("/app/audit/export?action=program.update", SHOP_A), params: {}, context: {} })) as Response;
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toContain("text/csv");
    const lines = (await response.text()).trim().split("\n");
    expect(lines[0]).toBe("entry_id,created_at,staff_id,action,subject_type,subject_id,changes");
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('2026-03-01T00:00:00.000Z,1,program.update,shop');
    expect(lines[1]).toContain('"earnRate: ""1"" → ""2"""');
    expect(lines[2]).toContain('"earnRate: ""2"" → ""3"""');

    const all = (await exportLoader({ request: await adminRequest("/app/audit/export", SHOP_A), params: {}, context: {} })) as Response;
    const text = await all.text();
    expect(text).toContain("'=cmd()"); // a formula-like cell is text in a spreadsheet
    expect(text).not.toContain('""9""'); // shop B's entry

    const bad = await adminLoader(exportLoader, "/app/audit/export?from=2026-13-01", SHOP_A);
    expect(bad).toMatchObject({ status: 400, body: { ok: false, errors: { from: "Use a date like 2026-01-31" } } });
  });
});
