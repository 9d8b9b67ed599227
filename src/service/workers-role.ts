/**
 * The workers of a process: the extraction pool, a thread per queue consumer, the failure
 * watchers that give a row to jobs BullMQ fails on its own, and the webhook sender.
 */
import { QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import { ThreadHost } from "../../workers/thread-host.ts";
import { threadOptions } from "../../workers/thread-options.ts";
import { startWebhookSender } from "../../workers/webhook-sender.ts";
import type { Config } from "../config.ts";
import { reportTo } from "../dependencies/watched-storage.ts";
import { onNonConnectionError } from "../dependencies/outage-log.ts";
import { ExtractionPool } from "../extraction/pool.ts";
import type { JobLifecycle } from "../jobs/lifecycle.ts";
import { folioJobId, type QueueName } from "../jobs/pipelines.ts";
import { log } from "../log.ts";
import { poolBoard } from "../monitoring/extraction-board.ts";
import { publishGenerator } from "../notes/generator-board.ts";
import type { GeneratorFingerprint } from "../notes/fingerprint.ts";
import { checkStorageShared } from "../storage/shared-check.ts";
import type { ReadinessCheck } from "../server/routes/probes.ts";
import type { Core } from "./core.ts";
import { poolOptions, webhookOptions } from "../options.ts";
import { bounded } from "./shutdown.ts";

export interface WorkersRole {
  pool: ExtractionPool;
  host: ThreadHost;
  readiness: ReadinessCheck[];
  stop(): Promise<void>;
}

export async function startWorkers(core: Core, queues: readonly QueueName[], fingerprint: GeneratorFingerprint, serverToo: boolean): Promise<WorkersRole> {
  const { cfg, redis } = core;
  if (!serverToo && (await checkStorageShared(core.storage, redis(), cfg.FOLIO_REDIS_PREFIX)) === "no-probe-yet") {
    log.warn("no server has published a storage probe yet: cannot check that this worker shares the server's file storage");
  }
  const pool = new ExtractionPool(poolOptions(cfg, core.authRequired));
  await pool.start();
  const stopPoolBeat = poolBoard(redis(), cfg.FOLIO_REDIS_PREFIX).beat(core.processId, () => pool.stats());
  const host = new ThreadHost(threadOptions(cfg), core.store, queues, core.l1Buffer, pool, reportTo(core.storageOutage));
  await host.start();
  const unpublish = await publishGenerator(redis(), cfg.FOLIO_REDIS_PREFIX, core.processId, fingerprint);
  const watchers = watchFailures(cfg, redis("worker"), core.lifecycle, queues);
  // Webhooks read rows and secrets, so they are sent from the process that owns the database.
  const sender = startWebhookSender(webhookOptions(cfg), core.webhooksRepo, redis("worker"));
  return {
    pool,
    host,
    readiness: [{ name: "extraction", check: async () => pool.stats().threads > 0 || Promise.reject(new Error("no extraction thread")) }],
    async stop() {
      await host.stop(cfg.FOLIO_DRAIN_TIMEOUT_MS);
      await bounded("generator board", unpublish());
      // Consumers have drained; an extraction still running after that is cut, not waited on.
      stopPoolBeat();
      await pool.stop(0);
      await bounded("queue watchers", Promise.all(watchers.map((w) => w.close())));
      await bounded("webhook sender", sender.close());
    },
  };
}

/**
 * A job BullMQ fails without our processor seeing it (stalled too often after worker
 * crashes) still gets a final row: listen for every failure and hand it to the lifecycle,
 * which leaves rows already final as they are.
 */
function watchFailures(cfg: Config, connection: Redis, lifecycle: JobLifecycle, queues: readonly QueueName[]): QueueEvents[] {
  return queues.map((queue) => {
    const events = new QueueEvents(queue, { connection: connection.duplicate(), prefix: cfg.FOLIO_REDIS_PREFIX });
    onNonConnectionError(events, (err) => log.warn({ queue, err: err.message }, "queue events error"));
    events.on("failed", ({ jobId, failedReason }) => void lifecycle.failedByQueue(folioJobId(jobId), String(failedReason)).catch(() => {}));
    return events;
  });
}
