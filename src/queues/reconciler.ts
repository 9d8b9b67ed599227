import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { JobsRepo, UnfinishedJob } from "../../db/jobs-repo.ts";
import { onNonConnectionError } from "../dependencies/outage-log.ts";
import { log } from "../log.ts";
import { bullJobIds, isPipeline, QUEUE_NAMES, type QueueName } from "../jobs/pipelines.ts";
import type { Producer } from "./producer.ts";

/**
 * The database is the truth. Redis can lose acknowledged work: replication is
 * asynchronous (a master that dies right after an enqueue takes the job with it) and a
 * Redis without persistence forgets everything when it restarts. Periodically, and at
 * start, the jobs that are not final, untouched for longer than a grace period and
 * represented by no BullMQ job at all are enqueued again, under their own ids (so two
 * reconcilers, or a job that reappears, cannot make a second one).
 */
export interface ReconcilerOptions {
  prefix: string;
  /** How often a pass runs. */
  intervalMs: number;
  /** A job untouched for this long, and in no queue, is enqueued again. */
  graceMs: number;
}

export class Reconciler {
  private readonly queues = new Map<QueueName, Queue>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly opts: ReconcilerOptions,
    connection: Redis,
    private readonly repo: JobsRepo,
    private readonly producer: Producer,
  ) {
    for (const name of QUEUE_NAMES) {
      const queue = new Queue(name, { connection, prefix: opts.prefix });
      onNonConnectionError(queue, (err) => log.warn({ queue: name, err: err.message }, "queue error"));
      this.queues.set(name, queue);
    }
  }

  start(): void {
    void this.runOnce().catch((err: unknown) => log.warn({ err: (err as Error).message }, "reconcile failed"));
    this.timer = setInterval(() => void this.runOnce().catch((err: unknown) => log.warn({ err: (err as Error).message }, "reconcile failed")), this.opts.intervalMs);
  }

  /** One pass; returns how many jobs were enqueued again. Passes never overlap. */
  runOnce(): Promise<number> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<number> {
    let requeued = 0;
    for (const job of await this.repo.unfinished(this.opts.graceMs)) {
      if (await this.inQueues(job.jobId)) continue;
      await this.requeue(job);
      requeued++;
    }
    return requeued;
  }

  private async inQueues(jobId: string): Promise<boolean> {
    for (const { queue, id } of bullJobIds(jobId)) if (await this.queues.get(queue as QueueName)!.getJob(id)) return true;
    return false;
  }

  private async requeue(job: UnfinishedJob): Promise<void> {
    const pipeline = isPipeline(job.pipeline) ? job.pipeline : "optimized";
    const base = { jobId: job.jobId, userId: job.userId, fileId: job.fileId, storageKey: job.storageKey, pipeline, acceptedAt: Date.now(), callbackUrl: job.callbackUrl ?? undefined };
    // An upload by URL that was never downloaded starts again from its URL.
    if (!job.sha256 && job.sourceUrl) await this.producer.enqueueFetch({ ...base, url: job.sourceUrl });
    else if (job.sha256) await this.producer.enqueue({ ...base, sha256: job.sha256, sourceUrl: job.sourceUrl ?? undefined });
    else return;
    log.warn({ jobId: job.jobId, pipeline }, `Job ${job.jobId} was in no queue (Redis lost it); enqueued again`);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => {});
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
