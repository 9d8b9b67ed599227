import type { Redis } from "ioredis";

export interface SingleFlightOptions {
  /** Lock lifetime; renewed while the work runs, so a crashed owner frees it this fast. */
  lockTtlMs: number;
  /** How long a follower waits for the owner's result before doing the work itself. */
  maxWaitMs: number;
  pollMs: number;
}

const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;
const RENEW = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;

/**
 * Does `work` once across every thread, process and machine for the same key: the first
 * caller takes a Redis lock and works; the others wait for `lookup` to find the result.
 * If the owner fails or dies, its lock goes and a follower takes over, so nobody waits forever.
 */
export async function singleFlight<T>(
  redis: Redis,
  lockKey: string,
  owner: string,
  opts: SingleFlightOptions,
  lookup: () => Promise<T | undefined>,
  work: () => Promise<T>,
): Promise<{ value: T; shared: boolean }> {
  const deadline = Date.now() + opts.maxWaitMs;
  for (;;) {
    const found = await lookup();
    if (found !== undefined) return { value: found, shared: true };
    const locked = await redis.set(lockKey, owner, "PX", opts.lockTtlMs, "NX");
    if (locked === "OK" || Date.now() > deadline) {
      const renew = setInterval(
        () => void redis.eval(RENEW, 1, lockKey, owner, String(opts.lockTtlMs)).catch(() => {}),
        Math.max(100, Math.floor(opts.lockTtlMs / 3)),
      );
      try {
        return { value: await work(), shared: false };
      } finally {
        clearInterval(renew);
        await redis.eval(RELEASE, 1, lockKey, owner).catch(() => {});
      }
    }
    await Bun.sleep(opts.pollMs);
  }
}
