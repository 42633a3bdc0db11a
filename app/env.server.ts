/**
 * Environment, checked with zod once at boot. Every missing or invalid variable is reported in one
 * error with a line each, so a misconfigured deploy fails at start, not at the first webhook.
 * Reference: .env.example and the README's "Environment" table.
 */
import { z } from "zod";

/** The only secret demo mode accepts; a real Shopify secret can never enable the demo. */
export const DEMO_API_SECRET = "keepsake-demo-secret-not-for-production";
export const DEMO_API_KEY = "keepsake-demo-api-key";

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

const booleanFlag = z
  .enum(["0", "1", "true", "false"])
  .optional()
  .transform((value) => value === "1" || value === "true");

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    SHOPIFY_API_KEY: z.string({ error: "is required (the app's client id from the Partner Dashboard)" }).min(1, "must not be empty"),
    SHOPIFY_API_SECRET: z.string({ error: "is required (the app's client secret)" }).min(1, "must not be empty"),
    SHOPIFY_APP_URL: z.url({ error: "must be the app's public https URL (http://localhost… in the demo)" }),
    SCOPES: z
      .string()
      .default("read_orders,write_customers,write_discounts") // = shopify.app.toml [access_scopes]
      .transform((value) => value.split(",").map((scope) => scope.trim()).filter(Boolean)),
    DATABASE_URL: z
      .string()
      .default("file:./prisma/dev.sqlite")
      .refine((url) => /^(file:|postgres(ql)?:\/\/)/.test(url), {
        message: "must start with file: (SQLite) or postgres:// / postgresql:// (PostgreSQL)",
      }),
    SHOP_CUSTOM_DOMAIN: z.string().optional(),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    HOST: z.string().optional(),
    PORT: z.coerce.number().int().positive().optional(),
    KEEPSAKE_DEMO: booleanFlag,
    /**
     * Where Admin GraphQL requests go instead of https://<shop>: only for the offline demo and tests,
     * which run a local stand-in of Shopify. Refused otherwise.
     */
    SHOPIFY_ADMIN_API_ORIGIN: z.url().optional(),
    /** Largest webhook body accepted, bytes. Shopify's biggest order payloads are a few hundred kB. */
    WEBHOOK_MAX_BYTES: z.coerce.number().int().positive().default(2_000_000),
    /**
     * Proxies of the app's own (load balancer, ingress) that APPEND to X-Forwarded-For between Shopify's
     * app proxy and the app. Unset: the first address (Shopify sets the header to the shopper's address;
     * later ones were appended behind it). N: the (N+1)-th address from the right. docs/decisions/016.
     */
    TRUSTED_PROXY_HOPS: z.preprocess(
      (value) => (value === "" ? undefined : value),
      z.coerce
        .number({ error: "must be a whole number from 0 to 10 (the app's own proxies that append to X-Forwarded-For)" })
        .int("must be a whole number from 0 to 10")
        .min(0, "must be a whole number from 0 to 10")
        .max(10, "must be a whole number from 0 to 10")
        .optional(),
    ),
  })
  .superRefine((env, ctx) => {
    if (env.SHOPIFY_ADMIN_API_ORIGIN && !env.KEEPSAKE_DEMO && env.NODE_ENV !== "test") {
      ctx.addIssue({
        code: "custom",
        path: ["SHOPIFY_ADMIN_API_ORIGIN"],
        message: "is only for the offline demo (KEEPSAKE_DEMO=1) and tests; real stores are reached at https://<shop>",
      });
    }
    if (!env.KEEPSAKE_DEMO) return;
    // The offline demo authenticates anyone who opens it: it must never face the internet or
    // hold a real store's secret.
    if (env.SHOPIFY_API_SECRET !== DEMO_API_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["KEEPSAKE_DEMO"],
        message: "demo mode refuses a real-looking SHOPIFY_API_SECRET (use npm run demo, which sets the demo secret)",
      });
    }
    const appHost = safeHostname(env.SHOPIFY_APP_URL);
    if (!appHost || !LOOPBACK_HOSTS.has(appHost)) {
      ctx.addIssue({
        code: "custom",
        path: ["KEEPSAKE_DEMO"],
        message: "demo mode needs SHOPIFY_APP_URL on localhost or 127.0.0.1",
      });
    }
    if (env.HOST !== undefined && !LOOPBACK_HOSTS.has(env.HOST)) {
      ctx.addIssue({
        code: "custom",
        path: ["KEEPSAKE_DEMO"],
        message: "demo mode binds to localhost only: HOST must be 127.0.0.1 or localhost",
      });
    }
  });

export type Env = z.infer<typeof EnvSchema>;

function safeHostname(url: string): string | null {
  try {
    return new URL(url).hostname;
  } catch {
    return null;
  }
}

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Keepsake cannot start, the environment is not valid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvError";
  }
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = EnvSchema.safeParse(source);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join(".") || "(environment)";
    return `${name} ${issue.message}`;
  });
  throw new EnvError(problems);
}

let cached: Env | undefined;

/** The checked environment of this process (parsed on first use, at boot). */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
