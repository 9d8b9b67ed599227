import type { Redis } from "ioredis";
import type { FinishedCursor, RetentionRepo } from "../../db/retention-repo.ts";
import { countRetention, type RetentionKind } from "../monitoring/counters.ts";
import { keyspace } from "../redis/keyspace.ts";
import { deleteJobText } from "../storage/job-text.ts";
import type { Storage } from "../storage/storage.ts";
import type { Eraser } from "./eraser.ts";

export interface RetentionPolicy {
  /** Seconds each kind is kept after its job ends (FOLIO_RETAIN_PDF, _TEXT, _JOBS). */
  pdfS: number;
  textS: number;
  jobsS: number;
}

export interface RetentionDeps {
  repo: RetentionRepo;
  eraser: Eraser;
  storage: Storage;
  redis: Redis;
  prefix: string;
  policy: RetentionPolicy;
  batch?: number;
}

export type SweepCounts = Record<RetentionKind, number>;

/**
 * Deletes what has outlived its retention, in batches. Every step can be cut short and done
 * again: a stored copy goes with its blob row, a job with its row, and the text sweep's cursor
 * moves only past jobs whose text is deleted, so the next sweep finishes what a killed one left.
 */
export class RetentionSweeper {
  private readonly batch: number;

  constructor(private readonly deps: RetentionDeps) {
    this.batch = deps.batch ?? 100;
  }

  async sweep(now = Date.now()): Promise<SweepCounts> {
    const cutoff = (s: number) => new Date(now - s * 1000);
    const { policy } = this.deps;
    const pdf = await this.sweepPdfs(cutoff(policy.pdfS));
    const text = await this.sweepTexts(cutoff(policy.textS));
    const job = await this.sweepJobs(cutoff(policy.jobsS));
    return { pdf, text, job };
  }

  /** Stored copies and files of their own (uploads by URL), both counted as `pdf`. */
  private async sweepPdfs(cutoff: Date): Promise<number> {
    const { repo, storage } = this.deps;
    const drop = (key: string) => storage.delete(key);
    const copies = await this.inBatches("pdf", () => repo.expiredBlobs(cutoff, this.batch), (key) => repo.expireBlob(key, cutoff, drop));
    const own = await this.inBatches("pdf", () => repo.expiredOwnFiles(cutoff, this.batch), (file) => repo.expireOwnFile(file, cutoff, drop));
    return copies + own;
  }

  private async sweepTexts(cutoff: Date): Promise<number> {
    const { repo, storage, redis, prefix } = this.deps;
    const cursorKey = keyspace.retentionCursor(prefix, "text");
    let n = 0;
    for (;;) {
      const raw = await redis.get(cursorKey);
      const after = raw ? (JSON.parse(raw) as FinishedCursor) : undefined;
      const due = await repo.finishedSince(after, cutoff, this.batch);
      if (!due.length) return n;
      const found = await Promise.all(due.map(({ id }) => deleteJobText(storage, id)));
      const last = due.at(-1)!;
      await redis.set(cursorKey, JSON.stringify({ at: last.finishedAt.toISOString(), id: last.id } satisfies FinishedCursor));
      const batch = found.filter(Boolean).length;
      await this.count("text", batch);
      n += batch;
    }
  }

  private sweepJobs(cutoff: Date): Promise<number> {
    const { repo, eraser } = this.deps;
    return this.inBatches("job", () => repo.expiredJobs(cutoff, this.batch), ({ id, userId }) => eraser.expireJob(id, userId));
  }

  /**
   * Deletes `due()` item by item until it answers none, counting each batch as it ends; stops
   * when a whole batch was taken by something else meanwhile (it would come back forever).
   */
  private async inBatches<T>(kind: RetentionKind, due: () => Promise<T[]>, expire: (item: T) => Promise<boolean>): Promise<number> {
    let n = 0;
    for (let items = await due(); items.length; items = await due()) {
      let batch = 0;
      for (const item of items) if (await expire(item)) batch++;
      await this.count(kind, batch);
      n += batch;
      if (batch === 0) break;
    }
    return n;
  }

  private count(kind: RetentionKind, n: number): Promise<void> {
    return countRetention(this.deps.redis, this.deps.prefix, kind, n);
  }
}
