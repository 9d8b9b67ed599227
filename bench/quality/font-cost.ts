/**
 * bench:font-cost — what the outline detector costs a PDF without bookmarks: extraction with
 * it (font names learnt from operator lists, src/pipeline/font-names.ts) against extraction
 * without it, on the same bytes, median of three runs each, for every corpus PDF that has no
 * bookmarks. Prints a Markdown table for bench/RESULTS.md.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { extractPdf } from "../../src/pipeline/extract.ts";
import { CORPUS_DIR } from "../../test/support/corpus.ts";

const opts = { maxPages: 5000, minTextChars: 1 };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

console.log("| PDF | without (ms) | with (ms) | ratio |\n|---|---:|---:|---:|");
for (const file of readdirSync(CORPUS_DIR).filter((f) => f.endsWith(".pdf") && !f.startsWith("bad-"))) {
  const bytes = new Uint8Array(await Bun.file(join(CORPUS_DIR, file)).arrayBuffer());
  try {
    if ((await extractPdf(bytes, { ...opts, headingsFrom: "bookmarks" })).headings.length > 0) continue;
  } catch {
    continue;
  }
  const time = async (headingsFrom: "auto" | "bookmarks") => {
    const start = performance.now();
    await extractPdf(bytes, { ...opts, headingsFrom });
    return performance.now() - start;
  };
  const without: number[] = [];
  const withFonts: number[] = [];
  for (let i = 0; i < 3; i++) {
    without.push(await time("bookmarks"));
    withFonts.push(await time("auto"));
  }
  console.log(`| ${file} | ${median(without).toFixed(0)} | ${median(withFonts).toFixed(0)} | ${(median(withFonts) / median(without)).toFixed(2)} |`);
}
