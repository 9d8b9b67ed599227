import type { Redis } from "ioredis";
import type { SharedL1 } from "./shared-l1.ts";
import { keyspace } from "../redis/keyspace.ts";

/**
 * Keeps every process's L1 honest when notes under a key are replaced (a refresh): the
 * writer publishes the key once L2 holds the new notes, and every process drops it from its
 * L1, so the next lookup reads L2. Without it another process would answer from its L1 with
 * the replaced notes until the entry expired (FOLIO_L1_TTL_S). Pub/sub reaches the processes
 * connected now, which is all that holds an L1; a process that was cut off from Redis when
 * the message went keeps its copy until the TTL (the same bound as before).
 */

export function publishDrop(redis: Redis, prefix: string, key: string): Promise<unknown> {
  return redis.publish(keyspace.l1Drop(prefix), key);
}

/** Drops from this process's L1 the keys any process replaced. Resolves to a stop function. */
export async function dropOnPublish(subscriber: Redis, prefix: string, l1: SharedL1): Promise<() => Promise<void>> {
  const name = keyspace.l1Drop(prefix);
  const onMessage = (from: string, key: string) => {
    if (from === name) l1.delete(key);
  };
  subscriber.on("message", onMessage);
  await subscriber.subscribe(name);
  return async () => {
    subscriber.off("message", onMessage);
    await subscriber.unsubscribe(name).catch(() => {});
  };
}
