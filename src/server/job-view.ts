import type { JobRow, NotesRow } from "../../db/schema.ts";

/** A job as the API shows it. */
export function jobView(job: JobRow) {
  return {
    id: job.id,
    status: job.status,
    progress: job.progress,
    pipeline: job.pipeline,
    fileId: job.fileId,
    attempts: job.attempts,
    cached: job.cacheHit,
    pages: job.pages,
    notesId: job.notesId,
    timings: {
      waitMs: job.waitMs,
      downloadMs: job.downloadMs,
      extractMs: job.extractMs,
      aiMs: job.aiMs,
      saveMs: job.saveMs,
    },
    error: job.errorCode ? { code: job.errorCode, message: job.errorMessage ?? "" } : null,
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
    finishedAt: job.finishedAt?.toISOString() ?? null,
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
    createdAt: n.createdAt.toISOString(),
  };
}
