import { download, extract, generate, save } from "../src/pipeline/stages.ts";
import { logBreakdown } from "./breakdown.ts";
import type { Consumer } from "./consumer.ts";

/** The whole pipeline in one job: download → extract → notes → save. */
export const pdfNotesOptimized: Consumer = {
  queue: "pdf-notes-optimized",
  stage: 0,
  async process(job, t, deps) {
    const started = Date.now();
    if (job.attemptsMade === 0) t.record("waitMs", started - job.data.acceptedAt);
    const bytes = await download(deps, job.data, t);
    const text = await extract(deps, bytes, t);
    const notes = await generate(deps, text, t);
    const notesId = await save(deps, job.data, notes, t);
    await t.completed(notesId, { pages: text.totalPages });
    logBreakdown(job.data.jobId, t.getTimings(), Date.now() - job.data.acceptedAt);
    return { notesId };
  },
};
