import type { Redis } from "ioredis";
import { minuteOf } from "./latency.ts";

/**
 * Job outcomes counted in Redis (one truth for every process): totals per queue, and
 * per-minute completions for throughput.
 */
export type Outcome = "completed" | "failed";

const countsKey = (prefix: string) => `${prefix}:counts`;
const perMinuteKey = (prefix: string, queue: string, outcome: Outcome, minute: number) => `${prefix}:tp:${queue}:${outcome}:${minute}`;

export async function countOutcome(redis: Redis, prefix: string, queue: string, outcome: Outcome, tokens?: { inputTokens: number; outputTokens: number }): Promise<void> {
  const minuteKey = perMinuteKey(prefix, queue, outcome, minuteOf(Date.now()));
  const multi = redis.multi().hincrby(countsKey(prefix), `${queue}:${outcome}`, 1).incr(minuteKey).expire(minuteKey, 7200);
  if (tokens) {
    multi.hincrby(countsKey(prefix), "tokens:input", tokens.inputTokens).hincrby(countsKey(prefix), "tokens:output", tokens.outputTokens);
  }
  await multi.exec();
}

export async function readCounts(redis: Redis, prefix: string): Promise<Record<string, number>> {
  const raw = await redis.hgetall(countsKey(prefix));
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]));
}

/** Completions or failures per minute over the last `minutes` whole minutes (oldest first). */
export async function readPerMinute(redis: Redis, prefix: string, queue: string, outcome: Outcome, minutes: number): Promise<number[]> {
  const now = minuteOf(Date.now());
  const keys = Array.from({ length: minutes }, (_, i) => perMinuteKey(prefix, queue, outcome, now - minutes + 1 + i));
  return (await redis.mget(...keys)).map((v) => Number(v ?? 0));
}
