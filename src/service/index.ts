/**
 * The composition root: a process's roles (core.ts for all, server-role.ts, workers-role.ts)
 * wired together. Nothing imports it but the CLI, the benchmarks and tests.
 */
import type { Database } from "../../db/client.ts";
import type { StatusWriter } from "../../db/status-writer.ts";
import type { Config } from "../config.ts";
import { ConfigError } from "../errors/config-error.ts";
import { QUEUE_NAMES, type QueueName } from "../jobs/pipelines.ts";
import { log } from "../log.ts";
import { threadMetrics } from "../monitoring/process-metrics.ts";
import { prometheusMetrics, type MetricsSources } from "../monitoring/prometheus.ts";
import { generatorFingerprint } from "../notes/index.ts";
import { probeRoutes } from "../server/routes/probes.ts";
import { notesOptions } from "../options.ts";
import { startCore } from "./core.ts";
import { startServer } from "./server-role.ts";
import { startWorkers } from "./workers-role.ts";

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

export async function startService(config: Config, opts: ServiceOptions): Promise<Service> {
  const works = opts.role !== "server";
  const listens = opts.role !== "workers";
  if (opts.role === "workers" && !config.DATABASE_URL) {
    throw new ConfigError(
      "Invalid DATABASE_URL: `bun run workers` needs a shared Postgres (DATABASE_URL=postgres://…); " +
        "the embedded PGlite belongs to one process, so use `bun run start` for a single machine",
    );
  }
  const core = await startCore(config, { listens, works });
  const { cfg, writer } = core;
  const queues = opts.queues ?? QUEUE_NAMES;
  const fingerprint = generatorFingerprint(notesOptions(cfg));
  const workers = works ? await startWorkers(core, queues, fingerprint, listens) : undefined;
  const readiness = [...core.readiness, ...(workers?.readiness ?? [])];
  const metrics: MetricsSources = {
    main: threadMetrics("main", { defaults: true }),
    threads: workers && (() => workers.host.collectMetrics()),
    local: async () => ({ statusBacklog: writer.stats().pending, pool: workers?.pool.stats(), l1: core.caches.notes.localStats() ?? undefined }),
  };
  // A worker process has no API: it answers probes and Prometheus on a port of its own.
  const probes = listens ? undefined : Bun.serve({ port: cfg.FOLIO_WORKER_PORT, hostname: cfg.HOST, fetch: probeRoutes(readiness, prometheusMetrics(metrics)).fetch });
  if (workers) log.info({ queues, probes: probes && `http://${cfg.HOST}:${probes.port}` }, "workers ready");
  const server = listens ? await startServer(core, { readiness, metrics, fingerprint }) : undefined;

  return {
    port: server?.port,
    database: core.database,
    writer,
    async stop() {
      await server?.stop();
      await probes?.stop();
      await workers?.stop();
      await core.stop();
    },
  };
}
