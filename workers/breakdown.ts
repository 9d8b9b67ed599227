import { TIMING_KEYS, TIMINGS, type StageTimings } from "../db/job-status.ts";
import { jobLog } from "../src/log.ts";

/** The one line per finished job that operators grep for. */
export function logBreakdown(jobId: string, t: StageTimings, totalMs: number): void {
  const parts = TIMING_KEYS.filter((key) => !("within" in TIMINGS[key])).map((key) => `${TIMINGS[key].label}=${t[key] === undefined ? "-" : `${t[key]}ms`}`);
  jobLog(jobId).info({ timings: t, totalMs }, `Job ${jobId} breakdown: ${parts.join(", ")}, total=${totalMs}ms`);
}
