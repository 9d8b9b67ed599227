import { UnrecoverableError, Worker, type Job } from "bullmq";
import type { JobRow, NotesRow } from "../db/schema.ts";
import type { WebhooksRepo } from "../db/webhooks-repo.ts";
import { isFinal, type JobStatus } from "../db/job-status.ts";
import { pinnedFetch } from "../src/ingest/pinned-fetch.ts";
import { checkUrl, UrlRefused } from "../src/ingest/url-policy.ts";
import { onNonConnectionError } from "../src/dependencies/outage-log.ts";
import { jobLog, log } from "../src/log.ts";
import type { Redis } from "ioredis";
import { jobView, notesView } from "../src/views/job-view.ts";
import { SIGNATURE_HEADER, signPayload } from "../src/webhooks/signature.ts";
import { WEBHOOK_QUEUE, type WebhookJobData, type WebhookOptions } from "../src/webhooks/webhook-queue.ts";
import { safeUrl } from "../src/redact.ts";
import { contextOf, inSpan, SpanKind } from "../src/tracing/tracing.ts";

/**
 * POSTs a finished job to its callbackUrl, signed with its user's secret. Runs beside the
 * database (it reads the row and the secret); a non-2xx answer or a network error is
 * retried by BullMQ with exponential backoff, FOLIO_WEBHOOK_ATTEMPTS times in all.
 */
export function startWebhookSender(opts: WebhookOptions, repo: WebhooksRepo, connection: Redis): Worker<WebhookJobData> {
  /** One delivery attempt: the job and its notes, signed, POSTed to the callback URL. */
  const deliver = async (job: Job<WebhookJobData>, row: JobRow, notes: NotesRow | null | undefined, callbackUrl: string) => {
    const log = jobLog(row.id, { webhook: safeUrl(callbackUrl), attempt: job.attemptsMade + 1 });
    const { url, address } = await checkUrl(callbackUrl, opts.policy).catch(async (err: unknown) => {
      if (!(err instanceof UrlRefused)) throw err;
      await repo.recordAttempt(row.id, "failed");
      throw new UnrecoverableError(err.message);
    });
    const body = JSON.stringify({
      event: `job.${row.status}`,
      job: jobView(row),
      notes: notes ? notesView(notes) : null,
    });
    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    try {
      const res = await pinnedFetch(url, address, {
        method: "POST",
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(opts.timeoutMs),
        headers: {
          "content-type": "application/json",
          "user-agent": "Folio-Webhooks",
          "x-folio-event": `job.${row.status}`,
          // One id per delivery, the same on every attempt, so a receiver can drop repeats by it.
          "x-folio-delivery": row.id,
          "x-folio-delivery-attempt": String(job.attemptsMade + 1),
          [SIGNATURE_HEADER]: signPayload(await repo.signingSecrets(row.userId), body),
        },
      });
      await res.body?.cancel().catch(() => {});
      if (!res.ok) throw new Error(`the receiver answered HTTP ${res.status}`);
    } catch (err) {
      await repo.recordAttempt(row.id, last ? "failed" : "pending");
      log.warn({ err: (err as Error).message, final: last }, `Job ${row.id} webhook delivery failed`);
      throw err;
    }
    await repo.recordAttempt(row.id, "delivered");
    log.info(`Job ${row.id} webhook delivered`);
    return { delivered: true };
  };

  const worker = new Worker<WebhookJobData>(
    WEBHOOK_QUEUE,
    async (job) => {
      const found = await repo.delivery(job.data.jobId);
      const callbackUrl = found?.job.callbackUrl;
      if (!found || !callbackUrl) return { skipped: true };
      const { job: row, notes } = found;
      // Announced before the final row was readable (a failure watcher's race): look again later.
      if (!isFinal(row.status as JobStatus)) throw new Error(`job ${row.id} is still ${row.status}`);
      const parent = contextOf(row.traceparent ? { traceparent: row.traceparent } : undefined);
      const attributes = { "folio.job_id": row.id, "folio.attempt": job.attemptsMade + 1, "url.full": safeUrl(callbackUrl) };
      return inSpan("webhook", { kind: SpanKind.CLIENT, parent, attributes }, () => deliver(job, row, notes, callbackUrl));
    },
    { connection, prefix: opts.prefix, concurrency: 10, name: "folio-webhooks" },
  );
  onNonConnectionError(worker, (err) => log.error({ queue: WEBHOOK_QUEUE, err: err.message }, "webhook worker error"));
  return worker;
}
