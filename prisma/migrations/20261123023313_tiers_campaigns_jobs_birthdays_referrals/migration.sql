/*
  Warnings:

  - A unique constraint covering the columns `[shopId,referralCode]` on the table `Member` will be added. If there are existing duplicate values, this will fail.

*/
-- AlterTable
ALTER TABLE "LedgerEntry" ADD COLUMN "expiresEntryId" TEXT;
ALTER TABLE "LedgerEntry" ADD COLUMN "expiresOn" TEXT;

-- AlterTable
ALTER TABLE "Member" ADD COLUMN "birthdayDay" INTEGER;
ALTER TABLE "Member" ADD COLUMN "birthdayFirstYear" INTEGER;
ALTER TABLE "Member" ADD COLUMN "birthdayMonth" INTEGER;
ALTER TABLE "Member" ADD COLUMN "birthdaySetAt" DATETIME;
ALTER TABLE "Member" ADD COLUMN "birthdayYear" INTEGER;
ALTER TABLE "Member" ADD COLUMN "excludedAt" DATETIME;
ALTER TABLE "Member" ADD COLUMN "lastActivityAt" DATETIME;
ALTER TABLE "Member" ADD COLUMN "pointsExpireOn" TEXT;
ALTER TABLE "Member" ADD COLUMN "referralCode" TEXT;
ALTER TABLE "Member" ADD COLUMN "tierHandle" TEXT;
ALTER TABLE "Member" ADD COLUMN "tierPendingHandle" TEXT;
ALTER TABLE "Member" ADD COLUMN "tierPendingOn" TEXT;
ALTER TABLE "Member" ADD COLUMN "tierReviewOn" TEXT;
ALTER TABLE "Member" ADD COLUMN "tierSince" TEXT;

-- CreateTable
CREATE TABLE "Tier" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "handle" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "thresholdKind" TEXT NOT NULL,
    "thresholdValue" TEXT NOT NULL,
    "qualificationPeriod" TEXT NOT NULL,
    "earnMultiplier" TEXT NOT NULL DEFAULT '1',
    "entryRewardPoints" INTEGER,
    "entryRewardId" TEXT,
    "perks" TEXT NOT NULL DEFAULT '',
    "hidden" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Tier_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "TierChange" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "fromHandle" TEXT,
    "toHandle" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "staffId" TEXT,
    "note" TEXT,
    "idempotencyKey" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "TierChange_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "TierChange_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Campaign" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "startsAt" TEXT NOT NULL,
    "endsAt" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "minimumOrderAmount" TEXT,
    "targetTiers" TEXT,
    "oncePerMember" BOOLEAN NOT NULL DEFAULT false,
    "archivedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Campaign_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CampaignUse" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "orderGid" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "CampaignUse_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "CampaignUse_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "JobRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "job" TEXT NOT NULL,
    "periodKey" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "leaseOwner" TEXT,
    "leaseUntil" DATETIME,
    "cursor" TEXT,
    "processed" INTEGER NOT NULL DEFAULT 0,
    "written" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    CONSTRAINT "JobRun_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Notification" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "sentAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Notification_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Notification_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "EarnAction" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "network" TEXT,
    "url" TEXT,
    "label" TEXT NOT NULL,
    "points" INTEGER NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "EarnAction_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Referral" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "referrerId" TEXT NOT NULL,
    "friendEmail" TEXT,
    "friendEmailHash" TEXT NOT NULL,
    "acceptedEmailKey" TEXT,
    "friendCustomerGid" TEXT,
    "friendCode" TEXT,
    "discountGid" TEXT,
    "status" TEXT NOT NULL,
    "rejectReason" TEXT,
    "claimIpHash" TEXT,
    "orderGid" TEXT,
    "rewardedAt" DATETIME,
    "reversedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Referral_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Referral_referrerId_fkey" FOREIGN KEY ("referrerId") REFERENCES "Member" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Shop" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "domain" TEXT NOT NULL,
    "installedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" DATETIME,
    "scopes" TEXT,
    "currencyCode" TEXT NOT NULL DEFAULT 'USD',
    "ianaTimezone" TEXT NOT NULL DEFAULT 'UTC',
    "programEnabled" BOOLEAN NOT NULL DEFAULT true,
    "earnRate" TEXT NOT NULL DEFAULT '1',
    "earnRounding" TEXT NOT NULL DEFAULT 'floor',
    "minimumOrderAmount" TEXT,
    "includePosOrders" BOOLEAN NOT NULL DEFAULT true,
    "includeTestOrders" BOOLEAN NOT NULL DEFAULT false,
    "signupBonusPoints" INTEGER NOT NULL DEFAULT 0,
    "tiersEnabled" BOOLEAN NOT NULL DEFAULT false,
    "tierDowngrade" TEXT NOT NULL DEFAULT 'to_qualifying',
    "tierGraceDays" INTEGER NOT NULL DEFAULT 0,
    "tierRefundsDemote" BOOLEAN NOT NULL DEFAULT false,
    "expiryMode" TEXT NOT NULL DEFAULT 'off',
    "expiryMonths" INTEGER NOT NULL DEFAULT 12,
    "expiryEnabledOn" TEXT,
    "expiryReminderDays" TEXT NOT NULL DEFAULT '[30,3]',
    "birthdayEnabled" BOOLEAN NOT NULL DEFAULT false,
    "birthdayRewardPoints" INTEGER,
    "birthdayRewardId" TEXT,
    "birthdayIssueOn" TEXT NOT NULL DEFAULT 'day',
    "birthdayMinLeadDays" INTEGER NOT NULL DEFAULT 30,
    "birthdayChangeCooldownDays" INTEGER NOT NULL DEFAULT 365,
    "birthdayPopupGuests" BOOLEAN NOT NULL DEFAULT false,
    "referralsEnabled" BOOLEAN NOT NULL DEFAULT false,
    "referrerRewardPoints" INTEGER,
    "referrerRewardId" TEXT,
    "friendRewardId" TEXT,
    "referralPendingDays" INTEGER NOT NULL DEFAULT 30,
    "referralMonthlyCap" INTEGER NOT NULL DEFAULT 10,
    "referralIpClaimsPerDay" INTEGER NOT NULL DEFAULT 5,
    "integrationSecret" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Shop" ("createdAt", "currencyCode", "domain", "earnRate", "earnRounding", "ianaTimezone", "id", "includePosOrders", "includeTestOrders", "installedAt", "minimumOrderAmount", "programEnabled", "scopes", "signupBonusPoints", "uninstalledAt", "updatedAt") SELECT "createdAt", "currencyCode", "domain", "earnRate", "earnRounding", "ianaTimezone", "id", "includePosOrders", "includeTestOrders", "installedAt", "minimumOrderAmount", "programEnabled", "scopes", "signupBonusPoints", "uninstalledAt", "updatedAt" FROM "Shop";
DROP TABLE "Shop";
ALTER TABLE "new_Shop" RENAME TO "Shop";
CREATE UNIQUE INDEX "Shop_domain_key" ON "Shop"("domain");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "Tier_shopId_position_idx" ON "Tier"("shopId", "position");

-- CreateIndex
CREATE UNIQUE INDEX "Tier_shopId_handle_key" ON "Tier"("shopId", "handle");

-- CreateIndex
CREATE INDEX "TierChange_memberId_createdAt_idx" ON "TierChange"("memberId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "TierChange_shopId_idempotencyKey_key" ON "TierChange"("shopId", "idempotencyKey");

-- CreateIndex
CREATE INDEX "Campaign_shopId_archivedAt_idx" ON "Campaign"("shopId", "archivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "CampaignUse_shopId_campaignId_memberId_key" ON "CampaignUse"("shopId", "campaignId", "memberId");

-- CreateIndex
CREATE INDEX "JobRun_status_leaseUntil_idx" ON "JobRun"("status", "leaseUntil");

-- CreateIndex
CREATE UNIQUE INDEX "JobRun_shopId_job_periodKey_key" ON "JobRun"("shopId", "job", "periodKey");

-- CreateIndex
CREATE INDEX "Notification_memberId_createdAt_idx" ON "Notification"("memberId", "createdAt");

-- CreateIndex
CREATE INDEX "Notification_shopId_status_createdAt_idx" ON "Notification"("shopId", "status", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Notification_shopId_idempotencyKey_key" ON "Notification"("shopId", "idempotencyKey");

-- CreateIndex
CREATE UNIQUE INDEX "EarnAction_shopId_key_key" ON "EarnAction"("shopId", "key");

-- CreateIndex
CREATE INDEX "Referral_shopId_friendEmailHash_idx" ON "Referral"("shopId", "friendEmailHash");

-- CreateIndex
CREATE INDEX "Referral_referrerId_createdAt_idx" ON "Referral"("referrerId", "createdAt");

-- CreateIndex
CREATE INDEX "Referral_shopId_claimIpHash_createdAt_idx" ON "Referral"("shopId", "claimIpHash", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Referral_shopId_friendCode_key" ON "Referral"("shopId", "friendCode");

-- CreateIndex
CREATE UNIQUE INDEX "Referral_shopId_acceptedEmailKey_key" ON "Referral"("shopId", "acceptedEmailKey");

-- CreateIndex
CREATE INDEX "LedgerEntry_shopId_expiresOn_idx" ON "LedgerEntry"("shopId", "expiresOn");

-- CreateIndex
CREATE INDEX "Member_shopId_tierReviewOn_idx" ON "Member"("shopId", "tierReviewOn");

-- CreateIndex
CREATE INDEX "Member_shopId_tierPendingOn_idx" ON "Member"("shopId", "tierPendingOn");

-- CreateIndex
CREATE INDEX "Member_shopId_pointsExpireOn_idx" ON "Member"("shopId", "pointsExpireOn");

-- CreateIndex
CREATE INDEX "Member_shopId_birthdayMonth_birthdayDay_idx" ON "Member"("shopId", "birthdayMonth", "birthdayDay");

-- CreateIndex
CREATE UNIQUE INDEX "Member_shopId_referralCode_key" ON "Member"("shopId", "referralCode");
