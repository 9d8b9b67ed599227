/**
 * OCR as the extraction threads run it (here on the test's own thread): which pages are
 * read by OCR, what comes out, and that nothing is fetched from the network for it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { extractPdf, type ExtractedText } from "../../../src/extraction/extract.ts";
import { resolveLanguages } from "../../../src/extraction/ocr/languages.ts";
import { ocrPages, type OcrMode } from "../../../src/extraction/ocr/ocr-pages.ts";
import { fixtureBytes } from "../../support/fixtures.ts";

const settings = { langs: resolveLanguages(["eng"]), dpi: 150, maxPages: 10 };
const read = async (file: string, mode: OcrMode, more: Partial<typeof settings> = {}): Promise<ExtractedText> => {
  const bytes = await fixtureBytes(file);
  return extractPdf(bytes, { maxPages: 100, minTextChars: 50, ocr: (layer) => ocrPages(bytes, layer, mode, { ...settings, ...more }) });
};
const squash = (s: string) => s.replace(/\s+/g, " ").trim();

// Every request off this machine fails: tesseract.js's defaults would reach for a CDN.
const realFetch = globalThis.fetch;
const offMachine: string[] = [];
beforeAll(() => {
  globalThis.fetch = Object.assign(
    (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (!["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) {
        offMachine.push(url.href);
        throw new Error(`no network in this test: ${url.href}`);
      }
      return realFetch(input, init);
    },
    { preconnect: realFetch.preconnect },
  );
});
afterAll(() => {
  globalThis.fetch = realFetch;
});

describe("OCR", () => {
  test("a scanned page becomes its words, with nothing fetched off the machine", async () => {
    const text = await read("scan-paper.pdf", "auto");
    expect(squash(text.pages[0]!)).toContain("Software is rarely written by one person. A project of any size has several developers");
    expect(Object.keys(text.ocr!.confidence)).toEqual(["1"]);
    expect(text.ocr!.confidence["1"]).toBeGreaterThan(80);
    expect(text.ocr!.ms).toBeGreaterThan(0);
    expect(offMachine).toEqual([]);
  }, 60_000);

  test("in a mixed PDF only the scanned page is OCR'd; the born-digital page keeps its text layer", async () => {
    const text = await read("scan-mixed.pdf", "auto");
    expect(Object.keys(text.ocr!.confidence)).toEqual(["2"]);
    expect(squash(text.pages[0]!)).toContain("A revision control system stores a sequence of versions for every file.");
    expect(squash(text.pages[1]!)).toContain("Revision control keeps the history of those changes");
  }, 60_000);

  test("ocr=off leaves a scan without text (pdf_no_text); a picture that is not text is no text either", async () => {
    await expect(read("scan-paper.pdf", "off")).rejects.toMatchObject({ code: "pdf_no_text" });
    // Speckle costs tesseract seconds a page: 72 dpi shows the same.
    await expect(read("scan-image-only.pdf", "auto", { dpi: 72 })).rejects.toMatchObject({ code: "pdf_no_text", message: expect.stringContaining("OCR found") });
  }, 60_000);

  test("ocr=force reads a born-digital page by OCR too", async () => {
    const text = await read("paper-two-column.pdf", "force");
    expect(Object.keys(text.ocr!.confidence)).toEqual(["1"]);
    expect(text.pages[0]!.length).toBeGreaterThan(200);
  }, 60_000);

  test("more pages to OCR than FOLIO_OCR_MAX_PAGES fails ocr_too_many_pages, naming the limit", async () => {
    await expect(read("scan-mixed.pdf", "force", { maxPages: 1 })).rejects.toMatchObject({ code: "ocr_too_many_pages", message: expect.stringContaining("FOLIO_OCR_MAX_PAGES") });
  });
});
