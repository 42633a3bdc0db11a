/**
 * Builds the app (remix vite:build) when build/ is missing or older than app/. Shared by the
 * offline demo and the benchmarks; a lock keeps two of them from building into build/ at once.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const SERVER_BUNDLE = path.join(ROOT, "build/server/index.js");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

export function buildIsStale(): boolean {
  if (!existsSync(SERVER_BUNDLE) || !existsSync(path.join(ROOT, "build/client"))) return true;
  return newestMtime(path.join(ROOT, "app")) > statSync(SERVER_BUNDLE).mtimeMs;
}

/** Output goes to stderr unless `quiet` (then it is only shown if the build fails). */
export function build(options: { quiet?: boolean } = {}): void {
  const hasFlock = spawnSync("flock", ["--version"], { stdio: "ignore" }).status === 0;
  const command = hasFlock ? "flock" : "npx";
  const args = hasFlock ? ["/tmp/keepsake-build.lock", "npx", "remix", "vite:build"] : ["remix", "vite:build"];
  const result = spawnSync(command, args, {
    cwd: ROOT,
    stdio: options.quiet ? "pipe" : ["ignore", process.stderr, process.stderr],
    encoding: "utf8",
  });
  if (result.status !== 0) {
    if (options.quiet) console.error(result.stdout, result.stderr);
    throw new Error(`the build failed (exit ${result.status})`);
  }
}

export function buildIfStale(options: { quiet?: boolean; log?: (message: string) => void } = {}): void {
  if (!buildIsStale()) return;
  options.log?.("building the app (remix vite:build)…");
  build(options);
}
