/**
 * Referral rules (app/loyalty/referrals.ts): codes and links, attribution, every fraud rule, reversal.
 */
import { describe, expect, it } from "vitest";
import {
  addressKey,
  attributionStep,
  checkClaim,
  checkReferralOrder,
  friendCodesIn,
  generateFriendCode,
  generateReferralCode,
  hashEmail,
  hashIp,
  isFriendCode,
  isFullyRefunded,
  monthWindow,
  normalizePhone,
  normalizeReferralCode,
  orderedBefore,
  referralLink,
  selfReferralMatch,
  shopperAddress,
  withinPendingPeriod,
  type ClaimFacts,
  type OrderFacts,
} from "~/loyalty/referrals";

const fixed = (byte: number) => (size: number) => new Uint8Array(size).fill(byte);

describe("friend ordered before (Shopify's order history)", () => {
  const THIS = "gid://shopify/Order/3";
  const at = "2026-11-20T10:00:00Z";
  const history = (earliestOrders: { id: string; createdAt: string }[], numberOfOrders = earliestOrders.length, orderCreatedAt: string | null = at) => ({
    orderCreatedAt,
    numberOfOrders,
    earliestOrders,
  });

  it("a first order is not an earlier one; no customer in Shopify means none", () => {
    expect(orderedBefore(history([{ id: THIS, createdAt: at }]), THIS)).toBe(false);
    expect(orderedBefore(history([]), THIS)).toBe(false);
    expect(orderedBefore(null, THIS)).toBe(false);
  });

  it("an order created before this one counts; one created after (a late webhook) does not", () => {
    expect(orderedBefore(history([{ id: "gid://shopify/Order/1", createdAt: "2026-10-01T00:00:00Z" }, { id: THIS, createdAt: at }]), THIS)).toBe(true);
    expect(orderedBefore(history([{ id: THIS, createdAt: at }, { id: "gid://shopify/Order/9", createdAt: "2026-11-21T00:00:00Z" }]), THIS)).toBe(false);
  });

  it("more orders than the app may read (60 days) while only this one is readable: an older one exists", () => {
    expect(orderedBefore(history([{ id: THIS, createdAt: at }], 2), THIS)).toBe(true);
    expect(orderedBefore(history([], 2), THIS)).toBe(true);
    expect(orderedBefore(history([{ id: THIS, createdAt: at }, { id: "gid://shopify/Order/9", createdAt: "2026-11-21T00:00:00Z" }], 2), THIS)).toBe(false);
  });

  it("without this order's creation time, an order sorted before it counts", () => {
    const earlier = [{ id: "gid://shopify/Order/1", createdAt: "2026-10-01T00:00:00Z" }, { id: THIS, createdAt: at }];
    expect(orderedBefore(history(earlier, 2, null), THIS)).toBe(true);
    expect(orderedBefore(history([{ id: THIS, createdAt: at }], 1, null), THIS)).toBe(false);
  });
});

describe("codes and links", () => {
  it("draws 8-symbol referral codes and KR- friend codes from the unambiguous alphabet", () => {
    expect(generateReferralCode(fixed(0))).toBe("AAAAAAAA");
    expect(generateReferralCode(fixed(31))).toBe("99999999");
    expect(generateReferralCode()).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
    expect(generateFriendCode()).toMatch(/^KR-[A-HJ-NP-Z2-9]{12}$/);
    expect(new Set(Array.from({ length: 200 }, () => generateReferralCode())).size).toBe(200);
  });

  it("normalizes a kp_ref as typed and refuses what cannot be a code", () => {
    expect(normalizeReferralCode("  abcd2345 ")).toBe("ABCD2345");
    expect(normalizeReferralCode("ABCD234")).toBeNull(); // 7 symbols
    expect(normalizeReferralCode("ABCDI234")).toBeNull(); // I is not in the alphabet
    expect(normalizeReferralCode("<script>")).toBeNull();
    expect(normalizeReferralCode(null)).toBeNull();
  });

  it("recognises friend codes among an order's codes, case-insensitively, once each", () => {
    expect(isFriendCode("kr-abcdefghjkmn")).toBe(true);
    expect(isFriendCode("KS-ABCDEFGHJKMN")).toBe(false); // a reward code
    expect(isFriendCode("KR-ABC")).toBe(false);
    expect(friendCodesIn(["SUMMER", "kr-abcdefghjkmn", "KR-ABCDEFGHJKMN", "KS-ABCDEFGHJKMN"])).toEqual(["KR-ABCDEFGHJKMN"]);
  });

  it("links to the storefront with kp_ref", () => {
    expect(referralLink("mug-shop.myshopify.com", "ABCD2345")).toBe("https://mug-shop.myshopify.com/?kp_ref=ABCD2345");
  });
});

describe("personal data as hashes", () => {
  it("hashes an email case- and space-insensitively", () => {
    expect(hashEmail(" Friend@Example.com ")).toBe(hashEmail("friend@example.com"));
    expect(hashEmail("friend@example.com")).toMatch(/^[0-9a-f]{64}$/);
    expect(hashEmail("friend@example.com")).not.toBe(hashEmail("friend2@example.com"));
  });

  it("keys the IP hash with the secret (the address space is too small for a plain hash)", () => {
    expect(hashIp("203.0.113.7", "s1")).toBe(hashIp("203.0.113.7", "s1"));
    expect(hashIp("203.0.113.7", "s1")).not.toBe(hashIp("203.0.113.7", "s2"));
    expect(hashIp("203.0.113.7", "s1")).not.toContain("203");
  });

  it("TRUSTED_PROXY_HOPS unset: the FIRST X-Forwarded-For address (Shopify's), without its port, and nothing that is not an IP", () => {
    expect(shopperAddress("203.0.113.7, 10.0.0.1, 10.0.0.2", null)).toBe("203.0.113.7");
    expect(shopperAddress("203.0.113.7:51234", null)).toBe("203.0.113.7");
    expect(shopperAddress("[2001:db8::1]:443, 10.0.0.1", null)).toBe("2001:db8::1");
    expect(shopperAddress("2001:db8::1", null)).toBe("2001:db8::1");
    expect(shopperAddress("unknown, 10.0.0.1", null)).toBeNull();
    expect(shopperAddress("", null)).toBeNull();
    expect(shopperAddress(null, null)).toBeNull();
  });

  it("TRUSTED_PROXY_HOPS=N: the (N+1)-th address from the right, so a client-sent prefix is never read", () => {
    // Shopify's entry, then what our own load balancer appended (Shopify's proxy as it saw it).
    expect(shopperAddress("203.0.113.7, 10.0.0.1", 1)).toBe("203.0.113.7");
    expect(shopperAddress("203.0.113.7", 0)).toBe("203.0.113.7");
    // Had a client sent its own X-Forwarded-For and had it been kept before Shopify's entry: not read.
    expect(shopperAddress("6.6.6.6, 203.0.113.7, 10.0.0.1", 1)).toBe("203.0.113.7");
    expect(shopperAddress("6.6.6.6, 203.0.113.7", 0)).toBe("203.0.113.7");
    expect(shopperAddress("[2001:db8::1]:443, 10.0.0.1, 10.0.0.2", 2)).toBe("2001:db8::1");
    // More hops configured than entries: no address (the IP limit does not apply) rather than a wrong one.
    expect(shopperAddress("203.0.113.7", 1)).toBeNull();
    expect(shopperAddress(null, 0)).toBeNull();
    expect(shopperAddress("203.0.113.7, garbage", 0)).toBeNull();
  });
});

describe("self-referral", () => {
  const referrer = {
    customerGid: "gid://shopify/Customer/1",
    emails: ["ada@example.com"],
    phones: ["+1 (613) 555-0100"],
    addresses: [{ address1: "151 O'Connor Street", address2: null, zip: "K2P 2L8", countryCode: "CA" }],
  };

  it("matches the same customer", () => {
    expect(selfReferralMatch(referrer, { customerGid: "gid://shopify/Customer/1" })).toBe("customer");
  });
  it("matches the same email, whatever the case", () => {
    expect(selfReferralMatch(referrer, { customerGid: "gid://shopify/Customer/2", emails: [" ADA@example.com"] })).toBe("email");
  });
  it("matches the same phone, however it is written", () => {
    expect(normalizePhone("613.555.0100")).toBe("6135550100");
    expect(selfReferralMatch(referrer, { emails: ["friend@example.com"], phones: ["613.555.0100"] })).toBe("phone");
  });
  it("matches the same shipping address, spacing and punctuation aside", () => {
    expect(addressKey({ address1: "151 O'Connor Street ", zip: "k2p2l8", countryCode: "ca" })).toBe(
      addressKey({ address1: "151 O Connor  street", zip: "K2P 2L8", countryCode: "CA" }),
    );
    expect(
      selfReferralMatch(referrer, { emails: ["friend@example.com"], addresses: [{ address1: "151 o'connor street", zip: "K2P2L8", countryCode: "CA" }] }),
    ).toBe("address");
  });
  it("does not match a different person, nor empty facts", () => {
    expect(
      selfReferralMatch(referrer, {
        customerGid: "gid://shopify/Customer/2",
        emails: ["friend@example.com", null],
        phones: ["12", null],
        addresses: [{ address1: "1 Other Road", zip: "K2P 2L8", countryCode: "CA" }, null, { address1: "" }],
      }),
    ).toBeNull();
    expect(selfReferralMatch({ emails: [null], phones: [] }, { emails: [null], phones: [] })).toBeNull();
    // A different flat in the same building is a different address.
    expect(
      addressKey({ address1: "151 O'Connor Street", address2: "Apt 2", zip: "K2P 2L8" }) ===
        addressKey({ address1: "151 O'Connor Street", address2: "Apt 3", zip: "K2P 2L8" }),
    ).toBe(false);
  });
});

describe("claim checks", () => {
  const ok: ClaimFacts = {
    referrer: { customerGid: "gid://shopify/Customer/1", emails: ["ada@example.com"] },
    friend: { customerGid: null, emails: ["friend@example.com"] },
    friendHasOrders: false,
    emailAlreadyRewarded: false,
    claimsFromIpToday: 0,
    ipClaimsPerDay: 5,
  };

  it("accepts a new friend", () => expect(checkClaim(ok)).toEqual({ ok: true }));
  it("refuses the referrer's own email", () =>
    expect(checkClaim({ ...ok, friend: { emails: ["Ada@Example.com"] } })).toEqual({ ok: false, reason: "self_referral" }));
  it("refuses the referrer logged in as the friend", () =>
    expect(checkClaim({ ...ok, friend: { customerGid: "gid://shopify/Customer/1", emails: ["other@example.com"] } })).toEqual({
      ok: false,
      reason: "self_referral",
    }));
  it("refuses a friend who already has orders", () =>
    expect(checkClaim({ ...ok, friendHasOrders: true })).toEqual({ ok: false, reason: "existing_customer" }));
  it("refuses an email that already got a friend reward", () =>
    expect(checkClaim({ ...ok, emailAlreadyRewarded: true })).toEqual({ ok: false, reason: "email_used" }));
  it("refuses the claim over the IP's daily limit, not the one reaching it", () => {
    expect(checkClaim({ ...ok, claimsFromIpToday: 4 })).toEqual({ ok: true });
    expect(checkClaim({ ...ok, claimsFromIpToday: 5 })).toEqual({ ok: false, reason: "ip_limit" });
    expect(checkClaim({ ...ok, claimsFromIpToday: null })).toEqual({ ok: true }); // no address known
  });
  it("reports the first failing rule", () =>
    expect(checkClaim({ ...ok, friend: { emails: ["ada@example.com"] }, friendHasOrders: true, claimsFromIpToday: 9 })).toEqual({
      ok: false,
      reason: "self_referral",
    }));
});

describe("the friend's order", () => {
  const ok: OrderFacts = {
    referrer: { customerGid: "gid://shopify/Customer/1", emails: ["ada@example.com"], phones: ["6135550100"] },
    friend: { customerGid: "gid://shopify/Customer/2", emails: ["friend@example.com"], phones: ["6135550199"] },
    friendEarlierOrders: 0,
    rewardedThisMonth: 0,
    monthlyCap: 3,
    referralsEnabled: true,
  };

  it("rewards a new friend's first order", () => expect(checkReferralOrder(ok)).toEqual({ ok: true }));
  it("rejects an order shipped by the referrer (same phone)", () =>
    expect(checkReferralOrder({ ...ok, friend: { ...ok.friend, phones: ["+1 613 555 0100"] } })).toEqual({
      ok: false,
      reason: "self_referral",
    }));
  it("rejects when it is not the friend's first order", () =>
    expect(checkReferralOrder({ ...ok, friendEarlierOrders: 1 })).toEqual({ ok: false, reason: "existing_customer" }));
  it("rejects past the referrer's monthly cap", () => {
    expect(checkReferralOrder({ ...ok, rewardedThisMonth: 2 })).toEqual({ ok: true });
    expect(checkReferralOrder({ ...ok, rewardedThisMonth: 3 })).toEqual({ ok: false, reason: "monthly_cap" });
  });
  it("rejects when referrals were switched off", () =>
    expect(checkReferralOrder({ ...ok, referralsEnabled: false })).toEqual({ ok: false, reason: "referrals_disabled" }));

  it("attributes once: a claimed referral is evaluated, its own order resumed, anything else ignored", () => {
    expect(attributionStep({ status: "claimed", orderGid: null }, "o1")).toBe("evaluate");
    expect(attributionStep({ status: "rewarded", orderGid: "o1" }, "o1")).toBe("resume");
    expect(attributionStep({ status: "reversed", orderGid: "o1" }, "o1")).toBe("resume");
    expect(attributionStep({ status: "rewarded", orderGid: "o1" }, "o2")).toBe("ignore");
    expect(attributionStep({ status: "rejected", orderGid: "o1" }, "o1")).toBe("ignore");
    expect(attributionStep({ status: "rejected", orderGid: null }, "o2")).toBe("ignore");
  });

  it("counts the calendar month in the shop's time zone", () => {
    // 00:30 on 1 March in Tokyo is still February in UTC.
    const now = new Date("2026-02-28T15:30:00Z");
    expect(monthWindow(now, "Asia/Tokyo")).toEqual({ start: new Date("2026-02-28T15:00:00Z"), end: new Date("2026-03-31T15:00:00Z") });
    expect(monthWindow(now, "UTC")).toEqual({ start: new Date("2026-02-01T00:00:00Z"), end: new Date("2026-03-01T00:00:00Z") });
  });
});

describe("reversal", () => {
  const paid = [
    { lineGid: "l1", quantity: 2 },
    { lineGid: "l2", quantity: 1 },
  ];

  it("is due only for a full refund (over one or several refunds)", () => {
    expect(isFullyRefunded(paid, [[{ lineGid: "l1", quantity: 2 }]])).toBe(false); // partial
    expect(isFullyRefunded(paid, [[{ lineGid: "l1", quantity: 2 }, { lineGid: "l2", quantity: 1 }]])).toBe(true);
    expect(isFullyRefunded(paid, [[{ lineGid: "l1", quantity: 1 }], [{ lineGid: "l1", quantity: 1 }, { lineGid: "l2", quantity: 1 }]])).toBe(true);
    expect(isFullyRefunded(paid, [])).toBe(false);
    expect(isFullyRefunded([], [[{ lineGid: "l1", quantity: 1 }]])).toBe(false);
  });

  it("counts the pending days from payment, the last day included", () => {
    const paidAt = new Date("2026-01-01T12:00:00Z");
    expect(withinPendingPeriod(paidAt, new Date("2026-01-31T12:00:00Z"), 30)).toBe(true);
    expect(withinPendingPeriod(paidAt, new Date("2026-01-31T12:00:01Z"), 30)).toBe(false);
    expect(withinPendingPeriod(paidAt, paidAt, 0)).toBe(true);
  });
});
