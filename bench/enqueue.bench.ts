import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { openDatabase, type Database } from "../db/client.ts";
import { WebhooksRepo } from "../db/webhooks-repo.ts";
import { webhookQueue } from "../src/webhooks/webhook-queue.ts";
import { JobsRepo } from "../db/jobs-repo.ts";
import { noCache } from "../src/cache/notes-cache.ts";
import { loadConfig } from "../src/config.ts";
import { Producer } from "../src/queues/producer.ts";
import { createApp, type AppDeps } from "../src/server/app.ts";
import { ConnectionSlots } from "../src/server/connection-slots.ts";
import type { JobEvents } from "../src/server/job-events.ts";
import { QueueMonitor } from "../src/monitoring/queue-monitor.ts";
import { Admission } from "../src/server/admission.ts";
import { localStorage } from "../src/storage/local.ts";
import { corpusPath } from "../test/support/corpus.ts";
import type { BenchSuite } from "./lib/comparison.ts";

let db: Database | undefined;
let redis: Redis | undefined;
let dir = "";
let queues: Queue[] = [];
let producer: Producer | undefined;

/** POST /uploads (hash, store, two rows, enqueue) in-process, against a bare queue.add. */
export const enqueue: BenchSuite = {
  name: "enqueue",
  async setup() {
    const prefix = `{folio-bench-enqueue-${process.pid}}`;
    const cfg = loadConfig({ FOLIO_REDIS_PREFIX: prefix, FOLIO_CACHE: "off" });
    dir = mkdtempSync(join(tmpdir(), "folio-bench-"));
    db = await openDatabase({ pgliteDir: "memory://" });
    redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
    producer = new Producer(cfg, redis);
    const app = createApp({
      cfg,
      repo: new JobsRepo(db.db),
      webhooksRepo: new WebhooksRepo(db.db),
      webhooks: webhookQueue(cfg, redis),
      storage: localStorage(dir),
      cache: { lookup: async () => undefined },
      producer,
      events: {} as JobEvents,
      readiness: [],
      monitor: new QueueMonitor(redis, prefix, noCache, { windowMinutes: 5, thresholds: { failureRate: 0.1, minThroughputPerMin: 5, maxWaiting: 100, maxAvgProcessingMs: 30000 } }),
      slots: new ConnectionSlots({ perUser: 1e9, perProcess: 1e9, noun: "uploads", userCode: "too_many_uploads_in_progress" }),
      streams: new ConnectionSlots({ perUser: 1e9, perProcess: 1e9, noun: "streams", userCode: "too_many_streams" }),
      // No route of /admin/keys is called here.
      keys: {} as AppDeps["keys"],
      identity: { envKeys: [], keys: { required: () => false, lookup: async () => undefined, checkAddress: async () => {}, recordFailure: async () => {} } },
      admission: new Admission(redis, prefix, async () => 0, { uploadsPerMinute: 1e9, maxInFlight: 1e9 }),
      metrics: async () => ({ contentType: "text/plain", body: "" }),
    });
    const pdf = new Uint8Array(await Bun.file(corpusPath("slides-impressive-demo.pdf")).arrayBuffer());
    const bare = new Queue("bare", { connection: redis, prefix });
    queues = [bare, new Queue("pdf-notes-optimized", { connection: redis, prefix })];
    let n = 0;
    return [
      {
        name: "upload → job in Redis vs bare queue.add",
        project: async () => {
          const res = await app.request("/uploads?filename=s.pdf", { method: "POST", body: pdf, headers: { "content-type": "application/pdf", host: "localhost" } });
          if (res.status !== 202) throw new Error(`upload answered ${res.status}`);
        },
        reference: () => bare.add("job", { n: n++ }, { removeOnComplete: true }),
        against: "queue.add",
      },
    ];
  },
  async teardown() {
    for (const q of queues) {
      await q.obliterate({ force: true }).catch(() => {});
      await q.close();
    }
    await producer?.close();
    await redis?.quit();
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  },
};
