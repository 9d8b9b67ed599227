import type { Redis } from "ioredis";
import { HttpError } from "./http-error.ts";

/**
 * Counts one more event under `name` in the current clock minute (in Redis, so every server
 * process shares the count) and refuses past `limit` with a 429 saying when the minute ends.
 */
export async function countInMinute(redis: Redis, name: string, limit: number, code: string, message: (retryS: number) => string): Promise<void> {
  const now = Date.now();
  const minute = Math.floor(now / 60_000);
  const key = `${name}:${minute}`;
  const [[, used]] = (await redis.multi().incr(key).expire(key, 120).exec()) as [[null, number]];
  if (used > limit) {
    const retry = Math.ceil(((minute + 1) * 60_000 - now) / 1000);
    throw new HttpError(429, code, message(retry), { "retry-after": String(retry) });
  }
}
