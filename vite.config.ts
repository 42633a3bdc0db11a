import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";
// Also brings in vitest's types for the `test` key below.
import { configDefaults } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

// Detected from the command, not from the VITEST variable: a build spawned by a test (the e2e suite
// builds the demo) inherits that variable but must still run the Remix plugin.
const isVitest = process.argv.some((arg) => /(^|[\\/])vitest(\.m?js)?$/.test(arg) || arg.includes("/vitest/"));

export default defineConfig({
  server: {
    host: process.env.HOST ?? "localhost",
    port: Number(process.env.PORT ?? 3000),
  },
  plugins: [
    // Vitest runs route modules directly; the Remix plugin is for dev and build only.
    ...(isVitest
      ? []
      : [
          remix({
            ignoredRouteFiles: ["**/.*"],
            future: {
              v3_fetcherPersist: true,
              v3_relativeSplatPath: true,
              v3_throwAbortReason: true,
              v3_lazyRouteDiscovery: true,
              v3_singleFetch: true,
            },
          }),
        ]),
    tsconfigPaths(),
  ],
  build: { assetsInlineLimit: 0 },
  test: {
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["tests/unit/**/*.test.ts"], environment: "node" },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["tests/support/global-setup.ts"],
          setupFiles: ["tests/support/setup-integration.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["tests/e2e/**/*.test.ts"],
          // The storefront widget's browser tests need a migrated database: the "storefront" project below.
          exclude: [...configDefaults.exclude, "tests/e2e/storefront-*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 180_000,
          pool: "forks",
          poolOptions: { forks: { singleFork: true } },
        },
      },
      {
        extends: true,
        test: {
          // Chromium against the fixture storefront, whose app proxy calls the real routes on a test database.
          name: "storefront",
          include: ["tests/e2e/storefront-*.test.ts"],
          environment: "node",
          globalSetup: ["tests/support/global-setup.ts"],
          setupFiles: ["tests/support/setup-integration.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          pool: "forks",
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
