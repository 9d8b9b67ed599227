/**
 * Scale-out: `bun run bench:scale [--jobs 90] [--workers 1,2,3] [--concurrency 4]`. One
 * server and 1, 2, 3 worker processes (Postgres, shared local storage), each worker with the
 * same fixed per-process concurrency, under a model-bound load (the OpenAI stand-in at a
 * 1.5 s median): jobs/min per count, and each count's efficiency against one process.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startOpenAIStandIn } from "../../test/support/openai-standin.ts";
import { freshDatabase } from "../../test/support/postgres.ts";
import { startServiceProcess, type ServiceProcess } from "../../test/support/service-process.ts";
import { summarise } from "./report.ts";
import { drive, modelBoundEnv, pdfPool, workload } from "./workload.ts";

const { values } = parseArgs({
  options: { jobs: { type: "string", default: "90" }, workers: { type: "string", default: "1,2,3" }, concurrency: { type: "string", default: "4" } },
});
const jobs = Number(values.jobs);
const perProcess = values.concurrency;
const standIn = startOpenAIStandIn({ latencyMs: { median: 1500, p95: 4000 }, errorRate: 0 });
const rows: { workers: number; perMin: number }[] = [];

try {
  for (const count of values.workers.split(",").map(Number)) {
    const db = await freshDatabase(`scale${count}`);
    const dataDir = mkdtempSync(join(tmpdir(), "folio-scale-"));
    const prefix = `{folio-scale-${process.pid}-${count}}`;
    const env = modelBoundEnv(db.url, standIn.url, perProcess);
    const procs: ServiceProcess[] = [];
    try {
      const server = await startServiceProcess({ name: `scale-server-${count}`, args: ["--role", "server"], prefix, env, dataDir });
      procs.push(server);
      for (let w = 0; w < count; w++) procs.push(await startServiceProcess({ name: `scale-workers-${count}-${w}`, workersOnly: true, prefix, env, dataDir }));
      const files = workload({ jobs, duplicates: 0, seed: 11 + count }, pdfPool("corpus").slice(0, 12));
      const results = await drive(server.url, files, { jobs, concurrency: 40, duplicates: 0, seed: 11, timeoutS: 600 });
      const s = summarise(`${count} worker process${count > 1 ? "es" : ""}`, results, 0);
      rows.push({ workers: count, perMin: s.pipelineJobsPerMin });
      console.error(`${count} worker processes: ${s.pipelineJobsPerMin.toFixed(1)} jobs/min, lost ${s.lost}`);
    } finally {
      for (const p of procs.reverse()) {
        await p.stop();
        p.cleanup();
      }
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
} finally {
  await standIn.stop();
}

const one = rows[0]!.perMin;
console.log(`\nCommand: \`bun run bench:scale ${process.argv.slice(2).join(" ")}\` — ${jobs} distinct uploads per run, ${perProcess} jobs at a time per worker process, model at a 1.5 s median, ${cpus().length} cores.\n`);
console.log("| worker processes | jobs/min | per-process efficiency vs 1 |\n|---|---|---|");
for (const r of rows) console.log(`| ${r.workers} | ${r.perMin.toFixed(1)} | ${(r.perMin / (one * r.workers)).toFixed(2)} |`);
process.exit(0);
