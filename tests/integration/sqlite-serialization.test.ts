/**
 * A write made outside a transaction must never be swallowed by another request's transaction
 * that rolls back (on SQLite all requests share one connection; see app/db.server.ts).
 */
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { installShop } from "../support/app";
import { resetDatabase } from "../support/database";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeEach(async () => {
  await resetDatabase(db);
});

describe("concurrent units of work", () => {
  it("keep a plain write made while another transaction is open and then rolls back", async () => {
    const shop = await installShop("test-shop.myshopify.com");
    const failing = db.$transaction(async (tx) => {
      await tx.shop.update({ where: { id: shop.id }, data: { earnRate: "9" } });
      await sleep(100); // the other request's write is attempted meanwhile
      throw new Error("duplicate entry: roll back");
    });
    await sleep(20);
    const plainWrite = db.member.create({ data: { shopId: shop.id, customerGid: "gid://shopify/Customer/1" } });
    await expect(failing).rejects.toThrow("roll back");
    await plainWrite;
    expect(await db.member.count()).toBe(1);
    expect((await db.shop.findUniqueOrThrow({ where: { id: shop.id } })).earnRate).toBe("1");
  });

  it("runs many concurrent transactions and plain writes without losing any", async () => {
    const shop = await installShop("test-shop.myshopify.com");
    const work = Array.from({ length: 40 }, (_, i) =>
      i % 2 === 0
        ? db
            .$transaction(async (tx) => {
              await tx.member.create({ data: { shopId: shop.id, customerGid: `gid://shopify/Customer/t${i}` } });
              await sleep(2);
              if (i % 4 === 0) throw new Error("rollback");
            })
            .catch(() => undefined)
        : db.member.create({ data: { shopId: shop.id, customerGid: `gid://shopify/Customer/p${i}` } }),
    );
    await Promise.all(work);
    const gids = (await db.member.findMany({ select: { customerGid: true } })).map((m) => m.customerGid);
    expect(gids.filter((g) => g.includes("/p")).length).toBe(20);
    expect(gids.filter((g) => g.includes("/t")).length).toBe(10);
  });
});
