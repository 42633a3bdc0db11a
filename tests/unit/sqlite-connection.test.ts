/**
 * The app's SQLite connection (app/db.server.ts) under load: it lets requests in between statements,
 * and leaves WAL checkpoints to a worker thread.
 *
 * It never checkpoints inside its own commits (that stalled the server for 25–50 ms at a time); a
 * worker thread does it. If that thread didn't, every change would pile up
 * in the -wal file and the database file itself would never grow: this checks that it does.
 * Runs on a database file of its own (in the unit project, which always has the SQLite client).
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createPrismaClient } from "~/db.server";

const dir = mkdtempSync(path.join(tmpdir(), "keepsake-checkpoint-"));
const file = path.join(dir, "checkpoint.sqlite");
const client = createPrismaClient(`file:${file}`);

afterAll(async () => {
  await client.$disconnect();
  rmSync(dir, { recursive: true, force: true });
});

const sizeOf = (name: string) => statSync(name).size;

describe("a chain of SQLite statements", () => {
  it("lets the event loop in between statements (requests are read while a webhook is applied)", async () => {
    let done = 0;
    const chain = (async () => {
      for (let i = 0; i < 50; i += 1) {
        await client.$queryRawUnsafe("SELECT 1");
        done += 1;
      }
    })();
    const doneWhenAMacrotaskRan = await new Promise<number>((resolve) => setImmediate(() => resolve(done)));
    await chain;
    expect(doneWhenAMacrotaskRan).toBeLessThan(5);
  });
});

describe("SQLite WAL checkpoints", () => {
  it("are off in the app's own commits and done by the worker thread", async () => {
    const rows = await client.$queryRawUnsafe<{ wal_autocheckpoint: bigint }[]>("PRAGMA wal_autocheckpoint");
    expect(rows.map((row) => Number(row.wal_autocheckpoint))).toEqual([0]);

    await client.$executeRawUnsafe("CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
    const before = sizeOf(file);
    const body = "x".repeat(3000);
    for (let i = 0; i < 300; i += 1) {
      await client.$executeRawUnsafe("INSERT INTO filler (body) VALUES (?)", body); // ~1 MB in all
    }
    // Checkpoints run every 200 ms: within a few seconds the pages reach the database file.
    const deadline = Date.now() + 10_000;
    while (sizeOf(file) < before + 900_000 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(sizeOf(file)).toBeGreaterThan(before + 900_000);
  });
});
