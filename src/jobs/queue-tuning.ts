/** The two sets of worker settings: the seed's "before" (baseline) and Folio's own. */
export type Profile = "optimized" | "baseline";

/** How one queue's BullMQ workers run, per profile (the README's table under Configuration). */
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
