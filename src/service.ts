/**
 * The composition root: the one module that wires server/, workers/ and db/ together.
 * Nothing imports it but the CLI and tests.
 */
import { reportTo } from "./dependencies/watched-storage.ts";
import { Queue, QueueEvents } from "bullmq";
import { openDatabase, type Database } from "../db/client.ts";
import { localJobStore } from "../db/job-store.ts";
import { ApiKeysRepo } from "../db/api-keys-repo.ts";
import { JobsRepo } from "../db/jobs-repo.ts";
import { StatusWriter } from "../db/status-writer.ts";
import { WebhooksRepo } from "../db/webhooks-repo.ts";
import { hostname } from "node:os";
import { ThreadHost } from "../workers/thread-host.ts";
import { startWebhookSender } from "../workers/webhook-sender.ts";
import { createCaches, l1Options, type Caches } from "./cache/index.ts";
import { dropOnPublish } from "./cache/l1-invalidation.ts";
import { SharedL1 } from "./cache/shared-l1.ts";
import type { Config } from "./config.ts";
import { ConfigError } from "./errors/config-error.ts";
import { isUnreachable, OutageLog, onNonConnectionError } from "./dependencies/outage-log.ts";
import { prepareDependencies } from "./dependencies/start-up.ts";
import { ExtractionPool } from "./extraction/pool.ts";
import { PageCounter } from "./ingest/page-count.ts";
import { poolOptions } from "./extraction/pool-options.ts";
import { poolBoard } from "./monitoring/extraction-board.ts";
import { startLoopBoard } from "./monitoring/loop-board.ts";
import { GeneratorLookup, publishGenerator } from "./notes/generator-board.ts";
import { createLimiter, generatorFingerprint } from "./notes/index.ts";
import { log } from "./log.ts";
import { threadMetrics } from "./monitoring/process-metrics.ts";
import { FleetReporter, prometheusMetrics, type MetricsSources } from "./monitoring/prometheus.ts";
import { QueueMonitor } from "./monitoring/queue-monitor.ts";
import { folioJobId, QUEUE_NAMES, type QueueName } from "./jobs/pipelines.ts";
import { Producer } from "./queues/producer.ts";
import { Reconciler } from "./queues/reconciler.ts";
import { LiveLimits } from "./queues/live-limits.ts";
import { keyspace } from "./redis/keyspace.ts";
import { createRuntime } from "./runtime.ts";
import type { Redis } from "ioredis";
import { createApp } from "./server/app.ts";
import type { UploadCache } from "./server/routes/uploads.ts";
import { JobEvents } from "./server/job-events.ts";
import { Admission } from "./server/admission.ts";
import { ConnectionSlots } from "./server/connection-slots.ts";
import { KeyRing } from "./server/key-ring.ts";
import { probeRoutes, type ReadinessCheck } from "./server/routes/probes.ts";
import { parseApiKeys } from "./server/middleware/identity/index.ts";
import { parseCidrs } from "./net/cidrs.ts";
import { TokenBudget } from "./jobs/token-budget.ts";
import { createErasure } from "./erasure/index.ts";
import { Quotas } from "./server/quotas.ts";
import { UsageRepo } from "../db/usage-repo.ts";
import { checkStorageShared, publishStorageProbe } from "./storage/shared-check.ts";
import { webhookQueue } from "./webhooks/webhook-queue.ts";
import { JobLifecycle } from "./jobs/lifecycle.ts";
import { startTracing, stopTracing } from "./tracing/tracing.ts";

export type Role = "all" | "server" | "workers";

export interface ServiceOptions {
  role: Role;
  queues?: readonly QueueName[];
}

export interface Service {
  port: number | undefined;
  database: Database;
  writer: StatusWriter;
  stop(): Promise<void>;
}

export async function startService(cfg: Config, opts: ServiceOptions): Promise<Service> {
  const runsWorkers = opts.role !== "server";
  const runsServer = opts.role !== "workers";
  if (opts.role === "workers" && !cfg.DATABASE_URL) {
    throw new ConfigError(
      "Invalid DATABASE_URL: `bun run workers` needs a shared Postgres (DATABASE_URL=postgres://…); " +
        "the embedded PGlite belongs to one process, so use `bun run start` for a single machine",
    );
  }
  startTracing(cfg, "main");
  const prepared = await prepareDependencies(cfg);
  const { storage, storageOutage, localRedis } = prepared;
  // A Redis Folio started has a password: every connection of the process and its threads (which get this config) uses it.
  cfg = prepared.cfg;
  // Everything below is built from this runtime, passed down: no module reads the environment or a global connection.
  const runtime = createRuntime(cfg, new OutageLog("redis"));
  const redis = runtime.redis;

  const database = await openDatabase({
    url: cfg.DATABASE_URL,
    pgliteDir: `${cfg.FOLIO_DATA_DIR}/pglite`,
    poolSize: cfg.FOLIO_DB_POOL,
  });
  const channel = keyspace.jobEvents(cfg.FOLIO_REDIS_PREFIX);
  // The status writer retries a lost database with backoff: its outage is two lines, not one per retry.
  const databaseOutage = new OutageLog("database");
  const writer = new StatusWriter(database, {
    flushMs: cfg.FOLIO_STATUS_FLUSH_MS,
    batchSize: cfg.FOLIO_STATUS_BATCH,
    maxPending: cfg.FOLIO_STATUS_MAX_PENDING,
    onFlushed: (ids) => {
      databaseOutage.recovered("status writer");
      void redis().publish(channel, ids.join(",")).catch(() => {});
    },
    onError: (err, pending) =>
      isUnreachable(err) ? databaseOutage.failed("status writer", err) : log.warn({ err: rootMessage(err), pending }, "status flush failed; will retry"),
    onRejected: (change, err) =>
      log.error({ jobId: change.jobId, status: change.status, err: rootMessage(err) }, "status row refused by the database"),
  });
  const repo = new JobsRepo(database.db);
  const keys = new ApiKeysRepo(database.db);
  const envKeys = parseApiKeys(cfg.FOLIO_API_KEYS);
  const ring = new KeyRing(keys, redis(), cfg.FOLIO_REDIS_PREFIX, envKeys.length, {
    refreshMs: 2000,
    positiveTtlMs: 2000,
    negativeTtlMs: 30_000,
    failuresPerMinute: cfg.FOLIO_AUTH_FAILURES_PER_MIN,
  });
  await ring.start();
  const authRequired = ring.required();
  if (runsServer && !authRequired && !["127.0.0.1", "localhost", "::1"].includes(cfg.HOST)) {
    ring.stop();
    await database.close();
    throw new ConfigError(
      `Invalid HOST=${JSON.stringify(cfg.HOST)}: with no API keys (FOLIO_API_KEYS or \`bun run keys create\`) Folio is single-user and listens on loopback only`,
    );
  }
  const store = localJobStore(repo, writer);
  const webhooksRepo = new WebhooksRepo(database.db);
  const webhooks = webhookQueue(cfg, redis());
  const lifecycle = new JobLifecycle({ store, announce: (jobId) => webhooks.announce(jobId) }, repo);

  const queues = opts.queues ?? QUEUE_NAMES;
  // One shared-memory L1 for the whole process: the worker threads and the upload route.
  const l1 = new SharedL1(l1Options(cfg));
  const l1Buffer = l1.buffer;
  const caches = createCaches(cfg, redis(), l1Buffer);
  const stopDrops = cfg.FOLIO_CACHE === "off" ? undefined : await dropOnPublish(redis("subscriber"), cfg.FOLIO_REDIS_PREFIX, l1);
  if (runsServer) await publishStorageProbe(storage, redis(), cfg.FOLIO_REDIS_PREFIX);
  else if ((await checkStorageShared(storage, redis(), cfg.FOLIO_REDIS_PREFIX)) === "no-probe-yet") {
    log.warn("no server has published a storage probe yet: cannot check that this worker shares the server's file storage");
  }
  const processId = `${hostname()}:${process.pid}`;
  const stopLoopBoard = startLoopBoard(redis(), cfg.FOLIO_REDIS_PREFIX, processId, "main");
  const pool = runsWorkers ? new ExtractionPool(poolOptions(cfg, authRequired)) : undefined;
  await pool?.start();
  const stopPoolBeat = pool && poolBoard(redis(), cfg.FOLIO_REDIS_PREFIX).beat(processId, () => pool.stats());
  const host = pool ? new ThreadHost(cfg, store, queues, l1Buffer, pool, reportTo(storageOutage)) : undefined;
  await host?.start();
  const fingerprint = generatorFingerprint(cfg);
  const unpublish = runsWorkers ? await publishGenerator(redis(), cfg.FOLIO_REDIS_PREFIX, processId, fingerprint) : undefined;
  const readiness: ReadinessCheck[] = [
    { name: "redis", check: () => redis().ping() },
    { name: "database", check: () => database.ping() },
    { name: "migrations", check: () => database.checkMigrations() },
    ...(pool ? [{ name: "extraction", check: async () => pool.stats().threads > 0 || Promise.reject(new Error("no extraction thread")) }] : []),
  ];
  const metricsSources: MetricsSources = {
    main: threadMetrics("main", { defaults: true }),
    threads: host && (() => host.collectMetrics()),
    local: async () => ({ statusBacklog: writer.stats().pending, pool: pool?.stats(), l1: caches.notes.localStats() ?? undefined }),
  };
  // A worker process has no API: it answers probes and Prometheus on a port of its own.
  const probes = runsServer ? undefined : Bun.serve({ port: cfg.FOLIO_WORKER_PORT, hostname: cfg.HOST, fetch: probeRoutes(readiness, prometheusMetrics(metricsSources)).fetch });
  if (host) log.info({ queues, probes: probes && `http://${cfg.HOST}:${probes.port}` }, "workers ready");
  const watchers = runsWorkers ? watchFailures(cfg, redis("worker"), lifecycle, queues) : [];
  // Webhooks read rows and secrets, so they are sent from the process that owns the database.
  const sender = runsWorkers ? startWebhookSender(cfg, webhooksRepo, redis("worker")) : undefined;
  const erasure = createErasure(cfg, { db: database.db, redis: redis(), worker: redis("worker"), storage, caches, work: runsWorkers });

  let server: ReturnType<typeof Bun.serve> | undefined;
  let producer: Producer | undefined;
  let reconciler: Reconciler | undefined;
  let monitor: QueueMonitor | undefined;
  let pageCounter: PageCounter | undefined;
  if (runsServer) {
    pageCounter = new PageCounter();
    producer = new Producer(cfg, redis());
    reconciler = new Reconciler(cfg, redis(), repo, producer);
    reconciler.start();
    monitor = new QueueMonitor(redis(), cfg.FOLIO_REDIS_PREFIX, caches.notes, {
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
      const queue = new Queue(name, { connection: redis(), prefix: cfg.FOLIO_REDIS_PREFIX });
      onNonConnectionError(queue, (err) => log.warn({ queue: name, err: err.message }, "queue error"));
      monitor.registerQueue(name, queue);
    }
    monitor.startHealthChecks(cfg.FOLIO_HEALTH_INTERVAL_MS);
    const app = createApp({
      identity: { envKeys, keys: ring, trustedProxies: parseCidrs(cfg.FOLIO_TRUSTED_PROXIES) },
      keys: { repo: keys, ring },
      admission: new Admission(redis(), cfg.FOLIO_REDIS_PREFIX, (user) => repo.countInFlight(user), new TokenBudget(redis(), cfg.FOLIO_REDIS_PREFIX, cfg.FOLIO_USER_TOKENS_PER_DAY), {
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
      erasure,
      quotas: new Quotas(redis(), cfg.FOLIO_REDIS_PREFIX, new UsageRepo(database.db), { storedBytes: cfg.FOLIO_QUOTA_BYTES, bytesPerDay: cfg.FOLIO_QUOTA_BYTES_PER_DAY }),
      cfg,
      lifecycle,
      repo,
      storage,
      cache: uploadCache(caches, new GeneratorLookup(redis(), cfg.FOLIO_REDIS_PREFIX, fingerprint)),
      producer,
      webhooksRepo,
      events: new JobEvents(redis("subscriber"), channel),
      readiness,
      monitor,
      limits: { live: new LiveLimits(redis(), cfg.FOLIO_REDIS_PREFIX), model: createLimiter(cfg, redis()) },
      metrics: prometheusMetrics({ ...metricsSources, fleet: { monitor, reporter: new FleetReporter(redis(), cfg.FOLIO_REDIS_PREFIX, processId) } }),
    });
    server = Bun.serve({
      port: cfg.PORT,
      hostname: cfg.HOST,
      fetch: app.fetch,
      // Above the upload limit so our own JSON 413 answers, not Bun's.
      maxRequestBodySize: cfg.maxUploadBytes * 2 + 1024 * 1024,
      idleTimeout: 60,
    });
    log.info({ port: server.port, host: cfg.HOST }, `Folio listening on http://${cfg.HOST}:${server.port}`);
    if (!authRequired) log.warn("no FOLIO_API_KEYS: single-user dev mode, listening on loopback only");
  }

  return {
    port: server?.port,
    database,
    writer,
    async stop() {
      await server?.stop();
      await pageCounter?.stop();
      await probes?.stop();
      await reconciler?.stop();
      ring.stop();
      monitor?.stop();
      stopLoopBoard();
      await host?.stop(cfg.FOLIO_DRAIN_TIMEOUT_MS);
      await bounded("generator board", unpublish?.());
      await bounded("L1 drops", stopDrops?.());
      // Consumers have drained; an extraction still running after that is cut, not waited on.
      stopPoolBeat?.();
      await pool?.stop(0);
      await bounded("queue watchers", Promise.all(watchers.map((w) => w.close())));
      await bounded("webhook sender and erasure", Promise.all([sender?.close(), erasure.close()]));
      await bounded("producers", Promise.all([producer?.close(), webhooks.close()]));
      await writer.close();
      await database.close();
      await bounded("redis connections", runtime.close());
      await localRedis?.stop();
      await stopTracing();
    },
  };
}

/**
 * A shutdown step on Redis, given at most SHUTDOWN_STEP_MS: a connection stuck on a node
 * that died (a cluster failover under way) must not keep the process from exiting. Once
 * seen in CI: a drained service never exited after its cluster master was killed.
 */
const SHUTDOWN_STEP_MS = 5000;
async function bounded(step: string, work: Promise<unknown> | undefined): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), SHUTDOWN_STEP_MS)));
  const outcome = await Promise.race([Promise.resolve(work).then(() => "done" as const, () => "done" as const), late]);
  clearTimeout(timer);
  if (outcome === "late") log.warn({ step }, `shutdown: ${step} did not close within ${SHUTDOWN_STEP_MS} ms; going on`);
}

/** Notes for an upload, looked up under the generator the workers publish (their settings, not the server's). */
function uploadCache(caches: Caches, generators: GeneratorLookup): UploadCache {
  return { lookup: async (pdf) => caches.notes.get(caches.notesKey(pdf, await generators.current())) };
}

function rootMessage(err: unknown): string {
  const e = err as Error;
  return (e?.cause instanceof Error ? e.cause.message : e?.message) ?? String(err);
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
