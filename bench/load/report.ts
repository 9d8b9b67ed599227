import type { JobResult } from "./workload.ts";

export interface RunSummary {
  label: string;
  accepted: number;
  completed: number;
  failed: number;
  lost: number;
  refused: number;
  avgMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  jobsPerMin: number;
  /** Jobs that ran the pipeline (not answered from the cache), per minute. */
  pipelineJobsPerMin: number;
  /** Jobs that ran the pipeline (not answered from the cache). */
  pipelineJobs: number;
  cacheHitRate: number;
  failureRate: number;
  stages: Record<string, number>;
  peakRssMb: number;
  series: { t: number; perMin: number; p95: number }[];
}

const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : 0);

export function summarise(label: string, results: JobResult[], peakRssMb: number, bucketS = 10): RunSummary {
  const accepted = results.filter((r) => r.status !== "refused");
  const done = accepted.filter((r) => r.status === "completed");
  const latencies = done.map((r) => r.finishedAt! - r.acceptedAt).sort((a, b) => a - b);
  const start = Math.min(...accepted.map((r) => r.acceptedAt));
  const end = Math.max(...done.map((r) => r.finishedAt!));
  const minutes = Math.max(1e-9, (end - start) / 60_000);
  const ran = done.filter((r) => !r.cached);
  const stages: Record<string, number> = {};
  for (const key of ["waitMs", "downloadMs", "extractMs", "aiMs", "saveMs"]) {
    const xs = ran.map((r) => r.timings[key]).filter((v): v is number => typeof v === "number");
    stages[key] = xs.length ? Math.round(xs.reduce((a, b) => a + b, 0) / xs.length) : 0;
  }
  const series: RunSummary["series"] = [];
  for (let t = start; t < end; t += bucketS * 1000) {
    const inBucket = done.filter((r) => r.finishedAt! >= t && r.finishedAt! < t + bucketS * 1000);
    const lat = inBucket.map((r) => r.finishedAt! - r.acceptedAt).sort((a, b) => a - b);
    series.push({ t: (t - start) / 1000, perMin: inBucket.length * (60 / bucketS), p95: quantile(lat, 0.95) });
  }
  return {
    label,
    accepted: accepted.length,
    completed: done.length,
    failed: accepted.filter((r) => r.status === "failed").length,
    lost: accepted.filter((r) => r.status === "lost").length,
    refused: results.length - accepted.length,
    avgMs: latencies.length ? Math.round(latencies.reduce((a, b) => a + b, 0) / latencies.length) : 0,
    p50Ms: quantile(latencies, 0.5),
    p95Ms: quantile(latencies, 0.95),
    p99Ms: quantile(latencies, 0.99),
    jobsPerMin: done.length / minutes,
    pipelineJobsPerMin: ran.length / minutes,
    pipelineJobs: ran.length,
    cacheHitRate: accepted.length ? accepted.filter((r) => r.cached).length / accepted.length : 0,
    failureRate: accepted.length ? accepted.filter((r) => r.status === "failed").length / accepted.length : 0,
    stages,
    peakRssMb,
    series,
  };
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** The seed's table, Metric | Before | After | Improvement, from two measured runs. */
export function seedTable(before: RunSummary, after: RunSummary): string {
  const ratio = (a: number, b: number, lowerIsBetter: boolean) => (b === 0 || a === 0 ? "–" : lowerIsBetter ? `${(a / b).toFixed(2)}× faster` : `${(b / a).toFixed(2)}×`);
  const rows = [
    ["Average processing time (accepted → completed)", s(before.avgMs), s(after.avgMs), ratio(before.avgMs, after.avgMs, true)],
    ["p95 processing time", s(before.p95Ms), s(after.p95Ms), ratio(before.p95Ms, after.p95Ms, true)],
    ["p99 processing time", s(before.p99Ms), s(after.p99Ms), ratio(before.p99Ms, after.p99Ms, true)],
    ["Throughput (jobs/min)", before.jobsPerMin.toFixed(1), after.jobsPerMin.toFixed(1), ratio(before.jobsPerMin, after.jobsPerMin, false)],
    ["Cache hit rate", pct(before.cacheHitRate), pct(after.cacheHitRate), ""],
    ["Failure rate", pct(before.failureRate), pct(after.failureRate), ""],
    ["Lost jobs", String(before.lost), String(after.lost), ""],
    ["Peak RSS", `${before.peakRssMb} MB`, `${after.peakRssMb} MB`, ""],
  ];
  return ["| Metric | Before (baseline) | After (optimized) | Improvement |", "|---|---|---|---|", ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

/** Throughput and p95 over time for each run, as an SVG line chart. */
export function chartSvg(runs: RunSummary[]): string {
  const W = 760;
  const H = 220;
  const pad = 40;
  const colors = ["#c62828", "#1a7f37", "#3b6fd4", "#b26a00"];
  const panel = (key: "perMin" | "p95", title: string, y0: number) => {
    const maxT = Math.max(1, ...runs.flatMap((r) => r.series.map((p) => p.t)));
    const maxV = Math.max(1, ...runs.flatMap((r) => r.series.map((p) => p[key])));
    const x = (t: number) => pad + (t / maxT) * (W - 2 * pad);
    const y = (v: number) => y0 + H - pad / 2 - (v / maxV) * (H - pad);
    const lines = runs
      .map((r, i) => `<polyline fill="none" stroke="${colors[i % 4]}" stroke-width="2" points="${r.series.map((p) => `${x(p.t).toFixed(1)},${y(p[key]).toFixed(1)}`).join(" ")}"/>`)
      .join("");
    const legend = runs.map((r, i) => `<text x="${W - 200}" y="${y0 + 18 + i * 16}" fill="${colors[i % 4]}" font-size="12">${r.label}</text>`).join("");
    return `<text x="${pad}" y="${y0 + 14}" font-size="13" font-weight="600">${title} (max ${Math.round(maxV)})</text><line x1="${pad}" y1="${y(0)}" x2="${W - pad}" y2="${y(0)}" stroke="#999"/><text x="${W - pad}" y="${y(0) + 14}" font-size="11" text-anchor="end">${Math.round(maxT)} s</text>${lines}${legend}`;
  };
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${2 * H + 20}" font-family="sans-serif"><rect width="100%" height="100%" fill="#fff"/>${panel("perMin", "Throughput (jobs/min, 10 s buckets)", 0)}${panel("p95", "p95 accepted → completed (ms)", H + 10)}</svg>`;
}
