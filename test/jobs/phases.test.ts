/** The progress bar a user watches only moves forward: each phase starts where the last one ended or later. */
import { expect, test } from "bun:test";
import { PHASES, progressIn } from "../../src/jobs/phases.ts";
import { PIPELINE_TABLE, INTAKE } from "../../src/jobs/pipelines.ts";

test("phases follow each other on the bar, each within 0–100", () => {
  const phases = Object.values(PHASES);
  for (const [i, p] of phases.entries()) {
    expect(p.from).toBeGreaterThan(0);
    expect(p.to).toBeLessThan(100);
    expect(p.to).toBeGreaterThanOrEqual(p.from);
    if (i > 0) expect(p.from).toBeGreaterThanOrEqual(phases[i - 1]!.to);
  }
});

test("every pipeline runs each phase but the intake's once, in the bar's order, whichever stage runs it", () => {
  const order = Object.keys(PHASES);
  for (const stages of Object.values(PIPELINE_TABLE)) {
    const run = [...INTAKE.phases, ...stages.flatMap((s) => s.phases)];
    expect(run).toEqual(order as typeof run);
  }
});

test("progress through a phase runs from its start to its end and never past it", () => {
  expect(progressIn("extracting", 0, 40)).toBe(PHASES.extracting.from);
  expect(progressIn("extracting", 20, 40)).toBe(35);
  expect(progressIn("extracting", 40, 40)).toBe(PHASES.extracting.to);
  expect(progressIn("extracting", 99, 40)).toBe(PHASES.extracting.to);
  expect(progressIn("fetching", 5, 0)).toBe(PHASES.fetching.from);
});
