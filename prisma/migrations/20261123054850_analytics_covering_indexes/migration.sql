-- DropIndex
DROP INDEX "LedgerEntry_shopId_createdAt_id_idx";

-- DropIndex
DROP INDEX "OrderRecord_shopId_customerGid_idx";

-- DropIndex
DROP INDEX "OrderRecord_shopId_guestEmail_idx";

-- CreateIndex
CREATE INDEX "LedgerEntry_shopId_createdAt_id_kind_delta_memberId_idx" ON "LedgerEntry"("shopId", "createdAt", "id", "kind", "delta", "memberId");

-- CreateIndex
CREATE INDEX "OrderRecord_shopId_guestEmail_paidAt_idx" ON "OrderRecord"("shopId", "guestEmail", "paidAt");

-- CreateIndex
CREATE INDEX "OrderRecord_shopId_customerGid_idx" ON "OrderRecord"("shopId", "customerGid", "paidAt");
