import type { NewNotes } from "../../db/jobs-repo.ts";
import type { Notes } from "../notes/schema.ts";
import type { PdfJobData } from "../queues/job-data.ts";
import { cleanText } from "../text/clean-text.ts";

/**
 * The job's own notes row (each user gets theirs, also on a cache hit). Notes from the
 * cache keep the generator and model that wrote them, but cost this job nothing: their
 * usage is zero, so summing usage over notes is what was spent.
 */
export function notesRow(data: Pick<PdfJobData, "jobId" | "userId" | "sha256">, notes: Notes, cached: boolean): NewNotes {
  return {
    id: `n_${data.jobId.slice(2)}`,
    jobId: data.jobId,
    userId: data.userId,
    sha256: data.sha256,
    title: cleanText(notes.title),
    summary: cleanText(notes.summary),
    keyPoints: notes.keyPoints.map(cleanText),
    outline: notes.outline.map((o) => ({ ...o, title: cleanText(o.title) })),
    markdown: cleanText(notes.markdown),
    generator: notes.generator,
    model: notes.model,
    usage: cached ? { inputTokens: 0, outputTokens: 0 } : notes.usage,
    cached,
    fingerprint: notes.fingerprint,
    source: notes.source,
  };
}
