import { Redis } from "ioredis";
import { LRUCache } from "lru-cache";
import { RedisL2 } from "../src/cache/redis-l2.ts";
import { SharedL1 } from "../src/cache/shared-l1.ts";
import type { BenchSuite } from "./lib/comparison.ts";

const key = (i: number) => new Bun.CryptoHasher("sha256").update(String(i)).digest("hex");
const KEYS = Array.from({ length: 100 }, (_, i) => key(i));
const MISSING = key(-1);
const VALUE = new TextEncoder().encode(JSON.stringify({ title: "x".repeat(200), summary: "y".repeat(1500) }));

let redis: Redis | undefined;

export const cache: BenchSuite = {
  name: "cache",
  async setup() {
    const l1 = new SharedL1({ entries: 100, slotBytes: 64 * 1024 });
    const lru = new LRUCache<string, Uint8Array>({ max: 100, ttl: 60_000 });
    const map = new Map<string, Uint8Array>();
    for (const k of KEYS) {
      l1.set(k, VALUE, 60_000);
      lru.set(k, VALUE);
      map.set(k, VALUE);
    }
    let i = 0;
    const next = () => KEYS[i++ % KEYS.length]!;
    redis = new Redis("redis://127.0.0.1:6379");
    const prefix = `{folio-bench-${process.pid}}`;
    const l2 = new RedisL2(redis, prefix, 60);
    await l2.set("notes", KEYS[0]!, VALUE);
    await redis.set(`${prefix}:bare`, Buffer.from(VALUE));
    return [
      { name: "L1 get hit vs lru-cache get", project: () => l1.get(next()), reference: () => lru.get(next()), against: "lru-cache", target: 0.5 },
      { name: "L1 get hit vs Map get", project: () => l1.get(next()), reference: () => map.get(next()), against: "Map" },
      { name: "L1 get miss vs lru-cache miss", project: () => l1.get(MISSING), reference: () => lru.get(MISSING), against: "lru-cache" },
      { name: "L1 set vs lru-cache set", project: () => l1.set(next(), VALUE, 60_000), reference: () => lru.set(next(), VALUE), against: "lru-cache" },
      {
        name: "L2 get vs bare Redis GET",
        project: () => l2.get("notes", KEYS[0]!),
        reference: () => redis!.getBuffer(`${prefix}:bare`),
        against: "ioredis GET",
      },
    ];
  },
  async teardown() {
    await redis?.quit();
  },
};
