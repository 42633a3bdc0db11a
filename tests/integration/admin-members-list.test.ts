/**
 * The members list loader through session-token auth: case-insensitive search, each filter (tier,
 * segment, points range, last activity and enrolled ranges in the shop's days), filters combined and
 * kept across keyset pages, last-activity sort with never-active members both ways and back, a bad
 * filter ignored with its message, and shop isolation.
 */
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { loader } from "~/routes/app.members._index";
import { installShop } from "../support/app";
import { adminLoader } from "../support/admin-route";
import { resetDatabase } from "../support/database";

const SHOP_A = "list-a.myshopify.com";
const SHOP_B = "list-b.myshopify.com";
const DAY = 86_400_000;
const NOW = Date.now();

interface Seed {
  first: string;
  last: string;
  balance?: number;
  tier?: string | null;
  segment?: string | null;
  enrolledDaysAgo?: number;
  activeDaysAgo?: number | null;
}

let counter = 0;
async function seed(shop: string, members: Seed[]): Promise<string[]> {
  const { id: shopId } = await db.shop.findUniqueOrThrow({ where: { domain: shop } });
  const ids: string[] = [];
  for (const m of members) {
    counter += 1;
    const row = await db.member.create({
      data: {
        shopId,
        customerGid: `gid://shopify/Customer/${counter}`,
        firstName: m.first,
        lastName: m.last,
        email: `${m.first}.${m.last}.${counter}@example.com`.toLowerCase(),
        balance: m.balance ?? 0,
        tierHandle: m.tier ?? null,
        segment: m.segment ?? null,
        enrolledAt: new Date(NOW - (m.enrolledDaysAgo ?? 100) * DAY),
        lastActivityAt: m.activeDaysAgo === null || m.activeDaysAgo === undefined ? null : new Date(NOW - m.activeDaysAgo * DAY),
      },
    });
    ids.push(row.id);
  }
  return ids;
}

const list = async (query: string, shop = SHOP_A) => {
  const answer = await adminLoader(loader, `/app/members${query}`, shop);
  expect(answer.status).toBe(200);
  return answer.body as {
    page: { members: { id: string; name: string; balance: number; tier: string | null; segment: string | null; lastActivityAt: string | null }[]; nextCursor: string | null; previousCursor: string | null };
    errors: Record<string, string>;
  };
};
const names = (body: Awaited<ReturnType<typeof list>>) => body.page.members.map((m) => m.name).sort();
const day = (daysAgo: number) => new Date(NOW - daysAgo * DAY).toISOString().slice(0, 10);

beforeEach(async () => {
  await resetDatabase(db);
  await installShop(SHOP_A);
  await installShop(SHOP_B);
});

describe("members list filters", () => {
  it("searches names and emails case-insensitively, a whole email exactly, within the shop", async () => {
    await seed(SHOP_A, [
      { first: "Ada", last: "Lovelace" },
      { first: "Alan", last: "Turing" },
    ]);
    await seed(SHOP_B, [{ first: "Ada", last: "Byron" }]);
    expect(names(await list("?q=ADA"))).toEqual(["Ada Lovelace"]);
    expect(names(await list("?q=lOvE%20aDa"))).toEqual(["Ada Lovelace"]);
    const email = (await db.member.findFirstOrThrow({ where: { firstName: "Alan" } })).email!;
    expect(names(await list(`?q=${encodeURIComponent(email.toUpperCase())}`))).toEqual(["Alan Turing"]);
    expect(names(await list("?q=byron"))).toEqual([]);
  });

  it("filters by tier, segment, points range, last activity and enrolled dates, alone and combined", async () => {
    await seed(SHOP_A, [
      { first: "Gold", last: "Loyal", tier: "gold", segment: "loyal", balance: 900, activeDaysAgo: 2, enrolledDaysAgo: 400 },
      { first: "Gold", last: "Risk", tier: "gold", segment: "at_risk", balance: 50, activeDaysAgo: 120, enrolledDaysAgo: 400 },
      { first: "Silver", last: "New", tier: "silver", segment: "new", balance: 300, activeDaysAgo: 1, enrolledDaysAgo: 5 },
      { first: "Plain", last: "Never", segment: "active", balance: 0, activeDaysAgo: null, enrolledDaysAgo: 60 },
    ]);
    await seed(SHOP_B, [{ first: "Other", last: "Gold", tier: "gold", segment: "loyal", balance: 900, activeDaysAgo: 2 }]);

    expect(names(await list("?tier=gold"))).toEqual(["Gold Loyal", "Gold Risk"]);
    expect(names(await list("?segment=at_risk"))).toEqual(["Gold Risk"]);
    expect(names(await list("?pointsMin=100&pointsMax=500"))).toEqual(["Silver New"]);
    expect(names(await list("?pointsMin=300"))).toEqual(["Gold Loyal", "Silver New"]);
    expect(names(await list(`?activeFrom=${day(10)}`))).toEqual(["Gold Loyal", "Silver New"]);
    expect(names(await list(`?activeTo=${day(30)}`))).toEqual(["Gold Risk"]);
    expect(names(await list(`?enrolledFrom=${day(90)}&enrolledTo=${day(0)}`))).toEqual(["Plain Never", "Silver New"]);
    expect(names(await list(`?tier=gold&pointsMin=100&activeFrom=${day(10)}&sort=balance&direction=asc`))).toEqual(["Gold Loyal"]);
    const answer = await list("?segment=churned");
    expect(answer.page.members).toEqual([]);
  });

  it("ignores a bad filter and says why, applying the others", async () => {
    await seed(SHOP_A, [
      { first: "Gold", last: "One", tier: "gold", balance: 10 },
      { first: "Silver", last: "Two", tier: "silver", balance: 20 },
    ]);
    const body = await list("?tier=gold&pointsMin=abc&segment=vip&enrolledFrom=2026-13-01");
    expect(Object.keys(body.errors).sort()).toEqual(["enrolledFrom", "pointsMin", "segment"]);
    expect(body.errors.pointsMin).toMatch(/whole number/);
    expect(names(body)).toEqual(["Gold One"]);
  });

  it("keeps the filter across keyset pages, forward and back, nothing twice or missed", async () => {
    const gold = await seed(
      SHOP_A,
      Array.from({ length: 30 }, (_, i) => ({ first: `G${i}`, last: "Gold", tier: "gold", balance: (i % 4) * 100 })),
    );
    await seed(SHOP_A, Array.from({ length: 10 }, (_, i) => ({ first: `S${i}`, last: "Silver", tier: "silver", balance: 1000 })));
    const first = await list("?tier=gold&sort=balance&direction=desc");
    expect(first.page.members).toHaveLength(25);
    const second = await list(`?tier=gold&sort=balance&direction=desc&after=${first.page.nextCursor}`);
    expect(second.page.members).toHaveLength(5);
    expect(second.page.nextCursor).toBeNull();
    const seen = [...first.page.members, ...second.page.members];
    expect(new Set(seen.map((m) => m.id))).toEqual(new Set(gold));
    const balances = seen.map((m) => m.balance);
    expect(balances).toEqual([...balances].sort((a, b) => b - a));
    const back = await list(`?tier=gold&sort=balance&direction=desc&before=${second.page.previousCursor}`);
    expect(back.page.members.map((m) => m.id)).toEqual(first.page.members.map((m) => m.id));
  });

  it("sorts by last activity with never-active members last (desc) or first (asc), paging through both", async () => {
    const active = await seed(SHOP_A, Array.from({ length: 20 }, (_, i) => ({ first: `A${i}`, last: "Active", activeDaysAgo: i + 1 })));
    const never = await seed(SHOP_A, Array.from({ length: 12 }, (_, i) => ({ first: `N${i}`, last: "Never", activeDaysAgo: null })));
    for (const direction of ["desc", "asc"] as const) {
      const page1 = await list(`?sort=activity&direction=${direction}`);
      const page2 = await list(`?sort=activity&direction=${direction}&after=${page1.page.nextCursor}`);
      const order = [...page1.page.members, ...page2.page.members];
      expect(order).toHaveLength(32);
      expect(new Set(order.map((m) => m.id))).toEqual(new Set([...active, ...never]));
      const nulls = order.map((m) => m.lastActivityAt === null);
      const expected = direction === "desc" ? [...Array(20).fill(false), ...Array(12).fill(true)] : [...Array(12).fill(true), ...Array(20).fill(false)];
      expect(nulls).toEqual(expected);
      const times = order.filter((m) => m.lastActivityAt).map((m) => m.lastActivityAt!);
      expect(times).toEqual(direction === "desc" ? [...times].sort().reverse() : [...times].sort());
      const back = await list(`?sort=activity&direction=${direction}&before=${page2.page.previousCursor}`);
      expect(back.page.members.map((m) => m.id)).toEqual(page1.page.members.map((m) => m.id));
    }
  });

  it("answers 401 without a session token's shop, and another shop sees none of these members", async () => {
    await seed(SHOP_A, [{ first: "Only", last: "A", tier: "gold" }]);
    expect((await list("?tier=gold", SHOP_B)).page.members).toEqual([]);
    const anonymous = await loader({ request: new Request("http://localhost/app/members"), params: {}, context: {} }).catch((thrown: unknown) => thrown);
    expect(anonymous instanceof Response ? anonymous.status : 200).not.toBe(200);
  });
});
