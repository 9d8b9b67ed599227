/** The progress bar a user watches only moves forward: each phase starts where the last one ended or later. */
import { expect, test } from "bun:test";
import { PROGRESS, progressIn } from "../../src/jobs/progress.ts";

test("phases follow each other on the bar, each within 0–100", () => {
  const phases = Object.values(PROGRESS);
  for (const [i, p] of phases.entries()) {
    expect(p.from).toBeGreaterThan(0);
    expect(p.to).toBeLessThan(100);
    expect(p.to).toBeGreaterThanOrEqual(p.from);
    if (i > 0) expect(p.from).toBeGreaterThanOrEqual(phases[i - 1]!.to);
  }
});

test("progress through a phase runs from its start to its end and never past it", () => {
  expect(progressIn("extracting", 0, 40)).toBe(PROGRESS.extracting.from);
  expect(progressIn("extracting", 20, 40)).toBe(35);
  expect(progressIn("extracting", 40, 40)).toBe(PROGRESS.extracting.to);
  expect(progressIn("extracting", 99, 40)).toBe(PROGRESS.extracting.to);
  expect(progressIn("fetching", 5, 0)).toBe(PROGRESS.fetching.from);
});
