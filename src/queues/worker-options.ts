import type { WorkerOptions } from "bullmq";
import type { Config } from "../config.ts";
import type { QueueName } from "../jobs/pipelines.ts";
import { retryAfterOf } from "../errors/pipeline-error.ts";

export type Profile = "optimized" | "baseline";

export interface QueueTuning {
  concurrency: number;
  /** Jobs per second across all workers of the queue; 0 = no limiter. */
  limiterMax: number;
  /** Seconds BullMQ blocks on an empty queue before looking again. */
  drainDelay: number;
  lockDuration: number;
  stalledInterval: number;
  /** Exponential backoff base in ms (min(base·2^n, cap)); 0 = BullMQ's default fixed backoff. */
  backoffBaseMs: number;
}

const BACKOFF_CAP_MS = 60_000;

/** The worker options per profile (the README's table under Configuration), exact values. */
export const PROFILES: Record<Profile, Record<QueueName, QueueTuning>> = {
  baseline: {
    "url-fetch": { concurrency: 10, limiterMax: 0, drainDelay: 10, lockDuration: 120000, stalledInterval: 120000, backoffBaseMs: 2000 },
    "pdf-notes-optimized": { concurrency: 15, limiterMax: 25, drainDelay: 20, lockDuration: 120000, stalledInterval: 120000, backoffBaseMs: 0 },
    "ai-notes": { concurrency: 2, limiterMax: 0, drainDelay: 60, lockDuration: 60000, stalledInterval: 60000, backoffBaseMs: 0 },
    "pdf-extract": { concurrency: 3, limiterMax: 0, drainDelay: 60, lockDuration: 60000, stalledInterval: 60000, backoffBaseMs: 0 },
    completion: { concurrency: 5, limiterMax: 0, drainDelay: 60, lockDuration: 60000, stalledInterval: 60000, backoffBaseMs: 0 },
  },
  optimized: {
    // Downloads wait on the network, not the CPU: many at once.
    "url-fetch": { concurrency: 10, limiterMax: 0, drainDelay: 10, lockDuration: 120000, stalledInterval: 120000, backoffBaseMs: 2000 },
    "pdf-notes-optimized": { concurrency: 20, limiterMax: 30, drainDelay: 10, lockDuration: 120000, stalledInterval: 120000, backoffBaseMs: 1000 },
    "ai-notes": { concurrency: 5, limiterMax: 10, drainDelay: 15, lockDuration: 120000, stalledInterval: 120000, backoffBaseMs: 2000 },
    "pdf-extract": { concurrency: 8, limiterMax: 15, drainDelay: 15, lockDuration: 120000, stalledInterval: 120000, backoffBaseMs: 0 },
    completion: { concurrency: 10, limiterMax: 20, drainDelay: 10, lockDuration: 60000, stalledInterval: 60000, backoffBaseMs: 0 },
  },
};

/** Every job names this backoff type so that BullMQ asks the worker's strategy below. */
export const BACKOFF_TYPE = "folio";

/** BullMQ's default backoff when a job has attempts but no strategy of its own: fixed, this many ms. */
export const DEFAULT_BACKOFF_MS = 1000;

export function queueTuning(cfg: Pick<Config, "FOLIO_PROFILE" | "queueOverrides">, queue: QueueName): QueueTuning {
  return { ...PROFILES[cfg.FOLIO_PROFILE][queue], ...cfg.queueOverrides[queue] };
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
