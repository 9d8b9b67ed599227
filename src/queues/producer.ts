import { FlowProducer, Queue, type FlowJob, type JobsOptions } from "bullmq";
import type { Redis } from "ioredis";
import { onNonConnectionError } from "../dependencies/outage-log.ts";
import { log } from "../log.ts";
import { bullJobId, flowOf, INTAKE, PIPELINE_TABLE, type FlowNode, type PipelineTable } from "../jobs/pipelines.ts";
import type { PdfJobData, UrlJobData } from "./job-data.ts";
import { BACKOFF_TYPE } from "./worker-options.ts";

/**
 * Puts accepted uploads on the queues as their pipeline declares (src/jobs/pipelines.ts):
 * one job for a one-stage pipeline, a flow for more (the last stage waits for the ones
 * before it); an upload by URL first goes to the intake queue, whose consumer calls
 * `enqueue` once the PDF is stored.
 *
 * Fair shares between users, on open-source BullMQ (groups are a Pro feature): every job of
 * every stage gets its user's rank as its BullMQ priority, rank k being "the user's k-th job
 * not yet finished when it was accepted". Workers take the lowest priority first, so the
 * queue serves every user's first job, then every user's second, and so on: a user with 300
 * jobs queued holds back another user's first upload by at most the jobs already running.
 */
export interface ProducerOptions {
  prefix: string;
  /** Attempts of each stage's job, the first included. */
  attempts: number;
  /** Finished BullMQ records kept per queue (the job's row is the record that lasts). */
  keepCompleted: number;
  keepFailed: number;
  /** Jobs get their user's rank as priority (FOLIO_FAIR_SHARES); off: first come, first served. */
  fairShares: boolean;
}

/** BullMQ's largest priority. */
const MAX_PRIORITY = 2 ** 21;

export class Producer {
  private readonly queues = new Map<string, Queue>();
  private readonly flows: FlowProducer;

  constructor(
    private readonly opts: ProducerOptions,
    private readonly connection: Redis,
    private readonly table: PipelineTable = PIPELINE_TABLE,
  ) {
    this.flows = new FlowProducer({ connection, prefix: opts.prefix });
    onNonConnectionError(this.flows, (err) => log.warn({ err: err.message }, "flow producer error"));
  }

  private queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: this.opts.prefix });
      onNonConnectionError(q, (err) => log.warn({ queue: name, err: err.message }, "queue error"));
      this.queues.set(name, q);
    }
    return q;
  }

  async enqueueFetch(data: UrlJobData): Promise<void> {
    await this.queue(INTAKE.queue).add("fetch", data, this.jobOptions(bullJobId(data.jobId, INTAKE.queue, this.table), data.rank));
  }

  /** A job without a rank (one the reconciler put back) goes first among its peers: it has waited already. */
  private jobOptions(jobId: string, rank = 1): JobsOptions {
    return {
      jobId,
      ...(this.opts.fairShares && { priority: Math.min(MAX_PRIORITY, Math.max(1, rank)) }),
      attempts: this.opts.attempts,
      backoff: { type: BACKOFF_TYPE },
      removeOnComplete: { count: this.opts.keepCompleted },
      removeOnFail: { count: this.opts.keepFailed },
    };
  }

  async enqueue(data: PdfJobData): Promise<void> {
    const stages = this.table[data.pipeline];
    if (!stages?.length) throw new Error(`no pipeline ${data.pipeline}`);
    if (stages.length === 1) {
      await this.queue(stages[0]!.queue).add(stages[0]!.queue, data, this.jobOptions(bullJobId(data.jobId, stages[0]!.queue, this.table), data.rank));
      return;
    }
    await this.flows.add(this.flowJob(flowOf(data.jobId, stages), data, true));
  }

  /** A stage's job in the flow; a failed stage fails the stages waiting on it. */
  private flowJob(node: FlowNode, data: PdfJobData, root: boolean): FlowJob {
    return {
      name: node.queueName,
      queueName: node.queueName,
      data,
      opts: root ? this.jobOptions(node.jobId, data.rank) : { ...this.jobOptions(node.jobId, data.rank), failParentOnFailure: true },
      prefix: this.opts.prefix,
      children: node.children?.map((c) => this.flowJob(c, data, false)),
    };
  }

  async close(): Promise<void> {
    await Promise.all([...[...this.queues.values()].map((q) => q.close()), this.flows.close()]);
  }
}
