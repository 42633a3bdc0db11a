-- AlterTable
ALTER TABLE "DailyStat" ADD COLUMN     "memberRevenueToDate" TEXT NOT NULL DEFAULT '0',
ADD COLUMN     "membersToDate" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "pointsOutstanding" INTEGER NOT NULL DEFAULT 0;
