import { extractPdf } from "../src/extraction/extract.ts";
import type { ExtractedText } from "../src/extraction/extract.ts";
import { summarise } from "../src/notes/extractive.ts";
import { corpusPath } from "../test/support/corpus.ts";
import type { BenchSuite } from "./lib/comparison.ts";

const opts = { summarySentences: 6, keyPoints: 8 };
let docs: Record<number, ExtractedText> = {};

/** The extractive generator on 10k, 100k and 1M characters of corpus text. */
async function corpusText(): Promise<string[]> {
  const doc = await extractPdf(new Uint8Array(await Bun.file(corpusPath("manual-debian-reference-en.pdf")).arrayBuffer()), {
    maxPages: 5000,
    minTextChars: 0,
  });
  return doc.pages;
}

function slice(pages: string[], chars: number): ExtractedText {
  const out: string[] = [];
  let n = 0;
  for (let i = 0; n < chars; i = (i + 1) % pages.length) {
    const p = pages[i]!.slice(0, chars - n);
    out.push(p);
    n += p.length;
  }
  return { pages: out, totalPages: out.length, title: "bench", headings: [], chars: n };
}

function timeOf(doc: ExtractedText, runs: number): number {
  summarise(doc, opts);
  const start = performance.now();
  for (let i = 0; i < runs; i++) summarise(doc, opts);
  return (performance.now() - start) / runs;
}

export const notes: BenchSuite = {
  name: "notes",
  async setup(short) {
    const pages = await corpusText();
    docs = { 10_000: slice(pages, 10_000), 100_000: slice(pages, 100_000), 1_000_000: slice(pages, short ? 300_000 : 1_000_000) };
    return [
      {
        name: "extractive notes 100k chars vs 10× the 10k-char time",
        project: () => summarise(docs[100_000]!, opts),
        reference: () => {
          for (let i = 0; i < 10; i++) summarise(docs[10_000]!, opts);
        },
        against: "10 × 10k chars",
      },
    ];
  },
  async extra() {
    const sizes = Object.keys(docs).map(Number);
    const times = sizes.map((s) => timeOf(docs[s]!, s >= 1_000_000 ? 2 : 5));
    const chars = sizes.map((s) => docs[s]!.chars);
    const slope = Math.log(times.at(-1)! / times[0]!) / Math.log(chars.at(-1)! / chars[0]!);
    return Object.fromEntries([
      ...sizes.map((s, i) => [`notes ms at ${chars[i]} chars`, Math.round(times[i]! * 10) / 10]),
      ["notes scaling exponent", Math.round(slope * 100) / 100],
    ]);
  },
};
