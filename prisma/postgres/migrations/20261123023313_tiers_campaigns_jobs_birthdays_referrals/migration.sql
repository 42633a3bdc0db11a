/*
  Warnings:

  - A unique constraint covering the columns `[shopId,referralCode]` on the table `Member` will be added. If there are existing duplicate values, this will fail.

*/
-- AlterTable
ALTER TABLE "LedgerEntry" ADD COLUMN     "expiresEntryId" TEXT,
ADD COLUMN     "expiresOn" TEXT;

-- AlterTable
ALTER TABLE "Member" ADD COLUMN     "birthdayDay" INTEGER,
ADD COLUMN     "birthdayFirstYear" INTEGER,
ADD COLUMN     "birthdayMonth" INTEGER,
ADD COLUMN     "birthdaySetAt" TIMESTAMP(3),
ADD COLUMN     "birthdayYear" INTEGER,
ADD COLUMN     "excludedAt" TIMESTAMP(3),
ADD COLUMN     "lastActivityAt" TIMESTAMP(3),
ADD COLUMN     "pointsExpireOn" TEXT,
ADD COLUMN     "referralCode" TEXT,
ADD COLUMN     "tierHandle" TEXT,
ADD COLUMN     "tierPendingHandle" TEXT,
ADD COLUMN     "tierPendingOn" TEXT,
ADD COLUMN     "tierReviewOn" TEXT,
ADD COLUMN     "tierSince" TEXT;

-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "birthdayChangeCooldownDays" INTEGER NOT NULL DEFAULT 365,
ADD COLUMN     "birthdayEnabled" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "birthdayIssueOn" TEXT NOT NULL DEFAULT 'day',
ADD COLUMN     "birthdayMinLeadDays" INTEGER NOT NULL DEFAULT 30,
ADD COLUMN     "birthdayPopupGuests" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "birthdayRewardId" TEXT,
ADD COLUMN     "birthdayRewardPoints" INTEGER,
ADD COLUMN     "expiryEnabledOn" TEXT,
ADD COLUMN     "expiryMode" TEXT NOT NULL DEFAULT 'off',
ADD COLUMN     "expiryMonths" INTEGER NOT NULL DEFAULT 12,
ADD COLUMN     "expiryReminderDays" TEXT NOT NULL DEFAULT '[30,3]',
ADD COLUMN     "friendRewardId" TEXT,
ADD COLUMN     "integrationSecret" TEXT,
ADD COLUMN     "referralIpClaimsPerDay" INTEGER NOT NULL DEFAULT 5,
ADD COLUMN     "referralMonthlyCap" INTEGER NOT NULL DEFAULT 10,
ADD COLUMN     "referralPendingDays" INTEGER NOT NULL DEFAULT 30,
ADD COLUMN     "referralsEnabled" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "referrerRewardId" TEXT,
ADD COLUMN     "referrerRewardPoints" INTEGER,
ADD COLUMN     "tierDowngrade" TEXT NOT NULL DEFAULT 'to_qualifying',
ADD COLUMN     "tierGraceDays" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "tierRefundsDemote" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "tiersEnabled" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "Tier" (
    "id" TEXT NOT NULL,
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
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Tier_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TierChange" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "fromHandle" TEXT,
    "toHandle" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "staffId" TEXT,
    "note" TEXT,
    "idempotencyKey" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TierChange_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Campaign" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "startsAt" TEXT NOT NULL,
    "endsAt" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "minimumOrderAmount" TEXT,
    "targetTiers" TEXT,
    "oncePerMember" BOOLEAN NOT NULL DEFAULT false,
    "archivedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Campaign_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CampaignUse" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "orderGid" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CampaignUse_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "JobRun" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "job" TEXT NOT NULL,
    "periodKey" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "leaseOwner" TEXT,
    "leaseUntil" TIMESTAMP(3),
    "cursor" TEXT,
    "processed" INTEGER NOT NULL DEFAULT 0,
    "written" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "JobRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Notification" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "sentAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Notification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EarnAction" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "network" TEXT,
    "url" TEXT,
    "label" TEXT NOT NULL,
    "points" INTEGER NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "EarnAction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Referral" (
    "id" TEXT NOT NULL,
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
    "rewardedAt" TIMESTAMP(3),
    "reversedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Referral_pkey" PRIMARY KEY ("id")
);

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

-- AddForeignKey
ALTER TABLE "Tier" ADD CONSTRAINT "Tier_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TierChange" ADD CONSTRAINT "TierChange_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TierChange" ADD CONSTRAINT "TierChange_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Campaign" ADD CONSTRAINT "Campaign_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CampaignUse" ADD CONSTRAINT "CampaignUse_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CampaignUse" ADD CONSTRAINT "CampaignUse_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "JobRun" ADD CONSTRAINT "JobRun_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Notification" ADD CONSTRAINT "Notification_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Notification" ADD CONSTRAINT "Notification_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EarnAction" ADD CONSTRAINT "EarnAction_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Referral" ADD CONSTRAINT "Referral_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Referral" ADD CONSTRAINT "Referral_referrerId_fkey" FOREIGN KEY ("referrerId") REFERENCES "Member"("id") ON DELETE CASCADE ON UPDATE CASCADE;
