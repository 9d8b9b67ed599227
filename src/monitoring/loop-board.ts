import type { Redis } from "ioredis";
import { Board } from "../redis/board.ts";
import { keyspace } from "../redis/keyspace.ts";

/**
 * Event-loop delay per thread for the dashboard: every thread (the main one and each
 * consumer) measures how late a 100 ms timer fires and posts the worst and the average
 * delay of the last 2 s here, so the monitoring of any process shows every thread of every
 * process. A timer of its own, not the event-loop-delay histogram: Bun shares that one
 * histogram per thread, and the Prometheus scrape resets it.
 */
const TICK_MS = 100;
const POST_MS = 2000;

export interface LoopDelay {
  process: string;
  thread: string;
  maxMs: number;
  avgMs: number;
}

const loopBoard = (redis: Redis, prefix: string) => new Board<LoopDelay>(redis, keyspace.loopDelay(prefix), POST_MS);

/** Starts measuring this thread; returns the stop function. */
export function startLoopBoard(redis: Redis, prefix: string, process: string, thread: string): () => void {
  let expected = performance.now() + TICK_MS;
  let max = 0;
  let sum = 0;
  let ticks = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    const late = Math.max(0, now - expected);
    expected = now + TICK_MS;
    max = Math.max(max, late);
    sum += late;
    ticks++;
  }, TICK_MS);
  const stopPosting = loopBoard(redis, prefix).beat(`${process}:${thread}`, () => {
    const entry = { process, thread, maxMs: Math.round(max), avgMs: Math.round((sum / Math.max(1, ticks)) * 10) / 10 };
    max = sum = ticks = 0;
    return entry;
  });
  tick.unref?.();
  return () => {
    clearInterval(tick);
    stopPosting();
  };
}

/** The live threads' delays, worst first; entries of threads gone quiet are dropped. */
export async function readLoopBoard(redis: Redis, prefix: string): Promise<LoopDelay[]> {
  return (await loopBoard(redis, prefix).live())
    .map(({ process, thread, maxMs, avgMs }) => ({ process, thread, maxMs, avgMs }))
    .sort((a, b) => b.maxMs - a.maxMs || a.thread.localeCompare(b.thread));
}
