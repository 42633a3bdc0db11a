/**
 * customers/create: a new customer joins the program.
 */
import db from "~/db.server";
import { appendCredit, runOnce } from "~/loyalty/ledger.server";
import { ensureMember, normalizeEmail, type CustomerProfile, type MemberRecord } from "./members.server";
import { claimGuestOrders } from "./orders.server";
import type { ShopRecord } from "./shops.server";
import { promoteIfQualified } from "./tiers.server";

/**
 * customers/create: enroll, give the sign-up bonus once (key `signup:<customer gid>`), then let
 * the new customer claim the points of earlier guest checkouts made with the same email.
 */
export async function enrollNewCustomer(shop: ShopRecord, profile: CustomerProfile): Promise<MemberRecord> {
  const member = await ensureMember(shop, profile);
  if (shop.programEnabled && shop.signupBonusPoints > 0) {
    await runOnce(db, (tx) =>
      appendCredit(tx, {
        shopId: shop.id,
        memberId: member.id,
        kind: "signup_bonus",
        delta: shop.signupBonusPoints,
        idempotencyKey: `signup:${profile.customerGid}`,
        description: "Sign-up bonus",
        rule: { signupBonusPoints: shop.signupBonusPoints },
      }),
    );
  }
  const email = normalizeEmail(profile.email);
  if (email) await claimGuestOrders(shop, profile.customerGid, email);
  // Tiers on: the new member enters the base tier (or higher, if the bonus or claimed orders reach it).
  await promoteIfQualified(shop.id, member.id, `signup:${profile.customerGid}`);
  return member;
}

