import { tuningChoice } from "../../src/options.ts";
import { describe, expect, test } from "bun:test";
import { loadConfig } from "../../src/config.ts";
import { backoffDelay, PROFILES, queueTuning, workerOptions } from "../../src/queues/worker-options.ts";
import { PipelineError } from "../../src/errors/pipeline-error.ts";

describe("worker options", () => {
  test("the optimized and baseline profiles are ARCHITECTURE.md's table", () => {
    const row = (p: "optimized" | "baseline", q: keyof (typeof PROFILES)["optimized"]) => {
      const t = PROFILES[p][q];
      return [t.concurrency, t.limiterMax, t.drainDelay, t.lockDuration, t.stalledInterval];
    };
    expect(row("baseline", "pdf-notes-optimized")).toEqual([15, 25, 20, 120000, 120000]);
    expect(row("optimized", "pdf-notes-optimized")).toEqual([20, 30, 10, 120000, 120000]);
    expect(row("baseline", "ai-notes")).toEqual([2, 0, 60, 60000, 60000]);
    expect(row("optimized", "ai-notes")).toEqual([5, 10, 15, 120000, 120000]);
    expect(row("baseline", "pdf-extract")).toEqual([3, 0, 60, 60000, 60000]);
    expect(row("optimized", "pdf-extract")).toEqual([8, 15, 15, 120000, 120000]);
    expect(row("baseline", "completion")).toEqual([5, 0, 60, 60000, 60000]);
    expect(row("optimized", "completion")).toEqual([10, 20, 10, 60000, 60000]);
  });

  test("FOLIO_PROFILE selects the table and env overrides single values", () => {
    const cfg = loadConfig({ FOLIO_PROFILE: "baseline", FOLIO_COMPLETION_CONCURRENCY: "7" });
    expect(queueTuning(tuningChoice(cfg), "completion").concurrency).toBe(7);
    expect(queueTuning(tuningChoice(cfg), "ai-notes").concurrency).toBe(2);
    const opts = workerOptions(queueTuning(tuningChoice(loadConfig({})), "ai-notes"));
    expect(opts.limiter).toEqual({ max: 10, duration: 1000 });
    expect(workerOptions(queueTuning(tuningChoice(cfg), "ai-notes")).limiter).toBeUndefined();
  });

  test("backoff is min(base·2^n, 60 s) as the seed defines it", () => {
    const optimized = PROFILES.optimized["pdf-notes-optimized"];
    expect([1, 2, 3, 6, 7, 10].map((n) => backoffDelay(optimized, n))).toEqual([1000, 2000, 4000, 32000, 60000, 60000]);
    const ai = PROFILES.optimized["ai-notes"];
    expect([1, 2, 5, 6].map((n) => backoffDelay(ai, n))).toEqual([2000, 4000, 32000, 60000]);
    const strategy = workerOptions(ai).settings!.backoffStrategy!;
    expect(strategy(2, "folio", new Error("x"))).toBe(4000);
    expect(strategy(2, "folio", new PipelineError("ai_unavailable", "429", true, 7000))).toBe(7000);
  });
});
