import { monitorEventLoopDelay } from "node:perf_hooks";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type MetricObjectWithValues, type MetricValue } from "prom-client";
import type { ModelCall } from "../notes/ai.ts";

/**
 * What one thread did, by Prometheus conventions (base units, `_total` counters, histograms
 * with cumulative buckets), so that `sum by` and `histogram_quantile` work across every
 * thread, process and machine. Each worker thread has its own; the main thread merges
 * them into its process's /metrics (prom-client's AggregatorRegistry).
 */
export interface ThreadMetrics {
  registry: Registry;
  job(queue: string, outcome: "completed" | "failed", waitS: number | undefined, processingS: number): void;
  stage(stage: string, seconds: number): void;
  modelCall(call: ModelCall): void;
  /** For the thread host: this thread's metrics, to be merged. */
  snapshot(): Promise<MetricObjectWithValues<MetricValue<string>>[]>;
}

// Queue waits run from milliseconds (idle) to minutes (a backlog); processing from tens of
// milliseconds (a cache hit) to minutes (a 2,000-page manual through a model).
const WAIT_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const PROCESSING_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/** `thread`: "main" or the queue a worker thread consumes. `defaults`: prom-client's process metrics (once per process). */
const LOOP_SAMPLE_MS = 100;

export function threadMetrics(thread: string, opts: { defaults?: boolean } = {}): ThreadMetrics {
  const registry = new Registry();
  const registers = [registry];
  const jobs = new Counter({ name: "folio_jobs_total", help: "Jobs this process finished, by queue and outcome", labelNames: ["queue", "outcome"], registers });
  const wait = new Histogram({ name: "folio_job_wait_seconds", help: "Time from enqueue to a consumer taking the job (first attempts)", labelNames: ["queue"], buckets: WAIT_BUCKETS, registers });
  const processing = new Histogram({ name: "folio_job_processing_seconds", help: "Time a consumer spent on a job, by queue", labelNames: ["queue"], buckets: PROCESSING_BUCKETS, registers });
  const stages = new Histogram({ name: "folio_stage_duration_seconds", help: "Time per pipeline stage (download, extract, ai, save)", labelNames: ["stage"], buckets: PROCESSING_BUCKETS, registers });
  const tokens = new Counter({ name: "folio_ai_tokens_total", help: "Model tokens spent, per model, failed calls and schema retries included", labelNames: ["model", "kind"], registers });
  const calls = new Counter({ name: "folio_ai_calls_total", help: "Model calls per model and outcome (ok, invalid_output, error)", labelNames: ["model", "outcome"], registers });
  // The delay a timer sees on this thread's event loop since the previous scrape: a blocked
  // thread shows here first. Bun gives a thread one event-loop-delay histogram however many
  // monitors ask for it, and prom-client's default metrics reset it after reading: so this
  // gauge is registered before them and leaves the reset to them when they are there.
  // A 100 ms sampling timer, not 10 ms: each thread's timer woke its loop 100 times a second,
  // a quarter of an idle service's CPU (8.1 → 6.5 % of a core measured); a blocked loop
  // still shows, as one late sample of the whole block.
  const delay = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
  delay.enable();
  new Gauge({
    name: "folio_event_loop_delay_seconds",
    help: "Event-loop delay of each thread since the previous scrape, by statistic (p50, p99, max)",
    labelNames: ["thread", "stat"],
    registers,
    collect() {
      const read = (ns: number) => (Number.isFinite(ns) ? ns / 1e9 : 0);
      this.set({ thread, stat: "p50" }, read(delay.percentile(50)));
      this.set({ thread, stat: "p99" }, read(delay.percentile(99)));
      this.set({ thread, stat: "max" }, read(delay.max));
      if (!opts.defaults) delay.reset();
    },
  });
  if (opts.defaults) collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: LOOP_SAMPLE_MS });
  return {
    registry,
    job(queue, outcome, waitS, processingS) {
      jobs.inc({ queue, outcome });
      processing.observe({ queue }, processingS);
      if (waitS !== undefined) wait.observe({ queue }, waitS);
    },
    stage: (stage, seconds) => stages.observe({ stage }, seconds),
    modelCall(call) {
      tokens.inc({ model: call.model, kind: "input" }, call.inputTokens);
      tokens.inc({ model: call.model, kind: "output" }, call.outputTokens);
      calls.inc({ model: call.model, outcome: call.outcome });
    },
    // prom-client names three gauges `nodejs_active_*_total`, which Prometheus reserves for
    // counters (promtool check metrics refuses them): they are exported without the suffix.
    snapshot: async () =>
      (await registry.getMetricsAsJSON()).map((m) => (String(m.type) === "gauge" && m.name.endsWith("_total") ? { ...m, name: m.name.slice(0, -"_total".length) } : m)),
  };
}
