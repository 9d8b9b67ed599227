import type { JobStore } from "../../db/job-store.ts";

/** Where the lifecycle's writes go: the status writer (directly, or through a thread's port to it) and the webhook queue. */
export interface LifecycleWriters {
  store: Pick<JobStore, "update" | "progress">;
  /** Announces a final job's webhook; BullMQ's job id (the Folio job id) keeps a delivery single. */
  announce(jobId: string): Promise<void>;
}
