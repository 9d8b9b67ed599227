import { statusSeq, type JobStatus, type StageTimings, type StatusChange } from "../../db/job-status.ts";
import { jobLog } from "../log.ts";
import { failureOf } from "../errors/pipeline-error.ts";
import { inSpan } from "../tracing/tracing.ts";
import type { LifecycleWriters } from "./lifecycle-writers.ts";

const SPAN_NAMES: Record<keyof StageTimings, string> = { waitMs: "wait", downloadMs: "download", extractMs: "extract", aiMs: "notes", saveMs: "save", ocrMs: "ocr" };

/**
 * One attempt of one stage of a job, as the lifecycle hands it to a consumer: its progress,
 * timings and final state go to the job's row, each change ordered by (stage, attempt,
 * status) so that a late write from an earlier stage or attempt never overwrites a newer
 * one. Made by JobLifecycle.track(), never directly.
 */
export class JobTracker {
  private readonly timings: StageTimings = {};

  constructor(
    private readonly writers: LifecycleWriters,
    readonly jobId: string,
    private readonly callbackUrl: string | undefined,
    private readonly stage: number,
    private readonly attempt: number,
  ) {}

  private change(status: JobStatus, progress: number, extra: Partial<StatusChange> = {}): StatusChange {
    return {
      jobId: this.jobId,
      status,
      progress,
      seq: statusSeq(this.stage, this.attempt, status),
      attempts: this.attempt,
      ...this.timings,
      ...extra,
    };
  }

  /** Non-final progress: written behind; awaiting it waits only while the batcher is full. */
  progress(status: JobStatus, progress: number, extra: Partial<StatusChange> = {}): Promise<void> {
    return this.writers.store.progress(this.change(status, progress, extra));
  }

  /** Times one stage, as a span of the job's trace too, and records it on the row with the next write. */
  async timed<T>(key: keyof StageTimings, fn: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await inSpan(SPAN_NAMES[key], { attributes: { "folio.job_id": this.jobId } }, fn);
    } finally {
      this.timings[key] = Math.round(performance.now() - start);
    }
  }

  record(key: keyof StageTimings, ms: number): void {
    this.timings[key] = Math.round(ms);
  }

  getTimings(): StageTimings {
    return { ...this.timings };
  }

  /** Final: awaited (the BullMQ job is not acknowledged until the row is durable), then the webhook is announced. */
  async completed(notesId: string, extra: Partial<StatusChange> = {}): Promise<void> {
    await this.writers.store.update(this.change("completed", 100, { notesId, ...extra }));
    if (this.callbackUrl) await this.writers.announce(this.jobId);
  }

  /** Final; a webhook that cannot be announced now is logged (the row is what counts, and the watcher announces again). */
  async failed(err: unknown): Promise<void> {
    await this.writers.store.update(this.change("failed", 100, { error: failureOf(err) }));
    if (this.callbackUrl) await this.writers.announce(this.jobId).catch((e: unknown) => jobLog(this.jobId).warn({ err: (e as Error).message }, "webhook not announced"));
  }
}
