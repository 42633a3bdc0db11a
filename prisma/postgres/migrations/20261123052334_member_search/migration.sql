-- AlterTable
-- COLLATE "C" (written here by hand: schema.prisma cannot say it, and Prisma's differ does not compare
-- column collations, so `migrate dev` keeps it — docs/decisions/017 addendum): the search copies
-- compare byte by byte, so `>= word AND < word || U+FFFF` is exactly "starts with word" and the btree
-- index below answers it under any database locale (en_US, ICU…), not only a C-locale database.
ALTER TABLE "Member" ADD COLUMN     "searchDomain" TEXT COLLATE "C",
ADD COLUMN     "searchEmail" TEXT COLLATE "C",
ADD COLUMN     "searchFirst" TEXT COLLATE "C",
ADD COLUMN     "searchLast" TEXT COLLATE "C";

-- Backfill: the same values memberSearchColumns writes, for the members that exist already. lower()
-- follows the database's LC_CTYPE (a C-ctype database folds ASCII only: a name with a non-ASCII capital
-- gets its lower-case search copy at the member's next customers/update).
UPDATE "Member" SET
  "searchFirst" = NULLIF(lower(btrim("firstName")), ''),
  "searchLast" = NULLIF(lower(btrim("lastName")), ''),
  "searchEmail" = NULLIF(lower(btrim("email")), ''),
  "searchDomain" = CASE WHEN strpos(btrim("email"), '@') > 0 THEN NULLIF(lower(substr(btrim("email"), strpos(btrim("email"), '@') + 1)), '') END
WHERE "redactedAt" IS NULL;

-- CreateIndex
CREATE INDEX "Member_shopId_searchFirst_id_idx" ON "Member"("shopId", "searchFirst", "id");

-- CreateIndex
CREATE INDEX "Member_shopId_searchLast_id_idx" ON "Member"("shopId", "searchLast", "id");

-- CreateIndex
CREATE INDEX "Member_shopId_searchEmail_id_idx" ON "Member"("shopId", "searchEmail", "id");

-- CreateIndex
CREATE INDEX "Member_shopId_searchDomain_id_idx" ON "Member"("shopId", "searchDomain", "id");
