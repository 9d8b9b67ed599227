/**
 * Offline mode of the load test, per extraction-thread count N (`--threads 1,2`): the whole
 * pipeline with the extractive generator, cache off, distinct PDFs, against the bound: the
 * same PDFs read by an extraction pool of N threads alone (target ≥ 0.85 of it), and how N
 * scales; then unpdf against poppler's `pdftotext` per PDF for reference.
 * `bun run bench:offline [--jobs 60] [--threads 1,2]`
 */
import { basename } from "node:path";
import { parseArgs } from "node:util";
import { resolveLanguages } from "../../src/extraction/ocr/languages.ts";
import { ExtractionPool } from "../../src/extraction/pool.ts";
import { extractPdf } from "../../src/extraction/extract.ts";
import { startServiceProcess } from "../../test/support/service-process.ts";
import { drive, pdfPool, workload } from "./workload.ts";
import { cpuSeconds } from "../lib/proc.ts";

const { values } = parseArgs({ options: { jobs: { type: "string", default: "60" }, threads: { type: "string", default: "1,2" } } });
const jobs = Number(values.jobs);
const files = workload({ jobs, duplicates: 0, seed: 7 }, pdfPool("corpus"));
const bytes = await Promise.all(files.map(async (u) => new Uint8Array(await Bun.file(u.path).arrayBuffer())));

/** Extraction alone: every PDF handed to a pool of n threads at once. */
async function bound(n: number): Promise<{ rate: number; cpuMsPerJob: number }> {
  const pool = new ExtractionPool({
    threads: n, perUser: false, timeoutMs: 600_000, maxRssMb: 4096, maxPages: 5000, minTextChars: 0, maxTextChars: 50_000_000, largePages: 500,
    ocrPageTimeoutMs: 600_000,
    ocr: { langs: resolveLanguages(["eng"]), dpi: 200, maxPages: 5000 },
  });
  await pool.start();
  // The pool takes the bytes over (transfers them): hand it copies, the next run needs them too.
  const copies = bytes.map((b) => b.slice());
  const cpu0 = cpuSeconds(process.pid);
  const t0 = performance.now();
  await Promise.all(copies.map((b, i) => pool.extract({ bytes: b, sha256: String(i), userId: "bench", jobId: String(i), ocr: "off" }).catch(() => null)));
  const rate = jobs / ((performance.now() - t0) / 1000);
  const cpuMsPerJob = ((cpuSeconds(process.pid) - cpu0) * 1000) / jobs;
  await pool.stop(0);
  return { rate, cpuMsPerJob };
}

async function endToEnd(n: number): Promise<{ rate: number; cpuMsPerJob: number }> {
  const svc = await startServiceProcess({
    name: `offline-load-${n}`,
    env: { FOLIO_EXTRACT_THREADS: String(n), FOLIO_CACHE: "off", LOG_LEVEL: "warn", FOLIO_RATE_LIMIT_PER_MIN: "100000", FOLIO_MAX_IN_FLIGHT_PER_USER: "100000" },
  });
  try {
    const cpu0 = cpuSeconds(svc.proc.pid);
    const results = await drive(svc.url, files, { jobs, concurrency: 10, duplicates: 0, seed: 7, timeoutS: 600 });
    const done = results.filter((r) => r.status === "completed");
    const span = (Math.max(...done.map((r) => r.finishedAt!)) - Math.min(...results.map((r) => r.acceptedAt))) / 1000;
    return { rate: done.length / span, cpuMsPerJob: ((cpuSeconds(svc.proc.pid) - cpu0) * 1000) / jobs };
  } finally {
    await svc.stop();
    svc.cleanup();
  }
}

console.log(
  `| threads | extraction only (bound), jobs/s | end to end, offline notes, jobs/s | end to end / bound | CPU ms per job: extraction only / whole service |\n|---|---|---|---|---|`,
);
const bounds: number[] = [];
for (const n of values.threads.split(",").map(Number)) {
  const b = await bound(n);
  const e = await endToEnd(n);
  bounds.push(b.rate);
  console.log(`| ${n} | ${b.rate.toFixed(2)} | ${e.rate.toFixed(2)} | ${(e.rate / b.rate).toFixed(2)} (target ≥ 0.85) | ${b.cpuMsPerJob.toFixed(0)} / ${e.cpuMsPerJob.toFixed(0)} |`);
}
if (bounds.length > 1) console.log(`\nbound with ${values.threads.split(",").at(-1)} threads / with ${values.threads.split(",")[0]}: ${(bounds.at(-1)! / bounds[0]!).toFixed(2)}×`);

if (Bun.which("pdftotext")) {
  console.log("\n| PDF | pages | unpdf (extract stage) ms | pdftotext ms | unpdf / pdftotext |\n|---|---|---|---|---|");
  for (const path of [...new Set(files.map((u) => u.path))].slice(0, 10)) {
    const f = basename(path);
    const b = new Uint8Array(await Bun.file(path).arrayBuffer());
    const med = async (fn: () => Promise<unknown> | unknown) => {
      const xs: number[] = [];
      for (let i = 0; i < 3; i++) {
        const s = performance.now();
        await fn();
        xs.push(performance.now() - s);
      }
      return xs.sort((a, c) => a - c)[1]!;
    };
    const doc = await extractPdf(b, { maxPages: 5000, minTextChars: 0 });
    const u = await med(() => extractPdf(b, { maxPages: 5000, minTextChars: 0 }));
    const p = await med(() => Bun.spawnSync(["pdftotext", path, "-"], { stdout: "ignore" }));
    console.log(`| ${f} | ${doc.totalPages} | ${u.toFixed(0)} | ${p.toFixed(0)} | ${(u / p).toFixed(2)} |`);
  }
} else {
  console.log("\npdftotext not installed (Debian: apt-get install poppler-utils): reference skipped");
}
process.exit(0);
