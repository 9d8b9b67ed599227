/**
 * bench:ocr — how well and how fast Folio reads scans, on scans it makes itself: pages of
 * corpus papers (born-digital) rendered to 200-dpi greyscale images, turned 0.5° and
 * speckled, rebuilt as image-only PDFs (test/support/scan.ts), then read back by Folio.
 *   Quality: word error rate of the OCR'd text against the original page's text layer
 *   (pdf.js), per page: over all its text, and over its body text alone (lines of prose on
 *   both sides: `isProse`), which leaves out figure labels, code, formulas and headers, whose
 *   reading order differs between a text layer and OCR.
 *   Speed: OCR pages per second with one extraction thread, and with two threads at once
 *   (two one-thread pools: the service's pool gives scans at most N−1 of its N threads, so
 *   that a small PDF always finds a thread).
 * `bun run bench:ocr [--pages 6] [--rounds 3]`; prints Markdown for bench/RESULTS.md.
 */
import { parseArgs } from "node:util";
import { availableParallelism } from "node:os";
import { ExtractionPool } from "../src/extraction/pool.ts";
import { extractPdf } from "../src/extraction/extract.ts";
import { resolveLanguages } from "../src/extraction/ocr/languages.ts";
import { ocrPages } from "../src/extraction/ocr/ocr-pages.ts";
import { corpusPath } from "../test/support/corpus.ts";
import { pagesPdf, scanPage } from "../test/support/scan.ts";

const { values } = parseArgs({ options: { pages: { type: "string", default: "6" }, rounds: { type: "string", default: "3" } } });
/** Body pages of papers with a plain single-column layout, and one page of a table of contents apart. */
const SOURCES: [file: string, pages: number[]][] = [
  ["paper-cvs-parallel-dev.pdf", [2, 3, 4, 5]],
  ["paper-r-rprotobuf.pdf", [3, 4]],
  ["paper-hyperref-tug.pdf", [2, 3]],
];
const wanted = Number(values.pages);
const rounds = Number(values.rounds);
const langs = resolveLanguages(["eng"]);
const DPI = 200;

const words = (s: string) =>
  s
    .toLowerCase()
    .replace(/-\n/g, "")
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);

/**
 * Lines of running prose, as a reader would pick them out: six words or more (running heads,
 * page numbers and captions' labels are shorter), nearly all of them words of letters (a row
 * of a figure's labels, `1.1.1.3 1.1.1.4 'SunOS_4_0_3'`, is numbers and identifiers), and no
 * code's punctuation (`{ } = < > _ \\ $`). Figures and code listings are read in another order
 * by OCR than the text layer holds them; the issue's target is for body text.
 */
const isProse = (line: string) => {
  const tokens = line.split(/\s+/).filter(Boolean);
  const wordy = tokens.filter((t) => /^[("'\u2018\u201c]?\p{L}[\p{L}'\u2019-]*[)"'\u2019\u201d.,;:!?]*$/u.test(t));
  return tokens.length >= 6 && wordy.length >= 0.85 * tokens.length && !/[{}=<>_\\$]/.test(line);
};
/** Word-level Levenshtein distance. */
function distance(reference: string[], hypothesis: string[]): number {
  let prev = Array.from({ length: hypothesis.length + 1 }, (_, j) => j);
  for (let i = 1; i <= reference.length; i++) {
    const row = [i];
    for (let j = 1; j <= hypothesis.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (reference[i - 1] === hypothesis[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[hypothesis.length]!;
}

const wer = (reference: string[], hypothesis: string[]) => distance(reference, hypothesis) / Math.max(1, reference.length);

/**
 * WER over the reference's prose lines, each against the OCR line closest to it: chosen on the
 * reference side only, so a prose line OCR garbled still counts its errors, and matched line
 * by line, so a figure read in another order does not shift the words around it.
 */
function bodyWer(reference: string, hypothesis: string): { rate: number; words: number } {
  const hyp = hypothesis.split("\n").map(words).filter((w) => w.length > 0);
  const lines = reference.split("\n").filter(isProse).map(words);
  const errors = lines.reduce((sum, ref) => sum + Math.min(ref.length, ...hyp.map((h) => distance(ref, h))), 0);
  const total = lines.reduce((n, ref) => n + ref.length, 0);
  return { rate: errors / Math.max(1, total), words: total };
}

interface Scan {
  label: string;
  pdf: Uint8Array;
  reference: string;
}

const scans: Scan[] = [];
for (const [file, pages] of SOURCES) {
  const original = new Uint8Array(await Bun.file(corpusPath(file)).arrayBuffer());
  const layer = await extractPdf(original, { maxPages: 5000, minTextChars: 0 });
  for (const n of pages) {
    if (scans.length >= wanted) break;
    const image = await scanPage(original, n, { dpi: DPI, angle: 0.5, noise: 0.01, seed: n });
    scans.push({ label: `${file} p.${n}`, pdf: new Uint8Array(await pagesPdf([image])), reference: layer.pages[n - 1]! });
  }
}

console.log(`## bench:ocr (${new Date().toISOString().slice(0, 10)}, ${availableParallelism()} cores, ${DPI} dpi, tesseract LSTM eng 4.0.0_best_int)\n`);
console.log("| page | words | WER, all text | words in prose lines | WER, prose lines | confidence | ms |\n|---|---:|---:|---:|---:|---:|---:|");
const rates: number[] = [];
const bodyRates: number[] = [];
for (const scan of scans) {
  const started = performance.now();
  const pass = await ocrPages(scan.pdf, new Map([[1, ""]]), "auto", { langs, dpi: DPI, maxPages: 1 });
  const ms = performance.now() - started;
  const result = pass.read.get(1)!;
  const ref = words(scan.reference);
  const rate = wer(ref, words(result.text));
  const prose = bodyWer(scan.reference, result.text);
  rates.push(rate);
  bodyRates.push(prose.rate);
  console.log(`| ${scan.label} | ${ref.length} | ${rate.toFixed(3)} | ${prose.words} | ${prose.rate.toFixed(3)} | ${result.confidence} | ${ms.toFixed(0)} |`);
}
const summary = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return `median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(3)}, mean ${(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(3)}`;
};
console.log(`\nWER over ${rates.length} pages: all text ${summary(rates)}; prose lines ${summary(bodyRates)} (the first page's time includes loading tesseract)\n`);

/** Every scan through `pools` one-thread pools at once: pages per second. */
async function pagesPerSecond(pools: number): Promise<number> {
  const made = Array.from(
    { length: pools },
    () =>
      new ExtractionPool({
        threads: 1,
        perUser: false,
        timeoutMs: 600_000,
        maxRssMb: 4096,
        ocrPageTimeoutMs: 600_000,
        maxPages: 5000,
        minTextChars: 0,
        maxTextChars: 50_000_000,
        largePages: 500,
        ocr: { langs, dpi: DPI, maxPages: 100 },
      }),
  );
  await Promise.all(made.map((p) => p.start()));
  // One scan each first: tesseract loads on a thread's first scan, which is not the steady rate.
  await Promise.all(made.map((p, i) => p.extract({ bytes: scans[i % scans.length]!.pdf.slice(), sha256: "warm", userId: "bench", jobId: "warm" })));
  const started = performance.now();
  // Each pool takes the next scan when it is free: pages differ in cost (1–4 s), and handing
  // them out in turns would leave a thread idle while the other finishes its longer share.
  // Several rounds over the scans, so the end of the batch (one thread finishing the last page
  // while the other has none left) weighs less against the steady rate.
  const queue = Array.from({ length: rounds }, () => scans).flat();
  let next = 0;
  await Promise.all(
    made.map(async (pool) => {
      for (let i = next++; i < queue.length; i = next++) await pool.extract({ bytes: queue[i]!.pdf.slice(), sha256: String(i), userId: "bench", jobId: String(i) });
    }),
  );
  const rate = queue.length / ((performance.now() - started) / 1000);
  await Promise.all(made.map((p) => p.stop(0)));
  return rate;
}

const one = await pagesPerSecond(1);
const two = await pagesPerSecond(2);
console.log("| threads | OCR pages/s | vs 1 thread |\n|---:|---:|---:|");
console.log(`| 1 | ${one.toFixed(2)} | 1.00× |`);
console.log(`| 2 | ${two.toFixed(2)} | ${(two / one).toFixed(2)}× |`);
