import type { Redis } from "ioredis";
import type { Config } from "../../config.ts";
import { aiBreaker } from "../../resilience/ai-breaker.ts";
import { aiGenerator } from "./ai.ts";
import { extractiveGenerator } from "./extractive.ts";
import type { NotesGenerator } from "./generator.ts";

export type { NotesGenerator } from "./generator.ts";

/** `ai` when a model endpoint is configured (or FOLIO_NOTES=ai), else the offline generator. */
export function notesMode(cfg: Config): "ai" | "extractive" {
  return cfg.FOLIO_NOTES ?? (cfg.OPENAI_API_KEY || cfg.OPENAI_BASE_URL ? "ai" : "extractive");
}

export function createExtractive(cfg: Config): NotesGenerator {
  return extractiveGenerator({ summarySentences: cfg.FOLIO_NOTES_SENTENCES, keyPoints: cfg.FOLIO_NOTES_KEY_POINTS });
}

export function createGenerator(cfg: Config, redis: Redis): NotesGenerator {
  if (notesMode(cfg) === "extractive") return createExtractive(cfg);
  return aiGenerator(
    {
      apiKey: cfg.OPENAI_API_KEY,
      baseURL: cfg.OPENAI_BASE_URL,
      model: cfg.FOLIO_MODEL,
      // OpenAI itself speaks both; compatible servers (Ollama, vLLM, llama.cpp) speak chat completions.
      api: cfg.FOLIO_OPENAI_API ?? (cfg.OPENAI_BASE_URL ? "chat" : "responses"),
      chunkTokens: cfg.FOLIO_AI_CHUNK_TOKENS,
      maxChunks: cfg.FOLIO_AI_MAX_CHUNKS,
      parallel: cfg.FOLIO_AI_PARALLEL,
    },
    aiBreaker(
      {
        enabled: cfg.FOLIO_BREAKER === "on",
        failures: cfg.FOLIO_BREAKER_FAILURES,
        halfOpenAfterMs: cfg.FOLIO_BREAKER_HALF_OPEN_MS,
        timeoutMs: cfg.FOLIO_AI_TIMEOUT_MS,
      },
      redis,
      `${cfg.FOLIO_REDIS_PREFIX}:ai-breaker`,
    ),
  );
}
