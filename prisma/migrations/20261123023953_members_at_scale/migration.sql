-- AlterTable
ALTER TABLE "Member" ADD COLUMN "segment" TEXT;

-- AlterTable
ALTER TABLE "Shop" ADD COLUMN "segmentRules" TEXT;

-- CreateTable
CREATE TABLE "ImportJob" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "staffId" TEXT,
    "fileName" TEXT NOT NULL,
    "fileHash" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "content" TEXT,
    "totalRows" INTEGER NOT NULL DEFAULT 0,
    "processedRows" INTEGER NOT NULL DEFAULT 0,
    "importedRows" INTEGER NOT NULL DEFAULT 0,
    "unchangedRows" INTEGER NOT NULL DEFAULT 0,
    "errorRows" INTEGER NOT NULL DEFAULT 0,
    "errors" TEXT,
    "error" TEXT,
    "leaseUntil" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "ImportJob_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "ImportJob_shopId_createdAt_idx" ON "ImportJob"("shopId", "createdAt");

-- CreateIndex
CREATE INDEX "LedgerEntry_shopId_createdAt_id_idx" ON "LedgerEntry"("shopId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Member_shopId_enrolledAt_id_idx" ON "Member"("shopId", "enrolledAt", "id");

-- CreateIndex
CREATE INDEX "Member_shopId_balance_id_idx" ON "Member"("shopId", "balance", "id");

-- CreateIndex
CREATE INDEX "Member_shopId_lastActivityAt_id_idx" ON "Member"("shopId", "lastActivityAt", "id");

-- CreateIndex
CREATE INDEX "Member_shopId_tierHandle_enrolledAt_id_idx" ON "Member"("shopId", "tierHandle", "enrolledAt", "id");

-- CreateIndex
CREATE INDEX "Member_shopId_tierHandle_balance_id_idx" ON "Member"("shopId", "tierHandle", "balance", "id");

-- CreateIndex
CREATE INDEX "Member_shopId_tierHandle_lastActivityAt_id_idx" ON "Member"("shopId", "tierHandle", "lastActivityAt", "id");

-- CreateIndex
CREATE INDEX "Member_shopId_segment_enrolledAt_id_idx" ON "Member"("shopId", "segment", "enrolledAt", "id");

-- CreateIndex
CREATE INDEX "Member_shopId_segment_balance_id_idx" ON "Member"("shopId", "segment", "balance", "id");

-- CreateIndex
CREATE INDEX "Member_shopId_segment_lastActivityAt_id_idx" ON "Member"("shopId", "segment", "lastActivityAt", "id");
