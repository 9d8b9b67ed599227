import { FlowProducer, Queue, type JobsOptions } from "bullmq";
import type { Redis } from "ioredis";
import type { Config } from "../config.ts";
import { fetchJobId, stagedJobIds, type PdfJobData, type UrlJobData } from "./job-data.ts";
import { BACKOFF_TYPE } from "./worker-options.ts";

/**
 * Puts accepted uploads on the queues: one job (optimized) or a three-stage flow (staged);
 * an upload by URL first goes to url-fetch, whose consumer calls `enqueue` once the PDF is stored.
 */
export class Producer {
  private readonly optimized: Queue<PdfJobData>;
  private readonly fetches: Queue<UrlJobData>;
  private readonly flows: FlowProducer;

  constructor(
    private readonly cfg: Config,
    connection: Redis,
  ) {
    this.optimized = new Queue("pdf-notes-optimized", { connection, prefix: cfg.FOLIO_REDIS_PREFIX });
    this.flows = new FlowProducer({ connection, prefix: cfg.FOLIO_REDIS_PREFIX });
    this.fetches = new Queue("url-fetch", { connection, prefix: cfg.FOLIO_REDIS_PREFIX });
  }

  async enqueueFetch(data: UrlJobData): Promise<void> {
    await this.fetches.add("fetch", data, this.jobOptions(fetchJobId(data.jobId)));
  }

  private jobOptions(jobId: string): JobsOptions {
    return {
      jobId,
      attempts: this.cfg.FOLIO_JOB_ATTEMPTS,
      backoff: { type: BACKOFF_TYPE },
      removeOnComplete: { count: this.cfg.FOLIO_KEEP_COMPLETED },
      removeOnFail: { count: this.cfg.FOLIO_KEEP_FAILED },
    };
  }

  async enqueue(data: PdfJobData): Promise<void> {
    if (data.pipeline === "optimized") {
      await this.optimized.add("pdf", data, this.jobOptions(data.jobId));
      return;
    }
    const ids = stagedJobIds(data.jobId);
    const child = (id: string): JobsOptions => ({ ...this.jobOptions(id), failParentOnFailure: true });
    await this.flows.add({
      name: "complete",
      queueName: "completion",
      data,
      opts: this.jobOptions(ids.completion),
      prefix: this.cfg.FOLIO_REDIS_PREFIX,
      children: [
        {
          name: "notes",
          queueName: "ai-notes",
          data,
          opts: child(ids.notes),
          prefix: this.cfg.FOLIO_REDIS_PREFIX,
          children: [{ name: "extract", queueName: "pdf-extract", data, opts: child(ids.extract), prefix: this.cfg.FOLIO_REDIS_PREFIX }],
        },
      ],
    });
  }

  async close(): Promise<void> {
    await Promise.all([this.optimized.close(), this.flows.close(), this.fetches.close()]);
  }
}
