import { describe, expect, test } from "bun:test";
import { extractPdf, warmExtractor } from "../../src/pipeline/extract.ts";
import { corpus, corpusPath } from "../support/corpus.ts";

const opts = { maxPages: 5000, minTextChars: 50 };
const bytesOf = async (f: string) => new Uint8Array(await Bun.file(corpusPath(f)).arrayBuffer());

describe("extract", () => {
  test("text per page, page count, title and outline of a real paper", async () => {
    await warmExtractor();
    const progress: number[] = [];
    const r = await extractPdf(await bytesOf("paper-r-rprotobuf.pdf"), { ...opts, onProgress: (d) => progress.push(d) });
    expect(r.totalPages).toBe(21);
    expect(r.pages).toHaveLength(21);
    expect(r.title).toContain("RProtoBuf");
    expect(r.pages.join(" ")).toContain("Protocol Buffers");
    expect(r.headings.some((h) => /Introduction/.test(h.title))).toBe(true);
    expect(progress.at(-1)).toBe(21);
  });

  test("the caller's buffer is left intact", async () => {
    const bytes = await bytesOf("paper-cvs-parallel-dev.pdf");
    await extractPdf(bytes, opts);
    expect(bytes.byteLength).toBe(74588);
  });

  const failing = corpus().filter((e) => e.expect.startsWith("failed"));
  for (const entry of failing) {
    const code = entry.expect.split(" ")[1]!;
    test(`${entry.filename} fails with ${code}`, async () => {
      await expect(extractPdf(await bytesOf(entry.filename), opts)).rejects.toMatchObject({ code, retryable: false });
    });
  }

  test("the page limit gives pdf_too_many_pages", async () => {
    await expect(extractPdf(await bytesOf("manual-r-intro.pdf"), { ...opts, maxPages: 100 })).rejects.toMatchObject({
      code: "pdf_too_many_pages",
    });
  });
});
