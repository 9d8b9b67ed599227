import type { Redis } from "ioredis";
import type { BreakerState } from "../resilience/ai-breaker.ts";
import { Board } from "../redis/board.ts";
import { keyspace } from "../redis/keyspace.ts";

/**
 * Breakers live in the worker threads; each thread posts its state here every 2 s so the
 * monitoring of any process sees them all.
 */
export const breakerBoard = (redis: Redis, prefix: string) => new Board<BreakerState>(redis, keyspace.breakers(prefix), 2000);

const RANK = { open: 2, "half-open": 1, closed: 0 } as const;

/** The worst state among the live breakers, with how many there are. */
export async function readBreakers(redis: Redis, prefix: string): Promise<(BreakerState & { breakers: number }) | { state: "unused"; breakers: 0 }> {
  const all = await breakerBoard(redis, prefix).live();
  if (all.length === 0) return { state: "unused", breakers: 0 };
  const worst = all.reduce((a, b) => (RANK[b.state] > RANK[a.state] ? b : a));
  const { at: _at, ...state } = worst;
  return { ...state, consecutiveFailures: Math.max(...all.map((b) => b.consecutiveFailures)), breakers: all.length };
}
