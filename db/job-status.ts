import { sql } from "drizzle-orm";

/** A job's life as users see it in `GET /jobs/:id`. */
export const JOB_STATUSES = ["queued", "downloading", "extracting", "generating", "saving", "completed", "failed"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** The statuses a job ends in: never written over (the status writer's SQL), swept by retention. */
export const FINAL_STATUSES = ["completed", "failed"] as const satisfies readonly JobStatus[];

/** FINAL_STATUSES as an SQL list, for raw statements: `status IN ${FINAL_SQL}`. */
export const FINAL_SQL = sql.raw(`(${FINAL_STATUSES.map((s) => `'${s}'`).join(", ")})`);

export function isFinal(status: string): boolean {
  return (FINAL_STATUSES as readonly string[]).includes(status);
}

export interface StageTimings {
  waitMs?: number;
  downloadMs?: number;
  extractMs?: number;
  aiMs?: number;
  saveMs?: number;
  /** Within extractMs: the pages read by OCR. */
  ocrMs?: number;
}

export interface StatusChange extends StageTimings {
  jobId: string;
  status: JobStatus;
  progress: number;
  /** Order of this change among the job's changes (see statusSeq); stale ones are skipped. */
  seq: number;
  attempts?: number;
  pages?: number;
  /** Pages to read by OCR, how many are read so far, and their mean confidence (0–100). */
  ocrPages?: number;
  ocrPagesDone?: number;
  ocrConfidence?: number;
  notesId?: string;
  /** The notes came from the cache (or another job's run of the same PDF), not a new run. */
  cacheHit?: boolean;
  error?: { code: string; message: string };
}

/**
 * A job's changes come from several queues (staged path) and retries, possibly from
 * several processes: order them by (stage, attempt, status) so a late write from an
 * earlier stage or attempt never overwrites a newer one.
 */
export function statusSeq(stage: number, attempt: number, status: JobStatus): number {
  return stage * 100_000 + Math.min(attempt, 999) * 100 + JOB_STATUSES.indexOf(status);
}
