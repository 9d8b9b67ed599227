import type { Redis } from "ioredis";
import { keyspace } from "../redis/keyspace.ts";

/**
 * A deleted job's id, kept a day: a worker that holds the job (or picks up a stage of it
 * the deletion could not take off its queue) sees it and drops the job instead of writing
 * anything more for it.
 */
const key = keyspace.erased;
const TTL_S = 24 * 3600;

export async function markErased(redis: Redis, prefix: string, jobId: string): Promise<void> {
  await redis.set(key(prefix, jobId), "1", "EX", TTL_S);
}

export async function isErased(redis: Redis, prefix: string, jobId: string): Promise<boolean> {
  return (await redis.exists(key(prefix, jobId))) === 1;
}
