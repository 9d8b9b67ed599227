/**
 * Offline mode of the load test: the whole pipeline with the extractive generator against an
 * extraction-only run of the same PDFs on one thread with the same concurrency (target ≥ 0.8),
 * and unpdf against poppler's `pdftotext` per PDF for reference.
 * `bun run bench:offline [--jobs 60]`
 */
import { parseArgs } from "node:util";
import { extractPdf, warmExtractor } from "../../src/pipeline/extract.ts";
import { queueTuning } from "../../src/queues/worker-options.ts";
import { loadConfig } from "../../src/config.ts";
import { basename } from "node:path";
import { startServiceProcess } from "../../test/support/service-process.ts";
import { mapLimit } from "../../src/pipeline/notes/chunks.ts";
import { drive, pdfPool, workload } from "./workload.ts";

const { values } = parseArgs({ options: { jobs: { type: "string", default: "60" } } });
const jobs = Number(values.jobs);
const files = workload({ jobs, duplicates: 0, seed: 7 }, pdfPool("corpus"));
const concurrency = queueTuning(loadConfig({}), "pdf-notes-optimized").concurrency;

// Extraction only, the same PDFs, one thread, the consumer's concurrency.
await warmExtractor();
const bytes = await Promise.all(files.map(async (u) => new Uint8Array(await Bun.file(u.path).arrayBuffer())));
const t0 = performance.now();
await mapLimit(bytes, concurrency, (b) => extractPdf(b, { maxPages: 5000, minTextChars: 0 }).catch(() => null));
const extractOnly = jobs / ((performance.now() - t0) / 1000);

const svc = await startServiceProcess({ name: "offline-load", env: { FOLIO_CACHE: "off", LOG_LEVEL: "warn", FOLIO_RATE_LIMIT_PER_MIN: "100000", FOLIO_MAX_IN_FLIGHT_PER_USER: "100000" } });
let e2e = 0;
try {
  const results = await drive(svc.url, files, { jobs, concurrency: 10, duplicates: 0, seed: 7, timeoutS: 600 });
  const done = results.filter((r) => r.status === "completed");
  const span = (Math.max(...done.map((r) => r.finishedAt!)) - Math.min(...results.map((r) => r.acceptedAt))) / 1000;
  e2e = done.length / span;
  console.log(`| end to end, offline notes (${done.length}/${jobs} completed) | ${e2e.toFixed(2)} jobs/s |`);
} finally {
  await svc.stop();
  svc.cleanup();
}
console.log(`| extraction only, same PDFs, 1 thread, concurrency ${concurrency} | ${extractOnly.toFixed(2)} jobs/s |`);
console.log(`| end to end / extraction only | ${(e2e / extractOnly).toFixed(2)} (target ≥ 0.8) |`);

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
