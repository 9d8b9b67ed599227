import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { ErasureRepo } from "../../db/erasure-repo.ts";
import { RetentionRepo } from "../../db/retention-repo.ts";
import type { Db } from "../../db/client.ts";
import type { Caches } from "../cache/index.ts";
import type { Config } from "../config.ts";
import { TextStore } from "../cache/text-store.ts";
import { keyspace } from "../redis/keyspace.ts";
import type { Storage } from "../storage/storage.ts";
import { Eraser } from "./eraser.ts";
import { ErasureQueue } from "./erasure-queue.ts";
import { startErasureWorker } from "./erasure-worker.ts";
import { RetentionSweeper } from "./retention-sweeper.ts";
import { startRetention } from "./retention-worker.ts";

export { Eraser } from "./eraser.ts";
export { ErasureQueue, type ErasureStatus } from "./erasure-queue.ts";

/**
 * Deletion on request, wired: the eraser, the queue of whole-user deletions, and (`work`:
 * a process beside the database) the worker that does them and the retention sweep.
 */
export function createErasure(cfg: Config, deps: { db: Db; redis: Redis; worker: Redis; storage: Storage; caches: Caches; work: boolean }) {
  const prefix = cfg.FOLIO_REDIS_PREFIX;
  const queues = new Map<string, Queue>();
  const queue = (name: string) => {
    let q = queues.get(name);
    if (!q) queues.set(name, (q = new Queue(name, { connection: deps.redis, prefix })));
    return q;
  };
  const eraser = new Eraser({
    repo: new ErasureRepo(deps.db),
    storage: deps.storage,
    redis: deps.redis,
    prefix,
    scope: cfg.FOLIO_CACHE_SCOPE,
    caches: deps.caches,
    texts: new TextStore(deps.redis, prefix, 0),
    queue,
    changed: (jobIds) => deps.redis.publish(keyspace.jobEvents(prefix), jobIds.join(",")),
  });
  const requests = new ErasureQueue(deps.redis, prefix);
  const worker = deps.work ? startErasureWorker(deps.worker, prefix, eraser) : undefined;
  const policy = { pdfS: cfg.retainS.pdf, textS: cfg.retainS.text, jobsS: cfg.retainS.jobs };
  const sweeper = new RetentionSweeper({ repo: new RetentionRepo(deps.db), eraser, storage: deps.storage, redis: deps.redis, prefix, policy });
  const retention = deps.work ? startRetention(deps.redis, deps.worker, prefix, cfg.FOLIO_RETENTION_INTERVAL_S, sweeper) : undefined;
  return {
    eraser,
    requests,
    close: () => Promise.all([worker?.close(), retention?.close(), requests.close(), ...[...queues.values()].map((q) => q.close())]).then(() => {}),
  };
}
