import { and, eq } from "drizzle-orm";
import { releaseBlob } from "./blobs.ts";
import type { Db } from "./client.ts";
import { files, jobs, notes, webhookSecrets } from "./schema.ts";

/** What a deleted job left outside the database: its stored objects and the keys its notes were cached under. */
export interface ErasedJob {
  jobId: string;
  userId: string;
  storageKey: string | null;
  sha256: string | null;
  /** Whether a worker may still hold the job (it was neither completed nor failed). */
  inFlight: boolean;
  notes: { fingerprint: string | null; range: string | null } | null;
}

/** Deletes rows on a user's request. Every call is scoped to its user: another user's id is "not found". */
export class ErasureRepo {
  constructor(private readonly db: Db) {}

  async owns(jobId: string, userId: string): Promise<boolean> {
    return (await this.db.$count(jobs, and(eq(jobs.id, jobId), eq(jobs.userId, userId)))) > 0;
  }

  /**
   * The job, its notes and its file row, in one transaction; undefined when the user has no
   * such job. The stored copy of its PDF goes (`drop`) with its last reference; `storageKey`
   * is a file of the job's own, for the caller to delete. `keepNotes`: the retention sweep's
   * way, which leaves the notes.
   */
  async eraseJob(jobId: string, userId: string, drop: (key: string) => Promise<void>, keepNotes = false): Promise<ErasedJob | undefined> {
    return this.db.transaction(async (tx) => {
      const [job] = await tx.delete(jobs).where(and(eq(jobs.id, jobId), eq(jobs.userId, userId))).returning();
      if (!job) return undefined;
      const [note] = keepNotes ? [] : await tx.delete(notes).where(eq(notes.jobId, jobId)).returning({ fingerprint: notes.fingerprint, source: notes.source });
      const [file] = await tx.delete(files).where(and(eq(files.id, job.fileId), eq(files.userId, userId))).returning();
      return {
        jobId,
        userId,
        storageKey: file ? ((await releaseBlob(tx, file.storageKey, drop)) ?? null) : null,
        sha256: file?.sha256 ?? null,
        inFlight: job.status !== "completed" && job.status !== "failed",
        notes: note ? { fingerprint: note.fingerprint, range: note.source?.range ?? null } : null,
      };
    });
  }

  /** A notes row; its job stays, without notes. Answers the notes' PDF and fingerprint, for the cache. */
  async eraseNotes(notesId: string, userId: string): Promise<{ jobId: string; sha256: string; fingerprint: string | null; range: string | null } | undefined> {
    return this.db.transaction(async (tx) => {
      const [note] = await tx.delete(notes).where(and(eq(notes.id, notesId), eq(notes.userId, userId))).returning();
      if (!note) return undefined;
      await tx.update(jobs).set({ notesId: null }).where(eq(jobs.id, note.jobId));
      return { jobId: note.jobId, sha256: note.sha256, fingerprint: note.fingerprint, range: note.source?.range ?? null };
    });
  }

  /** Up to `limit` of the user's job ids (erasing them makes the next call return the next ones). */
  async jobIds(userId: string, limit: number): Promise<string[]> {
    const rows = await this.db.select({ id: jobs.id }).from(jobs).where(eq(jobs.userId, userId)).limit(limit);
    return rows.map((r) => r.id);
  }

  async countJobs(userId: string): Promise<number> {
    return this.db.$count(jobs, eq(jobs.userId, userId));
  }

  /** What no job links to any more (notes of jobs erased one by one, files of failed URL uploads) and the webhook secret. */
  async eraseRest(userId: string, drop: (key: string) => Promise<void>): Promise<{ storageKeys: string[] }> {
    return this.db.transaction(async (tx) => {
      await tx.delete(notes).where(eq(notes.userId, userId));
      const gone = await tx.delete(files).where(eq(files.userId, userId)).returning({ storageKey: files.storageKey });
      await tx.delete(webhookSecrets).where(eq(webhookSecrets.userId, userId));
      const own: string[] = [];
      for (const key of new Set(gone.map((f) => f.storageKey))) {
        const left = await releaseBlob(tx, key, drop);
        if (left) own.push(left);
      }
      return { storageKeys: own };
    });
  }
}
