/**
 * Each module's typed options, built here once from the validated settings: a module takes
 * what it uses, named for what it means (`attempts`, `graceMs`), not the environment's names,
 * and only this file and the wiring read `Config`. New settings for a module land in its
 * options type and in its builder below.
 */
import { join } from "node:path";
import type { Config } from "./config.ts";
import type { ErasureOptions } from "./erasure/index.ts";
import { urlPolicy } from "./ingest/url-policy.ts";
import type { ProducerOptions } from "./queues/producer.ts";
import type { ReconcilerOptions } from "./queues/reconciler.ts";
import type { StorageOptions } from "./storage/index.ts";
import type { WebhookOptions } from "./webhooks/webhook-queue.ts";

export function producerOptions(cfg: Config): ProducerOptions {
  return { prefix: cfg.FOLIO_REDIS_PREFIX, attempts: cfg.FOLIO_JOB_ATTEMPTS, keepCompleted: cfg.FOLIO_KEEP_COMPLETED, keepFailed: cfg.FOLIO_KEEP_FAILED, fairShares: fairShares(cfg) };
}

/** The optimized profile's default; the baseline keeps the seed's first come, first served. */
function fairShares(cfg: Config): boolean {
  return (cfg.FOLIO_FAIR_SHARES ?? (cfg.FOLIO_PROFILE === "baseline" ? "off" : "on")) === "on";
}

export function reconcilerOptions(cfg: Config): ReconcilerOptions {
  return { prefix: cfg.FOLIO_REDIS_PREFIX, intervalMs: cfg.FOLIO_RECONCILE_INTERVAL_MS, graceMs: cfg.FOLIO_RECONCILE_GRACE_MS };
}

export function webhookOptions(cfg: Config): WebhookOptions {
  return {
    prefix: cfg.FOLIO_REDIS_PREFIX,
    attempts: cfg.FOLIO_WEBHOOK_ATTEMPTS,
    backoffMs: cfg.FOLIO_WEBHOOK_BACKOFF_MS,
    timeoutMs: cfg.FOLIO_WEBHOOK_TIMEOUT_MS,
    policy: urlPolicy(cfg),
  };
}

export function storageOptions(cfg: Config): StorageOptions {
  if (cfg.SUPABASE_URL && cfg.SUPABASE_SERVICE_KEY) {
    return { kind: "supabase", url: cfg.SUPABASE_URL, serviceKey: cfg.SUPABASE_SERVICE_KEY, bucket: cfg.SUPABASE_BUCKET, spoolDir: join(cfg.FOLIO_DATA_DIR, "upload-spool") };
  }
  return { kind: "local", dir: join(cfg.FOLIO_DATA_DIR, "uploads") };
}

export function erasureOptions(cfg: Config): ErasureOptions {
  return {
    prefix: cfg.FOLIO_REDIS_PREFIX,
    scope: cfg.FOLIO_CACHE_SCOPE,
    retain: { pdfS: cfg.retainS.pdf, textS: cfg.retainS.text, jobsS: cfg.retainS.jobs },
    intervalS: cfg.FOLIO_RETENTION_INTERVAL_S,
  };
}
