import type { Redis } from "ioredis";
import type { Config } from "../config.ts";
import { AiBreaker } from "../resilience/ai-breaker.ts";
import { AiLimiter } from "../resilience/ai-limiter.ts";
import { TokenBucket } from "../resilience/token-bucket.ts";
import { aiFingerprint, aiGenerator, type AiOptions, type CallGuards, type ModelCall } from "./ai.ts";
import { extractiveFingerprint, extractiveGenerator, type ExtractiveOptions } from "./extractive.ts";
import type { GeneratorFingerprint } from "./fingerprint.ts";
import type { NotesGenerator } from "./generator.ts";
import { ocrEngineTag } from "../extraction/ocr/languages.ts";
import { keyspace } from "../redis/keyspace.ts";

export type { NotesGenerator } from "./generator.ts";
export type { GeneratorFingerprint } from "./fingerprint.ts";
export type { ModelCall } from "./ai.ts";

/** `ai` when a model endpoint is configured (or FOLIO_NOTES=ai), else the offline generator. */
export function notesMode(cfg: Config): "ai" | "extractive" {
  return cfg.FOLIO_NOTES ?? (cfg.OPENAI_API_KEY || cfg.OPENAI_BASE_URL ? "ai" : "extractive");
}

function extractiveOptions(cfg: Config): ExtractiveOptions {
  return { summarySentences: cfg.FOLIO_NOTES_SENTENCES, keyPoints: cfg.FOLIO_NOTES_KEY_POINTS, reader: readerOf(cfg) };
}

function aiOptions(cfg: Config): AiOptions {
  return {
    apiKey: cfg.OPENAI_API_KEY,
    baseURL: cfg.OPENAI_BASE_URL,
    model: cfg.FOLIO_MODEL,
    // OpenAI itself speaks both; compatible servers (Ollama, vLLM, llama.cpp) speak chat completions.
    api: cfg.FOLIO_OPENAI_API ?? (cfg.OPENAI_BASE_URL ? "chat" : "responses"),
    chunkTokens: cfg.FOLIO_AI_CHUNK_TOKENS,
    maxChunks: cfg.FOLIO_AI_MAX_CHUNKS,
    parallel: cfg.FOLIO_AI_PARALLEL,
    reader: readerOf(cfg),
  };
}

/** Notes of a scan depend on the OCR that read it: another engine, language or resolution is a cache miss. */
function readerOf(cfg: Config): string {
  return ocrEngineTag(cfg.ocrLanguages, cfg.FOLIO_OCR_DPI);
}

/** The fingerprint of the generator this config runs (what workers publish and the server looks up by). */
export function generatorFingerprint(cfg: Config): GeneratorFingerprint {
  return notesMode(cfg) === "extractive" ? extractiveFingerprint(extractiveOptions(cfg)) : aiFingerprint(aiOptions(cfg));
}

export function createExtractive(cfg: Config): NotesGenerator {
  return extractiveGenerator(extractiveOptions(cfg));
}

/** A thread's handle on the fleet's breaker (state in Redis), when its notes come from a model. */
export function createBreaker(cfg: Config, redis: Redis): AiBreaker | undefined {
  if (notesMode(cfg) === "extractive") return undefined;
  return new AiBreaker(
    {
      enabled: cfg.FOLIO_BREAKER === "on",
      failures: cfg.FOLIO_BREAKER_FAILURES,
      window: cfg.FOLIO_BREAKER_WINDOW,
      failureRate: cfg.FOLIO_BREAKER_FAILURE_RATE,
      halfOpenAfterMs: cfg.FOLIO_BREAKER_HALF_OPEN_MS,
      timeoutMs: cfg.FOLIO_AI_TIMEOUT_MS,
    },
    redis,
    keyspace.aiBreaker(cfg.FOLIO_REDIS_PREFIX),
  );
}

/** The optimized profile's default; the baseline keeps the seed's fixed numbers, so the load test's before/after compares like with like. */
export function aiLimitMode(cfg: Config): "adaptive" | "off" {
  return cfg.FOLIO_AI_LIMIT ?? (cfg.FOLIO_PROFILE === "baseline" ? "off" : "adaptive");
}

/** A thread's handle on the fleet's limit on model calls (state in Redis), when there is one. */
export function createLimiter(cfg: Config, redis: Redis): AiLimiter | undefined {
  if (notesMode(cfg) === "extractive" || aiLimitMode(cfg) === "off") return undefined;
  return new AiLimiter(
    // A permit outlives the call it was taken for: the breaker cuts every call at its timeout.
    { min: cfg.FOLIO_AI_CONCURRENCY_MIN, max: cfg.FOLIO_AI_CONCURRENCY_MAX, leaseMs: cfg.FOLIO_AI_TIMEOUT_MS + 5000, maxPauseMs: cfg.FOLIO_AI_TIMEOUT_MS },
    redis,
    cfg.FOLIO_REDIS_PREFIX,
  );
}

/** A thread's handles on the fleet's limit and tokens-per-minute bucket, as configured. */
export function createCallGuards(cfg: Config, redis: Redis): CallGuards {
  if (notesMode(cfg) === "extractive") return {};
  return {
    limiter: createLimiter(cfg, redis),
    tokens: cfg.FOLIO_AI_TPM > 0 ? new TokenBucket(redis, keyspace.aiTpm(cfg.FOLIO_REDIS_PREFIX), cfg.FOLIO_AI_TPM, cfg.FOLIO_AI_TIMEOUT_MS) : undefined,
  };
}

/** The model's generator when there is a breaker for it, else the offline one. `onCall` hears every model call (tokens and outcome). */
export function createGenerator(cfg: Config, breaker: AiBreaker | undefined, onCall?: (call: ModelCall) => void, guards?: CallGuards): NotesGenerator {
  return breaker ? aiGenerator({ ...aiOptions(cfg), onCall }, breaker, guards) : createExtractive(cfg);
}
