/**
 * The Admin API version Keepsake is built and tested against, pinned in one place for our own
 * client; shopify.app.toml and shopify.server.ts (ApiVersion.July26) must match it
 * (tests/unit/app-config.test.ts).
 */
export const ADMIN_API_VERSION = "2026-07";
