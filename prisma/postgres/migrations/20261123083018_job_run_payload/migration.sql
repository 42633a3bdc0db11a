-- AlterTable
ALTER TABLE "JobRun" ADD COLUMN     "payload" TEXT;
