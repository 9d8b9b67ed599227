import { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { onNonConnectionError } from "../dependencies/outage-log.ts";
import { log } from "../log.ts";
import type { RetentionSweeper } from "./retention-sweeper.ts";

export const RETENTION_QUEUE = "retention";
const SCHEDULER_ID = "retention-sweep";

/**
 * The retention sweep on a BullMQ job scheduler: every worker process upserts the same
 * scheduler, so one sweep runs per interval across the fleet, in whichever process takes it.
 * A sweep cut short (a crash) stalls and is taken again, or the next one does the rest.
 */
export function startRetention(connection: Redis, workerConnection: Redis, prefix: string, intervalS: number, sweeper: RetentionSweeper) {
  const queue = new Queue(RETENTION_QUEUE, { connection, prefix });
  onNonConnectionError(queue, (err) => log.warn({ queue: RETENTION_QUEUE, err: err.message }, "queue error"));
  // Redis out at start-up: the other processes' schedulers, or this one's next start, sweep.
  // A Redis that comes back empty (no persistence) has lost the scheduler: set again on every reconnection.
  const schedule = () =>
    void queue
      .upsertJobScheduler(SCHEDULER_ID, { every: intervalS * 1000 }, { name: "sweep", opts: { removeOnComplete: 100, removeOnFail: 100 } })
      .catch((err: Error) => log.warn({ queue: RETENTION_QUEUE, err: err.message }, "retention scheduler not set"));
  schedule();
  connection.on("ready", schedule);
  const worker = new Worker(
    RETENTION_QUEUE,
    async () => {
      const deleted = await sweeper.sweep();
      log.info({ retention: deleted }, "retention sweep done");
      return deleted;
    },
    { connection: workerConnection, prefix, concurrency: 1 },
  );
  onNonConnectionError(worker, (err) => log.warn({ queue: RETENTION_QUEUE, err: err.message }, "retention worker error"));
  // A sweep that throws (a query the database refuses) is said once per run, not left in the queue's failed list alone.
  worker.on("failed", (_job, err) => log.warn({ queue: RETENTION_QUEUE, err: err.message }, "retention sweep failed"));
  return {
    close: () => {
      connection.off("ready", schedule);
      return Promise.all([worker.close(), queue.close()]).then(() => {});
    },
  };
}
