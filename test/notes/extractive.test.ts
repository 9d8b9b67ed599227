import { describe, expect, test } from "bun:test";
import { extractPdf } from "../../src/extraction/extract.ts";
import { summarise } from "../../src/notes/extractive.ts";
import { NotesSchema } from "../../src/notes/schema.ts";
import { fixture } from "../support/fixtures.ts";

const opts = { summarySentences: 6, keyPoints: 8 };
const extract = async (f: string) =>
  extractPdf(new Uint8Array(await Bun.file(fixture(f)).arrayBuffer()), { maxPages: 5000, minTextChars: 50 });
const squash = (s: string) => s.replace(/\s+/g, "").toLowerCase();

describe("extractive notes", () => {
  test("a paper gets a title, a summary from its own sentences, key points and an outline", async () => {
    const doc = await extract("paper-bookmarks.pdf");
    const notes = summarise(doc, opts);
    expect(NotesSchema.safeParse(notes).success).toBe(true);
    expect(notes.title).toBe("Concurrent Versions: Parallelizing Software Development");
    expect(notes.keyPoints.length).toBe(8);
    const text = squash(doc.pages.join("\n"));
    for (const point of notes.keyPoints) expect(text).toContain(squash(point).slice(0, 60));
    expect(notes.summary).toMatch(/revision control|merging/i);
    expect(notes.markdown).toStartWith("# Concurrent Versions");
    expect(notes.generator).toBe("extractive");
  });

  test("is deterministic", async () => {
    const doc = await extract("paper-bookmarks.pdf");
    expect(summarise(doc, opts)).toEqual(summarise(doc, opts));
  });

  test("slides with few full sentences still give key points from their bullets", async () => {
    const notes = summarise(await extract("slides.pdf"), opts);
    expect(notes.keyPoints.length).toBeGreaterThanOrEqual(4);
    expect(notes.title).toBe("Introducing Folio");
  });

  test("a short page's sentences are said once, not again inside their paragraph", () => {
    const page = [
      "PDF Test File",
      "Congratulations, your computer is equipped with a PDF (Portable Document Format) reader! You should be able to view any of the",
      "PDF documents and forms available on our site. PDF forms are indicated by these icons on the page.",
      "Yukon Department of Education",
      "Box 2703",
    ].join("\n");
    const notes = summarise({ pages: [page], totalPages: 1, title: null, headings: [], chars: page.length }, opts);
    const times = (phrase: string) => notes.summary.split(phrase).length - 1;
    expect([times("Congratulations, your computer"), times("You should be able to view"), times("PDF forms are indicated")]).toEqual([1, 1, 1]);
  });

  test("scales near-linearly with the text", async () => {
    const doc = await extract("manual-long.pdf");
    const time = (pages: string[]) => {
      const start = performance.now();
      for (let i = 0; i < 3; i++) summarise({ ...doc, pages }, opts);
      return (performance.now() - start) / 3;
    };
    const quarter = doc.pages.slice(0, Math.floor(doc.pages.length / 4));
    time(quarter);
    const small = time(quarter);
    const big = time([...doc.pages, ...doc.pages]);
    // 8× the text; quadratic work would take ~64×.
    expect(big / small).toBeLessThan(25);
  });
});
