-- CreateTable
CREATE TABLE "Reward" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "pointsCost" INTEGER NOT NULL,
    "amount" TEXT,
    "percentage" TEXT,
    "variantGid" TEXT,
    "pointsPerStep" INTEGER,
    "amountPerStep" TEXT,
    "minPoints" INTEGER,
    "maxPoints" INTEGER,
    "minimumSubtotal" TEXT,
    "codeExpiresInDays" INTEGER,
    "combinesWithOrderDiscounts" BOOLEAN NOT NULL DEFAULT false,
    "combinesWithProductDiscounts" BOOLEAN NOT NULL DEFAULT false,
    "combinesWithShippingDiscounts" BOOLEAN NOT NULL DEFAULT false,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "tierIds" TEXT,
    "donationCause" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Reward_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Redemption" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "rewardId" TEXT NOT NULL,
    "requestId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "rewardName" TEXT NOT NULL,
    "pointsSpent" INTEGER NOT NULL,
    "amount" TEXT,
    "status" TEXT NOT NULL,
    "code" TEXT,
    "discountGid" TEXT,
    "expiresAt" DATETIME,
    "usedOrderGid" TEXT,
    "usedAt" DATETIME,
    "cancelledAt" DATETIME,
    "staffId" TEXT,
    "errorCode" TEXT,
    "error" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Redemption_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Redemption_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Redemption_rewardId_fkey" FOREIGN KEY ("rewardId") REFERENCES "Reward" ("id") ON DELETE NO ACTION ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "Reward_shopId_active_idx" ON "Reward"("shopId", "active");

-- CreateIndex
CREATE INDEX "Redemption_memberId_status_createdAt_idx" ON "Redemption"("memberId", "status", "createdAt");

-- CreateIndex
CREATE INDEX "Redemption_shopId_status_createdAt_idx" ON "Redemption"("shopId", "status", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Redemption_shopId_memberId_requestId_key" ON "Redemption"("shopId", "memberId", "requestId");

-- CreateIndex
CREATE UNIQUE INDEX "Redemption_shopId_code_key" ON "Redemption"("shopId", "code");
