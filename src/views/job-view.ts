import { TIMING_KEYS, type JobStatus, type TimingKey } from "../../db/job-status.ts";
import type { JobRow, NotesRow } from "../../db/schema.ts";
import type { Pipeline } from "../jobs/pipelines.ts";
import { traceIdOf } from "../tracing/tracing.ts";

/** A job as the API (and its webhooks) show it. */
export function jobView(job: JobRow) {
  return {
    id: job.id,
    status: job.status as JobStatus,
    progress: job.progress,
    pipeline: job.pipeline as Pipeline,
    fileId: job.fileId,
    attempts: job.attempts,
    cached: job.cacheHit,
    pages: job.pages,
    ocr: ocrView(job),
    notesId: job.notesId,
    timings: Object.fromEntries(TIMING_KEYS.map((key) => [key, job[key]])) as Record<TimingKey, number | null>,
    error: job.errorCode ? { code: job.errorCode, message: job.errorMessage ?? "" } : null,
    callback: job.callbackUrl ? { url: job.callbackUrl, status: (job.callbackStatus ?? "pending") as "pending" | "delivered" | "failed", attempts: job.callbackAttempts } : null,
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
    finishedAt: job.finishedAt?.toISOString() ?? null,
    traceId: traceIdOf(job.traceparent),
  };
}

/** Where the pages' text came from, once known: the text layer, or OCR (with its progress and mean confidence). */
function ocrView(job: JobRow) {
  if (job.ocrPages === null) return null;
  return {
    pages: job.ocrPages,
    pagesDone: job.ocrPagesDone ?? 0,
    textLayerPages: job.pages === null ? null : Math.max(0, job.pages - job.ocrPages),
    meanConfidence: job.ocrConfidence,
  };
}

export function notesView(n: NotesRow) {
  return {
    id: n.id,
    jobId: n.jobId,
    sha256: n.sha256,
    title: n.title,
    summary: n.summary,
    keyPoints: n.keyPoints,
    outline: n.outline,
    markdown: n.markdown,
    generator: n.generator,
    model: n.model,
    usage: n.usage,
    cached: n.cached,
    fingerprint: n.fingerprint,
    source: n.source ?? null,
    createdAt: n.createdAt.toISOString(),
  };
}
