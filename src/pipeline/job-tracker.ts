import type { JobStore } from "../../db/job-store.ts";
import { statusSeq, type JobStatus, type StageTimings, type StatusChange } from "../../db/job-status.ts";
import { inSpan } from "../tracing/tracing.ts";
import { failureOf } from "./errors.ts";

const SPAN_NAMES: Record<keyof StageTimings, string> = { waitMs: "wait", downloadMs: "download", extractMs: "extract", aiMs: "notes", saveMs: "save" };

/**
 * Reports one BullMQ job's progress on its Folio job row. `stage` orders the staged
 * path's queues (0 extract, 1 notes, 2 completion); the one-job path is stage 0.
 */
export class JobTracker {
  private readonly timings: StageTimings = {};

  constructor(
    private readonly store: JobStore,
    readonly jobId: string,
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
    return this.store.progress(this.change(status, progress, extra));
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

  /** Final states are awaited: the BullMQ job is not acknowledged until the row is durable. */
  completed(notesId: string, extra: Partial<StatusChange> = {}): Promise<void> {
    return this.store.update(this.change("completed", 100, { notesId, ...extra }));
  }

  failed(err: unknown): Promise<void> {
    return this.store.update(this.change("failed", 100, { error: failureOf(err) }));
  }
}
