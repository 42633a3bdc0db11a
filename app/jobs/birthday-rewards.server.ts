/**
 * Daily job `birthday-rewards` (issue 5, docs/decisions/015): on each shop-local business day, gives
 * every member whose birthday reward falls that day (their birthday, or the 1st of their birthday
 * month) the shop's birthday reward, once per year. Members are read in keyset batches by id through
 * the (shopId, birthdayMonth, birthdayDay) index; every reward carries its idempotency key
 * (`birthday:<customer>:<year>` points, `birthday:<member>:<year>` codes), so a replayed batch gives
 * nothing twice. A Shopify failure while creating a code fails the batch (the scheduler retries it
 * from the same cursor; the grant is retried under the same key).
 */
import type { Prisma } from "@prisma/client";
import { daysInMonth, isLeapYear, rewardYearDueOn } from "~/loyalty/birthdays";
import { birthdayShopById, birthdaysActive, issueBirthdayReward, issueOnOf } from "~/loyalty/services/birthdays.server";
import { yearOf } from "~/loyalty/schedule";
import type { BatchResult, ShopJob, ShopJobContext } from "./job-types";

export class BirthdayGrantFailedError extends Error {
  constructor(count: number) {
    super(`${count} birthday reward code(s) could not be created in Shopify; the batch will be retried`);
    this.name = "BirthdayGrantFailedError";
  }
}

/** Which stored (month, day) pairs are due on `day`. */
function birthdaysDueOn(day: string, issueOn: "day" | "month_start"): Prisma.MemberWhereInput {
  const [, month, date] = day.split("-").map(Number) as [number, number, number];
  if (issueOn === "month_start") return date === 1 ? { birthdayMonth: month, birthdayDay: { not: null } } : { id: { in: [] } };
  // Feb 29 birthdays fall on Feb 28 in common years.
  if (month === 2 && date === daysInMonth(yearOf(day), 2) && !isLeapYear(yearOf(day))) {
    return { birthdayMonth: 2, birthdayDay: { in: [28, 29] } };
  }
  return { birthdayMonth: month, birthdayDay: date };
}

export async function runBirthdayBatch(context: ShopJobContext, cursor: string | null, batchSize: number): Promise<BatchResult> {
  const shop = await birthdayShopById(context.shop.id);
  if (!shop || !birthdaysActive(shop)) return { processed: 0, written: 0, nextCursor: null };
  const issueOn = issueOnOf(shop);
  const members = await context.db.member.findMany({
    where: {
      shopId: shop.id,
      redactedAt: null,
      excludedAt: null,
      ...birthdaysDueOn(context.day, issueOn),
      ...(cursor ? { id: { gt: cursor } } : {}),
    },
    orderBy: { id: "asc" },
    take: batchSize,
    select: { id: true, customerGid: true, birthdayMonth: true, birthdayDay: true, birthdayFirstYear: true },
  });
  let written = 0;
  let failed = 0;
  for (const member of members) {
    if (member.birthdayMonth === null || member.birthdayDay === null) continue;
    const year = rewardYearDueOn({ month: member.birthdayMonth, day: member.birthdayDay }, context.day, issueOn, member.birthdayFirstYear);
    if (year === null) continue;
    const outcome = await issueBirthdayReward(shop, member, year);
    if (outcome === "issued") written += 1;
    if (outcome === "failed") failed += 1;
  }
  if (failed > 0) throw new BirthdayGrantFailedError(failed);
  const last = members[members.length - 1];
  context.log.info({ job: "birthday-rewards", day: context.day, processed: members.length, written }, "birthday batch");
  return { processed: members.length, written, nextCursor: members.length === batchSize && last ? last.id : null };
}

export const birthdayRewardsJob: ShopJob = { name: "birthday-rewards", runBatch: runBirthdayBatch };
