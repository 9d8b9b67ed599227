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

/**
 * A job's timings, declared once: the job row's column (db/schema.ts, checked against this by
 * its test), the status writer's SQL, the job view and its OpenAPI schema, the trace's span, the
 * metrics' stage label and the breakdown log line all read this table. `within` marks a
 * timing that is part of another (left out of the breakdown's sum of parts).
 */
export const TIMINGS = {
  waitMs: { column: "wait_ms", span: "wait", label: "wait", about: "Accepted → the first stage's first start" },
  downloadMs: { column: "download_ms", span: "download", label: "download", about: "Reading the PDF from storage (or its URL)" },
  extractMs: { column: "extract_ms", span: "extract", label: "extract", about: "Reading the text: text layer and OCR" },
  aiMs: { column: "ai_ms", span: "notes", label: "ai", about: "Making the notes" },
  saveMs: { column: "save_ms", span: "save", label: "save", about: "Saving the notes" },
  ocrMs: { column: "ocr_ms", span: "ocr", label: "ocr", about: "Within extractMs: OCR", within: "extractMs" },
} as const satisfies Record<string, { column: string; span: string; label: string; about: string; within?: string }>;

export type TimingKey = keyof typeof TIMINGS;
export const TIMING_KEYS = Object.keys(TIMINGS) as TimingKey[];
export type StageTimings = Partial<Record<TimingKey, number>>;

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
