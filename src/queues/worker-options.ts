import type { WorkerOptions } from "bullmq";
import { PIPELINE_TABLE, QUEUE_NAMES, roleOf, type PipelineTable, type QueueName } from "../jobs/pipelines.ts";
import type { Profile, QueueTuning } from "../jobs/queue-tuning.ts";
import { retryAfterOf } from "../errors/pipeline-error.ts";

const BACKOFF_CAP_MS = 60_000;

/** The worker settings per profile, as declared on each stage of the pipeline table. */
export const PROFILES = Object.fromEntries(
  (["baseline", "optimized"] as const).map((profile) => [profile, Object.fromEntries(QUEUE_NAMES.map((queue) => [queue, roleOf(queue).decl.tuning[profile]]))]),
) as Record<Profile, Record<QueueName, QueueTuning>>;

/** Every job names this backoff type so that BullMQ asks the worker's strategy below. */
export const BACKOFF_TYPE = "folio";

/** BullMQ's default backoff when a job has attempts but no strategy of its own: fixed, this many ms. */
export const DEFAULT_BACKOFF_MS = 1000;

/** Which tuning the queues run: the profile, and what the operator overrode per queue (src/options.ts). */
export interface TuningChoice {
  profile: Profile;
  overrides: Partial<Record<QueueName, Partial<QueueTuning>>>;
}

/** A queue's settings: its stage's declared tuning for the profile, with the operator's overrides. */
export function queueTuning(choice: TuningChoice, queue: string, table: PipelineTable = PIPELINE_TABLE): QueueTuning {
  return { ...roleOf(queue, table).decl.tuning[choice.profile], ...choice.overrides[queue as QueueName] };
}

/** The delay before retry n (1-based attempts made so far), as the seed defines it. */
export function backoffDelay(tuning: QueueTuning, attemptsMade: number): number {
  if (tuning.backoffBaseMs === 0) return DEFAULT_BACKOFF_MS;
  return Math.min(tuning.backoffBaseMs * 2 ** Math.max(0, attemptsMade - 1), BACKOFF_CAP_MS);
}

export function workerOptions(tuning: QueueTuning): Omit<WorkerOptions, "connection"> {
  return {
    concurrency: tuning.concurrency,
    drainDelay: tuning.drainDelay,
    lockDuration: tuning.lockDuration,
    stalledInterval: tuning.stalledInterval,
    maxStalledCount: 2,
    // BullMQ's per-minute completed/failed counts, read by the monitoring (one day of points).
    metrics: { maxDataPoints: 24 * 60 },
    ...(tuning.limiterMax > 0 ? { limiter: { max: tuning.limiterMax, duration: 1000 } } : {}),
    settings: {
      backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) =>
        retryAfterOf(err) ?? backoffDelay(tuning, attemptsMade),
    },
  };
}
