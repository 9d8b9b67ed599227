import type { Job } from "bullmq";
import type { Redis } from "ioredis";
import type { JobTracker } from "../pipeline/job-tracker.ts";
import { log } from "../log.ts";
import { countOutcome, type Outcome } from "./counters.ts";
import type { LatencyRecorder } from "./latency.ts";

const STAGES = { downloadMs: "download", extractMs: "extract", aiMs: "ai", saveMs: "save" } as const;

/**
 * The metrics collector of one consumer: outcomes and token usage to Redis counters,
 * processing and queue-wait times and stage timings to the latency histograms, and a
 * summary line in the log every `logEvery` jobs.
 */
export class ConsumerMetrics {
  private local = { completed: 0, failed: 0, totalMs: 0 };

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly latency: LatencyRecorder,
    private readonly logEvery: number,
  ) {}

  outcome(queue: string, job: Job, outcome: Outcome, tracker: JobTracker): void {
    const now = Date.now();
    const started = job.processedOn ?? now;
    const processing = now - started;
    this.latency.record(`${queue}:processing`, processing, now);
    if (job.attemptsMade === 0) this.latency.record(`${queue}:wait`, Math.max(0, started - job.timestamp), now);
    for (const [key, stage] of Object.entries(STAGES)) {
      const ms = tracker.getTimings()[key as keyof typeof STAGES];
      if (ms !== undefined) this.latency.record(`stage:${stage}`, ms, now);
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
