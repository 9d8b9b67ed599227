/**
 * The HTTP side of a process: the producer and the reconciler behind the uploads, the queue
 * monitor and its alerts, and the Hono app with every part its routes take.
 */
import { Queue } from "bullmq";
import { UsageRepo } from "../../db/usage-repo.ts";
import type { Caches } from "../cache/index.ts";
import { onNonConnectionError } from "../dependencies/outage-log.ts";
import { PageCounter } from "../ingest/page-count.ts";
import { QUEUE_NAMES } from "../jobs/pipelines.ts";
import { TokenBudget } from "../jobs/token-budget.ts";
import { log } from "../log.ts";
import { FleetReporter, prometheusMetrics, type MetricsSources } from "../monitoring/prometheus.ts";
import { QueueMonitor } from "../monitoring/queue-monitor.ts";
import { parseCidrs } from "../net/cidrs.ts";
import { GeneratorLookup } from "../notes/generator-board.ts";
import type { GeneratorFingerprint } from "../notes/fingerprint.ts";
import { createLimiter } from "../notes/index.ts";
import { LiveLimits } from "../queues/live-limits.ts";
import { Producer } from "../queues/producer.ts";
import { Reconciler } from "../queues/reconciler.ts";
import { Admission } from "../server/admission.ts";
import { createApp } from "../server/app.ts";
import { ConnectionSlots } from "../server/connection-slots.ts";
import { JobEvents } from "../server/job-events.ts";
import { Quotas } from "../server/quotas.ts";
import type { ReadinessCheck } from "../server/routes/probes.ts";
import type { UploadCache } from "../server/routes/uploads.ts";
import { publishStorageProbe } from "../storage/shared-check.ts";
import type { Core } from "./core.ts";
import { notesOptions, producerOptions, reconcilerOptions } from "../options.ts";
import { bounded } from "./shutdown.ts";

export interface ServerRole {
  port: number | undefined;
  stop(): Promise<void>;
}

/** The app, built from the core, listening on the configured port. */
export async function startServer(core: Core, parts: { readiness: ReadinessCheck[]; metrics: MetricsSources; fingerprint: GeneratorFingerprint }): Promise<ServerRole> {
  const { cfg, redis, repo } = core;
  const prefix = cfg.FOLIO_REDIS_PREFIX;
  await publishStorageProbe(core.storage, redis(), prefix);
  const pageCounter = new PageCounter();
  const producer = new Producer(producerOptions(cfg), redis());
  const reconciler = new Reconciler(reconcilerOptions(cfg), redis(), repo, producer);
  reconciler.start();
  const modelLimiter = createLimiter(notesOptions(cfg), redis());
  const monitor = new QueueMonitor(redis(), prefix, core.caches.notes, {
    modelLimit: modelLimiter && (async () => (({ limit, inFlight, min, max, latencyMs, pushbacks }) => ({ limit, inFlight, min, max, latencyMs, pushbacks }))(await modelLimiter.snapshot())),
    windowMinutes: cfg.FOLIO_ALERT_WINDOW_MIN,
    webhookUrl: cfg.ALERT_WEBHOOK_URL,
    thresholds: {
      failureRate: cfg.FOLIO_ALERT_FAILURE_RATE,
      minThroughputPerMin: cfg.FOLIO_ALERT_MIN_THROUGHPUT,
      maxWaiting: cfg.FOLIO_ALERT_MAX_WAITING,
      maxAvgProcessingMs: cfg.FOLIO_ALERT_MAX_AVG_MS,
    },
  });
  for (const name of QUEUE_NAMES) {
    const queue = new Queue(name, { connection: redis(), prefix });
    onNonConnectionError(queue, (err) => log.warn({ queue: name, err: err.message }, "queue error"));
    monitor.registerQueue(name, queue);
  }
  monitor.startHealthChecks(cfg.FOLIO_HEALTH_INTERVAL_MS);
  const app = createApp({
    identity: { envKeys: core.keys.env, keys: core.keys.ring, trustedProxies: parseCidrs(cfg.FOLIO_TRUSTED_PROXIES) },
    keys: { repo: core.keys.repo, ring: core.keys.ring },
    admission: new Admission(redis(), prefix, (user) => repo.countInFlight(user), new TokenBudget(redis(), prefix, cfg.FOLIO_USER_TOKENS_PER_DAY), {
      uploadsPerMinute: cfg.FOLIO_RATE_LIMIT_PER_MIN,
      refreshesPerMinute: cfg.FOLIO_REFRESH_PER_MIN,
      maxInFlight: cfg.FOLIO_MAX_IN_FLIGHT_PER_USER,
    }),
    slots: new ConnectionSlots({
      perUser: cfg.FOLIO_MAX_UPLOADS_IN_PROGRESS_PER_USER,
      perProcess: cfg.FOLIO_MAX_UPLOADS_IN_PROGRESS,
      noun: "uploads in progress",
      userCode: "too_many_uploads_in_progress",
    }),
    streams: new ConnectionSlots({ perUser: cfg.FOLIO_MAX_STREAMS_PER_USER, perProcess: cfg.FOLIO_MAX_STREAMS, noun: "event streams", userCode: "too_many_streams" }),
    pageCounter,
    erasure: core.erasure,
    quotas: new Quotas(redis(), prefix, new UsageRepo(core.database.db), { storedBytes: cfg.FOLIO_QUOTA_BYTES, bytesPerDay: cfg.FOLIO_QUOTA_BYTES_PER_DAY }),
    cfg,
    lifecycle: core.lifecycle,
    repo,
    storage: core.storage,
    cache: uploadCache(core.caches, new GeneratorLookup(redis(), prefix, parts.fingerprint)),
    producer,
    webhooksRepo: core.webhooksRepo,
    events: new JobEvents(redis("subscriber"), core.channel),
    readiness: parts.readiness,
    monitor,
    limits: { live: new LiveLimits(redis(), prefix), model: modelLimiter },
    metrics: prometheusMetrics({ ...parts.metrics, fleet: { monitor, reporter: new FleetReporter(redis(), prefix, core.processId) } }),
  });
  const server = Bun.serve({
    port: cfg.PORT,
    hostname: cfg.HOST,
    fetch: app.fetch,
    // Above the upload limit so our own JSON 413 answers, not Bun's.
    maxRequestBodySize: cfg.maxUploadBytes * 2 + 1024 * 1024,
    idleTimeout: 60,
  });
  log.info({ port: server.port, host: cfg.HOST }, `Folio listening on http://${cfg.HOST}:${server.port}`);
  if (!core.authRequired) log.warn("no FOLIO_API_KEYS: single-user dev mode, listening on loopback only");
  return {
    port: server.port,
    async stop() {
      await server.stop();
      await pageCounter.stop();
      await reconciler.stop();
      monitor.stop();
      await bounded("producer", producer.close());
    },
  };
}

/** Notes for an upload, looked up under the generator the workers publish (their settings, not the server's). */
function uploadCache(caches: Caches, generators: GeneratorLookup): UploadCache {
  return { lookup: async (pdf) => caches.notes.get(caches.notesKey(pdf, await generators.current())) };
}
