import type { Redis } from "ioredis";
import { NotYet } from "../errors/pipeline-error.ts";

/**
 * FOLIO_AI_TPM: the model tokens the whole fleet may spend per minute, as one token bucket
 * in Redis (a minute's worth when full, refilled continuously). A call takes its estimate
 * before it is sent (Folio knows each chunk's size) and waits while the bucket is short,
 * instead of being refused by the provider; after the answer the difference between the
 * estimate and the usage the provider reported is settled, so the bucket tracks what was
 * really spent (it may go below zero, and the next calls wait longer).
 */

// KEYS[1] the bucket's hash {tokens, at}. take(now, n, perMinute) → 0 when taken, else ms to wait.
// A call larger than the whole bucket is let through once the bucket is full, or it would wait forever.
const TAKE = `
local now = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local cap = tonumber(ARGV[3])
local tokens = tonumber(redis.call("HGET", KEYS[1], "tokens") or cap)
local at = tonumber(redis.call("HGET", KEYS[1], "at") or now)
tokens = math.min(cap, tokens + (now - at) * cap / 60000)
redis.call("HSET", KEYS[1], "tokens", tostring(tokens), "at", now)
if tokens >= n or tokens >= cap then
  redis.call("HSET", KEYS[1], "tokens", tostring(tokens - n))
  return 0
end
return math.ceil((math.min(n, cap) - tokens) * 60000 / cap)`;

/** The bucket holds back longer than a job should keep its worker: the job goes back to the queue, its attempts untouched. */
export class TokensExhausted extends NotYet {
  override name = "TokensExhausted";
  constructor(retryAt: number) {
    super(retryAt, `the fleet's tokens-per-minute budget (FOLIO_AI_TPM) is spent until ${new Date(retryAt).toISOString()}`);
  }
}

export class TokenBucket {
  constructor(
    private readonly redis: Redis,
    /** The hash every thread and process shares, e.g. `{folio}:ai-tpm`. */
    private readonly key: string,
    private readonly perMinute: number,
    /** Waits longer than this send the job back to the queue instead. */
    private readonly maxWaitMs: number,
  ) {}

  /** Takes `tokens` from the fleet's bucket, waiting for it to refill as long as needed. */
  async take(tokens: number): Promise<void> {
    for (;;) {
      const waitMs = Number(await this.redis.eval(TAKE, 1, this.key, Date.now(), tokens, this.perMinute));
      if (waitMs === 0) return;
      if (waitMs > this.maxWaitMs) throw new TokensExhausted(Date.now() + waitMs);
      // Spread the waiters a little: they would all come back in the same millisecond.
      await Bun.sleep(waitMs + Math.random() * 50);
    }
  }

  /** After the answer: what the provider counted minus what was taken (negative gives tokens back). */
  async settle(taken: number, used: number): Promise<void> {
    if (used !== taken) await this.redis.hincrbyfloat(this.key, "tokens", taken - used);
  }
}
