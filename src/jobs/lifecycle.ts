import { statusSeq } from "../../db/job-status.ts";
import type { NewBlob } from "../../db/blobs.ts";
import type { NewFile, NewJob, NewNotes } from "../../db/jobs-repo.ts";
import { log } from "../log.ts";
import { INTERNAL_MESSAGE } from "../errors/pipeline-error.ts";
import { JobTracker } from "./job-tracker.ts";
import type { Phase } from "./phases.ts";
import type { LifecycleWriters } from "./lifecycle-writers.ts";

/**
 * Past every stage and attempt: a failure written from outside the consumers (BullMQ gave
 * up on a job its consumers never failed, or the queue refused it) orders after anything
 * a stage wrote, and a final row is never overwritten by the status writer.
 */
const OUTSIDE_SEQ = statusSeq(9, 999, "failed");

/**
 * The one writer of a job's state: its creation (from an upload, a URL, or a cache hit),
 * progress, completion and failure. Every change is ordered (db/job-status.ts statusSeq,
 * enforced by the status writer: no late write overwrites a newer state, a final state is
 * never overwritten), and reaching a final state announces the job's webhook, here only.
 */
export class JobLifecycle {
  constructor(
    private readonly writers: LifecycleWriters,
    /** Creates the rows (server side only: worker threads never create jobs). */
    private readonly rows?: { createUpload(file: NewFile, job: NewJob, notes?: NewNotes, blob?: NewBlob): Promise<boolean> },
  ) {}

  /**
   * A job accepted by the API; one answered from the cache is born completed, and announced.
   * With `blob`, true when the upload's object became the stored copy of its content.
   */
  async created(file: NewFile, job: NewJob, cachedNotes?: NewNotes, blob?: NewBlob): Promise<boolean> {
    if (!this.rows) throw new Error("this process does not create jobs");
    const placed = await this.rows.createUpload(file, job, cachedNotes, blob);
    if (job.status === "completed" && job.callbackUrl) {
      await this.writers.announce(job.id).catch((err: unknown) => log.warn({ jobId: job.id, err: (err as Error).message }, "webhook not announced"));
    }
    return placed;
  }

  /** The handle a consumer reports one attempt of one stage through (stage 0 is url-fetch). */
  track(job: { jobId: string; callbackUrl?: string }, stage: number, attempt: number, phases?: readonly Phase[]): JobTracker {
    return new JobTracker(this.writers, job.jobId, job.callbackUrl, stage, attempt, phases);
  }

  /** The queue refused an accepted job: it is failed with the reason, never left queued. */
  async enqueueFailed(jobId: string, callbackUrl: string | undefined): Promise<void> {
    await this.failOutside(jobId, { code: "enqueue_failed", message: "the job queue is unavailable; upload again later" }, !!callbackUrl);
  }

  /**
   * BullMQ failed a job without its consumer writing the failure (stalled too often after
   * worker crashes): the row gets it, unless it is final already.
   */
  async failedByQueue(jobId: string, reason: string): Promise<void> {
    // BullMQ's reason may be any error's raw text: the log keeps it, the user reads what happened.
    log.warn({ jobId, reason: reason.slice(0, 1000) }, "the queue failed the job");
    const message = /stalled/i.test(reason) ? "the workers handling the job stopped (crashed or were killed) too many times" : INTERNAL_MESSAGE;
    // The queue's watcher does not know the callback URL: the sender reads the row and skips a job without one.
    await this.failOutside(jobId, { code: "internal_error", message }, true);
  }

  private async failOutside(jobId: string, error: { code: string; message: string }, announce: boolean): Promise<void> {
    await this.writers.store.update({ jobId, status: "failed", progress: 100, seq: OUTSIDE_SEQ, error });
    // The row is what counts: a webhook that cannot be announced now (Redis down) is logged.
    if (announce) await this.writers.announce(jobId).catch((err: unknown) => log.warn({ jobId, err: (err as Error).message }, "webhook not announced"));
  }
}
