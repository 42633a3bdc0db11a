/**
 * `npm run demo` as a child process for the browser suites: started on the ports and database a
 * test gives it, ready once it prints a line, stopped with SIGTERM.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { BrowserContext } from "playwright-core";
import { buildIfStale } from "../../scripts/build-if-stale";
import { DESKTOP_BROWSER_UA, launchOfflineChromium } from "./chromium";
import { freePort } from "./free-port";

export const ROOT = path.resolve(import.meta.dirname, "../..");
/** `node` arguments that run the demo (what `npm run demo` runs, without npm in between). */
export const DEMO = ["--import", "tsx", path.join(ROOT, "scripts/demo.ts")];

export interface DemoProcess {
  child: ChildProcess;
  output: () => string;
}

/** Builds once if app/ changed since the last build, so every demo a suite starts can use --no-build. */
export function buildDemoIfStale(): void {
  buildIfStale({ quiet: true });
}

export function runDemo(args: string[], until: RegExp, timeoutMs: number): Promise<DemoProcess> {
  const child = spawn(process.execPath, [...DEMO, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo did not start in time:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (until.test(output)) {
        clearTimeout(timer);
        resolve({ child, output: () => output });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`demo exited (${code}) before it was ready:\n${output}`));
    });
  });
}

export async function stopDemo(demo: DemoProcess | undefined): Promise<void> {
  const child = demo?.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

/** A running demo on free ports and a temporary database, with an offline Chromium posing as a desktop browser. */
export interface DemoInBrowser {
  appPort: number;
  shopifyPort: number;
  /** Temporary directory (database, browser profile); removed by `close`. */
  workDir: string;
  context: BrowserContext;
  close: () => Promise<void>;
}

export async function startDemoInBrowser(name: string, viewport: { width: number; height: number }): Promise<DemoInBrowser> {
  // Build once if needed, outside the demo, so every run can use --no-build.
  buildDemoIfStale();
  const workDir = mkdtempSync(path.join(tmpdir(), `keepsake-${name}-`));
  const appPort = await freePort();
  const shopifyPort = await freePort();
  let demo: DemoProcess | undefined;
  let context: BrowserContext | undefined;
  const close = async () => {
    await context?.close();
    await stopDemo(demo);
    rmSync(workDir, { recursive: true, force: true });
  };
  try {
    demo = await runDemo(
      ["--no-build", "--quiet", "--port", String(appPort), "--shopify-port", String(shopifyPort), "--db", path.join(workDir, "demo.sqlite")],
      /Keepsake demo is running/,
      120_000,
    );
    // authenticate.admin answers HeadlessChrome (a bot's user agent) with 410.
    context = await launchOfflineChromium(path.join(workDir, "profile"), { userAgent: DESKTOP_BROWSER_UA, viewport });
  } catch (error) {
    await close();
    throw error;
  }
  return { appPort, shopifyPort, workDir, context, close };
}
