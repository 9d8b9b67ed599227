import type { StageTimings } from "../db/job-status.ts";
import { jobLog } from "../src/log.ts";

/** The one line per finished job that operators grep for. */
export function logBreakdown(jobId: string, t: StageTimings, totalMs: number): void {
  const part = (ms: number | undefined) => (ms === undefined ? "-" : `${ms}ms`);
  jobLog(jobId).info(
    { timings: t, totalMs },
    `Job ${jobId} breakdown: wait=${part(t.waitMs)}, download=${part(t.downloadMs)}, extract=${part(t.extractMs)}, ai=${part(t.aiMs)}, save=${part(t.saveMs)}, total=${totalMs}ms`,
  );
}
