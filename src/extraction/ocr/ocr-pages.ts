import { PipelineError } from "../../errors/pipeline-error.ts";
import type { OcrLanguage } from "./languages.ts";
import { openScan } from "./render.ts";
import { TesseractReader, type OcrResult } from "./tesseract.ts";

/** `auto`: pages with an image and (nearly) no text layer; `force`: every page; `off`: none. */
export type OcrMode = "auto" | "force" | "off";
export const OCR_MODES = ["auto", "force", "off"] as const satisfies readonly OcrMode[];

export interface OcrSettings {
  langs: OcrLanguage[];
  dpi: number;
  /** More pages to OCR than this fails ocr_too_many_pages. */
  maxPages: number;
}

/**
 * Fewer non-space characters than this on a page is no text layer: scanners and copiers
 * stamp a line or two of text (a date, a page number, a Bates number) onto image pages.
 */
export const NEARLY_EMPTY_PAGE_CHARS = 40;

/**
 * Below this mean confidence tesseract is reading a picture, a pattern or noise as letters
 * (a speckled grey test image scores 27, text scans 80–95): the page's text is dropped.
 */
export const MIN_CONFIDENCE = 50;

export interface OcrPassHooks {
  /** Told how many pages will be OCR'd, before the first; may throw to give the PDF back. */
  onPlanned?(pages: number): void | Promise<void>;
  /** Before page `index` (0-based) of `total` is rendered and read: the pool times each. */
  onPage?(index: number, total: number, page: number): void;
}

export interface OcrPass {
  /** Page number (1-based) → what OCR read there. */
  read: Map<number, OcrResult>;
  ms: number;
}

/** One reader per thread, made on its first scan: tesseract costs ~0.3 s and ~100 MB to load. */
let reader: Promise<TesseractReader> | undefined;

/**
 * The pages of `bytes` that `mode` says to OCR, given each page's text-layer text (pages not
 * read are absent from `layer`), rendered by PDFium and read by tesseract on this thread.
 */
export async function ocrPages(
  bytes: Uint8Array,
  layer: Map<number, string>,
  mode: OcrMode,
  settings: OcrSettings,
  hooks: OcrPassHooks = {},
  /** The upload gave a page range: past the cap, its first pages are read rather than none. */
  ranged = false,
): Promise<OcrPass> {
  const read = new Map<number, OcrResult>();
  const candidates = [...layer].filter(([, text]) => mode === "force" || text.replace(/\s+/g, "").length < NEARLY_EMPTY_PAGE_CHARS).map(([n]) => n);
  if (mode === "off" || candidates.length === 0) return { read, ms: 0 };
  const started = performance.now();
  const doc = await openScan(bytes).catch((err: Error) => {
    // pdf.js read the PDF: one PDFium cannot open is read as before, without OCR, unless OCR was asked for.
    if (mode === "force") throw new PipelineError("pdf_unreadable", `the PDF cannot be rendered for OCR: ${err.message}`);
    return undefined;
  });
  if (!doc) return { read, ms: 0 };
  try {
    const found = mode === "force" ? candidates : candidates.filter((n) => doc.hasImage(n));
    const wanted = ranged ? found.slice(0, settings.maxPages) : found;
    if (wanted.length === 0) return { read, ms: 0 };
    if (wanted.length > settings.maxPages) {
      throw new PipelineError("ocr_too_many_pages", `${wanted.length} pages need OCR; the limit is ${settings.maxPages} (FOLIO_OCR_MAX_PAGES): upload a page range (pages=1-${settings.maxPages})`);
    }
    await hooks.onPlanned?.(wanted.length);
    reader ??= TesseractReader.load(settings.langs);
    const tesseract = await reader;
    for (const [i, n] of wanted.entries()) {
      hooks.onPage?.(i, wanted.length, n);
      const page = await doc.render(n, settings.dpi);
      const result = tesseract.read(page.grey, page.width, page.height, page.dpi);
      // A page's bitmaps are megabytes of garbage once read, and the collector left them to pile
      // up over a scan: two 40-page scans peaked 389 MB over idle without this, 52 MB with it
      // (test/faults/ocr-memory.test.ts). A full collection costs milliseconds; a page, seconds.
      Bun.gc(true);
      read.set(n, result.confidence < MIN_CONFIDENCE ? { ...result, text: "" } : result);
    }
    return { read, ms: Math.round(performance.now() - started) };
  } finally {
    doc.close();
  }
}
