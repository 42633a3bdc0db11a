-- AlterTable
ALTER TABLE "Shop" ADD COLUMN "onboardingDismissedAt" DATETIME;
ALTER TABLE "Shop" ADD COLUMN "onboardingSteps" TEXT;

-- CreateTable
CREATE TABLE "DailyStat" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "pointsIssued" INTEGER NOT NULL DEFAULT 0,
    "pointsRedeemed" INTEGER NOT NULL DEFAULT 0,
    "pointsExpired" INTEGER NOT NULL DEFAULT 0,
    "pointsReversed" INTEGER NOT NULL DEFAULT 0,
    "netPoints" INTEGER NOT NULL DEFAULT 0,
    "newMembers" INTEGER NOT NULL DEFAULT 0,
    "activeMembers" INTEGER NOT NULL DEFAULT 0,
    "activeSketch" TEXT NOT NULL,
    "memberOrders" INTEGER NOT NULL DEFAULT 0,
    "memberRevenue" TEXT NOT NULL DEFAULT '0',
    "memberRepeatOrders" INTEGER NOT NULL DEFAULT 0,
    "otherOrders" INTEGER NOT NULL DEFAULT 0,
    "otherRevenue" TEXT NOT NULL DEFAULT '0',
    "otherRepeatOrders" INTEGER NOT NULL DEFAULT 0,
    "redemptions" INTEGER NOT NULL DEFAULT 0,
    "rewardCounts" TEXT NOT NULL DEFAULT '[]',
    "computedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "DailyStat_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "DailyStat_shopId_day_key" ON "DailyStat"("shopId", "day");

-- CreateIndex
CREATE INDEX "OrderRecord_shopId_paidAt_idx" ON "OrderRecord"("shopId", "paidAt");
