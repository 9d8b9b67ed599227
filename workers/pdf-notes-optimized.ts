import { pagesRead } from "../src/extraction/page-range.ts";
import { cacheNotes, download, extract, generate, notesOnce, save } from "./stages.ts";
import { logBreakdown } from "./breakdown.ts";
import type { PdfJobData } from "../src/queues/job-data.ts";
import type { Consumer } from "./consumer.ts";

/**
 * The whole pipeline in one job: cache check → download → extract → notes → save and
 * cache set in parallel. Jobs for the same PDF run it once (single flight); the others
 * take the notes from the cache.
 */
export const pdfNotesOptimized: Consumer<PdfJobData> = {
  queue: "pdf-notes-optimized",
  async process(job, t, deps) {
    const { data } = job;
    let pages: number | undefined;
    let notesId: string | undefined;
    const { value: notes, shared } = await notesOnce(deps, data, async () => {
      const bytes = await download(deps, data, t);
      const text = await extract(deps, data, bytes, t);
      pages = pagesRead(text);
      const notes = await generate(deps, data, text, t);
      [, notesId] = await Promise.all([cacheNotes(deps, data, notes), save(deps, data, notes, t, false)]);
      return notes;
    });
    notesId ??= await save(deps, data, notes, t, true);
    await t.completed(notesId, { pages, cacheHit: shared });
    logBreakdown(data.jobId, t.getTimings(), Date.now() - data.acceptedAt);
    return { notesId, cacheHit: shared };
  },
};
