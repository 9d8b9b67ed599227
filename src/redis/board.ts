import type { Redis } from "ioredis";

/**
 * A board: a Redis hash in which each process or thread keeps one entry, posted again every
 * beat, and which any process reads to see the fleet (the dashboard's breakers, extraction
 * pools and event loops, the workers' notes generators). An entry not posted for
 * STALE_BEATS beats belongs to a writer that is gone: reads leave it out and delete it.
 */
const STALE_BEATS = 5;

export type Posted<T> = T & { at: number };

export class Board<T extends object> {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    /** How often writers post. */
    readonly beatMs: number,
  ) {}

  async post(field: string, entry: T): Promise<void> {
    await this.redis.hset(this.key, field, JSON.stringify({ ...entry, at: Date.now() }));
  }

  /** Posts `entry()` every beat (nothing when it gives undefined) until the returned stop is called. */
  beat(field: string, entry: () => T | undefined): () => void {
    const timer = setInterval(() => {
      const e = entry();
      if (e) void this.post(field, e).catch(() => {});
    }, this.beatMs);
    timer.unref?.();
    return () => clearInterval(timer);
  }

  async remove(field: string): Promise<void> {
    await this.redis.hdel(this.key, field);
  }

  /** The live entries, most recently posted first. */
  async live(now = Date.now()): Promise<Posted<T>[]> {
    const all = Object.entries(await this.redis.hgetall(this.key)).map(([field, v]) => [field, JSON.parse(v) as Posted<T>] as const);
    const fresh = (e: Posted<T>) => now - e.at <= STALE_BEATS * this.beatMs;
    const stale = all.filter(([, e]) => !fresh(e)).map(([field]) => field);
    if (stale.length) await this.redis.hdel(this.key, ...stale).catch(() => 0);
    return all
      .map(([, e]) => e)
      .filter(fresh)
      .sort((a, b) => b.at - a.at);
  }
}
