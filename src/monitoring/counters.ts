import type { Redis } from "ioredis";
import type { ModelCall } from "../notes/ai.ts";
import { bucketOf, BUCKET_MS, minuteOf } from "./latency.ts";
import { keyspace } from "../redis/keyspace.ts";

/**
 * Job outcomes counted in Redis (one truth for every process): totals per queue, and
 * per-minute completions for throughput.
 */
export type Outcome = "completed" | "failed";

/** Counted three ways: the total, per minute (the hour's chart) and per 10 s (the sliding window). */
export async function countOutcome(redis: Redis, prefix: string, queue: string, outcome: Outcome, at = Date.now()): Promise<void> {
  const minuteKey = keyspace.perMinute(prefix, queue, outcome, minuteOf(at));
  const bucketKey = keyspace.per10s(prefix, queue, outcome, bucketOf(at));
  await redis
    .multi()
    .hincrby(keyspace.counts(prefix), `${queue}:${outcome}`, 1)
    .incr(minuteKey)
    .expire(minuteKey, 7200)
    .incr(bucketKey)
    .expire(bucketKey, 7200)
    .exec();
}

/** Completions or failures in the `windowMs` ending now, at 10 s resolution. */
export async function readWindowCount(redis: Redis, prefix: string, queue: string, outcome: Outcome, windowMs: number, now = Date.now()): Promise<number> {
  const last = bucketOf(now);
  const keys = Array.from({ length: windowMs / BUCKET_MS }, (_, i) => keyspace.per10s(prefix, queue, outcome, last - i));
  return (await redis.mget(...keys)).reduce((n, v) => n + Number(v ?? 0), 0);
}

export interface ModelUsage {
  inputTokens: number;
  outputTokens: number;
  calls: Record<ModelCall["outcome"], number>;
}

/**
 * Every model call, whatever became of it (failed calls and schema retries too). Model names
 * may hold colons (Ollama's "llama3:8b"), so the model is the field's tail.
 */
export async function countModelCall(redis: Redis, prefix: string, call: ModelCall): Promise<void> {
  await redis
    .multi()
    .hincrby(keyspace.modelUsage(prefix), `calls:${call.outcome}:${call.model}`, 1)
    .hincrby(keyspace.modelUsage(prefix), `tokens:input:${call.model}`, call.inputTokens)
    .hincrby(keyspace.modelUsage(prefix), `tokens:output:${call.model}`, call.outputTokens)
    .exec();
}

/** Tokens and calls per model, for the whole fleet. */
export async function readModelUsage(redis: Redis, prefix: string): Promise<Record<string, ModelUsage>> {
  const out: Record<string, ModelUsage> = {};
  for (const [field, value] of Object.entries(await redis.hgetall(keyspace.modelUsage(prefix)))) {
    const [kind, sub, ...rest] = field.split(":");
    const model = rest.join(":");
    const usage = (out[model] ??= { inputTokens: 0, outputTokens: 0, calls: { ok: 0, invalid_output: 0, error: 0 } });
    if (kind === "calls") usage.calls[sub as ModelCall["outcome"]] = Number(value);
    else if (sub === "input") usage.inputTokens = Number(value);
    else usage.outputTokens = Number(value);
  }
  return out;
}

export async function readCounts(redis: Redis, prefix: string): Promise<Record<string, number>> {
  const raw = await redis.hgetall(keyspace.counts(prefix));
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]));
}

/** Completions or failures per minute over the last `minutes` whole minutes (oldest first). */
export async function readPerMinute(redis: Redis, prefix: string, queue: string, outcome: Outcome, minutes: number): Promise<number[]> {
  const now = minuteOf(Date.now());
  const keys = Array.from({ length: minutes }, (_, i) => keyspace.perMinute(prefix, queue, outcome, now - minutes + 1 + i));
  return (await redis.mget(...keys)).map((v) => Number(v ?? 0));
}

export const RETENTION_KINDS = ["pdf", "text", "job"] as const;
export type RetentionKind = (typeof RETENTION_KINDS)[number];

/** What one retention sweep batch deleted, for folio_retention_deleted_total (fleet-wide). */
export async function countRetention(redis: Redis, prefix: string, kind: RetentionKind, n: number): Promise<void> {
  if (n > 0) await redis.hincrby(keyspace.retentionDeleted(prefix), kind, n);
}

export async function readRetention(redis: Redis, prefix: string): Promise<Record<RetentionKind, number>> {
  const got = await redis.hgetall(keyspace.retentionDeleted(prefix));
  return Object.fromEntries(RETENTION_KINDS.map((k) => [k, Number(got[k] ?? 0)])) as Record<RetentionKind, number>;
}
