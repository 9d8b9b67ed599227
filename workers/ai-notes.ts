import type { StageTimings } from "../db/job-status.ts";
import { PipelineError } from "../src/errors/pipeline-error.ts";
import { cacheNotes, generate, notesOnce } from "./stages.ts";
import type { PdfJobData } from "../src/queues/job-data.ts";
import type { Consumer } from "./consumer.ts";

/** Staged path, step 2: text (from Redis) → notes, cached and returned to the completion job. */
export const aiNotes: Consumer<PdfJobData> = {
  queue: "ai-notes",
  async process(job, t, deps) {
    const { data } = job;
    const { value: notes, shared } = await notesOnce(deps, data, async () => {
      const text = await deps.texts.get(deps.caches.textKey(data));
      if (!text) throw new PipelineError("text_missing", "the extracted text expired before notes were made");
      const notes = await generate(deps, data, text, t);
      await cacheNotes(deps, data, notes);
      return notes;
    });
    await t.leave("generating");
    const [extracted] = Object.values(await job.getChildrenValues<{ timings?: StageTimings }>());
    return { notes, cacheHit: shared, timings: { ...extracted?.timings, ...t.getTimings() } };
  },
};
