/**
 * The adaptive limit against fixed concurrency: `bun run bench:adaptive [--jobs 120]
 * [--processes 1,3] [--fixed 2,5,10,20,40] [--scenarios k4,k16,drop]`. The OpenAI stand-in
 * plays a provider with a capacity: K calls at its 600 ms base latency, calls beyond K share
 * it (latency grows as 600 ms × in flight / K), 429 with `Retry-After: 1` beyond M in flight.
 * Scenarios: (K=4, M=8), (K=16, M=32), and K=16, M=32 dropping to K=4, M=8 once half the
 * jobs are done. Each with 1 and 3 worker processes; for each, fixed per-process concurrency
 * (FOLIO_AI_LIMIT=off) swept over --fixed, then the adaptive limit with the same settings in
 * every scenario (per-process concurrency 40, FOLIO_AI_LIMIT=adaptive, bounds 2–64).
 * Prints the table for bench/RESULTS.md and writes the limit-over-time chart.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { smallPdfs } from "../../test/support/load.ts";
import { startOpenAIStandIn, type Capacity } from "../../test/support/openai-standin.ts";
import { freshDatabase } from "../../test/support/postgres.ts";
import { startServiceProcess, type ServiceProcess } from "../../test/support/service-process.ts";
import { summarise } from "./report.ts";
import { drive, modelBoundEnv, workload } from "./workload.ts";

const { values } = parseArgs({
  options: {
    jobs: { type: "string", default: "120" },
    processes: { type: "string", default: "1,3" },
    fixed: { type: "string", default: "2,5,10,20,40" },
    scenarios: { type: "string", default: "k4,k16,drop" },
  },
});
const jobs = Number(values.jobs);
const BASE_MS = 600;
const capacity = (k: number): Capacity => ({ baseMs: BASE_MS, k, m: 2 * k, retryAfterS: 1 });
const SCENARIOS: Record<string, { label: string; start: Capacity; drop?: Capacity }> = {
  k4: { label: "K=4, M=8", start: capacity(4) },
  k16: { label: "K=16, M=32", start: capacity(16) },
  drop: { label: "K=16→4, M=32→8 halfway", start: capacity(16), drop: capacity(4) },
};
const ADAPTIVE_CONCURRENCY = "40";

interface Row {
  scenario: string;
  processes: number;
  setting: string;
  perMin: number;
  p95Ms: number;
  calls: number;
  pushbacks: number;
  /** Failed with a reason, or refused at upload. */
  failed: number;
  lost: number;
  peakInFlight: number;
  /** Seconds from the capacity drop until the limit stayed within [K, M] of the new capacity. */
  settleS?: number;
  trace?: { t: number; limit: number; inFlight: number }[];
}

async function run(scenario: string, processes: number, setting: string): Promise<Row> {
  const sc = SCENARIOS[scenario]!;
  const standIn = startOpenAIStandIn({ capacity: { ...sc.start } });
  const db = await freshDatabase(`adaptive${processes}${setting}`.replace(/\W/g, ""));
  const dataDir = mkdtempSync(join(tmpdir(), "folio-adaptive-"));
  const prefix = `{folio-adaptive-${process.pid}-${scenario}-${processes}-${setting}}`;
  const adaptive = setting === "adaptive";
  const env = {
    ...modelBoundEnv(db.url, standIn.url, adaptive ? ADAPTIVE_CONCURRENCY : setting),
    // One model call per document, whatever its length: the bench measures calls, not chunking.
    FOLIO_AI_CHUNK_TOKENS: "200000",
    FOLIO_AI_LIMIT: adaptive ? "adaptive" : "off",
  };
  const procs: ServiceProcess[] = [];
  const redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  const trace: Row["trace"] = [];
  let droppedAt: number | undefined;
  try {
    if (processes === 1) procs.push(await startServiceProcess({ name: `adaptive-${setting}`, prefix, env, dataDir }));
    else {
      procs.push(await startServiceProcess({ name: `adaptive-server-${setting}`, args: ["--role", "server"], prefix, env, dataDir }));
      for (let w = 0; w < processes; w++) procs.push(await startServiceProcess({ name: `adaptive-workers-${setting}-${w}`, workersOnly: true, prefix, env, dataDir }));
    }
    const started = Date.now();
    const watch = setInterval(async () => {
      const answered = standIn.calls.filter((c) => c.status === 200).length;
      if (sc.drop && droppedAt === undefined && answered >= jobs / 2) {
        standIn.knobs.capacity = { ...sc.drop };
        droppedAt = Date.now();
      }
      const limit = Number((await redis.hget(`${prefix}:ai-limit`, "limit")) ?? 0);
      trace.push({ t: (Date.now() - started) / 1000, limit: Math.floor(limit), inFlight: standIn.inFlight() });
    }, 250);
    const files = workload({ jobs, duplicates: 0, seed: 28 }, smallPdfs());
    const results = await drive(procs[0]!.url, files, { jobs, concurrency: 40, duplicates: 0, seed: 28, timeoutS: 900 });
    clearInterval(watch);
    const s = summarise(setting, results, 0);
    const row: Row = {
      scenario,
      processes,
      setting,
      perMin: s.pipelineJobsPerMin,
      p95Ms: s.p95Ms,
      calls: standIn.calls.length,
      pushbacks: standIn.calls.filter((c) => c.status === 429).length,
      failed: s.failed + s.refused,
      lost: s.lost,
      peakInFlight: standIn.peakInFlight,
    };
    if (adaptive) {
      row.trace = trace;
      const drop = sc.drop;
      if (droppedAt !== undefined && drop) {
        const at = (droppedAt - started) / 1000;
        const outside = trace.filter((p) => p.t >= at && (p.limit < drop.k || p.limit > drop.m)).at(-1);
        row.settleS = outside ? outside.t - at + 0.25 : 0;
      }
    }
    console.error(JSON.stringify({ ...row, trace: undefined }));
    return row;
  } finally {
    await redis.quit();
    for (const p of procs.reverse()) {
      await p.stop();
      p.cleanup();
    }
    await standIn.stop();
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Limit (solid) and calls in flight at the stand-in (dotted) over time, one panel per adaptive run. */
function chart(rows: Row[]): string {
  const panels = rows.filter((r) => r.trace?.length);
  const w = 420;
  const h = 160;
  const pad = 30;
  const parts = panels.map((r, i) => {
    const x0 = (i % 3) * (w + 20);
    const y0 = Math.floor(i / 3) * (h + 40);
    const tMax = Math.max(...r.trace!.map((p) => p.t), 1);
    const yMax = Math.max(...r.trace!.map((p) => Math.max(p.limit, p.inFlight)), 8);
    const pts = (key: "limit" | "inFlight") =>
      r.trace!.map((p) => `${(x0 + pad + (p.t / tMax) * (w - pad)).toFixed(1)},${(y0 + 20 + h - (p[key] / yMax) * h).toFixed(1)}`).join(" ");
    return [
      `<text x="${x0 + pad}" y="${y0 + 14}" font-size="12">${SCENARIOS[r.scenario]!.label}, ${r.processes} process${r.processes > 1 ? "es" : ""} (y max ${yMax}, ${tMax.toFixed(0)} s)</text>`,
      `<rect x="${x0 + pad}" y="${y0 + 20}" width="${w - pad}" height="${h}" fill="none" stroke="#ccc"/>`,
      `<polyline fill="none" stroke="#1f77b4" stroke-width="1.5" points="${pts("limit")}"/>`,
      `<polyline fill="none" stroke="#ff7f0e" stroke-dasharray="2,2" points="${pts("inFlight")}"/>`,
    ].join("\n");
  });
  const rowsN = Math.ceil(panels.length / 3);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${3 * (w + 20)}" height="${rowsN * (h + 40) + 20}" font-family="sans-serif">
${parts.join("\n")}
<text x="30" y="${rowsN * (h + 40) + 14}" font-size="11">blue: the fleet's adaptive limit; orange, dotted: calls in flight at the stand-in</text>
</svg>`;
}

const rows: Row[] = [];
for (const scenario of values.scenarios.split(",")) {
  for (const processes of values.processes.split(",").map(Number)) {
    for (const setting of [...values.fixed.split(","), "adaptive"]) rows.push(await run(scenario, processes, setting));
  }
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
console.log(
  `\nCommand: \`bun run bench:adaptive ${process.argv.slice(2).join(" ")}\` — ${jobs} distinct uploads per run (the repo's small fixtures, ≤ 30 pages, one model call each), stand-in base latency ${BASE_MS} ms, fixed = per-process concurrency with FOLIO_AI_LIMIT=off, adaptive = per-process concurrency ${ADAPTIVE_CONCURRENCY} with FOLIO_AI_LIMIT=adaptive (bounds 2–64), ${cpus().length} cores.\n`,
);
console.log("| scenario | processes | setting | completed jobs/min | × best fixed | p95 | × best fixed's p95 | 429s / calls | failed | lost | peak in flight | limit settled after the drop |");
console.log("|---|---|---|---|---|---|---|---|---|---|---|---|");
for (const scenario of values.scenarios.split(",")) {
  for (const processes of values.processes.split(",").map(Number)) {
    const group = rows.filter((r) => r.scenario === scenario && r.processes === processes);
    // The best fixed setting an operator could run: one that lost no job to the provider's pushback
    // (a setting that fails most of its jobs fast has a high rate of the few it completes).
    const fixed = group.filter((r) => r.setting !== "adaptive");
    const clean = fixed.filter((r) => r.failed === 0);
    const best = (clean.length ? clean : fixed).reduce((a, b) => (b.perMin > a.perMin ? b : a));
    for (const r of group) {
      const settle = r.settleS === undefined ? "" : `${r.settleS.toFixed(1)} s`;
      console.log(
        `| ${SCENARIOS[scenario]!.label} | ${processes} | ${r.setting}${r === best ? " (best fixed)" : ""} | ${r.perMin.toFixed(1)} | ${(r.perMin / best.perMin).toFixed(2)} | ${(r.p95Ms / 1000).toFixed(1)} s | ${(r.p95Ms / best.p95Ms).toFixed(2)} | ${r.pushbacks} / ${r.calls} (${pct(r.pushbacks / Math.max(1, r.calls))}) | ${r.failed} | ${r.lost} | ${r.peakInFlight} | ${settle} |`,
      );
    }
  }
}
writeFileSync(join(import.meta.dir, "chart-adaptive-limit.svg"), chart(rows));
console.log("\nChart: bench/load/chart-adaptive-limit.svg");
process.exit(0);
