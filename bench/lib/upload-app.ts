import { mkdtempSync, rmSync } from "node:fs";
import { Quotas } from "../../src/server/quotas.ts";
import { UsageRepo } from "../../db/usage-repo.ts";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { openDatabase } from "../../db/client.ts";
import { localJobStore } from "../../db/job-store.ts";
import { JobsRepo } from "../../db/jobs-repo.ts";
import { StatusWriter } from "../../db/status-writer.ts";
import { JobLifecycle } from "../../src/jobs/lifecycle.ts";
import { WebhooksRepo } from "../../db/webhooks-repo.ts";
import { noCache } from "../../src/cache/notes-cache.ts";
import { loadConfig } from "../../src/config.ts";
import { producerOptions, webhookOptions } from "../../src/options.ts";
import { QueueMonitor } from "../../src/monitoring/queue-monitor.ts";
import { Producer } from "../../src/queues/producer.ts";
import { Admission } from "../../src/server/admission.ts";
import { createApp, type AppDeps } from "../../src/server/app.ts";
import { ConnectionSlots } from "../../src/server/connection-slots.ts";
import type { JobEvents } from "../../src/server/job-events.ts";
import { localStorage } from "../../src/storage/local.ts";
import { webhookQueue } from "../../src/webhooks/webhook-queue.ts";
import { TokenBudget } from "../../src/jobs/token-budget.ts";
import { LOOPBACK_PEER } from "../../test/support/loopback-peer.ts";

export interface UploadApp {
  /** POST /uploads of `pdf` as a raw body, in-process; throws unless 202. */
  upload(pdf: Uint8Array<ArrayBuffer>): Promise<void>;
  redis: Redis;
  prefix: string;
  close(): Promise<void>;
}

/** The real Hono app over PGlite in memory, local storage and Redis, for the upload path's benchmarks. */
export async function uploadApp(name: string, env: Record<string, string> = {}): Promise<UploadApp> {
  const prefix = `{folio-bench-${name}-${process.pid}}`;
  const cfg = loadConfig({ FOLIO_REDIS_PREFIX: prefix, FOLIO_CACHE: "off", ...env });
  const dir = mkdtempSync(join(tmpdir(), "folio-bench-"));
  const db = await openDatabase({ pgliteDir: "memory://" });
  const redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  const producer = new Producer(producerOptions(cfg), redis);
  const repo = new JobsRepo(db.db);
  const writer = new StatusWriter(db, { flushMs: cfg.FOLIO_STATUS_FLUSH_MS, batchSize: cfg.FOLIO_STATUS_BATCH, maxPending: cfg.FOLIO_STATUS_MAX_PENDING });
  const webhooks = webhookQueue(webhookOptions(cfg), redis);
  const app = createApp({
    cfg,
    lifecycle: new JobLifecycle({ store: localJobStore(repo, writer), announce: (jobId) => webhooks.announce(jobId) }, repo),
    repo,
    webhooksRepo: new WebhooksRepo(db.db),
    storage: localStorage(dir),
    cache: { lookup: async () => undefined },
    producer,
    events: {} as JobEvents,
    readiness: [],
    monitor: new QueueMonitor(redis, prefix, noCache, { windowMinutes: 5, thresholds: { failureRate: 0.1, minThroughputPerMin: 5, maxWaiting: 100, maxAvgProcessingMs: 30000 } }),
    slots: new ConnectionSlots({ perUser: 1e9, perProcess: 1e9, noun: "uploads", userCode: "too_many_uploads_in_progress" }),
    streams: new ConnectionSlots({ perUser: 1e9, perProcess: 1e9, noun: "streams", userCode: "too_many_streams" }),
    // No route of /admin/keys or /admin/limits is called here.
    keys: {} as AppDeps["keys"],
    erasure: {} as AppDeps["erasure"],
    quotas: new Quotas(redis, prefix, new UsageRepo(db.db), { storedBytes: 0, bytesPerDay: 0 }),
    limits: {} as AppDeps["limits"],
    identity: { envKeys: [], keys: { required: () => false, lookup: async () => undefined, recordFailure: async () => {} }, trustedProxies: [] },
    admission: new Admission(redis, prefix, async () => 0, new TokenBudget(redis, prefix, 0), { uploadsPerMinute: 1e9, refreshesPerMinute: 1e9, maxInFlight: 1e9 }),
    metrics: async () => ({ contentType: "text/plain", body: "" }),
  });
  return {
    redis,
    prefix,
    async upload(pdf) {
      const res = await app.request("/uploads?filename=s.pdf", { method: "POST", body: pdf, headers: { "content-type": "application/pdf", host: "localhost" } }, LOOPBACK_PEER);
      if (res.status !== 202) throw new Error(`upload answered ${res.status}`);
    },
    async close() {
      const queue = new Queue("pdf-notes-optimized", { connection: redis, prefix });
      await queue.obliterate({ force: true }).catch(() => {});
      await queue.close();
      await producer.close();
      await webhooks.close();
      await writer.close();
      await redis.quit();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
