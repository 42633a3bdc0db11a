/**
 * The members list loader through session-token auth: search by word starts (first name, last name,
 * email, domain; any case, accents and Korean names; kept current by customers/update, forgotten on
 * customers/redact; the same pages whichever way a search is answered — ADR 017 addendum), each filter (tier,
 * segment, points range, last activity and enrolled ranges in the shop's days), filters combined and
 * kept across keyset pages, last-activity sort with never-active members both ways and back, a bad
 * filter ignored with its message, and shop isolation.
 */
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { loader } from "~/routes/app.members._index";
import { memberSearchColumns } from "~/loyalty/member-search";
import { DIRECT_LIMIT } from "~/loyalty/services/members-list.server";
import { deliver, installShop } from "../support/app";
import { customerPayload, customersRedactPayload } from "../support/shopify/payloads";
import { adminLoader } from "../support/admin-route";
import { resetDatabase } from "../support/database";

const SHOP_A = "list-a.myshopify.com";
const SHOP_B = "list-b.myshopify.com";
const DAY = 86_400_000;
const NOW = Date.now();

interface Seed {
  first: string;
  last: string;
  email?: string;
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
    const email = m.email ?? `${m.first}.${m.last}.${counter}@example.com`.toLowerCase();
    const row = await db.member.create({
      data: {
        shopId,
        customerGid: `gid://shopify/Customer/${counter}`,
        firstName: m.first,
        lastName: m.last,
        email,
        ...memberSearchColumns({ firstName: m.first, lastName: m.last, email }),
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
  it("searches by the start of a first name, last name, email or domain: every word, any case, within the shop", async () => {
    await seed(SHOP_A, [
      { first: "Ada", last: "Lovelace" },
      { first: "Alan", last: "Turing" },
      { first: "Grace", last: "Hopper", email: "grace@navy.mil" },
      { first: "민준", last: "김", email: "minjun@example.kr" },
      { first: "Élodie", last: "Durand" },
    ]);
    await seed(SHOP_B, [{ first: "Ada", last: "Byron" }]);
    expect(names(await list("?q=ada"))).toEqual(["Ada Lovelace"]); // first name
    expect(names(await list("?q=LOVE"))).toEqual(["Ada Lovelace"]); // last name, upper case
    expect(names(await list("?q=alan.t"))).toEqual(["Alan Turing"]); // email
    expect(names(await list("?q=navy.mil"))).toEqual(["Grace Hopper"]); // domain
    expect(names(await list("?q=example.com"))).toEqual(["Ada Lovelace", "Alan Turing", "Élodie Durand"]);
    expect(names(await list("?q=lOvE%20aDa"))).toEqual(["Ada Lovelace"]); // two words, any order
    expect(names(await list("?q=ada%20turing"))).toEqual([]); // both words must match the same member
    expect(names(await list("?q=velace"))).toEqual([]); // the middle of a word is not searched
    expect(names(await list(`?q=${encodeURIComponent("김")}`))).toEqual(["민준 김"]);
    expect(names(await list(`?q=${encodeURIComponent("민")}`))).toEqual(["민준 김"]);
    expect(names(await list(`?q=${encodeURIComponent("ÉLO")}`))).toEqual(["Élodie Durand"]);
    expect(names(await list(`?q=${encodeURIComponent("e\u0301lodie".normalize("NFD"))}`))).toEqual(["Élodie Durand"]); // decomposed accent
    const email = (await db.member.findFirstOrThrow({ where: { firstName: "Alan" } })).email!;
    expect(names(await list(`?q=${encodeURIComponent(email.toUpperCase())}`))).toEqual(["Alan Turing"]);
    const none = await list("?q=zq");
    expect(none.page).toEqual({ members: [], previousCursor: null, nextCursor: null });
    expect(names(await list("?q=byron"))).toEqual([]);
    expect(names(await list("?q=ada", SHOP_B))).toEqual(["Ada Byron"]);
  });

  it("keeps search current through customers/update and forgets an erased member's old name and email", async () => {
    const customer = customerPayload({ firstName: "Rosalind", lastName: "Franklin", email: "Rosalind@Kings.ac.uk" });
    await deliver("customers/create", customer, { shop: SHOP_A });
    expect(names(await list("?q=rosalind%20fra"))).toEqual(["Rosalind Franklin"]);
    expect(names(await list("?q=kings.ac"))).toEqual(["Rosalind Franklin"]);
    await deliver("customers/update", { ...customer, last_name: "Gosling" }, { shop: SHOP_A });
    expect(names(await list("?q=gosling"))).toEqual(["Rosalind Gosling"]);
    expect(names(await list("?q=franklin"))).toEqual([]);
    await deliver("customers/redact", customersRedactPayload({ shopDomain: SHOP_A, customer }), { shop: SHOP_A });
    for (const q of ["rosalind", "gosling", "kings.ac.uk", "rosalind@kings.ac.uk"]) expect((await list(`?q=${q}`)).page.members).toEqual([]);
    const erased = await db.member.findFirstOrThrow({ where: { customerGid: customer.admin_graphql_api_id } });
    expect(erased).toMatchObject({ searchFirst: null, searchLast: null, searchEmail: null, searchDomain: null });
    expect((await list("")).page.members).toHaveLength(1); // still listed (erased), just not findable
  });

  it("pages a search the same whether its word is rare (rows read by id) or common (the sort's index walked)", async () => {
    const { id: shopId } = await db.shop.findUniqueOrThrow({ where: { domain: SHOP_A } });
    const common = Array.from({ length: DIRECT_LIMIT + 20 }, (_, i) => {
      const email = `m${i}@common.example`;
      const rare = i % 70 === 0; // 29 of them have a rarer last name
      const [first, last] = ["Common", rare ? "Rarely" : "Often"];
      return {
        shopId,
        customerGid: `gid://shopify/Customer/c${i}`,
        firstName: first,
        lastName: last,
        email,
        balance: (i * 37) % 500,
        segment: rare ? "loyal" : "active",
        enrolledAt: new Date(NOW - (i % 400) * DAY),
        ...memberSearchColumns({ firstName: first, lastName: last, email }),
      };
    });
    await db.member.createMany({ data: common });
    const walk = async (q: string) => {
      const seen: { id: string; balance: number }[] = [];
      let page = await list(`?q=${q}&sort=balance&direction=desc`);
      const first = page.page.members;
      seen.push(...page.page.members);
      while (page.page.nextCursor && seen.length < 100) {
        const previous = page;
        page = await list(`?q=${q}&sort=balance&direction=desc&after=${page.page.nextCursor}`);
        seen.push(...page.page.members);
        const back = await list(`?q=${q}&sort=balance&direction=desc&before=${page.page.previousCursor}`);
        expect(back.page.members.map((m) => m.id)).toEqual(previous.page.members.map((m) => m.id));
      }
      return { seen, first };
    };
    const expected = common.filter((m) => m.lastName === "Rarely").sort((a, b) => b.balance - a.balance);
    expect(expected.length).toBeGreaterThan(25); // two pages
    const rare = await walk("rarely"); // few matches: read by id, sorted here
    expect(new Set(rare.seen.map((m) => m.id)).size).toBe(expected.length);
    expect(rare.seen.map((m) => m.balance)).toEqual(expected.map((m) => m.balance));
    // The same members through the common word's walk (over DIRECT_LIMIT matches): "common" in segment loyal.
    const walked30 = await walk("common&segment=loyal");
    expect(walked30.seen.map((m) => m.id)).toEqual(rare.seen.map((m) => m.id));
    expect(names(await list("?q=common%20rarely"))).toHaveLength(25); // two words: the rare one decides
    const walked = await list("?q=common&sort=balance&direction=desc");
    expect(walked.page.members).toHaveLength(25);
    expect(walked.page.members.map((m) => m.balance)).toEqual(common.map((m) => m.balance).sort((a, b) => b - a).slice(0, 25));
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
