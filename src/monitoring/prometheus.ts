import type { Redis } from "ioredis";
import { AggregatorRegistry, Counter, Gauge, Registry, type MetricObjectWithValues, type MetricValue } from "prom-client";
import type { PoolStats } from "../extraction/pool.ts";
import type { ThreadMetrics } from "./process-metrics.ts";
import type { QueueMonitor } from "./queue-monitor.ts";
import { keyspace } from "../redis/keyspace.ts";

type Snapshot = MetricObjectWithValues<MetricValue<string>>[];

/** What one process's /metrics is made of. */
export interface MetricsSources {
  /** The main thread's metrics, prom-client's process metrics included. */
  main: ThreadMetrics;
  /** The worker threads' metrics (absent in a server-only process). */
  threads?: () => Promise<Snapshot[]>;
  /** This process's own gauges: the status batcher, the extraction pool, the shared L1. */
  local: () => Promise<{ statusBacklog: number; pool?: PoolStats; l1?: { hits: number; misses: number; entries: number } }>;
  /** Fleet-wide state, exported by one reporting server at a time (servers only). */
  fleet?: { monitor: QueueMonitor; reporter: FleetReporter };
}

/**
 * /metrics in the Prometheus text format: what this process did (its threads merged), so
 * a Prometheus scraping every server and worker process can sum them. Fleet-wide state
 * read from Redis (BullMQ's counts, the breaker, the L2 cache, alerts) is exported by one
 * server only, the holder of a lease in Redis, so summing every target counts it once.
 */
export function prometheusMetrics(sources: MetricsSources) {
  return async function render(): Promise<{ contentType: string; body: string }> {
    const [threads, local, fleet] = await Promise.all([sources.threads?.() ?? [], localMetrics(await sources.local()), fleetMetrics(sources.fleet)]);
    const merged = AggregatorRegistry.aggregate([await sources.main.snapshot(), ...threads, local, ...(fleet ? [fleet] : [])]);
    return { contentType: merged.contentType, body: await merged.metrics() };
  };
}

async function localMetrics(s: Awaited<ReturnType<MetricsSources["local"]>>): Promise<Snapshot> {
  const registry = new Registry();
  const registers = [registry];
  new Gauge({ name: "folio_status_backlog", help: "Job-status rows waiting in this process's batcher", registers }).set(s.statusBacklog);
  if (s.pool) {
    const threads = new Gauge({ name: "folio_extract_threads", help: "This process's extraction threads (all, busy) and PDFs waiting for one", labelNames: ["state"], registers });
    threads.set({ state: "all" }, s.pool.threads);
    threads.set({ state: "busy" }, s.pool.busy);
    threads.set({ state: "waiting" }, s.pool.waiting);
    const ended = new Counter({ name: "folio_extract_terminations_total", help: "Extraction threads ended under a PDF, by cause (timeout, memory: terminated by the pool; crash: died)", labelNames: ["cause"], registers });
    for (const [cause, n] of Object.entries(s.pool.terminations)) ended.inc({ cause }, n);
    new Counter({ name: "folio_ocr_pages_total", help: "Pages this process's extraction threads read by OCR", registers }).inc(s.pool.ocr.pages);
    new Counter({ name: "folio_ocr_seconds_total", help: "Seconds this process's extraction threads spent on OCR (rendering and reading)", registers }).inc(s.pool.ocr.seconds);
  }
  if (s.l1) {
    const lookups = new Counter({ name: "folio_cache_l1_lookups_total", help: "Lookups in this process's shared-memory L1, by result", labelNames: ["result"], registers });
    lookups.inc({ result: "hit" }, s.l1.hits);
    lookups.inc({ result: "miss" }, s.l1.misses);
    new Gauge({ name: "folio_cache_l1_entries", help: "Entries in this process's shared-memory L1", registers }).set(s.l1.entries);
  }
  return registry.getMetricsAsJSON();
}

async function fleetMetrics(fleet: MetricsSources["fleet"]): Promise<Snapshot | undefined> {
  if (!fleet || !(await fleet.reporter.holds().catch(() => false))) return undefined;
  const r = await fleet.monitor.getPerformanceReport();
  const registry = new Registry();
  const registers = [registry];
  new Gauge({ name: "folio_fleet_reporter", help: "1 on the one server that exports the fleet-wide metrics below", registers }).set(1);
  const jobs = new Gauge({ name: "folio_queue_jobs", help: "Jobs per queue and state in BullMQ (fleet-wide)", labelNames: ["queue", "state"], registers });
  const workers = new Gauge({ name: "folio_queue_workers", help: "Consumers connected per queue (fleet-wide)", labelNames: ["queue"], registers });
  for (const q of r.queues) {
    for (const [state, n] of Object.entries(q.counts)) jobs.set({ queue: q.name, state }, n);
    workers.set({ queue: q.name }, q.workers);
  }
  const l2 = new Counter({ name: "folio_cache_l2_lookups_total", help: "Lookups in the Redis L2 cache, by result (fleet-wide)", labelNames: ["result"], registers });
  l2.inc({ result: "hit" }, r.cache.l2.hits);
  l2.inc({ result: "miss" }, r.cache.l2.misses);
  const swept = new Counter({ name: "folio_retention_deleted_total", help: "What the retention sweeps deleted, by kind: pdf (stored copies), text (job texts), job (job rows with their queue records) (fleet-wide)", labelNames: ["kind"], registers });
  for (const [kind, n] of Object.entries(await fleet.monitor.retentionDeleted())) swept.inc({ kind }, n);
  new Gauge({ name: "folio_ai_breaker_state", help: "The fleet's AI circuit breaker: 0 closed, 1 half-open, 2 open, -1 unused", registers }).set(
    { unused: -1, closed: 0, "half-open": 1, open: 2 }[r.breaker.state],
  );
  const alerts = new Gauge({ name: "folio_alerts_firing", help: "Firing in-process alerts per rule and queue (fleet-wide)", labelNames: ["rule", "queue"], registers });
  for (const a of r.alerts) alerts.set({ rule: a.rule, queue: a.queue }, 1);
  return registry.getMetricsAsJSON();
}

// Take the lease if free, keep it if ours.
const HOLD = `local v = redis.call("get", KEYS[1])
if v == ARGV[1] then redis.call("pexpire", KEYS[1], ARGV[2]) return 1 end
if not v then redis.call("set", KEYS[1], ARGV[1], "PX", ARGV[2]) return 1 end
return 0`;

/** A lease in Redis naming the one server that exports fleet-wide metrics; another takes over when it lapses. */
export class FleetReporter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly processId: string,
    private readonly leaseMs = 60_000,
  ) {}

  async holds(): Promise<boolean> {
    return (await this.redis.eval(HOLD, 1, keyspace.metricsReporter(this.prefix), this.processId, String(this.leaseMs))) === 1;
  }
}
