import { and, asc, eq, gt, inArray, isNotNull, lte, or, sql } from "drizzle-orm";
import { expireBlob } from "./blobs.ts";
import type { Db } from "./client.ts";
import { blobs, jobs } from "./schema.ts";

const FINAL = ["completed", "failed"];
const finishedMs = sql`date_trunc('milliseconds', ${jobs.finishedAt})`;

/** Where the text sweep has reached: jobs finished up to `at` (ties by id) are done. */
export interface FinishedCursor {
  at: string;
  id: string;
}

/**
 * A blob is expired when some job used it and every job that did is final and ended before
 * the cutoff; an upload that has claimed it but not written its job yet (a files row without
 * a job, made in the last hour) keeps it.
 */
const expiredBlob = (key: unknown, cutoff: Date) => sql`
  EXISTS (SELECT 1 FROM files f JOIN jobs j ON j.file_id = f.id WHERE f.storage_key = ${key})
  AND NOT EXISTS (SELECT 1 FROM files f JOIN jobs j ON j.file_id = f.id WHERE f.storage_key = ${key}
    AND (j.status NOT IN ('completed', 'failed') OR j.finished_at IS NULL OR j.finished_at > ${cutoff.toISOString()}))
  AND NOT EXISTS (SELECT 1 FROM files f WHERE f.storage_key = ${key} AND f.created_at > now() - interval '1 hour'
    AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.file_id = f.id))`;

/** The rows the retention sweep reads and deletes, in batches (each call answers the next ones once the last were dealt with). */
export class RetentionRepo {
  constructor(private readonly db: Db) {}

  /** Keys of stored copies no job needs since before `cutoff`. */
  async expiredBlobs(cutoff: Date, limit: number): Promise<string[]> {
    const rows = await this.db.select({ key: blobs.key }).from(blobs).where(expiredBlob(blobs.key, cutoff)).limit(limit);
    return rows.map((r) => r.key);
  }

  /** Deletes the stored copy at `key` if it is still expired under the blob's lock; false when something took it meanwhile. */
  async expireBlob(key: string, cutoff: Date, drop: (key: string) => Promise<void>): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const still = async () => (await tx.select({ key: blobs.key }).from(blobs).where(and(eq(blobs.key, key), expiredBlob(blobs.key, cutoff)))).length > 0;
      return expireBlob(tx, key, still, drop);
    });
  }

  /** Jobs that ended after `after` and by `cutoff`, oldest first: whose text is due. */
  async finishedSince(after: FinishedCursor | undefined, cutoff: Date, limit: number): Promise<{ id: string; finishedAt: Date }[]> {
    // Compared at the cursor's precision (a Date's milliseconds), or a job would come back forever.
    const at = after && new Date(after.at).toISOString();
    const since = at ? or(gt(finishedMs, sql`${at}::timestamptz`), and(eq(finishedMs, sql`${at}::timestamptz`), gt(jobs.id, after!.id))) : undefined;
    const rows = await this.db
      .select({ id: jobs.id, finishedAt: jobs.finishedAt })
      .from(jobs)
      .where(and(inArray(jobs.status, FINAL), isNotNull(jobs.finishedAt), lte(jobs.finishedAt, cutoff), since))
      .orderBy(asc(finishedMs), asc(jobs.id))
      .limit(limit);
    return rows.map((r) => ({ id: r.id, finishedAt: r.finishedAt! }));
  }

  /** Final jobs that ended by `cutoff`: whose rows are due. */
  async expiredJobs(cutoff: Date, limit: number): Promise<{ id: string; userId: string }[]> {
    return this.db
      .select({ id: jobs.id, userId: jobs.userId })
      .from(jobs)
      .where(and(inArray(jobs.status, FINAL), isNotNull(jobs.finishedAt), lte(jobs.finishedAt, cutoff)))
      .limit(limit);
  }
}
