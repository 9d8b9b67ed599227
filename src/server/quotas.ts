import type { Redis } from "ioredis";
import type { UsageRepo } from "../../db/usage-repo.ts";
import { keyspace } from "../redis/keyspace.ts";
import { HttpError } from "./http-error.ts";

const DAY_MS = 86_400_000;
/** When today's (UTC) upload count starts again at 0. */
const nextMidnight = () => new Date((Math.floor(Date.now() / DAY_MS) + 1) * DAY_MS);

export interface QuotaLimits {
  /** Bytes of stored PDFs a user may keep (FOLIO_QUOTA_BYTES); 0: no limit. */
  storedBytes: number;
  /** Bytes a user may upload per UTC day, cache hits included (FOLIO_QUOTA_BYTES_PER_DAY); 0: no limit. */
  bytesPerDay: number;
}

export interface Usage {
  stored: { bytes: number; limit: number | null };
  uploadedToday: { bytes: number; limit: number | null; resetsAt: string };
}

/**
 * Per-user storage quotas: what a user keeps (the stored copies their files reference, in the
 * database) and what they upload per UTC day (a counter in Redis, shared by every server).
 */
export class Quotas {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly usageRepo: UsageRepo,
    private readonly limits: QuotaLimits,
  ) {}

  private dayKey(userId: string): string {
    return keyspace.uploadBytes(this.prefix, userId, Math.floor(Date.now() / DAY_MS));
  }

  /** Before an upload's body is read: a user already at a limit is refused at once. */
  async admit(userId: string): Promise<void> {
    if (this.limits.bytesPerDay > 0 && Number(await this.redis.get(this.dayKey(userId))) >= this.limits.bytesPerDay) throw this.dailyExceeded(0);
    if (this.limits.storedBytes > 0) {
      const stored = await this.usageRepo.storedBytes(userId);
      if (stored >= this.limits.storedBytes) throw this.storedExceeded(stored, 0);
    }
  }

  /**
   * A hashed upload of `size` bytes whose copy would be `storageKey`: refused when a new copy
   * would take the user past the stored-bytes quota, or its bytes past today's; otherwise counted.
   */
  async charge(userId: string, storageKey: string, size: number): Promise<void> {
    if (this.limits.storedBytes > 0 && !(await this.usageRepo.holds(userId, storageKey))) {
      const stored = await this.usageRepo.storedBytes(userId);
      if (stored + size > this.limits.storedBytes) throw this.storedExceeded(stored, size);
    }
    const key = this.dayKey(userId);
    const [[, today]] = (await this.redis.multi().incrby(key, size).expire(key, (2 * DAY_MS) / 1000).exec()) as [[null, number]];
    if (this.limits.bytesPerDay > 0 && today > this.limits.bytesPerDay) {
      await this.redis.decrby(key, size);
      throw this.dailyExceeded(size);
    }
  }

  async usage(userId: string): Promise<Usage> {
    const [stored, today] = await Promise.all([this.usageRepo.storedBytes(userId), this.redis.get(this.dayKey(userId))]);
    return {
      stored: { bytes: stored, limit: this.limits.storedBytes || null },
      uploadedToday: { bytes: Number(today), limit: this.limits.bytesPerDay || null, resetsAt: nextMidnight().toISOString() },
    };
  }

  private storedExceeded(stored: number, size: number): HttpError {
    const adding = size ? `; this PDF would add ${size}` : "";
    return new HttpError(
      413,
      "storage_quota_exceeded",
      `you store ${stored} bytes of PDFs of the ${this.limits.storedBytes} allowed (FOLIO_QUOTA_BYTES)${adding}. It does not reset with time: delete jobs you no longer need (DELETE /jobs/:id) to free space`,
    );
  }

  private dailyExceeded(size: number): HttpError {
    const resetsAt = nextMidnight();
    const retry = Math.ceil((resetsAt.getTime() - Date.now()) / 1000);
    const adding = size ? ` (this upload is ${size} bytes)` : "";
    return new HttpError(
      429,
      "daily_upload_quota_exceeded",
      `you uploaded today's ${this.limits.bytesPerDay} bytes (FOLIO_QUOTA_BYTES_PER_DAY, cache hits included)${adding}; it resets at midnight UTC, ${resetsAt.toISOString()}, in ${retry} s`,
      { "retry-after": String(retry) },
    );
  }
}
