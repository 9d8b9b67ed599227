/**
 * Stored bytes for repeat uploads (issue 29): one user uploads the same 5 MB PDF 100 times,
 * on each pipeline, to a service inside this process (local storage, PGlite). The figure is
 * the growth of the stored PDFs over the PDF's own size, both measured here: 1.0 is one copy.
 *
 *   bun run bench:stored-bytes [--uploads 100] [--mb 5]
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { uploadBlob, waitFinal } from "../test/support/client.ts";
import { fixture } from "../test/support/fixtures.ts";
import { startInProcess } from "../test/support/in-process-service.ts";

const { values } = parseArgs({ options: { uploads: { type: "string", default: "100" }, mb: { type: "string", default: "5" } } });
const uploads = Number(values.uploads);
const mb = Number(values.mb);

/** A real paper padded with comment lines after its end to `mb` MB: pdf.js reads it as the paper. */
function paddedPdf(): Uint8Array<ArrayBuffer> {
  const base = readFileSync(fixture("paper-two-column.pdf"));
  const line = `%${"x".repeat(1022)}\n`;
  const pad = new TextEncoder().encode(line.repeat(Math.max(0, Math.ceil((mb * 1024 * 1024 - base.length) / line.length))));
  const out = new Uint8Array(base.length + pad.length);
  out.set(base);
  out.set(pad, base.length);
  return out;
}

/** Bytes of the stored PDFs (not the storage probe) and of everything else under uploads/. */
function stored(dir: string): { pdfs: number; other: number } {
  let pdfs = 0;
  let other = 0;
  for (const f of readdirSync(dir)) {
    const size = statSync(join(dir, f)).size;
    if (f.endsWith(".pdf") && !f.startsWith("probe_")) pdfs += size;
    else if (!f.startsWith("probe_")) other += size;
  }
  return { pdfs, other };
}

const pdf = paddedPdf();
const rows: string[] = [];
for (const pipeline of ["optimized", "staged"]) {
  const svc = await startInProcess({
    name: `stored-bytes-${pipeline}`,
    env: { FOLIO_RATE_LIMIT_PER_MIN: "1000000", MAX_UPLOAD_MB: String(mb * 2), FOLIO_MAX_IN_FLIGHT_PER_USER: String(uploads * 2) },
  });
  try {
    const dir = join(svc.dataDir, "uploads");
    const before = stored(dir);
    const started = performance.now();
    const first = await uploadBlob(svc.url, pdf, "padded.pdf", { pipeline });
    const job = await waitFinal(svc.url, first.body.jobId);
    if (job.status !== "completed") throw new Error(`the first job failed: ${JSON.stringify(job.error)}`);
    const answers = [first.status];
    for (let i = 1; i < uploads; i++) answers.push((await uploadBlob(svc.url, pdf, "padded.pdf", { pipeline })).status);
    const seconds = (performance.now() - started) / 1000;
    const after = stored(dir);
    const growth = after.pdfs - before.pdfs;
    const ratio = growth / pdf.length;
    console.log(`${pipeline}: ${uploads} uploads of ${(pdf.length / 1e6).toFixed(2)} MB in ${seconds.toFixed(1)} s; answers ${[...new Set(answers)].join("/")}; stored PDFs +${growth} bytes = ${ratio.toFixed(3)} × the PDF; other stored bytes +${after.other - before.other} (the first job's text)`);
    rows.push(`| ${pipeline} | ${uploads} | ${pdf.length} | ${growth} | ${ratio.toFixed(3)} |`);
  } finally {
    await svc.stop();
    svc.cleanup();
  }
}
console.log("\n| pipeline | uploads | PDF bytes | stored PDF bytes added | ratio to one copy |\n|---|---|---|---|---|");
console.log(rows.join("\n"));
process.exit(0);
