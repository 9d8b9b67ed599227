import type { Redis } from "ioredis";
import { AiBreaker, type BreakerOptions } from "../resilience/ai-breaker.ts";
import { AiLimiter, type LimiterOptions } from "../resilience/ai-limiter.ts";
import { TokenBucket } from "../resilience/token-bucket.ts";
import { aiFingerprint, aiGenerator, type AiOptions, type CallGuards, type ModelCall } from "./ai.ts";
import { extractiveFingerprint, extractiveGenerator, type ExtractiveOptions } from "./extractive.ts";
import type { GeneratorFingerprint } from "./fingerprint.ts";
import type { NotesGenerator } from "./generator.ts";
import { keyspace } from "../redis/keyspace.ts";

export type { NotesGenerator } from "./generator.ts";
export type { GeneratorFingerprint } from "./fingerprint.ts";
export type { ModelCall, AiOptions } from "./ai.ts";
export type { ExtractiveOptions } from "./extractive.ts";

/**
 * How a thread makes notes, built once from the config (src/options.ts): by a model (`ai`,
 * with its breaker, the fleet's limit and token bucket) or offline (`extractive`).
 */
export interface NotesOptions {
  mode: "ai" | "extractive";
  prefix: string;
  ai: AiOptions;
  extractive: ExtractiveOptions;
  breaker: BreakerOptions;
  /** The fleet's adaptive limit on model calls; absent: off (fixed per-process concurrency). */
  limiter?: LimiterOptions;
  /** The fleet's tokens per minute (0: no bucket). */
  tpm: number;
  /** Offline notes for a job whose model calls failed (FOLIO_AI_FALLBACK=extractive). */
  fallback: boolean;
}

/** The fingerprint of the generator these options run (what workers publish and the server looks up by). */
export function generatorFingerprint(o: NotesOptions): GeneratorFingerprint {
  return o.mode === "extractive" ? extractiveFingerprint(o.extractive) : aiFingerprint(o.ai);
}

export function createExtractive(o: NotesOptions): NotesGenerator {
  return extractiveGenerator(o.extractive);
}

/** A thread's handle on the fleet's breaker (state in Redis), when its notes come from a model. */
export function createBreaker(o: NotesOptions, redis: Redis): AiBreaker | undefined {
  if (o.mode === "extractive") return undefined;
  return new AiBreaker(o.breaker, redis, keyspace.aiBreaker(o.prefix));
}

/** A thread's handle on the fleet's limit on model calls (state in Redis), when there is one. */
export function createLimiter(o: NotesOptions, redis: Redis): AiLimiter | undefined {
  if (o.mode === "extractive" || !o.limiter) return undefined;
  return new AiLimiter(o.limiter, redis, o.prefix);
}

/** A thread's handles on the fleet's limit and tokens-per-minute bucket, as configured. */
export function createCallGuards(o: NotesOptions, redis: Redis): CallGuards {
  if (o.mode === "extractive") return {};
  return {
    limiter: createLimiter(o, redis),
    tokens: o.tpm > 0 ? new TokenBucket(redis, keyspace.aiTpm(o.prefix), o.tpm, o.breaker.timeoutMs) : undefined,
  };
}

/** The model's generator when there is a breaker for it, else the offline one. `onCall` hears every model call (tokens and outcome). */
export function createGenerator(o: NotesOptions, breaker: AiBreaker | undefined, onCall?: (call: ModelCall) => void, guards?: CallGuards): NotesGenerator {
  return breaker ? aiGenerator({ ...o.ai, onCall }, breaker, guards) : createExtractive(o);
}
