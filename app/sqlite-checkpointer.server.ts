/**
 * SQLite's WAL checkpoints, moved off the event loop.
 *
 * In WAL mode every commit appends to the -wal file, and by default the commit that takes the WAL
 * past 1,000 pages also copies it back into the database and fsyncs — inside that commit, and
 * better-sqlite3 is synchronous, so the whole server stops for it: 25–50 ms here every ~250
 * stored webhook deliveries, the main cause of slow acknowledgements (ADR 005).
 *
 * Instead the app's connection never checkpoints (wal_autocheckpoint = 0) and a worker thread with
 * its own connection runs PASSIVE checkpoints a few times a second: they copy what no reader still
 * needs and fsync without taking any lock writers wait for. If the thread ever stops, the caller
 * turns automatic checkpoints back on, so the WAL never grows without bound.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

const CHECKPOINTER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driverPath);
const db = new Database(workerData.file);
db.pragma("busy_timeout = 5000");
setInterval(() => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch (error) {
    parentPort.postMessage(String(error && error.message || error));
  }
}, workerData.intervalMs);
`;

export interface WalCheckpointer {
  stop: () => Promise<void>;
}

/** `file` as better-sqlite3 opens it (a path, relative to the working directory). */
export function startWalCheckpointer(
  file: string,
  onTrouble: (problem: string, stopped: boolean) => void,
  intervalMs = 200,
): WalCheckpointer {
  const driverPath = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(CHECKPOINTER_SOURCE, { eval: true, workerData: { driverPath, file, intervalMs } });
  worker.unref(); // never what keeps the process alive
  let stopping = false;
  worker.on("message", (problem: string) => onTrouble(problem, false));
  worker.on("error", (error) => onTrouble(error.message, true));
  worker.on("exit", (code) => {
    if (!stopping) onTrouble(`checkpointer exited with code ${code}`, true);
  });
  return {
    stop: async () => {
      stopping = true;
      await worker.terminate();
    },
  };
}
