/**
 * The app's logger (pino). Log ids and counts, never whole payloads: webhook bodies hold customers'
 * names, emails and addresses. `withContext` adds request context (shop, topic, webhook id).
 */
import pino from "pino";

export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info"),
  base: { app: "keepsake" },
  redact: {
    paths: ["email", "*.email", "firstName", "lastName", "*.firstName", "*.lastName", "payload", "*.payload"],
    censor: "[redacted]",
  },
});

export type Logger = pino.Logger;

export function withContext(context: Record<string, string | number | undefined>): Logger {
  return logger.child(context);
}
