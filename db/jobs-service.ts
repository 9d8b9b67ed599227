import { isFinal, statusSeq, type JobStatus } from "./job-status.ts";
import type { StatusWriter } from "./status-writer.ts";

export interface StatusUpdate {
  jobId: string;
  status: JobStatus;
  progress?: number;
}

/**
 * The seed's public API for status updates, on top of the write-behind batcher: the
 * updates are coalesced with everything else pending and written in one statement per
 * flush. Resolves when all of them are durable.
 */
export async function batchUpdateJobStatus(writer: StatusWriter, updates: StatusUpdate[]): Promise<void> {
  await Promise.all(
    updates.map((u) =>
      writer.write({
        jobId: u.jobId,
        status: u.status,
        progress: u.progress ?? (isFinal(u.status) ? 100 : 0),
        seq: statusSeq(0, 1, u.status),
      }),
    ),
  );
}
