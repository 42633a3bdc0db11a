-- AlterTable
ALTER TABLE "Tier" ADD COLUMN "assignSegment" TEXT;
