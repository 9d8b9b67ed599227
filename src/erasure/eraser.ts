import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { ErasedJob, ErasureRepo } from "../../db/erasure-repo.ts";
import type { Caches } from "../cache/index.ts";
import { bullJobIds } from "../jobs/pipelines.ts";
import { log } from "../log.ts";
import { deleteJobText } from "../storage/job-text.ts";
import { OCR_MODES } from "../extraction/ocr/ocr-pages.ts";
import type { TextStore } from "../cache/text-store.ts";
import { keyspace } from "../redis/keyspace.ts";
import type { Storage } from "../storage/storage.ts";
import { WEBHOOK_QUEUE } from "../webhooks/webhook-queue.ts";
import { markErased } from "./tombstones.ts";

export interface EraserDeps {
  repo: ErasureRepo;
  storage: Storage;
  redis: Redis;
  prefix: string;
  /** Only `user` entries are the user's own: a `global` entry answers everyone who uploads that PDF. */
  scope: "global" | "user";
  caches: Pick<Caches, "notes" | "notesKey" | "textKey">;
  texts: TextStore;
  /** The queue of each name a job's stages and webhook may wait on. */
  queue(name: string): Queue;
  /** Tells every server's open event streams that these jobs changed (they find them gone and end). */
  changed(jobIds: string[]): Promise<unknown>;
}

/** How long a deletion waits for workers to drop the user's running jobs (a stage runs minutes at most) before it is retried. */
const SETTLE_MS = 10 * 60_000;

/**
 * Keys that carry a user's id, as glob patterns: upload and refresh rate windows, the day's
 * model tokens and upload bytes, URL download slots.
 */
const perUserKeys = (prefix: string, userId: string, glob: (s: string) => string): string[] => {
  const u = glob(userId);
  const p = glob(prefix);
  return [keyspace.admission(p, `ratelimit:${u}:*`), keyspace.admission(p, `refreshlimit:${u}:*`), keyspace.tokens(p, u, "*"), keyspace.uploadBytes(p, u, "*"), keyspace.downloadSlots(p, u)];
};

/**
 * Deletes what a user asked to be deleted: a job with all it left behind (its notes, file,
 * text, cache entries under the user scope, queue records and webhook delivery), one notes
 * row, or everything of the user.
 */
export class Eraser {
  constructor(private readonly deps: EraserDeps) {}

  private readonly dropObject = (key: string) => this.deps.storage.delete(key);

  /** False when the user has no such job. */
  async eraseJob(jobId: string, userId: string): Promise<boolean> {
    return (await this.erase(jobId, userId)) !== undefined;
  }

  private async erase(jobId: string, userId: string): Promise<ErasedJob | undefined> {
    const { repo, redis, prefix } = this.deps;
    if (!(await repo.owns(jobId, userId))) return undefined;
    // Cancelled first: a worker that holds the job sees the mark and drops it; waiting stages leave their queues.
    await markErased(redis, prefix, jobId);
    await this.dequeue(jobId);
    const gone = await repo.eraseJob(jobId, userId, this.dropObject);
    if (!gone) return undefined;
    await this.eraseOutside(gone);
    await this.deps.changed([jobId]).catch(() => {});
    log.info({ jobId }, "job deleted on request");
    return gone;
  }

  /**
   * The retention sweep's deletion of a final job: its row, file reference (the stored copy
   * with its last one), text and queue records; its notes stay. False when it was gone already.
   */
  async expireJob(jobId: string, userId: string): Promise<boolean> {
    await this.dequeue(jobId);
    const gone = await this.deps.repo.eraseJob(jobId, userId, this.dropObject, true);
    if (!gone) return false;
    await this.dropFiles(gone);
    await this.deps.changed([jobId]).catch(() => {});
    return true;
  }

  /** False when the user has no such notes. The job stays, without notes. */
  async eraseNotes(notesId: string, userId: string): Promise<boolean> {
    const gone = await this.deps.repo.eraseNotes(notesId, userId);
    if (!gone) return false;
    await this.forgetCached({ userId, sha256: gone.sha256, notes: gone });
    await this.deps.changed([gone.jobId]).catch(() => {});
    log.info({ jobId: gone.jobId, notesId }, "notes deleted on request");
    return true;
  }

  /**
   * Everything of the user, in batches; `onProgress` hears how many jobs are gone of how
   * many there were. Done once the jobs that were running have left every queue (their
   * workers drop them at the next stage boundary): until then their records hold the user's id.
   */
  async eraseUser(userId: string, onProgress: (done: number, total: number) => Promise<unknown>): Promise<{ jobs: number }> {
    const total = await this.deps.repo.countJobs(userId);
    const running: string[] = [];
    let done = 0;
    for (let batch = await this.deps.repo.jobIds(userId, 50); batch.length; batch = await this.deps.repo.jobIds(userId, 50)) {
      for (const jobId of batch) {
        const gone = await this.erase(jobId, userId);
        if (gone?.inFlight) running.push(jobId);
        if (gone) done++;
      }
      await onProgress(done, Math.max(total, done));
    }
    const rest = await this.deps.repo.eraseRest(userId, this.dropObject);
    await Promise.all(rest.storageKeys.map((key) => this.deps.storage.delete(key)));
    await this.erasePerUserKeys(userId);
    await this.settle(running);
    return { jobs: done };
  }

  /** Waits (at most SETTLE_MS, then throws: the deletion is retried) until none of these jobs has a queue record left. */
  private async settle(jobIds: string[]): Promise<void> {
    const deadline = Date.now() + SETTLE_MS;
    for (let left = jobIds; left.length; ) {
      if (Date.now() > deadline) throw new Error(`${left.length} deleted jobs are still held by workers`);
      await Bun.sleep(250);
      const still = await Promise.all(left.map(async (id) => (await this.inQueues(id)) && id));
      left = still.filter((id): id is string => !!id);
      for (const id of left) await this.dequeue(id);
    }
  }

  private async inQueues(jobId: string): Promise<boolean> {
    const found = await Promise.all(bullJobIds(jobId).map(({ queue, id }) => this.deps.queue(queue).getJob(id)));
    return found.some(Boolean);
  }

  private async dequeue(jobId: string): Promise<void> {
    // The last stage first: a flow's parent takes its waiting children with it. A stage a worker holds is locked and stays (the mark handles it).
    const ids = [...bullJobIds(jobId).reverse(), { queue: WEBHOOK_QUEUE, id: jobId }];
    for (const { queue, id } of ids) await this.deps.queue(queue).remove(id).catch(() => 0);
  }

  private async eraseOutside(gone: ErasedJob): Promise<void> {
    await this.dropFiles(gone);
    if (gone.sha256) await this.forgetCached({ userId: gone.userId, sha256: gone.sha256, notes: gone.notes });
  }

  /** The job's own objects: its PDF when not a shared stored copy, and its text. */
  private async dropFiles(gone: ErasedJob): Promise<void> {
    const { storage } = this.deps;
    await Promise.all([gone.storageKey ? storage.delete(gone.storageKey) : undefined, deleteJobText(storage, gone.jobId)]);
  }

  /** The notes and staged text cached under the user scope for this PDF, read any way an upload may have asked. */
  private async forgetCached(pdf: { userId: string; sha256: string; notes: { fingerprint: string | null; range: string | null } | null }): Promise<void> {
    if (this.deps.scope !== "user") return;
    const { caches, texts } = this.deps;
    const readings = OCR_MODES.flatMap((ocr) => [undefined, pdf.notes?.range ?? undefined].map((pages) => ({ sha256: pdf.sha256, userId: pdf.userId, ocr, pages })));
    const fingerprint = pdf.notes?.fingerprint;
    await Promise.all(readings.flatMap((r) => [texts.delete(caches.textKey(r)), fingerprint ? caches.notes.forget(caches.notesKey(r, fingerprint)) : undefined]));
  }

  private async erasePerUserKeys(userId: string): Promise<void> {
    const { redis, prefix } = this.deps;
    const glob = (s: string) => s.replace(/[*?[\]\\]/g, "\\$&");
    for (const pattern of perUserKeys(prefix, userId, glob)) {
      for (let cursor = "0"; ; ) {
        const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
        if (keys.length) await redis.del(...keys);
        if ((cursor = next) === "0") break;
      }
    }
  }

}
