import { TIMING_KEYS, TIMINGS } from "../../db/job-status.ts";
import type { Job } from "bullmq";
import type { Redis } from "ioredis";
import type { JobTracker } from "../jobs/job-tracker.ts";
import { log } from "../log.ts";
import { countOutcome, type Outcome } from "./counters.ts";
import type { LatencyRecorder } from "./latency.ts";
import type { ThreadMetrics } from "./process-metrics.ts";

/** The queue wait is recorded per queue above; every other timing is a stage's. */
const STAGES = TIMING_KEYS.filter((key) => key !== "waitMs");

/**
 * The metrics collector of one consumer: outcomes to Redis counters, processing and
 * queue-wait times and stage timings to the fleet's latency histograms (the JSON report)
 * and to this thread's Prometheus metrics, and a summary line in the log every `logEvery` jobs.
 */
export class ConsumerMetrics {
  private local = { completed: 0, failed: 0, totalMs: 0 };

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly latency: LatencyRecorder,
    private readonly prom: ThreadMetrics,
    private readonly logEvery: number,
  ) {}

  outcome(queue: string, job: Job, outcome: Outcome, tracker: JobTracker): void {
    const now = Date.now();
    const started = job.processedOn ?? now;
    const processing = now - started;
    const wait = job.attemptsMade === 0 ? Math.max(0, started - job.timestamp) : undefined;
    this.latency.record(`${queue}:processing`, processing, now);
    if (wait !== undefined) this.latency.record(`${queue}:wait`, wait, now);
    this.prom.job(queue, outcome, wait === undefined ? undefined : wait / 1000, processing / 1000);
    const timings = tracker.getTimings();
    for (const key of STAGES) {
      const ms = timings[key];
      const stage = TIMINGS[key].label;
      if (ms === undefined) continue;
      this.latency.record(`stage:${stage}`, ms, now);
      this.prom.stage(stage, ms / 1000);
    }
    void countOutcome(this.redis, this.prefix, queue, outcome).catch(() => {});
    this.local[outcome]++;
    this.local.totalMs += processing;
    const n = this.local.completed + this.local.failed;
    if (n % this.logEvery === 0) {
      log.info(
        { queue, completed: this.local.completed, failed: this.local.failed, avgMs: Math.round(this.local.totalMs / n) },
        `Consumer ${queue}: ${n} jobs (${this.local.completed} completed, ${this.local.failed} failed), avg ${Math.round(this.local.totalMs / n)} ms`,
      );
    }
  }
}
