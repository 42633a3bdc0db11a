-- AlterTable
ALTER TABLE "Member" ADD COLUMN "searchDomain" TEXT;
ALTER TABLE "Member" ADD COLUMN "searchEmail" TEXT;
ALTER TABLE "Member" ADD COLUMN "searchFirst" TEXT;
ALTER TABLE "Member" ADD COLUMN "searchLast" TEXT;

-- Backfill (docs/decisions/017 addendum): the same values memberSearchColumns writes, for the members
-- that exist already. SQLite's lower() folds ASCII letters only: a name with a non-ASCII capital
-- (É, Ö) gets its lower-case search copy at the member's next customers/update.
UPDATE "Member" SET
  "searchFirst" = NULLIF(lower(trim("firstName")), ''),
  "searchLast" = NULLIF(lower(trim("lastName")), ''),
  "searchEmail" = NULLIF(lower(trim("email")), ''),
  "searchDomain" = CASE WHEN instr(trim("email"), '@') > 0 THEN NULLIF(lower(substr(trim("email"), instr(trim("email"), '@') + 1)), '') END
WHERE "redactedAt" IS NULL;

-- CreateIndex
CREATE INDEX "Member_shopId_searchFirst_id_idx" ON "Member"("shopId", "searchFirst", "id");

-- CreateIndex
CREATE INDEX "Member_shopId_searchLast_id_idx" ON "Member"("shopId", "searchLast", "id");

-- CreateIndex
CREATE INDEX "Member_shopId_searchEmail_id_idx" ON "Member"("shopId", "searchEmail", "id");

-- CreateIndex
CREATE INDEX "Member_shopId_searchDomain_id_idx" ON "Member"("shopId", "searchDomain", "id");
