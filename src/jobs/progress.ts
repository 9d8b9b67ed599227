import type { JobStatus } from "../../db/job-status.ts";

type Phase = "fetching" | Extract<JobStatus, "downloading" | "extracting" | "generating" | "saving">;

/**
 * Where a job's progress bar stands through each phase, on every pipeline: the phase's work
 * moves it from `from` to `to`. Declared once so the stages, whichever queue runs them, agree.
 * `fetching` is an upload by URL's download (status `downloading`), before the stored PDF is read.
 */
export const PROGRESS = {
  fetching: { from: 1, to: 4 },
  downloading: { from: 5, to: 5 },
  extracting: { from: 10, to: 60 },
  generating: { from: 60, to: 85 },
  saving: { from: 90, to: 90 },
} as const satisfies Record<Phase, { from: number; to: number }>;

/** The bar after `done` of `total` units of a phase's work. */
export function progressIn(phase: Phase, done: number, total: number): number {
  const { from, to } = PROGRESS[phase];
  return total > 0 ? from + Math.floor(((to - from) * Math.min(done, total)) / total) : from;
}
