import { and, asc, eq, gt, inArray, lte, or, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { expireBlob, expireOwnFile } from "./blobs.ts";
import type { Db } from "./client.ts";
import { FINAL_SQL, FINAL_STATUSES } from "./job-status.ts";
import { blobs, files, jobs } from "./schema.ts";

/** When a final job ended: its finish time, or its last write when it has none (a row failed outside the status writer). */
const ended = sql<Date>`coalesce(${jobs.finishedAt}, ${jobs.updatedAt})`.mapWith(jobs.finishedAt);
const endedMs = sql`date_trunc('milliseconds', ${ended})`;
/** Final jobs that ended by the cutoff. */
const endedBy = (cutoff: Date) => and(inArray(jobs.status, [...FINAL_STATUSES]), lte(ended, sql`${cutoff.toISOString()}::timestamptz`));
/** The same, spelled for the subqueries below, which name the jobs table `j`. */
const endedJ = sql.raw("coalesce(j.finished_at, j.updated_at)");
/** Every job of files row `f` is final and ended by the cutoff, and it has one. */
const jobsOfFileEnded = (cutoff: Date) => sql`
  EXISTS (SELECT 1 FROM jobs j WHERE j.file_id = f.id)
  AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.file_id = f.id AND (j.status NOT IN ${FINAL_SQL} OR ${endedJ} > ${cutoff.toISOString()}))`;

/** The files table as `f`, the name the conditions above and below give it. */
const f = alias(files, "f");

/** A file of its own (not a stored copy: an upload by URL's) whose jobs all ended by the cutoff, not swept yet. */
const expiredOwnFile = (cutoff: Date) => sql`
  f.expired_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM blobs b WHERE b.key = f.storage_key)
  AND ${jobsOfFileEnded(cutoff)}`;

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
    AND (j.status NOT IN ${FINAL_SQL} OR ${endedJ} > ${cutoff.toISOString()}))
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

  /** Files of their own (uploads by URL) no job needs since before `cutoff`. */
  async expiredOwnFiles(cutoff: Date, limit: number): Promise<{ id: string; key: string }[]> {
    return this.db.select({ id: f.id, key: f.storageKey }).from(f).where(expiredOwnFile(cutoff)).limit(limit);
  }

  /** Deletes a file of its own if it is still expired under its key's lock. */
  async expireOwnFile(file: { id: string; key: string }, cutoff: Date, drop: (key: string) => Promise<void>): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const still = async () => (await tx.select({ id: f.id }).from(f).where(and(eq(f.id, file.id), expiredOwnFile(cutoff)))).length > 0;
      return expireOwnFile(tx, file.id, file.key, still, drop);
    });
  }

  /** Jobs that ended after `after` and by `cutoff`, oldest first: whose text is due. */
  async finishedSince(after: FinishedCursor | undefined, cutoff: Date, limit: number): Promise<{ id: string; finishedAt: Date }[]> {
    // Compared at the cursor's precision (a Date's milliseconds), or a job would come back forever.
    const at = after && new Date(after.at).toISOString();
    const since = at ? or(gt(endedMs, sql`${at}::timestamptz`), and(eq(endedMs, sql`${at}::timestamptz`), gt(jobs.id, after!.id))) : undefined;
    return this.db
      .select({ id: jobs.id, finishedAt: ended })
      .from(jobs)
      .where(and(endedBy(cutoff), since))
      .orderBy(asc(endedMs), asc(jobs.id))
      .limit(limit);
  }

  /** Final jobs that ended by `cutoff`: whose rows are due. */
  async expiredJobs(cutoff: Date, limit: number): Promise<{ id: string; userId: string }[]> {
    return this.db
      .select({ id: jobs.id, userId: jobs.userId })
      .from(jobs)
      .where(endedBy(cutoff))
      .limit(limit);
  }
}
