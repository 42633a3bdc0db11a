-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_DailyStat" (
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
    "membersToDate" INTEGER NOT NULL DEFAULT 0,
    "pointsOutstanding" INTEGER NOT NULL DEFAULT 0,
    "memberRevenueToDate" TEXT NOT NULL DEFAULT '0',
    "computedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "DailyStat_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_DailyStat" ("activeMembers", "activeSketch", "computedAt", "day", "id", "memberOrders", "memberRepeatOrders", "memberRevenue", "netPoints", "newMembers", "otherOrders", "otherRepeatOrders", "otherRevenue", "pointsExpired", "pointsIssued", "pointsRedeemed", "pointsReversed", "redemptions", "rewardCounts", "shopId") SELECT "activeMembers", "activeSketch", "computedAt", "day", "id", "memberOrders", "memberRepeatOrders", "memberRevenue", "netPoints", "newMembers", "otherOrders", "otherRepeatOrders", "otherRevenue", "pointsExpired", "pointsIssued", "pointsRedeemed", "pointsReversed", "redemptions", "rewardCounts", "shopId" FROM "DailyStat";
DROP TABLE "DailyStat";
ALTER TABLE "new_DailyStat" RENAME TO "DailyStat";
CREATE UNIQUE INDEX "DailyStat_shopId_day_key" ON "DailyStat"("shopId", "day");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
