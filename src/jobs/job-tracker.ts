import { statusSeq, TIMINGS, type JobStatus, type StageTimings, type StatusChange, type TimingKey } from "../../db/job-status.ts";
import { jobLog } from "../log.ts";
import { failureOf } from "../errors/pipeline-error.ts";
import { inSpan } from "../tracing/tracing.ts";
import { PHASES, progressIn, type Phase } from "./phases.ts";
import type { LifecycleWriters } from "./lifecycle-writers.ts";

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
    /** The phases the stage declares (pipelines.ts); another is a mistake in the stage's code. */
    private readonly phases?: readonly Phase[],
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

  /** A phase begins: its status, the bar at the phase's start. */
  enter(phase: Phase, extra: Partial<StatusChange> = {}): Promise<void> {
    return this.progress(this.statusOf(phase), PHASES[phase].from, extra);
  }

  /** `done` of `total` units of a phase's work are done. */
  advance(phase: Phase, done: number, total: number, extra: Partial<StatusChange> = {}): Promise<void> {
    return this.progress(this.statusOf(phase), progressIn(phase, done, total), extra);
  }

  /** A phase's work is done: the bar at its end. */
  leave(phase: Phase, extra: Partial<StatusChange> = {}): Promise<void> {
    return this.progress(this.statusOf(phase), PHASES[phase].to, extra);
  }

  private statusOf(phase: Phase): JobStatus {
    if (this.phases && !this.phases.includes(phase)) throw new Error(`stage ${this.stage} does not run the phase "${phase}": declare it in the pipeline table`);
    return PHASES[phase].status;
  }

  /** Times a phase's work, as a span of the job's trace too, and records it on the row with the next write. */
  timed<T>(phase: Phase, fn: () => Promise<T>): Promise<T> {
    return this.time(PHASES[phase].timing, fn);
  }

  private async time<T>(key: TimingKey, fn: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await inSpan(TIMINGS[key].span, { attributes: { "folio.job_id": this.jobId } }, fn);
    } finally {
      this.timings[key] = Math.round(performance.now() - start);
    }
  }

  record(key: TimingKey, ms: number): void {
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
