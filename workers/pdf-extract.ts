import { pagesRead } from "../src/extraction/page-range.ts";
import { cachedNotes, download, extract } from "./stages.ts";
import type { PdfJobData } from "../src/queues/job-data.ts";
import type { Consumer } from "./consumer.ts";

/**
 * Staged path, step 1: download and extract; the text goes to Redis by the PDF's text key, not into
 * the job. Skipped when the notes are cached; done once for concurrent jobs of one PDF.
 */
export const pdfExtract: Consumer<PdfJobData> = {
  queue: "pdf-extract",
  async process(job, t, deps) {
    const { data } = job;
    if (await cachedNotes(deps, data)) return { cached: true, timings: t.getTimings() };
    let pages: number | undefined;
    const textKey = deps.caches.textKey(data);
    await deps.caches.once(
      `text:${textKey}`,
      data.jobId,
      async () => ((await deps.texts.has(textKey)) ? true : undefined),
      async () => {
        const bytes = await download(deps, data, t);
        const text = await extract(deps, data, bytes, t);
        await deps.texts.put(textKey, text);
        pages = pagesRead(text);
        return true;
      },
    );
    await t.leave("extracting", { pages });
    return { pages, timings: t.getTimings() };
  },
};
