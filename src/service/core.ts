/**
 * What every role of a process needs: its settings with the dependencies checked (and a Redis
 * started if asked), the connections, the database with its status writer, the API keys, the
 * job lifecycle, the caches with the shared-memory L1, and deletion on request.
 */
import { hostname } from "node:os";
import { openDatabase, type Database } from "../../db/client.ts";
import { localJobStore, type JobStore } from "../../db/job-store.ts";
import { ApiKeysRepo } from "../../db/api-keys-repo.ts";
import { JobsRepo } from "../../db/jobs-repo.ts";
import { StatusWriter } from "../../db/status-writer.ts";
import { WebhooksRepo } from "../../db/webhooks-repo.ts";
import { createCaches, type Caches } from "../cache/index.ts";
import { dropOnPublish } from "../cache/l1-invalidation.ts";
import { SharedL1 } from "../cache/shared-l1.ts";
import type { Config } from "../config.ts";
import { ConfigError } from "../errors/config-error.ts";
import { isUnreachable, OutageLog } from "../dependencies/outage-log.ts";
import { prepareDependencies, type Dependencies } from "../dependencies/start-up.ts";
import { createErasure } from "../erasure/index.ts";
import { JobLifecycle } from "../jobs/lifecycle.ts";
import { log } from "../log.ts";
import { startLoopBoard } from "../monitoring/loop-board.ts";
import { keyspace } from "../redis/keyspace.ts";
import { createRuntime, type Runtime } from "../runtime.ts";
import { KeyRing } from "../server/key-ring.ts";
import { parseApiKeys } from "../server/middleware/identity/index.ts";
import type { ReadinessCheck } from "../server/routes/probes.ts";
import { startTracing, stopTracing } from "../tracing/tracing.ts";
import { webhookQueue } from "../webhooks/webhook-queue.ts";
import { cacheOptions, erasureOptions, runtimeOptions, tracingOptions, webhookOptions } from "../options.ts";
import { bounded } from "./shutdown.ts";

export interface Core extends Pick<Dependencies, "storage" | "storageOutage"> {
  /** The settings as the process runs them (with the password of a Redis Folio started). */
  cfg: Config;
  redis: Runtime["redis"];
  database: Database;
  writer: StatusWriter;
  repo: JobsRepo;
  store: JobStore;
  keys: { repo: ApiKeysRepo; ring: KeyRing; env: ReturnType<typeof parseApiKeys> };
  /** Keys exist: every route asks for one, and the service may listen beyond loopback. */
  authRequired: boolean;
  webhooksRepo: WebhooksRepo;
  lifecycle: JobLifecycle;
  caches: Caches;
  /** The shared-memory L1's buffer, handed to every worker thread. */
  l1Buffer: SharedArrayBuffer;
  erasure: ReturnType<typeof createErasure>;
  /** `host:pid`: this process on the fleet's boards. */
  processId: string;
  /** The Redis channel job changes are announced on (the SSE streams listen). */
  channel: string;
  readiness: ReadinessCheck[];
  stop(): Promise<void>;
}

export async function startCore(cfg: Config, opts: { listens: boolean; works: boolean }): Promise<Core> {
  startTracing(tracingOptions(cfg), "main");
  const prepared = await prepareDependencies(cfg);
  const { storage, storageOutage, localRedis } = prepared;
  // A Redis Folio started has a password: every connection of the process and its threads (which get this config) uses it.
  cfg = prepared.cfg;
  // Everything is built from this runtime, passed down: no module reads the environment or a global connection.
  const runtime = createRuntime(runtimeOptions(cfg), new OutageLog("redis"));
  const redis = runtime.redis;

  const database = await openDatabase({ url: cfg.DATABASE_URL, pgliteDir: `${cfg.FOLIO_DATA_DIR}/pglite`, poolSize: cfg.FOLIO_DB_POOL });
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
    onRejected: (change, err) => log.error({ jobId: change.jobId, status: change.status, err: rootMessage(err) }, "status row refused by the database"),
  });
  const repo = new JobsRepo(database.db);
  const keysRepo = new ApiKeysRepo(database.db);
  const envKeys = parseApiKeys(cfg.FOLIO_API_KEYS);
  const ring = new KeyRing(keysRepo, redis(), cfg.FOLIO_REDIS_PREFIX, envKeys.length, {
    refreshMs: 2000,
    positiveTtlMs: 2000,
    negativeTtlMs: 30_000,
    failuresPerMinute: cfg.FOLIO_AUTH_FAILURES_PER_MIN,
  });
  await ring.start();
  const authRequired = ring.required();
  if (opts.listens && !authRequired && !["127.0.0.1", "localhost", "::1"].includes(cfg.HOST)) {
    ring.stop();
    await database.close();
    throw new ConfigError(
      `Invalid HOST=${JSON.stringify(cfg.HOST)}: with no API keys (FOLIO_API_KEYS or \`bun run keys create\`) Folio is single-user and listens on loopback only`,
    );
  }
  const store = localJobStore(repo, writer);
  const webhooks = webhookQueue(webhookOptions(cfg), redis());
  const lifecycle = new JobLifecycle({ store, announce: (jobId) => webhooks.announce(jobId) }, repo);

  // One shared-memory L1 for the whole process: the worker threads and the upload route.
  const cacheOpts = cacheOptions(cfg);
  const l1 = new SharedL1(cacheOpts.l1);
  const caches = createCaches(cacheOpts, redis(), l1.buffer);
  const stopDrops = cfg.FOLIO_CACHE === "off" ? undefined : await dropOnPublish(redis("subscriber"), cfg.FOLIO_REDIS_PREFIX, l1);
  const processId = `${hostname()}:${process.pid}`;
  const stopLoopBoard = startLoopBoard(redis(), cfg.FOLIO_REDIS_PREFIX, processId, "main");
  const erasure = createErasure(erasureOptions(cfg), { db: database.db, redis: redis(), worker: redis("worker"), storage, caches, work: opts.works });

  return {
    cfg,
    redis,
    storage,
    storageOutage,
    database,
    writer,
    repo,
    store,
    keys: { repo: keysRepo, ring, env: envKeys },
    authRequired,
    webhooksRepo: new WebhooksRepo(database.db),
    lifecycle,
    caches,
    l1Buffer: l1.buffer,
    erasure,
    processId,
    channel,
    readiness: [
      { name: "redis", check: () => redis().ping() },
      { name: "database", check: () => database.ping() },
      { name: "migrations", check: () => database.checkMigrations() },
    ],
    /** Once the roles have stopped. */
    async stop() {
      ring.stop();
      stopLoopBoard();
      await bounded("L1 drops", stopDrops?.());
      await bounded("erasure", erasure.close());
      await bounded("webhook queue", webhooks.close());
      await writer.close();
      await database.close();
      await bounded("redis connections", runtime.close());
      await localRedis?.stop();
      await stopTracing();
    },
  };
}

function rootMessage(err: unknown): string {
  const e = err as Error;
  return (e?.cause instanceof Error ? e.cause.message : e?.message) ?? String(err);
}
