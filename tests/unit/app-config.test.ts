/**
 * shopify.app.toml, the library config and our own Admin client must agree: one pinned API version,
 * and every webhook subscription pointing at an existing route file named in its comment.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { ApiVersion } from "@shopify/shopify-api";
import { describe, expect, it } from "vitest";
import { ADMIN_API_VERSION } from "~/shopify/api-version";
import { COMPLIANCE_TOPICS, SUBSCRIBED_TOPICS } from "../support/shopify/webhooks";

const ROOT = path.resolve(__dirname, "../..");
const toml = readFileSync(path.join(ROOT, "shopify.app.toml"), "utf8");
const shopifyServer = readFileSync(path.join(ROOT, "app/shopify.server.ts"), "utf8");

interface Subscription {
  handlerComment: string;
  topics: string[];
  compliance: boolean;
  uri: string;
}

function subscriptions(): Subscription[] {
  const blocks = toml.split("[[webhooks.subscriptions]]").slice(1);
  const comments = [...toml.matchAll(/#\s*(app\/routes\/\S+\.tsx)\s*\n\s*\[\[webhooks\.subscriptions\]\]/g)].map((m) => m[1] ?? "");
  return blocks.map((block, index) => {
    const topicsLine = /(compliance_topics|topics)\s*=\s*\[([^\]]*)\]/.exec(block);
    const uri = /uri\s*=\s*"([^"]+)"/.exec(block)?.[1] ?? "";
    return {
      handlerComment: comments[index] ?? "",
      topics: [...(topicsLine?.[2] ?? "").matchAll(/"([^"]+)"/g)].map((m) => m[1] ?? ""),
      compliance: topicsLine?.[1] === "compliance_topics",
      uri,
    };
  });
}

describe("app configuration", () => {
  it("pins API version 2026-07 in the toml, shopifyApp and the Admin client", () => {
    expect(/\[webhooks\][^[]*api_version\s*=\s*"2026-07"/.test(toml)).toBe(true);
    expect(ApiVersion.July26).toBe("2026-07");
    expect(shopifyServer).toContain("ApiVersion.July26");
    expect(ADMIN_API_VERSION).toBe("2026-07");
  });

  it("subscribes every topic, each to the route file its comment names", () => {
    const subs = subscriptions();
    expect(subs.filter((s) => !s.compliance).flatMap((s) => s.topics).sort()).toEqual([...SUBSCRIBED_TOPICS].sort());
    expect(subs.filter((s) => s.compliance).flatMap((s) => s.topics).sort()).toEqual([...COMPLIANCE_TOPICS].sort());
    for (const sub of subs) {
      const [topic] = sub.topics;
      expect(sub.uri).toBe(`/webhooks/${topic}`);
      const routeFile = `app/routes/webhooks.${topic?.replace("/", ".")}.tsx`;
      expect(sub.handlerComment, topic).toBe(routeFile);
      expect(existsSync(path.join(ROOT, routeFile)), routeFile).toBe(true);
    }
  });

  it("declares the app proxy at /apps/keepsake and the least scopes", () => {
    expect(toml).toMatch(/\[app_proxy\][\s\S]*subpath = "keepsake"[\s\S]*prefix = "apps"/);
    expect(toml).toMatch(/url = "[^"]*\/proxy"/);
    expect(toml).toMatch(/scopes = "read_orders,write_customers,write_discounts"/);
    expect(toml).toMatch(/name = "Keepsake"/);
    expect(toml).toMatch(/embedded = true/);
  });
});
