/** Every PDF of the wide corpus at the extractor: the good ones give text, the others their documented code. */
import { describe, expect, test } from "bun:test";
import { extractPdf } from "../../src/extraction/extract.ts";
import { corpus, corpusPath } from "../support/corpus.ts";

const opts = { maxPages: 5000, minTextChars: 50 };
const bytesOf = async (f: string) => new Uint8Array(await Bun.file(corpusPath(f)).arrayBuffer());

describe("extract, whole corpus", () => {
  for (const entry of corpus().filter((e) => e.expect === "notes" && e.pages !== null && e.pages < 1000)) {
    test(`${entry.filename}: ${entry.pages} pages of text`, async () => {
      const r = await extractPdf(await bytesOf(entry.filename), opts);
      expect(r.totalPages).toBe(entry.pages!);
      expect(r.chars).toBeGreaterThan(opts.minTextChars);
    });
  }
  for (const entry of corpus().filter((e) => e.expect.startsWith("failed"))) {
    const code = entry.expect.split(" ")[1]!;
    test(`${entry.filename} fails with ${code}`, async () => {
      await expect(extractPdf(await bytesOf(entry.filename), opts)).rejects.toMatchObject({ code, retryable: false });
    });
  }
});
