import type { Redis } from "ioredis";
import { keyspace } from "../redis/keyspace.ts";

export interface L2Stats {
  hits: number;
  misses: number;
  sets: number;
}

/**
 * L2: Redis, shared by every process and machine. Hits, misses and sets are counted in
 * Redis too, so the hit rate is one figure for the whole deployment.
 */
export class RedisL2 {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
  ) {}

  private key(namespace: string, key: string): string {
    return keyspace.cache(this.prefix, namespace, key);
  }

  private statKey(name: keyof L2Stats): string {
    return keyspace.cacheStats(this.prefix, name);
  }

  async get(namespace: string, key: string): Promise<Uint8Array | undefined> {
    const value = await this.redis.getBuffer(this.key(namespace, key));
    void this.redis.incr(this.statKey(value ? "hits" : "misses")).catch(() => {});
    return value ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength) : undefined;
  }

  async set(namespace: string, key: string, value: Uint8Array): Promise<void> {
    await this.redis
      .multi()
      .set(this.key(namespace, key), Buffer.from(value.buffer, value.byteOffset, value.byteLength), "EX", this.ttlSeconds)
      .incr(this.statKey("sets"))
      .exec();
  }

  async stats(): Promise<L2Stats> {
    const [hits, misses, sets] = await this.redis.mget(this.statKey("hits"), this.statKey("misses"), this.statKey("sets"));
    return { hits: Number(hits ?? 0), misses: Number(misses ?? 0), sets: Number(sets ?? 0) };
  }
}
