/** A short smoke run of the whole-pipeline load test, so it cannot rot: a few jobs, both profiles, seconds. */
import { expect, test } from "bun:test";
import { resolve } from "node:path";

test("bench:load --smoke runs both profiles and loses nothing", async () => {
  const proc = Bun.spawn(["bun", "bench/load/run.ts", "--smoke", "--concurrency", "3"], { cwd: resolve(import.meta.dir, "../.."), stdout: "pipe", stderr: "pipe" });
  const [out, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  expect(code).toBe(0);
  expect(out).toContain("| Metric | Before (baseline) | After (optimized) | Improvement |");
  const rows = [...out.matchAll(/^\| (baseline|optimized) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|/gm)];
  expect(rows).toHaveLength(2);
  for (const [, , accepted, completed, failed, lost] of rows) {
    expect(Number(accepted)).toBe(6);
    expect(Number(completed) + Number(failed)).toBe(6);
    expect(Number(lost)).toBe(0);
  }
}, 120_000);
