import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import { onNonConnectionError } from "../dependencies/outage-log.ts";
import type { Eraser } from "./eraser.ts";
import { ERASURE_QUEUE, type ErasureJobData } from "./erasure-queue.ts";
import { log } from "../log.ts";

/**
 * Deletes all of a user's data, job by job with progress. Runs beside the database; a run
 * cut short (a crash, a lost database) is retried and goes on with what is left.
 */
export function startErasureWorker(connection: Redis, prefix: string, eraser: Eraser): Worker<ErasureJobData> {
  const worker = new Worker<ErasureJobData>(
    ERASURE_QUEUE,
    async (job) => {
      const userId = job.data.userId;
      if (!userId) return job.returnvalue;
      const result = await eraser.eraseUser(userId, (done, total) => job.updateProgress(Math.min(99, Math.floor((100 * done) / Math.max(total, 1)))));
      await job.updateData({ owner: job.data.owner });
      log.info({ erasure: job.id, jobs: result.jobs }, "a user's data deleted on request");
      return result;
    },
    { connection, prefix, concurrency: 1 },
  );
  onNonConnectionError(worker, (err) => log.warn({ queue: ERASURE_QUEUE, err: err.message }, "erasure worker error"));
  return worker;
}
