-- AlterTable
ALTER TABLE "Shop" ADD COLUMN "expiryChangedAt" DATETIME;
