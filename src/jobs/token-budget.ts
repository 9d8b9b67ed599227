import type { Redis } from "ioredis";
import { keyspace } from "../redis/keyspace.ts";

const DAY_MS = 86_400_000;

/**
 * Model tokens each user spent today (UTC), in Redis so every process adds to one count:
 * the notes stage spends, the upload route refuses a user past FOLIO_USER_TOKENS_PER_DAY.
 * Rate limits count uploads; this counts what they cost (a refreshed 500-page PDF is
 * dozens of model calls).
 */
export class TokenBudget {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** 0: no budget (spending is still counted). */
    readonly perDay: number,
  ) {}

  private key(userId: string): string {
    return keyspace.tokens(this.prefix, userId, Math.floor(Date.now() / DAY_MS));
  }

  async spend(userId: string, tokens: number): Promise<void> {
    if (tokens <= 0) return;
    const key = this.key(userId);
    await this.redis.multi().incrby(key, tokens).expire(key, (2 * DAY_MS) / 1000).exec();
  }

  async used(userId: string): Promise<number> {
    return Number(await this.redis.get(this.key(userId)));
  }

  /** Seconds until the count starts again at 0 (midnight UTC). */
  resetsInS(): number {
    return Math.ceil((DAY_MS - (Date.now() % DAY_MS)) / 1000);
  }
}
