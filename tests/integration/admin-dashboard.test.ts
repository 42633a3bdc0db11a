import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { loader } from "~/routes/app._index";
import { deliver, installShop } from "../support/app";
import { resetDatabase } from "../support/database";
import { adminRequest, sessionToken } from "../support/session-token";
import { customerPayload, paidOrderPayload } from "../support/shopify/payloads";

const SHOP_A = "shop-a.myshopify.com";
const SHOP_B = "shop-b.myshopify.com";

async function load(request: Request): Promise<Response | Awaited<ReturnType<typeof loader>>> {
  try {
    return await loader({ request, params: {}, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

beforeEach(async () => {
  await resetDatabase(db);
  await installShop(SHOP_A, { signupBonusPoints: 50 });
  await installShop(SHOP_B);
});

describe("admin dashboard loader (session token auth)", () => {
  it("shows the program and the shop's recent ledger activity", async () => {
    const customer = customerPayload({ firstName: "Ada", lastName: "Lovelace" });
    await deliver("customers/create", customer, { shop: SHOP_A });
    await deliver("orders/paid", paidOrderPayload({ customer, name: "#1042", lines: [{ title: "Mug", price: "12.00" }] }), {
      shop: SHOP_A,
    });
    await deliver("orders/paid", paidOrderPayload({ customer: customerPayload(), lines: [{ title: "B", price: "99.00" }] }), {
      shop: SHOP_B,
    });

    const overview = await load(await adminRequest("/app", SHOP_A));
    expect(overview).not.toBeInstanceOf(Response);
    expect(overview).toMatchObject({
      shopDomain: SHOP_A,
      programEnabled: true,
      signupBonusPoints: 50,
      memberCount: 1,
      pointsOutstanding: 62,
    });
    const activity = (overview as { recentActivity: { description: string; delta: number; member: string }[] }).recentActivity;
    expect(activity.map((a) => [a.description, a.delta, a.member])).toEqual([
      ["Order #1042", 12, "Ada Lovelace"],
      ["Sign-up bonus", 50, "Ada Lovelace"],
    ]);
  });

  it("refuses a forged or expired session token", async () => {
    const forged = await load(await adminRequest("/app", SHOP_A, { token: `${await sessionToken(SHOP_A)}x` }));
    expect(forged).toBeInstanceOf(Response);
    expect((forged as Response).status).toBe(401);
    const expired = await load(
      await adminRequest("/app", SHOP_A, {
        token: await sessionToken(SHOP_A, { exp: Math.floor(Date.now() / 1000) - 60 }),
      }),
    );
    expect((expired as Response).status).toBe(401);
  });
});
