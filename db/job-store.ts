import { whileUnreachable } from "./errors.ts";
import type { StatusChange } from "./job-status.ts";
import type { JobsRepo, NewNotes } from "./jobs-repo.ts";
import type { StatusWriter } from "./status-writer.ts";

/** What the pipeline stages write. Implemented on the database owner, and proxied to it from worker threads. */
export interface JobStore {
  /** Resolves once the change is durable (await it for final states). */
  update(change: StatusChange): Promise<void>;
  /** Resolves once the change is buffered: slows the caller only while the buffer is full. */
  progress(change: StatusChange): Promise<void>;
  /** Idempotent per job id; returns the notes id. */
  saveNotes(row: NewNotes): Promise<string>;
  /** Records the hash and size of a file uploaded by URL once it is stored. */
  fileFetched(f: { fileId: string; sha256: string; size: number }): Promise<void>;
}

/** How long a save waits out a database outage before the job's attempt fails (the lock is renewed meanwhile). */
const SAVE_OUTAGE_WAIT_MS = 90_000;

export function localJobStore(repo: JobsRepo, writer: StatusWriter): JobStore {
  return {
    update: (change) => writer.write(change),
    progress: async (change) => {
      const { durable } = await writer.submit(change);
      durable.catch(() => {});
    },
    saveNotes: (row) => whileUnreachable(() => repo.saveNotes(row), SAVE_OUTAGE_WAIT_MS),
    fileFetched: (f) => whileUnreachable(() => repo.fileFetched(f), SAVE_OUTAGE_WAIT_MS),
  };
}
