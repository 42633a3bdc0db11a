-- AlterTable
ALTER TABLE "WebhookDelivery" ADD COLUMN     "availableAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "lockedUntil" TIMESTAMP(3),
ADD COLUMN     "payload" TEXT,
ADD COLUMN     "tries" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "WebhookDelivery_status_receivedAt_id_idx" ON "WebhookDelivery"("status", "receivedAt", "id");
