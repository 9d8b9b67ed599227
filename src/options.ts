/**
 * Each module's typed options, built here once from the validated settings: a module takes
 * what it uses, named for what it means (`attempts`, `graceMs`), not the environment's names,
 * and only this file and the wiring read `Config`. New settings for a module land in its
 * options type and in its builder below.
 */
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { Config } from "./config.ts";
import type { CacheOptions } from "./cache/index.ts";
import type { ErasureOptions } from "./erasure/index.ts";
import type { RuntimeOptions } from "./runtime.ts";
import type { TracingOptions } from "./tracing/tracing.ts";
import { ocrEngineTag } from "./extraction/ocr/languages.ts";
import type { PoolOptions } from "./extraction/pool.ts";
import type { AiOptions, ExtractiveOptions, NotesOptions } from "./notes/index.ts";
import { urlPolicy } from "./ingest/url-policy.ts";
import type { ProducerOptions } from "./queues/producer.ts";
import type { TuningChoice } from "./queues/worker-options.ts";
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

/** `ai` when a model endpoint is configured (or FOLIO_NOTES=ai), else the offline generator. */
function notesMode(cfg: Config): "ai" | "extractive" {
  return cfg.FOLIO_NOTES ?? (cfg.OPENAI_API_KEY || cfg.OPENAI_BASE_URL ? "ai" : "extractive");
}

/** The optimized profile's default; the baseline keeps the seed's fixed numbers, so the load test's before/after compares like with like. */
function aiLimitMode(cfg: Config): "adaptive" | "off" {
  return cfg.FOLIO_AI_LIMIT ?? (cfg.FOLIO_PROFILE === "baseline" ? "off" : "adaptive");
}

export function notesOptions(cfg: Config): NotesOptions {
  // Notes of a scan depend on the OCR that read it: another engine, language or resolution is a cache miss.
  const reader = ocrEngineTag(cfg.ocrLanguages, cfg.FOLIO_OCR_DPI);
  const extractive: ExtractiveOptions = { summarySentences: cfg.FOLIO_NOTES_SENTENCES, keyPoints: cfg.FOLIO_NOTES_KEY_POINTS, reader };
  const ai: AiOptions = {
    apiKey: cfg.OPENAI_API_KEY,
    baseURL: cfg.OPENAI_BASE_URL,
    model: cfg.FOLIO_MODEL,
    // OpenAI itself speaks both; compatible servers (Ollama, vLLM, llama.cpp) speak chat completions.
    api: cfg.FOLIO_OPENAI_API ?? (cfg.OPENAI_BASE_URL ? "chat" : "responses"),
    chunkTokens: cfg.FOLIO_AI_CHUNK_TOKENS,
    maxChunks: cfg.FOLIO_AI_MAX_CHUNKS,
    parallel: cfg.FOLIO_AI_PARALLEL,
    reader,
  };
  return {
    mode: notesMode(cfg),
    prefix: cfg.FOLIO_REDIS_PREFIX,
    ai,
    extractive,
    breaker: {
      enabled: cfg.FOLIO_BREAKER === "on",
      failures: cfg.FOLIO_BREAKER_FAILURES,
      window: cfg.FOLIO_BREAKER_WINDOW,
      failureRate: cfg.FOLIO_BREAKER_FAILURE_RATE,
      halfOpenAfterMs: cfg.FOLIO_BREAKER_HALF_OPEN_MS,
      timeoutMs: cfg.FOLIO_AI_TIMEOUT_MS,
    },
    // A permit outlives the call it was taken for: the breaker cuts every call at its timeout.
    limiter:
      aiLimitMode(cfg) === "off"
        ? undefined
        : { min: cfg.FOLIO_AI_CONCURRENCY_MIN, max: cfg.FOLIO_AI_CONCURRENCY_MAX, leaseMs: cfg.FOLIO_AI_TIMEOUT_MS + 5000, maxPauseMs: cfg.FOLIO_AI_TIMEOUT_MS },
    tpm: cfg.FOLIO_AI_TPM,
    fallback: cfg.FOLIO_AI_FALLBACK === "extractive",
  };
}

export function cacheOptions(cfg: Config): CacheOptions {
  return {
    prefix: cfg.FOLIO_REDIS_PREFIX,
    enabled: cfg.FOLIO_CACHE !== "off",
    scope: cfg.FOLIO_CACHE_SCOPE,
    l1: { entries: cfg.FOLIO_L1_ENTRIES, slotBytes: cfg.FOLIO_L1_SLOT_KB * 1024 },
    l1TtlS: cfg.FOLIO_L1_TTL_S,
    l2TtlS: cfg.FOLIO_L2_TTL_S,
    singleFlightWaitS: cfg.FOLIO_SINGLE_FLIGHT_WAIT_S,
  };
}

export function runtimeOptions(cfg: Config): RuntimeOptions {
  return { redisUrl: cfg.REDIS_URL, logLevel: cfg.LOG_LEVEL };
}

/** OpenTelemetry's own variables: the traces endpoint, or the base endpoint + /v1/traces; headers as `k=v,k=v`. */
export function tracingOptions(cfg: Config): TracingOptions {
  const base = cfg.OTEL_EXPORTER_OTLP_ENDPOINT && `${cfg.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, "")}/v1/traces`;
  const headers = Object.fromEntries(
    (cfg.OTEL_EXPORTER_OTLP_HEADERS ?? "")
      .split(",")
      .filter((pair) => pair.includes("="))
      .map((pair) => pair.split("=").map((s) => s.trim()) as [string, string]),
  );
  return { url: cfg.OTEL_SDK_DISABLED ? undefined : (cfg.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? base), headers, serviceName: cfg.OTEL_SERVICE_NAME };
}

export function tuningChoice(cfg: Config): TuningChoice {
  return { profile: cfg.FOLIO_PROFILE, overrides: cfg.queueOverrides };
}

/** `multiUser`: API keys are on, so the pool shares its threads fairly between users. */
export function poolOptions(cfg: Config, multiUser: boolean): PoolOptions {
  return {
    perUser: multiUser,
    threads: cfg.FOLIO_EXTRACT_THREADS || Math.max(1, availableParallelism()),
    timeoutMs: cfg.FOLIO_EXTRACT_TIMEOUT_MS,
    maxRssMb: cfg.FOLIO_EXTRACT_MAX_RSS_MB,
    ocrPageTimeoutMs: cfg.FOLIO_OCR_PAGE_TIMEOUT_MS,
    ocr: { langs: cfg.ocrLanguages, dpi: cfg.FOLIO_OCR_DPI, maxPages: cfg.FOLIO_OCR_MAX_PAGES },
    maxPages: cfg.FOLIO_MAX_PAGES,
    minTextChars: cfg.FOLIO_MIN_TEXT_CHARS,
    maxTextChars: cfg.FOLIO_MAX_TEXT_CHARS,
    largePages: cfg.FOLIO_EXTRACT_LARGE_PAGES,
  };
}
