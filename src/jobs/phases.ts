import type { JobStatus, TimingKey } from "../../db/job-status.ts";

export interface PhaseDecl {
  /** What `GET /jobs/:id` says while the phase runs. */
  status: Extract<JobStatus, "downloading" | "extracting" | "generating" | "saving">;
  /** The progress bar moves from `from` to `to` through the phase's work. */
  from: number;
  to: number;
  /** Where the phase's time is recorded (and its span named, db/job-status.ts). */
  timing: TimingKey;
}

/**
 * The phases of a job's work, declared once, in the order they run; each stage of the
 * pipeline table (pipelines.ts) names the phases it runs, so whichever queue runs a phase,
 * the status, the bar and the timing agree. `fetching` is an upload by URL's download
 * (status `downloading`), before the stored PDF is read.
 */
export const PHASES = {
  fetching: { status: "downloading", from: 1, to: 4, timing: "downloadMs" },
  downloading: { status: "downloading", from: 5, to: 5, timing: "downloadMs" },
  extracting: { status: "extracting", from: 10, to: 60, timing: "extractMs" },
  generating: { status: "generating", from: 60, to: 85, timing: "aiMs" },
  saving: { status: "saving", from: 90, to: 90, timing: "saveMs" },
} as const satisfies Record<string, PhaseDecl>;

export type Phase = keyof typeof PHASES;

/** The bar after `done` of `total` units of a phase's work. */
export function progressIn(phase: Phase, done: number, total: number): number {
  const { from, to } = PHASES[phase];
  return total > 0 ? from + Math.floor(((to - from) * Math.min(done, total)) / total) : from;
}
