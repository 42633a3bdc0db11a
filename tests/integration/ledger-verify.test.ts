import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { deliver, installShop } from "../support/app";
import { resetDatabase } from "../support/database";
import { customerPayload, paidOrderPayload, refundPayload } from "../support/shopify/payloads";

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, "../..");

async function ledgerVerify(): Promise<{ code: number; report: { ok: boolean; membersChecked: number; mismatchCount: number } }> {
  try {
    const { stdout } = await run("npx", ["tsx", "scripts/ledger-verify.ts"], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL },
    });
    return { code: 0, report: JSON.parse(stdout) };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, report: JSON.parse(failed.stdout) };
  }
}

beforeEach(async () => {
  await resetDatabase(db);
  await installShop("test-shop.myshopify.com", { signupBonusPoints: 10 });
});

describe("npm run ledger:verify", () => {
  it("passes on a ledger built by webhooks and fails when a cached balance drifts", async () => {
    for (let i = 0; i < 3; i += 1) {
      const customer = customerPayload();
      await deliver("customers/create", customer);
      const order = paidOrderPayload({ customer, lines: [{ title: "Mug", price: "12.00", quantity: 2 }] });
      await deliver("orders/paid", order);
      await deliver("refunds/create", refundPayload(order, { lines: [{ lineIndex: 0, quantity: 1 }] }));
    }
    const good = await ledgerVerify();
    expect(good.code).toBe(0);
    expect(good.report).toMatchObject({ ok: true, membersChecked: 3, mismatchCount: 0 });

    // Simulate corruption outside the ledger (what the check exists to catch).
    const member = await db.member.findFirstOrThrow();
    await db.member.update({ where: { id: member.id }, data: { balance: member.balance + 1 } });
    const bad = await ledgerVerify();
    expect(bad.code).toBe(1);
    expect(bad.report).toMatchObject({ ok: false, mismatchCount: 1 });
  }, 60_000);
});
