import Table from "cli-table3";
import type { JobInfo } from "./client.ts";
import type { KeyView } from "./keys.ts";
import type { Limits } from "../../queues/limits-schema.ts";
import type { PerformanceReport } from "../../monitoring/report-schema.ts";

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const plain = { style: { head: [], border: [], compact: true } };

/** `folio report`: the monitoring summary as a table. */
export function reportTable(r: PerformanceReport): string {
  const table = new Table({ head: ["Queue", "Waiting", "Active", "Delayed", "Done", "Failed", "Workers", "p50 ms", "p95 ms", "Failure", "Health"], ...plain });
  for (const q of r.queues) {
    table.push([
      q.name,
      q.counts.waiting ?? 0,
      q.counts.active ?? 0,
      q.counts.delayed ?? 0,
      q.completedInWindow,
      q.failedInWindow,
      q.workers,
      Math.round(q.processing.p50),
      Math.round(q.processing.p95),
      pct(q.failureRate),
      q.healthy ? "ok" : "ALERT",
    ]);
  }
  const window = r.queues[0]?.windowMinutes ?? 5;
  const lines = [
    table.toString(),
    `Counts per queue over the last ${window} min. Total: ${r.totalJobsProcessed} done, ${r.totalJobsFailed} failed (${pct(r.failureRate)}); ` +
      `${r.avgThroughput.toFixed(1)} jobs/min; cache hit rate L1 ${pct(r.cache.l1HitRate)}, L2 ${pct(r.cache.l2HitRate)}; ` +
      `${r.healthyQueues}/${r.totalQueues} queues healthy.`,
    ...r.alerts.map((a) => `ALERT ${a.rule}${a.queue ? ` on ${a.queue}` : ""}: ${a.message}`),
  ];
  return lines.join("\n");
}

/** `folio status JOB`. */
export function jobTable(job: JobInfo): string {
  const timings = Object.entries(job.timings)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k.replace(/Ms$/, "")} ${v} ms`)
    .join(", ");
  const table = new Table(plain);
  table.push(
    { Job: job.id },
    { Status: `${job.status} (${job.progress}%)${job.cached ? ", from cache" : ""}` },
    { Pages: job.pages ?? "-" },
    { Notes: job.notesId ?? "-" },
    { Timings: timings || "-" },
    { Created: job.createdAt },
    { Finished: job.finishedAt ?? "-" },
  );
  if (job.error) table.push({ Error: `${job.error.code}: ${job.error.message}` });
  return table.toString();
}

export function keysTable(keys: KeyView[]): string {
  const t = new Table({ head: ["Id", "User", "Admin", "Created", "Revoked"], ...plain });
  for (const k of keys) t.push([k.id, k.userId, k.admin ? "yes" : "", k.createdAt.slice(0, 19).replace("T", " "), k.revokedAt ? k.revokedAt.slice(0, 19).replace("T", " ") : ""]);
  return t.toString();
}

/** `folio limits`: per queue, then the model calls' limit on one line. */
export function limitsTable(l: Limits): string {
  const t = new Table({ head: ["Queue", "Configured", "Set", "Global", "Rate limit", "Processes"], ...plain });
  for (const q of l.queues) {
    t.push([
      q.queue,
      q.configured.concurrency,
      q.concurrency ?? "",
      q.globalConcurrency ?? "",
      q.globalRateLimit ? `${q.globalRateLimit.max}/${q.globalRateLimit.durationMs} ms` : "",
      q.processes.map((p) => `${p.process}=${p.concurrency}`).join(" "),
    ]);
  }
  const m = l.model;
  const model =
    m.mode === "off"
      ? "model calls: no fleet-wide limit (FOLIO_AI_LIMIT=off)"
      : `model calls: limit ${m.limit} (bounds ${m.min}–${m.max}), ${m.inFlight} in flight, latency ${m.latencyMs ?? "–"} ms (best ${m.bestLatencyMs ?? "–"}), ${m.pushbacks} 429s, ${m.errors} errors${m.pausedUntil ? `, paused until ${m.pausedUntil}` : ""}`;
  return `${t.toString()}\n${model}`;
}
