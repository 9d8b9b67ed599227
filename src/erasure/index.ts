import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { ErasureRepo } from "../../db/erasure-repo.ts";
import { RetentionRepo } from "../../db/retention-repo.ts";
import type { Db } from "../../db/client.ts";
import type { Caches } from "../cache/index.ts";
import { TextStore } from "../cache/text-store.ts";
import { keyspace } from "../redis/keyspace.ts";
import type { Storage } from "../storage/storage.ts";
import { Eraser } from "./eraser.ts";
import { ErasureQueue } from "./erasure-queue.ts";
import { startErasureWorker } from "./erasure-worker.ts";
import { RetentionSweeper, type RetentionPolicy } from "./retention-sweeper.ts";
import { startRetention } from "./retention-worker.ts";

export { Eraser } from "./eraser.ts";
export { ErasureQueue, type ErasureStatus } from "./erasure-queue.ts";

/**
 * Deletion on request, wired: the eraser, the queue of whole-user deletions, and (`work`:
 * a process beside the database) the worker that does them and the retention sweep.
 */
export interface ErasureOptions {
  prefix: string;
  /** The cache's scope: under `user`, a user's deletion takes their cache entries too. */
  scope: "global" | "user";
  /** Seconds each kind of data is kept after its job ends (retention). */
  retain: RetentionPolicy;
  /** Seconds between retention sweeps. */
  intervalS: number;
}

export function createErasure(opts: ErasureOptions, deps: { db: Db; redis: Redis; worker: Redis; storage: Storage; caches: Caches; work: boolean }) {
  const prefix = opts.prefix;
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
    scope: opts.scope,
    caches: deps.caches,
    texts: new TextStore(deps.redis, prefix, 0),
    queue,
    changed: (jobIds) => deps.redis.publish(keyspace.jobEvents(prefix), jobIds.join(",")),
  });
  const requests = new ErasureQueue(deps.redis, prefix);
  const worker = deps.work ? startErasureWorker(deps.worker, prefix, eraser) : undefined;
  const sweeper = new RetentionSweeper({ repo: new RetentionRepo(deps.db), eraser, storage: deps.storage, redis: deps.redis, prefix, policy: opts.retain });
  const retention = deps.work ? startRetention(deps.redis, deps.worker, prefix, opts.intervalS, sweeper) : undefined;
  return {
    eraser,
    requests,
    close: () => Promise.all([worker?.close(), retention?.close(), requests.close(), ...[...queues.values()].map((q) => q.close())]).then(() => {}),
  };
}
