import type { Redis } from "ioredis";
import { HttpError } from "./http-error.ts";

export interface AdmissionOptions {
  uploadsPerMinute: number;
  maxInFlight: number;
}

/**
 * Admission control at upload, so one user cannot starve the others (BullMQ has no
 * per-group limits outside Pro): a per-user rate limit (fixed one-minute windows in Redis,
 * shared by every server process) and a cap on the user's jobs not yet finished.
 */
export class Admission {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly inFlight: (userId: string) => Promise<number>,
    private readonly opts: AdmissionOptions,
  ) {}

  async admit(userId: string): Promise<void> {
    const now = Date.now();
    const minute = Math.floor(now / 60_000);
    const key = `${this.prefix}:ratelimit:${userId}:${minute}`;
    const [[, used]] = (await this.redis.multi().incr(key).expire(key, 120).exec()) as [[null, number]];
    if (used > this.opts.uploadsPerMinute) {
      const retry = Math.ceil(((minute + 1) * 60_000 - now) / 1000);
      throw new HttpError(429, "rate_limited", `more than ${this.opts.uploadsPerMinute} uploads a minute; try again in ${retry} s`, {
        "retry-after": String(retry),
      });
    }
    const busy = await this.inFlight(userId);
    if (busy >= this.opts.maxInFlight) {
      throw new HttpError(429, "too_many_jobs_in_flight", `${busy} of your jobs are still running (the limit is ${this.opts.maxInFlight}); try again when some finish`, {
        "retry-after": "5",
      });
    }
  }
}
