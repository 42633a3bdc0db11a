/**
 * `shopify theme check` on the theme app extension, judged by its JSON report rather than its exit code or
 * summary: every offense is printed, and any of severity "error" fails (exit 1). Shopify CLI 3.94.3 runs
 * offline on Node 20. `shopify app build` would exit 0 even with theme-check errors, so this is the gate.
 *   npx tsx scripts/storefront/theme-check.ts [extension dir]
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { EXTENSION_DIR } from "./render";

interface Offense {
  check: string;
  severity: "error" | "warning" | "info" | string;
  message: string;
  start_row: number;
}

const extensionDir = path.resolve(process.argv[2] ?? EXTENSION_DIR);
// The package exports no subpaths, so its bin is found from the repository root.
const cli = path.resolve(EXTENSION_DIR, "../../node_modules/@shopify/cli/bin/run.js");
const run = spawnSync(process.execPath, [cli, "theme", "check", "--path", extensionDir, "--output", "json"], {
  encoding: "utf8",
  env: { ...process.env, SHOPIFY_CLI_NO_ANALYTICS: "1" },
  maxBuffer: 16 * 1024 * 1024,
});
const start = run.stdout.indexOf("[");
let report: Array<{ path: string; offenses: Offense[] }>;
try {
  report = JSON.parse(run.stdout.slice(start)) as typeof report;
} catch {
  console.error(`theme check gave no JSON report (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
  process.exit(1);
}
let errors = 0;
let others = 0;
for (const file of report) {
  for (const offense of file.offenses) {
    if (offense.severity === "error") errors += 1;
    else others += 1;
    console.log(`${offense.severity}: ${path.relative(extensionDir, file.path)}:${offense.start_row + 1} ${offense.check} — ${offense.message}`);
  }
}
console.log(`theme check ${path.relative(process.cwd(), extensionDir) || extensionDir}: ${errors} errors, ${others} warnings/info`);
process.exit(errors === 0 ? 0 : 1);
