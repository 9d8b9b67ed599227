import type { Redis } from "ioredis";
import { keyspace } from "../redis/keyspace.ts";

/**
 * A per-user limit on downloads running at once, across every worker process: a Redis
 * sorted set per user of the jobs holding a slot, scored by when their lease ends, so the
 * slot of a worker that died frees itself. (BullMQ's group limits are a Pro feature; a
 * job that finds no slot is re-delayed instead, spending no attempt.)
 */
const ACQUIRE = `
redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", ARGV[1])
if redis.call("ZSCORE", KEYS[1], ARGV[3]) or redis.call("ZCARD", KEYS[1]) < tonumber(ARGV[4]) then
  redis.call("ZADD", KEYS[1], ARGV[2], ARGV[3])
  redis.call("PEXPIRE", KEYS[1], ARGV[5])
  return 1
end
return 0`;

export class DownloadSlots {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly perUser: number,
    /** A slot is released after this long even if its holder never says so. */
    private readonly leaseMs: number,
  ) {}

  private key(userId: string) {
    return keyspace.downloadSlots(this.prefix, userId);
  }

  /** True when `jobId` holds (or already held) one of the user's slots. */
  async acquire(userId: string, jobId: string): Promise<boolean> {
    const now = Date.now();
    const got = await this.redis.eval(ACQUIRE, 1, this.key(userId), now, now + this.leaseMs, jobId, this.perUser, this.leaseMs * 2);
    return got === 1;
  }

  async release(userId: string, jobId: string): Promise<void> {
    await this.redis.zrem(this.key(userId), jobId);
  }
}
