import type { StageTimings } from "../db/job-status.ts";
import { PipelineError } from "../src/errors/pipeline-error.ts";
import { NotesSchema } from "../src/notes/schema.ts";
import { save } from "./stages.ts";
import { logBreakdown } from "./breakdown.ts";
import type { PdfJobData } from "../src/queues/job-data.ts";
import type { Consumer } from "./consumer.ts";

/** Staged path, step 3: persist the notes and the final status. */
export const completion: Consumer<PdfJobData> = {
  queue: "completion",
  async process(job, t, deps) {
    const [result] = Object.values(
      await job.getChildrenValues<{ notes?: unknown; cacheHit?: boolean; timings?: StageTimings }>(),
    );
    const parsed = NotesSchema.safeParse(result?.notes);
    if (!parsed.success) throw new PipelineError("internal_error", "the notes stage returned no notes");
    const notesId = await save(deps, job.data, parsed.data, t, result?.cacheHit ?? false);
    await t.completed(notesId, { cacheHit: result?.cacheHit ?? false });
    logBreakdown(job.data.jobId, { ...result?.timings, ...t.getTimings() }, Date.now() - job.data.acceptedAt);
    return { notesId };
  },
};
