import { sql, type SQL } from "drizzle-orm";
import type { Database } from "./client.ts";
import { isDataError } from "./errors.ts";
import { FINAL_SQL, isFinal, TIMING_KEYS, TIMINGS, type StatusChange } from "./job-status.ts";

export interface StatusWriterOptions {
  flushMs: number;
  batchSize: number;
  /** Past this many pending rows, writers wait for room instead of growing the buffer. */
  maxPending: number;
  onFlushed?: (jobIds: string[]) => void;
  onError?: (err: unknown, pending: number) => void;
  /** A row the database refuses as data (not an outage): it is logged, never retried forever. */
  onRejected?: (change: StatusChange, err: unknown) => void;
}

interface Pending {
  change: StatusChange;
  waiters: (() => void)[];
}

export interface StatusWriterStats {
  pending: number;
  flushes: number;
  rowsWritten: number;
  staleSkipped: number;
  failures: number;
  rejected: number;
}

/** Newer wins field by field; a final state is never replaced by a non-final one. */
function merge(older: StatusChange, newer: StatusChange): StatusChange {
  if (isFinal(older.status) && !isFinal(newer.status)) return older;
  if (!isFinal(newer.status) && newer.seq < older.seq) return { ...newer, ...older };
  return { ...older, ...newer };
}

const int = (v: number | undefined): SQL => (v === undefined ? sql`NULL::int` : sql`${Math.round(v)}::int`);
const text = (v: string | undefined): SQL => (v === undefined ? sql`NULL::text` : sql`${v}::text`);
const bool = (v: boolean | undefined): SQL => (v === undefined ? sql`NULL::boolean` : sql`${v}::boolean`);

const TIMING_COLUMNS = TIMING_KEYS.map((key) => TIMINGS[key].column);

function valuesRow(c: StatusChange): SQL {
  const timings = sql.join(TIMING_KEYS.map((key) => int(c[key])), sql`, `);
  return sql`(${c.jobId}::text, ${c.status}::text, ${int(c.progress)}, ${int(c.seq)}, ${int(c.attempts)}, ${timings}, ${int(c.pages)}, ${int(c.ocrPages)}, ${int(c.ocrPagesDone)}, ${int(c.ocrConfidence)}, ${text(c.notesId)}, ${bool(c.cacheHit)}, ${text(c.error?.code)}, ${text(c.error?.message)})`;
}

/** One UPDATE … FROM (VALUES …) for the whole batch; final rows are never touched again. */
export function batchUpdateSql(changes: StatusChange[]): SQL {
  return sql`UPDATE jobs AS j SET
      status = v.status,
      progress = v.progress,
      seq = v.seq,
      attempts = COALESCE(v.attempts, j.attempts),
      ${sql.raw(TIMING_COLUMNS.map((c) => `${c} = COALESCE(v.${c}, j.${c}),`).join("\n      "))}
      pages = COALESCE(v.pages, j.pages),
      ocr_pages = COALESCE(v.ocr_pages, j.ocr_pages),
      ocr_pages_done = COALESCE(v.ocr_pages_done, j.ocr_pages_done),
      ocr_confidence = COALESCE(v.ocr_confidence, j.ocr_confidence),
      notes_id = COALESCE(v.notes_id, j.notes_id),
      cache_hit = COALESCE(v.cache_hit, j.cache_hit),
      error_code = v.error_code,
      error_message = v.error_message,
      updated_at = now(),
      finished_at = CASE WHEN v.status IN ${FINAL_SQL} THEN now() ELSE NULL END
    FROM (VALUES ${sql.join(changes.map(valuesRow), sql`, `)})
      AS v(id, status, progress, seq, attempts, ${sql.raw(TIMING_COLUMNS.join(", "))}, pages, ocr_pages, ocr_pages_done, ocr_confidence, notes_id, cache_hit, error_code, error_message)
    WHERE j.id = v.id
      AND j.status NOT IN ${FINAL_SQL}
      AND (v.status IN ${FINAL_SQL} OR v.seq >= j.seq)`;
}

/**
 * Write-behind batcher for job status rows: changes are coalesced per job and written as
 * one statement every flushMs or batchSize rows. A failed flush keeps its rows and retries
 * with backoff; nothing is dropped. `write` resolves once the change is durable, so callers
 * await it for final states and may ignore it otherwise.
 */
export class StatusWriter {
  private pending = new Map<string, Pending>();
  private roomWaiters: (() => void)[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private flushing: Promise<void> | undefined;
  private retryDelayMs = 0;
  private closed = false;
  private counters = { flushes: 0, rowsWritten: 0, staleSkipped: 0, failures: 0, rejected: 0 };

  constructor(
    private readonly database: Database,
    private readonly opts: StatusWriterOptions,
  ) {}

  /** Resolves when the change is written. Waits for room first when the buffer is full. */
  async write(change: StatusChange): Promise<void> {
    await (await this.submit(change)).durable;
  }

  /**
   * Resolves as soon as the change is buffered (at once, unless the buffer is full: that
   * is how a database outage slows producers instead of dropping rows); `durable` resolves
   * when it is written.
   */
  async submit(change: StatusChange): Promise<{ durable: Promise<void> }> {
    while (this.pending.size >= this.opts.maxPending && !this.pending.has(change.jobId)) {
      await new Promise<void>((r) => this.roomWaiters.push(r));
    }
    const durable = new Promise<void>((resolve) => {
      const current = this.pending.get(change.jobId);
      if (current) {
        current.change = merge(current.change, change);
        current.waiters.push(resolve);
      } else {
        this.pending.set(change.jobId, { change, waiters: [resolve] });
      }
    });
    this.schedule();
    return { durable };
  }

  stats(): StatusWriterStats {
    return { pending: this.pending.size, ...this.counters };
  }

  /** Writes everything pending, retrying until the database takes it. */
  async flush(): Promise<void> {
    while (this.pending.size > 0 || this.flushing) {
      if (this.flushing) {
        await this.flushing;
      } else {
        await this.flushOnce();
        if (this.retryDelayMs > 0) await Bun.sleep(this.retryDelayMs);
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.flush();
  }

  private schedule(): void {
    if (this.flushing || this.closed) return;
    if (this.pending.size >= this.opts.batchSize && this.retryDelayMs === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
      void this.flushOnce();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flushOnce();
      }, this.retryDelayMs || this.opts.flushMs);
    }
  }

  private flushOnce(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.pending.size === 0) return Promise.resolve();
    const batch: Pending[] = [];
    for (const [jobId, entry] of this.pending) {
      batch.push(entry);
      this.pending.delete(jobId);
      if (batch.length >= this.opts.batchSize) break;
    }
    this.flushing = this.writeBatch(batch).finally(() => {
      this.flushing = undefined;
      this.releaseRoom();
      if (this.pending.size > 0 && !this.closed) this.schedule();
    });
    return this.flushing;
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    try {
      const { changed } = await this.database.run(batchUpdateSql(batch.map((p) => p.change)));
      this.counters.flushes++;
      this.counters.rowsWritten += changed;
      this.counters.staleSkipped += batch.length - changed;
      this.retryDelayMs = 0;
      for (const entry of batch) for (const done of entry.waiters) done();
      this.opts.onFlushed?.(batch.map((p) => p.change.jobId));
    } catch (err) {
      if (isDataError(err) && batch.length > 1) {
        // One bad row must not hold back the others: write them one by one.
        for (const entry of batch) await this.writeBatch([entry]);
        return;
      }
      if (isDataError(err)) {
        this.counters.rejected++;
        this.opts.onRejected?.(batch[0]!.change, err);
        for (const done of batch[0]!.waiters) done();
        return;
      }
      this.counters.failures++;
      this.retryDelayMs = Math.min(Math.max(this.retryDelayMs * 2, 100), 5000);
      // Put the batch back under anything newer that arrived meanwhile.
      for (const entry of batch) {
        const newer = this.pending.get(entry.change.jobId);
        this.pending.set(
          entry.change.jobId,
          newer
            ? { change: merge(entry.change, newer.change), waiters: [...entry.waiters, ...newer.waiters] }
            : entry,
        );
      }
      this.opts.onError?.(err, this.pending.size);
    }
  }

  private releaseRoom(): void {
    while (this.roomWaiters.length > 0 && this.pending.size < this.opts.maxPending) this.roomWaiters.shift()!();
  }
}
