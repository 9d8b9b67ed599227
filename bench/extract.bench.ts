import { extractText, getDocumentProxy } from "unpdf";
import { extractPdf, warmExtractor } from "../src/extraction/extract.ts";
import { corpusPath } from "../test/support/corpus.ts";
import type { BenchSuite, Comparison } from "./lib/comparison.ts";

export const extract: BenchSuite = {
  name: "extract",
  async setup(short) {
    await warmExtractor();
    const files = short ? ["slides-impressive-demo.pdf", "paper-cvs-parallel-dev.pdf"] : ["slides-impressive-demo.pdf", "paper-r-bridgesampling-jss.pdf", "manual-r-intro.pdf"];
    const out: Comparison[] = [];
    for (const f of files) {
      const bytes = new Uint8Array(await Bun.file(corpusPath(f)).arrayBuffer());
      out.push({
        name: `extract ${f}: stage vs unpdf extractText`,
        project: () => extractPdf(bytes, { maxPages: 5000, minTextChars: 0 }),
        reference: async () => extractText(await getDocumentProxy(bytes.slice(), { verbosity: 0 }), { mergePages: false }),
        against: "unpdf",
      });
    }
    return out;
  },
};
