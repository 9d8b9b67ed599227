import { download, extract } from "../src/pipeline/stages.ts";
import type { Consumer } from "./consumer.ts";

/** Staged path, step 1: download and extract; the text goes to Redis by SHA-256, not into the job. */
export const pdfExtract: Consumer = {
  queue: "pdf-extract",
  stage: 0,
  async process(job, t, deps) {
    if (job.attemptsMade === 0) t.record("waitMs", Date.now() - job.data.acceptedAt);
    const bytes = await download(deps, job.data, t);
    const text = await extract(deps, bytes, t);
    await deps.texts.put(job.data.sha256, text);
    await t.progress("extracting", 60, { pages: text.totalPages });
    return { pages: text.totalPages, chars: text.chars, timings: t.getTimings() };
  },
};
