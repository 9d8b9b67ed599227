import { DelayedError, UnrecoverableError, Worker, type Job } from "bullmq";
import type { Runtime } from "../src/runtime.ts";
import { jobLog } from "../src/log.ts";
import { NotYet, PipelineError, detailOf, failureOf } from "../src/errors/pipeline-error.ts";
import { StorageUnavailable } from "../src/storage/storage-unavailable.ts";
import { BreakerOpen, type AiBreaker } from "../src/resilience/ai-breaker.ts";
import type { JobTracker } from "../src/jobs/job-tracker.ts";
import type { JobLifecycle } from "../src/jobs/lifecycle.ts";
import { PIPELINE_TABLE, roleOf, type PipelineTable, type QueueName } from "../src/jobs/pipelines.ts";
import type { StageDeps } from "./stages.ts";
import type { DownloadSlots } from "../src/ingest/download-slots.ts";
import type { TextStore } from "../src/cache/text-store.ts";
import type { ConsumerMetrics } from "../src/monitoring/consumer-metrics.ts";
import type { BaseJobData, UrlJobData } from "../src/queues/job-data.ts";
import { isErased } from "../src/erasure/tombstones.ts";
import { deleteJobText } from "../src/storage/job-text.ts";
import type { Producer } from "../src/queues/producer.ts";
import { queueTuning, workerOptions, type TuningChoice } from "../src/queues/worker-options.ts";
import type { DownloadOptions } from "../src/ingest/download-url.ts";
import { contextOf, inSpan, recordSpan, SpanKind } from "../src/tracing/tracing.ts";

/** What the consumers are told, built once from the config (workers/thread-options.ts). */
export interface ConsumerOptions {
  prefix: string;
  tuning: TuningChoice;
  /** How url-fetch downloads (its progress is the job's). */
  download: Omit<DownloadOptions, "onProgress">;
  /** Downloads one user may run at once across the fleet. */
  fetchesPerUser: number;
}

export interface ConsumerDeps extends StageDeps {
  options: ConsumerOptions;
  /** This thread's connections (src/runtime.ts). */
  redis: Runtime["redis"];
  /** This thread's handle on the fleet's model breaker (absent offline). */
  breaker?: AiBreaker;
  texts: TextStore;
  metrics: ConsumerMetrics;
  /** Hands a fetched upload to its pipeline. */
  producer: Producer;
  downloadSlots: DownloadSlots;
  /** The one writer of job state: progress, completion, failure and their webhooks. */
  lifecycle: JobLifecycle;
}

/** The work of one queue; `Q` is a declared queue's name (a test's own pipeline may name others). */
export interface Consumer<D extends BaseJobData = BaseJobData, Q extends string = QueueName> {
  queue: Q;
  process(job: Job<D>, tracker: JobTracker, deps: ConsumerDeps): Promise<unknown>;
}

/**
 * Runs a consumer as a BullMQ worker. A job's last failure (or a failure that retrying
 * cannot mend, such as an encrypted PDF) is written to its row before BullMQ hears of it,
 * so an accepted job always ends completed or failed with a reason.
 */
export function startConsumer<D extends BaseJobData>(consumer: Consumer<D, string>, deps: ConsumerDeps, table: PipelineTable = PIPELINE_TABLE): Worker<D> {
  const tuning = queueTuning(deps.options.tuning, consumer.queue, table);
  // Its stage number, whether it comes first and the phases it runs: from the declared pipelines.
  const role = roleOf(consumer.queue, table);
  const run = async (job: Job<D>, token: string | undefined): Promise<unknown> => {
    const attempt = job.attemptsMade + 1;
    const tracker = deps.lifecycle.track(job.data, role.stage, attempt, role.decl.phases);
    // Queue wait (enqueued → first start) belongs to the first stage's first attempt.
    if (role.first && job.attemptsMade === 0) tracker.record("waitMs", Date.now() - job.data.acceptedAt);
    const log = jobLog(job.data.jobId, { attempt });
    if (await erased(job, deps)) return dropErased(job, deps, role.stage);
    try {
      const result = await consumer.process(job, tracker, deps);
      if (await erased(job, deps)) return dropErased(job, deps, role.stage);
      deps.metrics.outcome(consumer.queue, job, "completed", tracker);
      return result;
    } catch (thrown) {
      if (await erased(job, deps)) return dropErased(job, deps, role.stage);
      const err = thrown instanceof StorageUnavailable ? storageOutageWait(thrown) : thrown;
      // Not the job's fault: while the model endpoint's breaker is open, wait for its
      // half-open probe (or for a download slot, or the file store) without spending an attempt.
      const waitUntil = err instanceof NotYet ? err.retryAt : modelOutageRetryAt(err, deps.breaker);
      const modelOutage = err instanceof BreakerOpen || (waitUntil !== undefined && !(err instanceof NotYet));
      // With a fallback there is no need to wait for the probe: come back at once and let it write the notes.
      const retryAt = modelOutage && deps.fallback ? Date.now() + 250 : waitUntil;
      if (retryAt !== undefined && token) {
        log.info({ retryAt: new Date(retryAt).toISOString(), why: err instanceof NotYet ? err.message : "model endpoint" }, `Job ${job.data.jobId} waits`);
        await job.moveToDelayed(retryAt, token);
        throw new DelayedError();
      }
      const retryable = !(err instanceof PipelineError) || err.retryable;
      const last = attempt >= (job.opts.attempts ?? 1);
      const failure = failureOf(err);
      if (!retryable || last) {
        await tracker.failed(err);
        deps.metrics.outcome(consumer.queue, job, "failed", tracker);
        log.warn({ error: failure, detail: detailOf(err) }, `Job ${job.data.jobId} failed: ${failure.code}`);
        if (!retryable) throw new UnrecoverableError(`${failure.code}: ${failure.message}`);
      } else {
        log.info({ error: failure, detail: detailOf(err) }, `Job ${job.data.jobId} attempt ${attempt} failed; retrying`);
      }
      throw err;
    }
  };

  return new Worker<D>(
    consumer.queue,
    async (job, token) => {
      const parent = contextOf(job.data.trace);
      const attributes = { "folio.job_id": job.data.jobId, "messaging.destination.name": consumer.queue, "folio.attempt": job.attemptsMade + 1 };
      if (role.first && job.attemptsMade === 0) recordSpan(`${consumer.queue} wait`, parent, job.data.acceptedAt, job.processedOn ?? Date.now(), attributes);
      return inSpan(`${consumer.queue} process`, { kind: SpanKind.CONSUMER, parent, attributes }, () => run(job, token));
    },
    { connection: deps.redis("worker"), prefix: deps.options.prefix, name: `folio-${consumer.queue}`, ...workerOptions(tuning) },
  );
}

const erased = (job: Job<BaseJobData>, deps: ConsumerDeps) => isErased(deps.redis(), deps.options.prefix, job.data.jobId).catch(() => false);

/**
 * The job was deleted on request while queued or held here: nothing more is written for it,
 * what this attempt stored goes (its text; the intake's download), and BullMQ forgets its
 * record when it completes (the record holds the user's id).
 */
async function dropErased(job: Job<BaseJobData>, deps: ConsumerDeps, stage: number): Promise<undefined> {
  job.opts.removeOnComplete = true;
  const fetched = stage === 0 ? (job.data as Partial<UrlJobData>).storageKey : undefined;
  await Promise.all([deleteJobText(deps.storage, job.data.jobId), fetched && deps.storage.delete(fetched)]).catch(() => {});
  jobLog(job.data.jobId).info("dropped: the job was deleted on request");
  return undefined;
}

/** The store's outage is told once by the process (watchedStorage); each job just comes back in a few seconds. */
const storageOutageWait = (err: StorageUnavailable) => new NotYet(Date.now() + 4000 + Math.floor(Math.random() * 2000), `file store unreachable (${err.message})`);

/** A model failure that left this thread's breaker open: retry when it lets a probe through. */
function modelOutageRetryAt(err: unknown, breaker: AiBreaker | undefined): number | undefined {
  if (!(err instanceof PipelineError) || err.code !== "ai_unavailable") return undefined;
  const state = breaker?.state();
  return state && state.state !== "closed" && state.retryAt ? state.retryAt : undefined;
}
