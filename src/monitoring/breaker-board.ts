import type { Redis } from "ioredis";
import type { BreakerState } from "../resilience/ai-breaker.ts";
import { keyspace } from "../redis/keyspace.ts";

/**
 * Breakers live in the worker threads; each thread posts its state here so the monitoring
 * of any process sees them all. Entries expire unless refreshed.
 */
const TTL_MS = 15_000;

export async function publishBreaker(redis: Redis, prefix: string, source: string, state: BreakerState): Promise<void> {
  await redis.hset(keyspace.breakers(prefix), source, JSON.stringify({ ...state, at: Date.now() }));
}

const RANK = { open: 2, "half-open": 1, closed: 0 } as const;

/** The worst state among the live breakers, with how many there are. */
export async function readBreakers(redis: Redis, prefix: string): Promise<(BreakerState & { breakers: number }) | { state: "unused"; breakers: 0 }> {
  const all = Object.values(await redis.hgetall(keyspace.breakers(prefix)))
    .map((v) => JSON.parse(v) as BreakerState & { at: number })
    .filter((b) => Date.now() - b.at < TTL_MS);
  if (all.length === 0) return { state: "unused", breakers: 0 };
  const worst = all.reduce((a, b) => (RANK[b.state] > RANK[a.state] ? b : a));
  const { at: _at, ...state } = worst;
  return { ...state, consecutiveFailures: Math.max(...all.map((b) => b.consecutiveFailures)), breakers: all.length };
}
