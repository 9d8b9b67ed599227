import type { Redis } from "ioredis";
import type { PoolStats } from "../extraction/pool.ts";
import { Board } from "../redis/board.ts";
import { keyspace } from "../redis/keyspace.ts";

/**
 * Each worker process posts its extraction pool's state here every 2 s, so the monitoring
 * of any process shows the fleet's.
 */
export const poolBoard = (redis: Redis, prefix: string) => new Board<PoolStats>(redis, keyspace.extractPools(prefix), 2000);

/** Every live pool added up. */
export async function readPools(redis: Redis, prefix: string): Promise<PoolStats & { pools: number }> {
  return (await poolBoard(redis, prefix).live()).reduce(
    (sum, p) => ({
      pools: sum.pools + 1,
      threads: sum.threads + p.threads,
      busy: sum.busy + p.busy,
      waiting: sum.waiting + p.waiting,
      terminations: {
        timeout: sum.terminations.timeout + p.terminations.timeout,
        // A process of an earlier version posts no memory count.
        memory: sum.terminations.memory + (p.terminations.memory ?? 0),
        crash: sum.terminations.crash + p.terminations.crash,
      },
      // Pools of a version before OCR post no counts.
      ocr: { pages: sum.ocr.pages + (p.ocr?.pages ?? 0), seconds: sum.ocr.seconds + (p.ocr?.seconds ?? 0) },
    }),
    { pools: 0, threads: 0, busy: 0, waiting: 0, terminations: { timeout: 0, memory: 0, crash: 0 }, ocr: { pages: 0, seconds: 0 } },
  );
}
