import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { UrlPolicy } from "../ingest/url-policy.ts";
import { onNonConnectionError } from "../dependencies/outage-log.ts";
import { log } from "../log.ts";

export const WEBHOOK_QUEUE = "webhooks";

export interface WebhookOptions {
  prefix: string;
  /** Deliveries of one final status, the first included, with exponential backoff from `backoffMs`. */
  attempts: number;
  backoffMs: number;
  /** How long one delivery may take. */
  timeoutMs: number;
  /** Where a callback URL may point. */
  policy: UrlPolicy;
}

export interface WebhookJobData {
  jobId: string;
}

/**
 * Asks for a job's final status to be POSTed to its callbackUrl. The delivery reads the
 * row when it runs, so the payload is what the API shows; the BullMQ id is the Folio job
 * id, so two announcements of one final status (consumer and failure watcher) send one.
 */
export class WebhookQueue {
  private readonly queue: Queue<WebhookJobData>;

  constructor(
    connection: Redis,
    prefix: string,
    private readonly opts: { attempts: number; backoffMs: number },
  ) {
    this.queue = new Queue(WEBHOOK_QUEUE, { connection, prefix });
    onNonConnectionError(this.queue, (err) => log.warn({ queue: WEBHOOK_QUEUE, err: err.message }, "queue error"));
  }

  async announce(jobId: string): Promise<void> {
    await this.queue.add(
      "deliver",
      { jobId },
      {
        jobId,
        attempts: this.opts.attempts,
        backoff: { type: "exponential", delay: this.opts.backoffMs },
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 5000 },
      },
    );
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

export const webhookQueue = (opts: WebhookOptions, connection: Redis) => new WebhookQueue(connection, opts.prefix, opts);
