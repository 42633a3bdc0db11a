import { describe, expect, it } from "vitest";
import { DEMO_API_SECRET, EnvError, parseEnv } from "~/env.server";

const valid = {
  SHOPIFY_API_KEY: "key",
  SHOPIFY_API_SECRET: "secret",
  SHOPIFY_APP_URL: "https://keepsake.example.com",
};

function problemsOf(source: Record<string, string | undefined>): string[] {
  try {
    parseEnv(source);
  } catch (error) {
    if (error instanceof EnvError) return error.problems;
    throw error;
  }
  return [];
}

describe("environment check at boot", () => {
  it("accepts a complete environment and fills defaults", () => {
    const env = parseEnv(valid);
    expect(env.DATABASE_URL).toBe("file:./prisma/dev.sqlite");
    expect(env.SCOPES).toEqual(["read_orders", "write_customers", "write_discounts"]);
    expect(env.KEEPSAKE_DEMO).toBe(false);
  });

  it("TRUSTED_PROXY_HOPS: unset (or empty) means the first X-Forwarded-For address; 0–10 accepted; anything else named", () => {
    expect(parseEnv(valid).TRUSTED_PROXY_HOPS).toBeUndefined();
    expect(parseEnv({ ...valid, TRUSTED_PROXY_HOPS: "" }).TRUSTED_PROXY_HOPS).toBeUndefined();
    expect(parseEnv({ ...valid, TRUSTED_PROXY_HOPS: "0" }).TRUSTED_PROXY_HOPS).toBe(0);
    expect(parseEnv({ ...valid, TRUSTED_PROXY_HOPS: "2" }).TRUSTED_PROXY_HOPS).toBe(2);
    for (const bad of ["-1", "1.5", "11", "one"]) {
      expect(problemsOf({ ...valid, TRUSTED_PROXY_HOPS: bad }).join("\n")).toMatch(/TRUSTED_PROXY_HOPS must be a whole number from 0 to 10/);
    }
  });

  it("names every missing or invalid variable in one error", () => {
    const problems = problemsOf({ SHOPIFY_APP_URL: "not a url", DATABASE_URL: "mysql://x", LOG_LEVEL: "loud" });
    expect(problems.join("\n")).toMatch(/SHOPIFY_API_KEY is required/);
    expect(problems.join("\n")).toMatch(/SHOPIFY_API_SECRET is required/);
    expect(problems.join("\n")).toMatch(/SHOPIFY_APP_URL must be/);
    expect(problems.join("\n")).toMatch(/DATABASE_URL must start with file:/);
    expect(problems.join("\n")).toMatch(/LOG_LEVEL/);
    expect(() => parseEnv({})).toThrow(/Keepsake cannot start/);
  });

  it("refuses demo mode with a real secret, a public URL or a public bind address", () => {
    expect(problemsOf({ ...valid, KEEPSAKE_DEMO: "1" }).join("\n")).toMatch(/refuses a real-looking SHOPIFY_API_SECRET/);
    expect(
      problemsOf({ ...valid, SHOPIFY_API_SECRET: DEMO_API_SECRET, KEEPSAKE_DEMO: "1" }).join("\n"),
    ).toMatch(/SHOPIFY_APP_URL on localhost/);
    expect(
      problemsOf({
        SHOPIFY_API_KEY: "k",
        SHOPIFY_API_SECRET: DEMO_API_SECRET,
        SHOPIFY_APP_URL: "http://localhost:3000",
        KEEPSAKE_DEMO: "1",
        HOST: "0.0.0.0",
      }).join("\n"),
    ).toMatch(/binds to localhost only/);
    expect(
      parseEnv({
        SHOPIFY_API_KEY: "k",
        SHOPIFY_API_SECRET: DEMO_API_SECRET,
        SHOPIFY_APP_URL: "http://127.0.0.1:3000",
        KEEPSAKE_DEMO: "1",
        HOST: "127.0.0.1",
      }).KEEPSAKE_DEMO,
    ).toBe(true);
  });
});
