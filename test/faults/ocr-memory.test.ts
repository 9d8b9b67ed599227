/**
 * OCR's memory does not grow with a scan's pages (issue 26): a page's bitmaps (3.7 MB of grey
 * pixels at 200 dpi for A4) and tesseract's per-page results are garbage the moment the page
 * is read, and without a collection after each page they piled up for the whole scan
 * (~+120 MB over 40 pages per thread, measured). Two scans at once on a 3-thread pool, every
 * thread a scan may hold (N−1): the peak over the pool's idle RSS with 40-page scans against
 * the same with 4-page scans, measured here on the same threads.
 */
import { afterAll, expect, test } from "bun:test";
import { ExtractionPool } from "../../src/extraction/pool.ts";
import { resolveLanguages } from "../../src/extraction/ocr/languages.ts";
import { longScan } from "../support/scan.ts";

const pool = new ExtractionPool({
  perUser: false,
  threads: 3,
  timeoutMs: 60_000,
  maxRssMb: 4096,
  maxPages: 5000,
  minTextChars: 50,
  maxTextChars: 8_000_000,
  largePages: 500,
  ocrPageTimeoutMs: 60_000,
  ocr: { langs: resolveLanguages(["eng"]), dpi: 200, maxPages: 100 },
});
afterAll(() => pool.stop(0));

/** The process's peak RSS growth while two scans of `pages` pages are read at once. */
async function peakGrowth(pages: number): Promise<number> {
  const scans = await Promise.all([longScan(pages, "a"), longScan(pages, "b")]);
  // Making the scans leaves garbage on this thread: not what the pool's threads hold.
  Bun.gc(true);
  const idle = process.memoryUsage.rss();
  let peak = idle;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  try {
    const read = await Promise.all(scans.map((bytes, i) => pool.extract({ bytes, sha256: `${pages}-${i}`, userId: "u", jobId: `j${i}` })));
    expect(read.map((t) => Object.keys(t.ocr?.confidence ?? {}).length)).toEqual([pages, pages]);
  } finally {
    clearInterval(sampler);
  }
  return peak - idle;
}

test("two 40-page scans at once peak within 1.3× the memory of two 4-page scans", async () => {
  await pool.start();
  // Tesseract loads on a thread's first scan (~100 MB): both scan threads load it before the idle figure.
  await peakGrowth(1);
  const short = await peakGrowth(4);
  const long = await peakGrowth(40);
  console.log(JSON.stringify({ fourPagesMb: short >> 20, fortyPagesMb: long >> 20 }));
  expect(long).toBeLessThan(short * 1.3 + 16 * 1024 * 1024);
});
