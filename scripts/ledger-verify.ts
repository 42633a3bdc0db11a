/**
 * npm run ledger:verify — proves DESIGN.md invariant 3 on the database DATABASE_URL names:
 * every member's cached balance equals the sum of its ledger entries. Prints a JSON report;
 * exits 1 if any member disagrees.
 */
import { createPrismaClient } from "../app/db.server";
import { findBalanceMismatches } from "../app/loyalty/ledger.server";

const databaseUrl = process.env.DATABASE_URL ?? "file:./prisma/dev.sqlite";
const prisma = createPrismaClient(databaseUrl);

try {
  const started = performance.now();
  const { membersChecked, mismatches } = await findBalanceMismatches(prisma);
  const entries = await prisma.ledgerEntry.count();
  const report = {
    ok: mismatches.length === 0,
    membersChecked,
    entries,
    mismatches: mismatches.slice(0, 100),
    mismatchCount: mismatches.length,
    seconds: Number(((performance.now() - started) / 1000).toFixed(3)),
  };
  console.log(JSON.stringify(report, null, 2));
  process.exitCode = report.ok ? 0 : 1;
} finally {
  await prisma.$disconnect();
}
