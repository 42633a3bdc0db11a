/**
 * CSV import through the admin routes: the action queues a background job, the progress route reports
 * it until done; valid rows create members / credit `import` ledger entries (key
 * import:<file sha256>:<row key>), invalid rows land in the downloadable error report; the same file
 * again changes nothing; Smile.io and LoyaltyLion files; a stopped job resumes from its last row;
 * unusable files answer 400 with nothing written; shop isolation; balances match their entries.
 */
import { createHash } from "node:crypto";
import { parse } from "csv-parse/sync";
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { findBalanceMismatches } from "~/loyalty/ledger.server";
import { importProgress } from "~/loyalty/services/member-import.server";
import { loader as progressLoader } from "~/routes/app.import.$importId";
import { action, loader } from "~/routes/app.import";
import { installShop } from "../support/app";
import { adminAction, adminLoader } from "../support/admin-route";
import { resetDatabase } from "../support/database";
import { adminRequest, sessionToken } from "../support/session-token";

const SHOP_A = "import-a.myshopify.com";
const SHOP_B = "import-b.myshopify.com";

const GENERIC = [
  "customer_id,email,first_name,last_name,points_balance,enrolled_at",
  "1001,ada@example.com,Ada,Lovelace,250,2024-05-31",
  "1002,alan@example.com,Alan,Turing,0,",
  "abc,bad-email,X,Y,12.5,31/05/2024",
  ",,No,Customer,5,",
  "1001,,Ada,Again,10,",
  "1003,grace@example.com,Grace,Hopper,75,",
].join("\n");

async function start(content: string, fileName = "members.csv", format = "auto", shop = SHOP_A, token?: string) {
  return adminAction(action, "/app/import", shop, { fileName, content, format }, token ? { token } : {});
}

async function progress(jobId: string, shop = SHOP_A) {
  return adminLoader(progressLoader, `/app/import/${jobId}`, shop, { params: { importId: jobId } });
}

/** Polls like the page does until the job has finished. */
async function finished(jobId: string) {
  for (let i = 0; i < 200; i += 1) {
    const answer = await progress(jobId);
    if (answer.body.job.status === "done" || answer.body.job.status === "failed") return answer.body.job;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("import did not finish");
}

async function shopIdOf(domain: string) {
  return (await db.shop.findUniqueOrThrow({ where: { domain } })).id;
}

beforeEach(async () => {
  await resetDatabase(db);
  await installShop(SHOP_A);
  await installShop(SHOP_B);
});

describe("CSV import", () => {
  it("imports valid rows, reports the others, and a second import of the same file changes nothing", async () => {
    const token = await sessionToken(SHOP_A, { sub: "4242" });
    const started = await start(GENERIC, "members.csv", "auto", SHOP_A, token);
    expect(started).toMatchObject({ status: 200, body: { ok: true } });
    const job = await finished(started.body.jobId);
    expect(job).toMatchObject({ status: "done", format: "generic", totalRows: 6, processedRows: 6, importedRows: 3, unchangedRows: 0, errorRows: 3 });

    const shopId = await shopIdOf(SHOP_A);
    const members = await db.member.findMany({ where: { shopId }, orderBy: { customerGid: "asc" } });
    expect(members.map((m) => [m.customerGid, m.email, m.firstName, m.balance])).toEqual([
      ["gid://shopify/Customer/1001", "ada@example.com", "Ada", 250],
      ["gid://shopify/Customer/1002", "alan@example.com", "Alan", 0],
      ["gid://shopify/Customer/1003", "grace@example.com", "Grace", 75],
    ]);
    expect(members[0]!.enrolledAt.toISOString()).toBe("2024-05-31T00:00:00.000Z");
    const hash = createHash("sha256").update(GENERIC).digest("hex");
    const entries = await db.ledgerEntry.findMany({ where: { shopId }, orderBy: { delta: "asc" } });
    expect(entries.map((e) => [e.kind, e.delta, e.idempotencyKey])).toEqual([
      ["import", 75, `import:${hash}:c:1003`],
      ["import", 250, `import:${hash}:c:1001`],
    ]);
    // No sign-up bonus and no other entries for imported members; the file itself is gone.
    expect((await db.importJob.findUniqueOrThrow({ where: { id: job.id } })).content).toBeNull();
    const audit = await db.auditLog.findMany({ where: { shopId, action: "members.import" } });
    expect(audit).toMatchObject([{ staffId: "4242", subjectType: "import", subjectId: job.id }]);

    // The error report: line numbers as a spreadsheet shows them, what is wrong, the row as it was.
    const report = await progressLoader({
      request: await adminRequest(`/app/import/${job.id}?report=errors`, SHOP_A),
      params: { importId: job.id },
      context: {},
    });
    expect(report).toBeInstanceOf(Response);
    const rows = parse(await (report as Response).text()) as string[][];
    expect(rows[0]).toEqual(["line", "errors", "customer_id", "email", "first_name", "last_name", "points_balance", "enrolled_at"]);
    expect(rows.slice(1).map((row) => row[0])).toEqual(["4", "5", "6"]);
    expect(rows[1]![1]).toMatch(/customer id "abc".*email "bad-email".*points "12.5".*enrolled date/);
    expect(rows[2]![1]).toBe("needs a customer id or an email");
    expect(rows[3]![1]).toBe("same customer as line 2");
    expect(rows[3]!.slice(2)).toEqual(["1001", "", "Ada", "Again", "10", ""]);

    const again = await start(GENERIC);
    const second = await finished(again.body.jobId);
    expect(second).toMatchObject({ status: "done", importedRows: 0, unchangedRows: 3, errorRows: 3 });
    expect(await db.ledgerEntry.count({ where: { shopId } })).toBe(2);
    expect((await db.member.findMany({ where: { shopId } })).map((m) => m.balance).sort()).toEqual([0, 250, 75].sort());
    expect((await findBalanceMismatches(db)).mismatches).toEqual([]);

    // The page lists both jobs, newest first.
    const page = await adminLoader(loader, "/app/import", SHOP_A);
    expect(page.body.imports.map((j: { id: string }) => j.id)).toEqual([second.id, job.id]);
  });

  it("credits existing members from a Smile.io file (email, points) and a LoyaltyLion export", async () => {
    const shopId = await shopIdOf(SHOP_A);
    await db.member.createMany({
      data: [
        { shopId, customerGid: "gid://shopify/Customer/1", email: "ada@example.com", balance: 0 },
        { shopId, customerGid: "gid://shopify/Customer/2", email: "alan@example.com", balance: 0 },
      ],
    });
    const smile = await start("email,points\nADA@example.com,120\nnobody@example.com,50\n", "smile.csv");
    expect(await finished(smile.body.jobId)).toMatchObject({ format: "smile", importedRows: 1, errorRows: 1 });
    const lion = await start("merchant_id,email,points_approved,points_pending\n2,alan@example.com,300,40\n9,new@example.com,15,0\n", "lion.csv");
    expect(await finished(lion.body.jobId)).toMatchObject({ format: "loyaltylion", importedRows: 2, errorRows: 0 });
    const balances = Object.fromEntries((await db.member.findMany({ where: { shopId } })).map((m) => [m.email, m.balance]));
    expect(balances).toEqual({ "ada@example.com": 120, "alan@example.com": 300, "new@example.com": 15 });
    expect((await findBalanceMismatches(db)).mismatches).toEqual([]);
  });

  it("refuses an unusable file with a message and writes nothing", async () => {
    const empty = await start("", "empty.csv");
    expect(empty).toMatchObject({ status: 400, body: { ok: false, errors: { file: "The file is empty" } } });
    const headerOnly = await start("email,points\n", "h.csv");
    expect(headerOnly.body.errors.file).toBe("The file has a header but no rows");
    const noCustomer = await start("name,points\nAda,5\n", "n.csv");
    expect(noCustomer.body.errors.file).toMatch(/no customer column/);
    const badFormat = await start("email,points\na@example.com,1\n", "f.csv", "shopify");
    expect(badFormat).toMatchObject({ status: 400, body: { errors: { format: "Choose a format" } } });
    expect(await db.importJob.count()).toBe(0);
    expect(await db.ledgerEntry.count()).toBe(0);
  });

  it("resumes a job whose worker stopped, from its last recorded row, without doubling anything", async () => {
    const started = await start(GENERIC);
    const done = await finished(started.body.jobId);
    // Pretend the worker died after the first row: the lease ran out with processedRows = 1.
    await db.importJob.update({
      where: { id: done.id },
      data: { status: "running", processedRows: 1, importedRows: 1, unchangedRows: 0, errorRows: 0, errors: null, content: GENERIC, leaseUntil: new Date(Date.now() - 1000) },
    });
    const resumed = await finished(done.id);
    expect(resumed).toMatchObject({ status: "done", processedRows: 6, importedRows: 1, unchangedRows: 2, errorRows: 3 });
    expect(await db.ledgerEntry.count()).toBe(2);
    expect((await findBalanceMismatches(db)).mismatches).toEqual([]);
  });

  it("keeps each shop's jobs to itself", async () => {
    const started = await start(GENERIC);
    await finished(started.body.jobId);
    expect((await progress(started.body.jobId, SHOP_B)).status).toBe(404);
    expect(await importProgress(SHOP_B, started.body.jobId)).toBeNull();
    const report = await adminLoader(progressLoader, `/app/import/${started.body.jobId}?report=errors`, SHOP_B, { params: { importId: started.body.jobId } });
    expect(report.status).toBe(404);
    expect((await adminLoader(loader, "/app/import", SHOP_B)).body.imports).toEqual([]);
  });
});
