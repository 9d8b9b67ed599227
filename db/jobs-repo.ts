import { and, asc, count, eq, lt, notInArray } from "drizzle-orm";
import { claimBlob, type NewBlob } from "./blobs.ts";
import type { Db } from "./client.ts";
import { FINAL_STATUSES } from "./job-status.ts";
import { files, jobs, notes, type JobRow, type NotesRow } from "./schema.ts";

export type NewFile = typeof files.$inferInsert;
export type NewJob = typeof jobs.$inferInsert;
export type NewNotes = typeof notes.$inferInsert;

export interface UnfinishedJob {
  jobId: string;
  userId: string;
  fileId: string;
  pipeline: string;
  callbackUrl: string | null;
  storageKey: string;
  sha256: string | null;
  sourceUrl: string | null;
}

/** Queries the HTTP side needs. Every read is scoped to its user: another user's id is "not found". */
export class JobsRepo {
  constructor(private readonly db: Db) {}

  /**
   * The rows of an accepted upload. With `blob` (the file's storage key is its content key),
   * the stored copy is claimed in the same transaction: true when this upload's object was
   * placed as the copy, false when one was stored already (the caller drops its own).
   */
  async createUpload(file: NewFile, job: NewJob, cachedNotes?: NewNotes, blob?: NewBlob): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const placed = blob ? await claimBlob(tx, blob) : false;
      await tx.insert(files).values(file);
      await tx.insert(jobs).values(job);
      if (cachedNotes) await tx.insert(notes).values(cachedNotes);
      return placed;
    });
  }

  async getJob(id: string, userId: string): Promise<JobRow | undefined> {
    const [row] = await this.db.select().from(jobs).where(and(eq(jobs.id, id), eq(jobs.userId, userId)));
    return row;
  }

  /** The user's jobs that are neither completed nor failed. */
  async countInFlight(userId: string): Promise<number> {
    const [row] = await this.db
      .select({ n: count() })
      .from(jobs)
      .where(and(eq(jobs.userId, userId), notInArray(jobs.status, [...FINAL_STATUSES])));
    return row?.n ?? 0;
  }

  async getNotes(id: string, userId: string): Promise<NotesRow | undefined> {
    const [row] = await this.db.select().from(notes).where(and(eq(notes.id, id), eq(notes.userId, userId)));
    return row;
  }

  /**
   * Saves a job's notes once: a second save for the same job keeps the first row. A job
   * deleted meanwhile (DELETE /jobs/:id while a worker held it) gets none: its row is locked
   * first, so the deletion either sees these notes and deletes them too, or comes before.
   */
  async saveNotes(row: NewNotes): Promise<string> {
    return this.db.transaction(async (tx) => {
      const [job] = await tx.select({ id: jobs.id }).from(jobs).where(eq(jobs.id, row.jobId)).for("update");
      if (!job) return row.id!;
      await tx.insert(notes).values(row).onConflictDoNothing({ target: notes.jobId });
      const [saved] = await tx.select({ id: notes.id }).from(notes).where(eq(notes.jobId, row.jobId));
      return saved!.id;
    });
  }

  /** A file uploaded by URL, once downloaded. */
  async fileFetched(f: { fileId: string; sha256: string; size: number }): Promise<void> {
    await this.db.update(files).set({ sha256: f.sha256, size: f.size }).where(eq(files.id, f.fileId));
  }

  /** Jobs not final whose last write is older than `olderThanMs`: what the reconciler checks against the queues. */
  async unfinished(olderThanMs: number, limit = 500): Promise<UnfinishedJob[]> {
    return this.db
      .select({
        jobId: jobs.id,
        userId: jobs.userId,
        fileId: jobs.fileId,
        pipeline: jobs.pipeline,
        callbackUrl: jobs.callbackUrl,
        storageKey: files.storageKey,
        sha256: files.sha256,
        sourceUrl: files.sourceUrl,
      })
      .from(jobs)
      .innerJoin(files, eq(files.id, jobs.fileId))
      .where(and(notInArray(jobs.status, [...FINAL_STATUSES]), lt(jobs.updatedAt, new Date(Date.now() - olderThanMs))))
      .orderBy(asc(jobs.updatedAt))
      .limit(limit);
  }
}
