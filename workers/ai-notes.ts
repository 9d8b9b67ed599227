import type { StageTimings } from "../db/job-status.ts";
import { PipelineError } from "../src/pipeline/errors.ts";
import { generate } from "../src/pipeline/stages.ts";
import type { PdfJobData } from "../src/queues/job-data.ts";
import type { Consumer } from "./consumer.ts";

/** Staged path, step 2: text (from Redis) → notes, cached and returned to the completion job. */
export const aiNotes: Consumer<PdfJobData> = {
  queue: "ai-notes",
  stage: 2,
  first: false,
  ends: false,
  async process(job, t, deps) {
    const { sha256 } = job.data;
    const { value: notes, shared } = await deps.caches.once(
      `notes:${sha256}`,
      job.data.jobId,
      () => deps.caches.notes.get(sha256),
      async () => {
        const text = await deps.texts.get(sha256);
        if (!text) throw new PipelineError("text_missing", "the extracted text expired before notes were made");
        const notes = await generate(deps, text, t);
        await deps.caches.notes.set(sha256, notes);
        return notes;
      },
    );
    await t.progress("generating", 85);
    const [extracted] = Object.values(await job.getChildrenValues<{ timings?: StageTimings }>());
    return { notes, cacheHit: shared, timings: { ...extracted?.timings, ...t.getTimings() } };
  },
};
