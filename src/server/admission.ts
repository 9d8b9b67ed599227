import type { Redis } from "ioredis";
import type { TokenBudget } from "../jobs/token-budget.ts";
import { HttpError } from "./http-error.ts";
import { countInMinute } from "./minute-window.ts";
import { keyspace } from "../redis/keyspace.ts";

export interface AdmissionOptions {
  uploadsPerMinute: number;
  /** Uploads with refresh=true: each one spends model calls that a cached upload would not. */
  refreshesPerMinute: number;
  maxInFlight: number;
}

/**
 * Admission control at upload, so one user cannot starve the others (BullMQ has no
 * per-group limits outside Pro): per-user rate limits (fixed one-minute windows in Redis,
 * shared by every server process; a cache hit counts like any upload), a cap on the user's
 * jobs not yet finished, and the user's daily model-token budget.
 */
export class Admission {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly inFlight: (userId: string) => Promise<number>,
    private readonly tokens: TokenBudget,
    private readonly opts: AdmissionOptions,
  ) {}

  /** Admits an upload or throws; returns how many of the user's jobs are unfinished now (the new one's rank is one more). */
  async admit(userId: string): Promise<number> {
    await this.perMinute(`ratelimit:${userId}`, this.opts.uploadsPerMinute, "rate_limited", "uploads");
    if (this.tokens.perDay > 0 && (await this.tokens.used(userId)) >= this.tokens.perDay) {
      const retry = this.tokens.resetsInS();
      throw new HttpError(429, "token_budget_exhausted", `you spent today's ${this.tokens.perDay} model tokens (FOLIO_USER_TOKENS_PER_DAY); the budget resets at midnight UTC, in ${retry} s`, {
        "retry-after": String(retry),
      });
    }
    const busy = await this.inFlight(userId);
    if (busy >= this.opts.maxInFlight) {
      throw new HttpError(429, "too_many_jobs_in_flight", `${busy} of your jobs are still running (the limit is ${this.opts.maxInFlight}); try again when some finish`, {
        "retry-after": "5",
      });
    }
    return busy;
  }

  /** An upload that asked for refresh=true, on top of admit(). */
  async admitRefresh(userId: string): Promise<void> {
    await this.perMinute(`refreshlimit:${userId}`, this.opts.refreshesPerMinute, "refresh_rate_limited", "refreshes");
  }

  private perMinute(name: string, limit: number, code: string, noun: string): Promise<void> {
    return countInMinute(this.redis, keyspace.admission(this.prefix, name), limit, code, (retry) => `more than ${limit} ${noun} a minute; try again in ${retry} s`);
  }
}
