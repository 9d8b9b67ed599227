/**
 * The whole-pipeline load test: `bun run bench:load [--jobs 120] [--concurrency 8] [--dup 0.3]
 *   [--profiles baseline,optimized | seed-before,optimized] [--pipeline optimized|staged]
 *   [--llm-median 1500 --llm-p95 4000 --error-rate 0.08] [--url http://host:3000 --api-key KEY]
 *   [--write] [--smoke]`
 * `seed-before` is every optimization off together: the baseline worker profile, no cache,
 * no circuit breaker, and one status UPDATE per change.
 * Starts the OpenAI stand-in (log-normal latency, transient errors) and one service per
 * profile on a free port (or targets --url), uploads the same seeded workload to each,
 * follows every job to its end, and prints the seed's before/after table. --write puts the
 * table, the bound check and an SVG chart into bench/RESULTS.md and bench/load/chart.svg.
 */
import { poolOptions, tuningChoice } from "../../src/options.ts";
import { readFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../../src/config.ts";
import { queueTuning } from "../../src/queues/worker-options.ts";
import { startOpenAIStandIn } from "../../test/support/openai-standin.ts";
import { startServiceProcess } from "../../test/support/service-process.ts";
import { chartSvg, seedTable, summarise, type RunSummary } from "./report.ts";
import { drive, pdfPool, workload, type LoadOptions } from "./workload.ts";
import { cpuSeconds } from "../lib/proc.ts";
import { redisPid, startCpuShare, type CpuShare } from "./cpu-share.ts";

const { values } = parseArgs({
  options: {
    jobs: { type: "string", default: "120" },
    concurrency: { type: "string", default: "8" },
    dup: { type: "string", default: "0.3" },
    profiles: { type: "string", default: "baseline,optimized" },
    pipeline: { type: "string", default: "optimized" },
    "llm-median": { type: "string", default: "1500" },
    "llm-p95": { type: "string", default: "4000" },
    "error-rate": { type: "string", default: "0.08" },
    "timeout-s": { type: "string", default: "900" },
    url: { type: "string" },
    "api-key": { type: "string" },
    write: { type: "boolean", default: false },
    smoke: { type: "boolean", default: false },
    /** KEY=VALUE service settings for a knob study run, e.g. --env FOLIO_CACHE=off */
    env: { type: "string", multiple: true, default: [] },
  },
});
const extraEnv = Object.fromEntries((values.env ?? []).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));

const opts: LoadOptions = {
  jobs: values.smoke ? 6 : Number(values.jobs),
  concurrency: Number(values.concurrency),
  duplicates: Number(values.dup),
  seed: 42,
  timeoutS: values.smoke ? 120 : Number(values["timeout-s"]),
  apiKey: values["api-key"],
  pipeline: values.pipeline === "staged" ? "staged" : "optimized",
};
type Profile = "baseline" | "optimized" | "seed-before";
const PROFILE_ENV: Record<Profile, Record<string, string>> = {
  baseline: { FOLIO_PROFILE: "baseline" },
  optimized: { FOLIO_PROFILE: "optimized" },
  "seed-before": { FOLIO_PROFILE: "baseline", FOLIO_CACHE: "off", FOLIO_BREAKER: "off", FOLIO_STATUS_BATCH: "1" },
};
const profiles = (values.profiles ?? "").split(",") as Profile[];
/** The queue whose settings bound a run: the one-job queue, or on the staged path its slowest stage. */
const boundQueue = opts.pipeline === "staged" ? "ai-notes" : "pdf-notes-optimized";
const files = workload(opts, pdfPool(values.smoke ? "fixtures" : "corpus"));
const standIn = startOpenAIStandIn({
  latencyMs: values.smoke ? 20 : { median: Number(values["llm-median"]), p95: Number(values["llm-p95"]) },
  errorRate: Number(values["error-rate"]),
});

function peakRssMb(pid: number): number {
  try {
    const kb = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : 0;
  } catch {
    return 0;
  }
}

/** CPU ms of extraction + notes + bookkeeping per job, on the idle service, one job at a time (PDFs not in the workload). */
async function cpuMsPerJob(url: string, pid: number): Promise<number> {
  const probe = workload({ jobs: 8, duplicates: 0, seed: 99 }, pdfPool(values.smoke ? "fixtures" : "corpus")).map((u) => ({ ...u, variant: 1_000_000 + u.variant }));
  const before = cpuSeconds(pid);
  for (const u of probe) await drive(url, [u], { ...opts, jobs: 1, concurrency: 1 });
  return ((cpuSeconds(pid) - before) * 1000) / probe.length;
}

interface ProfileRun {
  summary: RunSummary;
  serviceMs: number;
  /** CPU ms a job costs the idle service, one at a time. */
  cpuMs: number;
  /** Where the CPU went during the run itself. */
  share?: CpuShare;
}

async function runProfile(profile: Profile): Promise<ProfileRun> {
  if (values.url) {
    const results = await drive(values.url, files, opts);
    return { summary: summarise(`${profile} (${values.url})`, results, 0), serviceMs: 0, cpuMs: 0 };
  }
  const svc = await startServiceProcess({
    name: `load-${profile}`,
    env: {
      ...PROFILE_ENV[profile],
      OPENAI_BASE_URL: standIn.url,
      FOLIO_MODEL: "stand-in",
      FOLIO_AI_CHUNK_TOKENS: "20000",
      FOLIO_RATE_LIMIT_PER_MIN: "100000",
      FOLIO_MAX_IN_FLIGHT_PER_USER: "100000",
      LOG_LEVEL: "warn",
      ...extraEnv,
    },
  });
  try {
    const cpuMs = await cpuMsPerJob(svc.url, svc.proc.pid);
    const counting = startCpuShare(svc.proc.pid, redisPid());
    const results = await drive(svc.url, files, opts);
    const share = counting.stop();
    const report = (await (await fetch(`${svc.url}/jobs/monitoring/${boundQueue}`)).json()) as { processing: { avg: number } };
    return { summary: summarise(profile, results, peakRssMb(svc.proc.pid)), serviceMs: report.processing.avg, cpuMs, share };
  } finally {
    await svc.stop();
    svc.cleanup();
  }
}

const runs: (ProfileRun & { profile: Profile })[] = [];
try {
  for (const p of profiles) runs.push({ ...(await runProfile(p)), profile: p });
} finally {
  await standIn.stop();
}

/**
 * The bound of a configuration: a queue cannot finish more than its limiter lets through,
 * nor more than concurrency / service time (Little's law), nor more than the cores can
 * compute. The CPU term is measured during the run itself: the cores the harness (this
 * process: load generator and model stand-in) and Redis did not use, × 60,000 / the
 * service's CPU per pipeline job under that load (idle burn, cache hits and bookkeeping
 * included). The idle service's CPU per job (one at a time) is kept beside it: the two
 * differ by what load adds. Compared with the pipeline jobs (cache hits skip the queue) per
 * minute while the queue was kept full.
 */
const lines: string[] = [];
for (const r of runs) {
  const cfg = loadConfig({ ...PROFILE_ENV[r.profile], ...extraEnv });
  const t = queueTuning(tuningChoice(cfg), boundQueue);
  const byLimiter = t.limiterMax > 0 ? t.limiterMax * 60 : Number.POSITIVE_INFINITY;
  const byConcurrency = r.serviceMs > 0 ? (t.concurrency * 60_000) / r.serviceMs : Number.POSITIVE_INFINITY;
  const share = r.share;
  const cores = availableParallelism();
  const harnessCores = share ? (share.harnessMs + share.redisMs) / share.wallMs : 0;
  const coresLeft = Math.min(poolOptions(cfg, false).threads, cores - harnessCores);
  const cpuPerJob = share && r.summary.pipelineJobs > 0 ? share.serviceMs / r.summary.pipelineJobs : 0;
  const byCpu = cpuPerJob > 0 ? (coresLeft * 60_000) / cpuPerJob : Number.POSITIVE_INFINITY;
  const bound = Math.min(byLimiter, byConcurrency, byCpu);
  const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "–");
  const used = share ? `${(share.serviceMs / share.wallMs).toFixed(2)} / ${(share.harnessMs / share.wallMs).toFixed(2)} / ${(share.redisMs / share.wallMs).toFixed(2)}` : "–";
  lines.push(
    `| ${r.profile} | ${t.concurrency} | ${t.limiterMax || "–"} | ${r.serviceMs} ms | ${r.cpuMs.toFixed(0)} ms | ${cpuPerJob.toFixed(0)} ms | ${used} | ${coresLeft.toFixed(2)} | ${fmt(byLimiter)} / ${fmt(byConcurrency)} / ${fmt(byCpu)} | ${fmt(bound)} | ${r.summary.pipelineJobsPerMin.toFixed(1)} | ${(r.summary.pipelineJobsPerMin / bound).toFixed(2)} |`,
  );
}
const boundTable = [
  `| profile | concurrency (${boundQueue}) | limiter/s | mean service time | CPU per job, idle service | CPU per pipeline job under load | cores used: service / harness / Redis | cores left to the service | bound by limiter / concurrency / CPU (jobs/min) | bound | achieved pipeline jobs/min | achieved / bound |`,
  "|---|---|---|---|---|---|---|---|---|---|---|---|",
  ...lines,
].join("\n");
const detail = runs
  .map(
    ({ summary: s }) =>
      `| ${s.label} | ${s.accepted} | ${s.completed} | ${s.failed} | ${s.lost} | ${(s.avgMs / 1000).toFixed(2)} | ${(s.p50Ms / 1000).toFixed(2)} | ${(s.p95Ms / 1000).toFixed(2)} | ${(s.p99Ms / 1000).toFixed(2)} | ${s.jobsPerMin.toFixed(1)} | ${(s.cacheHitRate * 100).toFixed(1)} % | ${Object.entries(s.stages).map(([k, v]) => `${k.replace("Ms", "")} ${v}`).join(", ")} | ${s.peakRssMb} MB |`,
  )
  .join("\n");
// The seed's own conditions (85 % repeats) get a block and a chart of their own beside the 30 % runs.
const tag = `${profiles.join("-")}-${opts.pipeline}${opts.duplicates === 0.3 ? "" : `-dup${opts.duplicates}`}`;
const command = `bun run bench:load ${process.argv.slice(2).filter((a) => a !== "--write").join(" ")}`.trim();
const section = [
  `## Whole-pipeline load test (${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores)`,
  "",
  `Command: \`${command}\` — ${opts.pipeline} pipeline, ${opts.jobs} uploads (${Math.round(opts.duplicates * 100)} % repeats), ${opts.concurrency} in flight, OpenAI stand-in with log-normal latency (median ${values["llm-median"]} ms, p95 ${values["llm-p95"]} ms) and ${Number(values["error-rate"]) * 100} % transient errors; extraction on the machine's ${cpus().length} cores.`,
  "",
  runs.length === 2 ? seedTable(runs[0]!.summary, runs[1]!.summary) : "",
  "",
  "| run | accepted | completed | failed | lost | avg s | p50 s | p95 s | p99 s | jobs/min | cache hits | mean stage ms (pipeline jobs) | peak RSS |",
  "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  detail,
  "",
  boundTable,
  "",
  `![throughput and p95 over time](load/chart-${tag}.svg)`,
].join("\n");
console.log(section);

if (values.write && !values.smoke) {
  const resultsPath = resolve(import.meta.dir, "../RESULTS.md");
  const current = await Bun.file(resultsPath).text();
  // One block per profile set, pipeline and repeat rate, so the profile-only and the seed's tables live side by side.
  const start = `<!-- load:${tag}:start -->`;
  const end = `<!-- load:${tag}:end -->`;
  const block = `${start}\n${section}\n${end}`;
  const next = current.includes(start) ? current.replace(new RegExp(`${start}[\\s\\S]*${end}`), block) : `${current}\n${block}\n`;
  await Bun.write(resultsPath, next);
  await Bun.write(resolve(import.meta.dir, `chart-${tag}.svg`), chartSvg(runs.map((r) => r.summary)));
}
const lost = runs.reduce((n, r) => n + r.summary.lost, 0);
process.exit(lost > 0 ? 1 : 0);
