import type { CacheOptions } from "../src/cache/index.ts";
import type { Config } from "../src/config.ts";
import { urlPolicy } from "../src/ingest/url-policy.ts";
import type { NotesOptions } from "../src/notes/index.ts";
import { cacheOptions, notesOptions, producerOptions, runtimeOptions, storageOptions, tracingOptions, tuningChoice, webhookOptions } from "../src/options.ts";
import type { ProducerOptions } from "../src/queues/producer.ts";
import type { RuntimeOptions } from "../src/runtime.ts";
import type { StorageOptions } from "../src/storage/index.ts";
import type { TracingOptions } from "../src/tracing/tracing.ts";
import type { WebhookOptions } from "../src/webhooks/webhook-queue.ts";
import type { ConsumerOptions } from "./consumer.ts";

/**
 * What a worker thread is built from: each module's options, made once in the main thread
 * from the validated config and posted to every thread. A thread reads no environment names.
 */
export interface ThreadOptions {
  prefix: string;
  runtime: RuntimeOptions;
  tracing: TracingOptions;
  caches: CacheOptions;
  notes: NotesOptions;
  consumer: ConsumerOptions;
  producer: ProducerOptions;
  webhooks: WebhookOptions;
  storage: StorageOptions;
  /** Model tokens one user may spend a day (0: no cap). */
  userTokensPerDay: number;
  /** How long a PDF's extracted text stays in Redis between the staged pipeline's stages. */
  textTtlS: number;
  /** A metrics log line every this many jobs. */
  metricsLogEvery: number;
  /** How long a PDF too complex to read is remembered, so its retries fail at once. */
  tooComplexTtlS: number;
}

export function threadOptions(cfg: Config): ThreadOptions {
  const download = {
    policy: urlPolicy(cfg),
    timeoutMs: cfg.FOLIO_URL_TIMEOUT_MS,
    maxBytes: cfg.maxUploadBytes,
    maxRedirects: cfg.FOLIO_URL_MAX_REDIRECTS,
    retries: cfg.FOLIO_URL_RETRIES,
    backoffMs: cfg.FOLIO_URL_BACKOFF_MS,
    minBytesPerS: cfg.FOLIO_URL_MIN_BYTES_PER_S,
    minRateGraceMs: cfg.FOLIO_URL_MIN_RATE_GRACE_MS,
  };
  return {
    prefix: cfg.FOLIO_REDIS_PREFIX,
    runtime: runtimeOptions(cfg),
    tracing: tracingOptions(cfg),
    caches: cacheOptions(cfg),
    notes: notesOptions(cfg),
    consumer: { prefix: cfg.FOLIO_REDIS_PREFIX, tuning: tuningChoice(cfg), download, fetchesPerUser: cfg.FOLIO_URL_FETCHES_PER_USER },
    producer: producerOptions(cfg),
    webhooks: webhookOptions(cfg),
    storage: storageOptions(cfg),
    userTokensPerDay: cfg.FOLIO_USER_TOKENS_PER_DAY,
    textTtlS: cfg.FOLIO_TEXT_TTL_S,
    metricsLogEvery: cfg.FOLIO_METRICS_LOG_EVERY,
    tooComplexTtlS: cfg.FOLIO_TOO_COMPLEX_TTL_S,
  };
}
