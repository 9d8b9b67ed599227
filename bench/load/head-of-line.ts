/**
 * Head-of-line blocking: `bun run bench:head-of-line [--pages 3000 | --scan 40] [--threads 2]`.
 * A long PDF (a generated one of --pages pages, or a scan of --scan pages that OCR reads
 * page by page), then five small ones 0.3 s later: each small one's upload-to-notes time
 * against its time on the idle service (target ≤ 2×; before the extraction pool it was ~40×).
 */
import { parseArgs } from "node:util";
import { headOfLine } from "../../test/support/head-of-line.ts";
import { longPdf } from "../../test/support/pdf-factory.ts";
import { longScan } from "../../test/support/scan.ts";
import { startServiceProcess } from "../../test/support/service-process.ts";

const { values } = parseArgs({ options: { pages: { type: "string", default: "3000" }, scan: { type: "string" }, threads: { type: "string", default: "0" } } });
const salt = Date.now();
const [long, what] = values.scan
  ? [await longScan(Number(values.scan), String(salt)), `${values.scan}-page scan is OCR'd`]
  : [longPdf(Number(values.pages), `Long ${salt}`), `${values.pages}-page PDF is read`];
const svc = await startServiceProcess({ name: "head-of-line", env: { FOLIO_EXTRACT_THREADS: values.threads, LOG_LEVEL: "warn", FOLIO_CACHE: "off" } });
try {
  const r = await headOfLine(svc.url, long, salt);
  console.log(`One small PDF at a time (median of 3): idle ${r.idleMs} ms; while a ${what}, ${r.underLoadOneMs} ms: **${(r.underLoadOneMs / r.idleMs).toFixed(2)}×** (target ≤ 2)\n`);
  console.log(
    `| small PDF (of 5 at once, by finish) | idle, one at a time, ms | idle, the same 5 at once, ms | while a ${what}, ms | ratio to one at a time | ratio to the idle burst |\n|---|---|---|---|---|---|`,
  );
  r.underLoadMs.forEach((ms, i) =>
    console.log(`| ${i + 1} | ${r.idleMs} | ${r.idleBurstMs[i]} | ${ms} | ${(ms / r.idleMs).toFixed(1)} | ${(ms / r.idleBurstMs[i]!).toFixed(1)} |`),
  );
  console.log(`\nthe long PDF was "${r.longStatusThen}" when the last small one was done`);
} finally {
  await svc.stop();
  svc.cleanup();
}
