/**
 * inDependencyOrder (app/jobs/job-types.ts): the order the scheduler runs a shop's jobs in on one day —
 * the given order, except that a job comes after the jobs it names in `after`.
 */
import { describe, expect, it } from "vitest";
import { inDependencyOrder, type ShopJob } from "~/jobs/job-types";

const job = (name: string, after?: string[]): ShopJob => ({
  name,
  after,
  runBatch: async () => ({ processed: 0, written: 0, nextCursor: null }),
});
const names = (jobs: ShopJob[]) => jobs.map((j) => j.name);

describe("inDependencyOrder", () => {
  it("keeps the given order when it already respects every `after`", () => {
    const jobs = [job("sweep"), job("reminders", ["sweep"]), job("tiers"), job("segments")];
    expect(names(inDependencyOrder(jobs))).toEqual(["sweep", "reminders", "tiers", "segments"]);
  });

  it("moves a prerequisite listed later before the job that waits for it, the rest in place", () => {
    const jobs = [job("reminders", ["sweep"]), job("tiers"), job("sweep"), job("stats", ["reminders", "tiers"])];
    expect(names(inDependencyOrder(jobs))).toEqual(["sweep", "reminders", "tiers", "stats"]);
  });

  it("ignores a prerequisite that is not in the list (the scheduler checks its JobRun rows)", () => {
    expect(names(inDependencyOrder([job("reminders", ["sweep"]), job("tiers")]))).toEqual(["reminders", "tiers"]);
  });

  it("refuses a cycle, which would leave its jobs waiting for each other forever", () => {
    expect(() => inDependencyOrder([job("a", ["c"]), job("b", ["a"]), job("c", ["b"])])).toThrow("daily jobs wait for each other: a → c → b → a");
    expect(() => inDependencyOrder([job("self", ["self"])])).toThrow(/self → self/);
  });
});
