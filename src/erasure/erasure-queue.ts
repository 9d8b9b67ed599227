import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { sha256Hex } from "../crypto/sha256.ts";
import { onNonConnectionError } from "../dependencies/outage-log.ts";
import { log } from "../log.ts";

export const ERASURE_QUEUE = "erasure";

/**
 * A deletion of all a user's data. `userId` is dropped from the record once the work is done
 * (the record outlives the data, for its status URL): `owner`, a digest, is what remains.
 */
export interface ErasureJobData {
  userId?: string;
  owner: string;
}

export interface ErasureStatus {
  id: string;
  status: "queued" | "running" | "completed" | "failed";
  progress: number;
  /** How many jobs (with their notes, files and text) were deleted, once completed. */
  jobsDeleted: number | null;
}

export const ownerOf = (userId: string) => sha256Hex(`erasure-owner\n${userId}`);

/** `DELETE /me/data` asks here; a worker beside the database does it (workers/erasure.ts). */
export class ErasureQueue {
  private readonly queue: Queue<ErasureJobData>;

  constructor(connection: Redis, prefix: string) {
    this.queue = new Queue(ERASURE_QUEUE, { connection, prefix });
    onNonConnectionError(this.queue, (err) => log.warn({ queue: ERASURE_QUEUE, err: err.message }, "queue error"));
  }

  async request(userId: string): Promise<string> {
    const id = `e_${crypto.randomUUID().replaceAll("-", "")}`;
    await this.queue.add("erase", { userId, owner: ownerOf(userId) }, { jobId: id, attempts: 5, backoff: { type: "exponential", delay: 2000 }, removeOnComplete: { age: 7 * 24 * 3600 }, removeOnFail: { age: 7 * 24 * 3600 } });
    return id;
  }

  /** The deletion's state, for the user it deletes (undefined for anyone else). */
  async status(id: string, userId: string): Promise<ErasureStatus | undefined> {
    const job = await this.queue.getJob(id);
    if (!job || job.data.owner !== ownerOf(userId)) return undefined;
    const state = await job.getState();
    const status = state === "completed" ? "completed" : state === "failed" ? "failed" : state === "active" ? "running" : "queued";
    const result = job.returnvalue as { jobs?: number } | null;
    return { id, status, progress: status === "completed" ? 100 : Number(job.progress) || 0, jobsDeleted: result?.jobs ?? null };
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
