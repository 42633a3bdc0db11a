-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "expiryChangedAt" TIMESTAMP(3);
