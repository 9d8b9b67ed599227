import { Counter, Gauge, Registry } from "prom-client";
import type { QueueMonitor } from "./queue-monitor.ts";

/**
 * /metrics in the Prometheus text format. Values are read from the same Redis-backed
 * report as the JSON routes at scrape time, so every process exposes the whole truth.
 */
export function prometheusMetrics(monitor: QueueMonitor, statusBacklog: () => number) {
  const registry = new Registry();
  const jobs = new Gauge({ name: "folio_queue_jobs", help: "Jobs per queue and state", labelNames: ["queue", "state"], registers: [registry] });
  const processed = new Counter({ name: "folio_jobs_processed_total", help: "Jobs completed, per queue", labelNames: ["queue"], registers: [registry] });
  const failed = new Counter({ name: "folio_jobs_failed_total", help: "Jobs failed for good, per queue", labelNames: ["queue"], registers: [registry] });
  const workers = new Gauge({ name: "folio_queue_workers", help: "Workers connected per queue", labelNames: ["queue"], registers: [registry] });
  const latency = new Gauge({
    name: "folio_latency_ms",
    help: "Latency percentiles over the alert window (ms), per queue (wait, processing) and per stage",
    labelNames: ["scope", "kind", "percentile"],
    registers: [registry],
  });
  const cacheHits = new Counter({ name: "folio_cache_hits_total", help: "Cache hits per level", labelNames: ["level"], registers: [registry] });
  const cacheMisses = new Counter({ name: "folio_cache_misses_total", help: "Cache misses per level", labelNames: ["level"], registers: [registry] });
  const breaker = new Gauge({ name: "folio_ai_breaker_state", help: "AI circuit breaker: 0 closed, 1 half-open, 2 open, -1 unused", registers: [registry] });
  const pool = new Gauge({ name: "folio_extract_threads", help: "Extraction threads, by state (all, busy) and PDFs waiting for one, summed over worker processes", labelNames: ["state"], registers: [registry] });
  const terminated = new Counter({ name: "folio_extract_terminations_total", help: "Extraction threads ended under a PDF, by cause (timeout: terminated by the pool; crash: died)", labelNames: ["cause"], registers: [registry] });
  const tokens = new Counter({ name: "folio_ai_tokens_total", help: "Model tokens spent, per model, failed calls and schema retries included", labelNames: ["model", "kind"], registers: [registry] });
  const calls = new Counter({ name: "folio_ai_calls_total", help: "Model calls per model and outcome (ok, invalid_output, error)", labelNames: ["model", "outcome"], registers: [registry] });
  const alerts = new Gauge({ name: "folio_alerts_firing", help: "Firing alerts per rule and queue", labelNames: ["rule", "queue"], registers: [registry] });
  const backlog = new Gauge({ name: "folio_status_backlog", help: "Job-status rows waiting in this process's batcher", registers: [registry] });

  return async function render(): Promise<{ contentType: string; body: string }> {
    const r = await monitor.getPerformanceReport();
    registry.resetMetrics();
    for (const q of r.queues) {
      for (const [state, n] of Object.entries(q.counts)) jobs.set({ queue: q.name, state }, n);
      workers.set({ queue: q.name }, q.workers);
      for (const [kind, s] of [["wait", q.wait], ["processing", q.processing]] as const) {
        for (const p of ["p50", "p95", "p99"] as const) latency.set({ scope: q.name, kind, percentile: p.slice(1) }, s[p]);
      }
      for (const [stage, s] of Object.entries(q.stages)) {
        for (const p of ["p50", "p95", "p99"] as const) latency.set({ scope: "stage", kind: stage, percentile: p.slice(1) }, s[p]);
      }
    }
    for (const [name, t] of Object.entries(r.totals)) {
      processed.inc({ queue: name }, t.completed);
      failed.inc({ queue: name }, t.failed);
    }
    if (r.cache.l1) {
      cacheHits.inc({ level: "l1" }, r.cache.l1.hits);
      cacheMisses.inc({ level: "l1" }, r.cache.l1.misses);
    }
    cacheHits.inc({ level: "l2" }, r.cache.l2.hits);
    cacheMisses.inc({ level: "l2" }, r.cache.l2.misses);
    breaker.set({ unused: -1, closed: 0, "half-open": 1, open: 2 }[r.breaker.state]);
    pool.set({ state: "all" }, r.extraction.threads);
    pool.set({ state: "busy" }, r.extraction.busy);
    pool.set({ state: "waiting" }, r.extraction.waiting);
    for (const [cause, n] of Object.entries(r.extraction.terminations)) terminated.inc({ cause }, n);
    for (const [model, m] of Object.entries(r.models)) {
      tokens.inc({ model, kind: "input" }, m.inputTokens);
      tokens.inc({ model, kind: "output" }, m.outputTokens);
      for (const [outcome, n] of Object.entries(m.calls)) calls.inc({ model, outcome }, n);
    }
    for (const a of r.alerts) alerts.set({ rule: a.rule, queue: a.queue }, 1);
    backlog.set(statusBacklog());
    return { contentType: registry.contentType, body: await registry.metrics() };
  };
}
