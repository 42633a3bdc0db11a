import { describe, expect, it } from "vitest";
import {
  EarnActionInput,
  eventActionKey,
  formatIntegrationSecret,
  IntegrationAwardBody,
  isIntegrationAction,
  isShopperAction,
  onceActionKey,
} from "~/loyalty/earn-actions";

describe("EarnActionInput", () => {
  it("gives a social action its network key and keeps the https page", () => {
    const parsed = EarnActionInput.parse({ kind: "social_follow", network: "instagram", url: "https://instagram.com/shop", label: "Follow us", points: "50" });
    expect(parsed).toEqual({ kind: "social_follow", key: "instagram-follow", network: "instagram", url: "https://instagram.com/shop", label: "Follow us", points: 50, active: true });
  });
  it("refuses a social action without network or page, or with an http page", () => {
    const missing = EarnActionInput.safeParse({ kind: "social_share", label: "Share", points: 10 });
    expect(missing.success).toBe(false);
    expect(missing.error?.issues.map((i) => i.path[0]).sort()).toEqual(["network", "url"]);
    const http = EarnActionInput.safeParse({ kind: "social_follow", network: "x", url: "http://x.com/shop", label: "Follow", points: 10 });
    expect(http.success).toBe(false);
    expect(http.error?.issues[0]?.path).toEqual(["url"]);
  });
  it("drops network and page from non-social actions and fixes the newsletter key", () => {
    const review = EarnActionInput.parse({ kind: "review", network: "x", url: "https://x.com", label: "Write a review", points: 25 });
    expect(review).toMatchObject({ key: "review", network: null, url: null });
    expect(EarnActionInput.parse({ kind: "newsletter", label: "Newsletter", points: 5 }).key).toBe("newsletter");
    expect(EarnActionInput.safeParse({ kind: "newsletter", key: "news", label: "Newsletter", points: 5 }).success).toBe(false);
  });
  it("refuses bad points, keys and labels", () => {
    for (const points of [0, -5, 1.5, 100_001, "abc"]) {
      expect(EarnActionInput.safeParse({ kind: "custom", key: "quiz", label: "Quiz", points }).success).toBe(false);
    }
    expect(EarnActionInput.safeParse({ kind: "custom", key: "Bad Key", label: "Quiz", points: 5 }).success).toBe(false);
    expect(EarnActionInput.safeParse({ kind: "custom", key: "-quiz", label: "Quiz", points: 5 }).success).toBe(false);
    expect(EarnActionInput.safeParse({ kind: "custom", key: "quiz", label: " ", points: 5 }).success).toBe(false);
    expect(EarnActionInput.parse({ kind: "custom", key: "QUIZ_2", label: "Quiz", points: 5 }).key).toBe("quiz_2");
  });
});

describe("who awards what", () => {
  it("lets shoppers award social actions only and integrations reviews/custom only", () => {
    expect(["social_follow", "social_share", "newsletter", "review", "custom"].map(isShopperAction)).toEqual([true, true, false, false, false]);
    expect(["social_follow", "social_share", "newsletter", "review", "custom"].map(isIntegrationAction)).toEqual([false, false, false, true, true]);
  });
  it("keys once-per-member actions by customer and integration awards by event", () => {
    expect(onceActionKey("instagram-follow", "gid://shopify/Customer/1")).toBe("action:instagram-follow:gid://shopify/Customer/1");
    expect(eventActionKey("review", "evt-9")).toBe("action:review:event:evt-9");
  });
});

describe("IntegrationAwardBody", () => {
  it("accepts a numeric id, a numeric string or a customer gid", () => {
    for (const customer_id of [42, "42", "gid://shopify/Customer/42"]) {
      expect(IntegrationAwardBody.parse({ action: "review", event_id: "evt-1", customer_id })).toEqual({
        actionKey: "review",
        eventId: "evt-1",
        customerGid: "gid://shopify/Customer/42",
      });
    }
  });
  it("refuses other gids, empty or spaced event ids, and bad action keys", () => {
    expect(IntegrationAwardBody.safeParse({ action: "review", event_id: "e", customer_id: "gid://shopify/Order/42" }).success).toBe(false);
    expect(IntegrationAwardBody.safeParse({ action: "review", event_id: "", customer_id: 1 }).success).toBe(false);
    expect(IntegrationAwardBody.safeParse({ action: "review", event_id: "a b", customer_id: 1 }).success).toBe(false);
    expect(IntegrationAwardBody.safeParse({ action: "re view", event_id: "e", customer_id: 1 }).success).toBe(false);
    expect(IntegrationAwardBody.safeParse({ action: "review", event_id: "e" }).success).toBe(false);
  });
});

describe("integration secret", () => {
  it("is 32 random bytes as base64url with a prefix, and refuses fewer bytes", () => {
    const secret = formatIntegrationSecret(new Uint8Array(32).fill(255));
    expect(secret).toMatch(/^kps_[A-Za-z0-9_-]{43}$/);
    expect(() => formatIntegrationSecret(new Uint8Array(16))).toThrow(RangeError);
  });
});
