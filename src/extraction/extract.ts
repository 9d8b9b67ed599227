import { getDocumentProxy, getResolvedPDFJS } from "unpdf";
import { cleanText } from "../text/clean-text.ts";
import { PipelineError } from "../errors/pipeline-error.ts";
import { firstPageTitle, fontHeadings, MAX_HEADINGS, type Heading, type Line } from "./font-headings.ts";
import { lineKinds } from "./line-kinds.ts";
import type { OcrPass } from "./ocr/ocr-pages.ts";
import { PageRangeError, pagesIn } from "./page-range.ts";
import { pageText, type TextItem } from "./page-lines.ts";

export type { Heading } from "./font-headings.ts";

export interface ExtractedText {
  pages: string[];
  totalPages: number;
  /** The PDF's metadata title when it has a useful one, else the largest-font lines of page 1. */
  title: string | null;
  /** From the PDF's bookmarks, or else from lines set in a larger font than the body. */
  headings: Heading[];
  chars: number;
  /**
   * What each line of each page is (src/extraction/line-kinds.ts): one letter a line of the
   * page's text. Absent from text extracted before it was added.
   */
  lineKinds?: string[];
  /** The pages read, when the upload gave a range (the others' text is empty). */
  range?: number[];
  /** Pages read by OCR (page number → tesseract's mean confidence, 0–100) and the time it took; absent when none was. */
  ocr?: { confidence: Record<string, number>; ms: number };
}

export interface ExtractOptions {
  maxPages: number;
  minTextChars: number;
  /**
   * Non-space characters of text at most, counted while each page streams, so a PDF that
   * unfolds into endless text stops mid-page (pdf_too_complex) instead of filling memory.
   * Every text item counts as one at least: each is kept, blank or not. Time and memory are
   * bounded from outside the thread (src/extraction/pool.ts).
   */
  maxTextChars?: number;
  /** Told the page count once the PDF opens; may throw to give the PDF back unread. */
  onOpened?: (totalPages: number) => void | Promise<void>;
  onProgress?: (pagesDone: number, totalPages: number) => void;
  /**
   * Where headings come from: bookmarks, else font sizes (`auto`, the default), or one of
   * them alone (bench:quality scores the font-size detector against the bookmarks).
   */
  headingsFrom?: "auto" | "fonts" | "bookmarks";
  /**
   * Reads pages by OCR, given each page's text-layer text (page number → text); what it
   * returns replaces those pages' text. Run in the extraction pool's threads.
   */
  ocr?: (layer: Map<number, string>, ranged: boolean) => Promise<OcrPass>;
  /** Only these pages, `1-5,9` (src/extraction/page-range.ts); a page past the end fails pages_out_of_range. */
  pages?: string;
}

type PdfDoc = Awaited<ReturnType<typeof getDocumentProxy>>;

/** pdf.js takes 0.5–1.4 s to load: threads call this when they start, not on their first job. */
export async function warmExtractor(): Promise<void> {
  await getResolvedPDFJS();
}

export async function extractPdf(bytes: Uint8Array, opts: ExtractOptions): Promise<ExtractedText> {
  // getDocumentProxy detaches the buffer it is given; callers may still need theirs.
  const pdf = await openPdf(bytes.slice());
  try {
    if (pdf.numPages > opts.maxPages) {
      throw new PipelineError("pdf_too_many_pages", `the PDF has ${pdf.numPages} pages; the limit is ${opts.maxPages}`);
    }
    await opts.onOpened?.(pdf.numPages);
    const range = opts.pages ? rangeOf(opts.pages, pdf.numPages) : undefined;
    const wanted = new Set(range ?? Array.from({ length: pdf.numPages }, (_, i) => i + 1));
    const pages: string[] = [];
    let read = 0;
    const lines: Line[] = [];
    const budget = { left: opts.maxTextChars ?? Number.POSITIVE_INFINITY, max: opts.maxTextChars };
    // pdf.js names a font by an id and a generic family ("monospace", "serif"), per document.
    const families = new Map<string, string>();
    const monospace = (font: string) => families.get(font) === "monospace";
    for (let n = 1; n <= pdf.numPages; n++) {
      if (!wanted.has(n)) {
        pages.push("");
        continue;
      }
      const page = await pdf.getPage(n);
      pages.push(cleanText(pageText(await readItems(page, budget, families), n, lines, monospace)));
      page.cleanup();
      opts.onProgress?.(++read, wanted.size);
    }
    const ocr = await opts.ocr?.(new Map([...wanted].map((n) => [n, pages[n - 1]!])), range !== undefined);
    for (const [n, read] of ocr?.read ?? []) pages[n - 1] = cleanText(read.text);
    const chars = pages.reduce((sum, p) => sum + p.replace(/\s+/g, "").length, 0);
    if (chars < opts.minTextChars) {
      throw new PipelineError(
        "pdf_no_text",
        ocr && ocr.read.size > 0
          ? `OCR found ${chars} characters of text on ${ocr.read.size} page(s) (fewer than ${opts.minTextChars}): a picture or a blank scan?`
          : `the PDF has ${chars} characters of text (fewer than ${opts.minTextChars}): a drawing, or a scan read with ocr=off? (ocr=force reads every page by OCR)`,
      );
    }
    const [title, outline] = await Promise.all([metadataTitle(pdf), opts.headingsFrom === "fonts" ? [] : bookmarks(pdf)]);
    const docTitle = title ?? firstPageTitle(lines);
    const fromFonts = () => (opts.headingsFrom === "bookmarks" ? [] : fontHeadings(lines).filter((h) => !(h.page === 1 && h.title === docTitle)));
    return {
      pages,
      totalPages: pdf.numPages,
      title: docTitle,
      // The title heads the notes already: a title slide is not the first section.
      headings: outline.length > 0 ? outline : fromFonts(),
      chars,
      // An OCR'd page's text is not its text layer's: its lines, all body, owe nothing to the layer's few.
      lineKinds: lineKinds(
        lines.filter((l) => !ocr?.read.has(l.page)),
        pages.map((p) => p.split("\n").length),
      ),
      ...(range && { range }),
      ...(ocr && ocr.read.size > 0 && { ocr: { confidence: Object.fromEntries([...ocr.read].map(([n, r]) => [String(n), r.confidence])), ms: ocr.ms } }),
    };
  } finally {
    await pdf.loadingTask.destroy().catch(() => {});
  }
}

function rangeOf(value: string, total: number): number[] {
  try {
    return pagesIn(value, total);
  } catch (err) {
    if (err instanceof PageRangeError) throw new PipelineError("pages_out_of_range", err.message);
    throw err;
  }
}

async function openPdf(bytes: Uint8Array): Promise<PdfDoc> {
  try {
    return await getDocumentProxy(bytes, { verbosity: 0 });
  } catch (err) {
    const name = (err as Error)?.name ?? "";
    const message = (err as Error)?.message ?? String(err);
    if (name === "PasswordException") {
      throw new PipelineError("pdf_encrypted", "the PDF needs a password to open");
    }
    throw new PipelineError("pdf_unreadable", `the PDF cannot be read: ${message}`);
  }
}

type PdfPage = Awaited<ReturnType<PdfDoc["getPage"]>>;

/**
 * A page's text items as pdf.js parses them (getTextContent would build the whole page first),
 * and the generic family of each font they use, into `families`.
 */
async function readItems(page: PdfPage, budget: { left: number; max?: number }, families: Map<string, string>): Promise<TextItem[]> {
  type Chunk = { items: TextItem[]; styles?: Record<string, { fontFamily?: string }> };
  const reader = page.streamTextContent().getReader() as ReadableStreamDefaultReader<Chunk>;
  const items: TextItem[] = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return items;
    for (const [font, style] of Object.entries(value.styles ?? {})) families.set(font, style.fontFamily ?? "");
    for (const item of value.items) {
      budget.left -= Math.max(1, item.str ? item.str.replace(/\s+/g, "").length : 0);
      items.push(item);
    }
    if (budget.left < 0) {
      await reader.cancel().catch(() => {});
      throw new PipelineError("pdf_too_complex", `the PDF has more than ${budget.max} characters or text items (FOLIO_MAX_TEXT_CHARS)`);
    }
  }
}

async function metadataTitle(pdf: PdfDoc): Promise<string | null> {
  try {
    const { info } = (await pdf.getMetadata()) as unknown as { info: Record<string, unknown> };
    const title = typeof info?.Title === "string" ? cleanText(info.Title).trim() : "";
    // Producers fill Title with junk such as "PowerPoint 演示文稿" or "untitled.dvi".
    if (title.length < 3 || /^(untitled|microsoft word|powerpoint|document\d*)\b|\.(dvi|tex|doc|docx|pdf)$/i.test(title)) {
      return null;
    }
    return title;
  } catch {
    return null;
  }
}

interface OutlineNode {
  title: string;
  dest: string | unknown[] | null;
  items: OutlineNode[];
}

async function bookmarks(pdf: PdfDoc): Promise<Heading[]> {
  let outline: OutlineNode[] | null;
  try {
    outline = (await pdf.getOutline()) as OutlineNode[] | null;
  } catch {
    return [];
  }
  const out: Heading[] = [];
  const walk = async (nodes: OutlineNode[], level: number) => {
    for (const node of nodes) {
      if (out.length >= MAX_HEADINGS) return;
      const title = cleanText(node.title).replace(/\s+/g, " ").trim();
      if (title) out.push({ title, level, page: await destPage(pdf, node.dest) });
      if (level < 3 && node.items?.length) await walk(node.items, level + 1);
    }
  };
  await walk(outline ?? [], 1);
  return out;
}

async function destPage(pdf: PdfDoc, dest: OutlineNode["dest"]): Promise<number | null> {
  try {
    const explicit = typeof dest === "string" ? await pdf.getDestination(dest) : dest;
    const ref = explicit?.[0];
    if (ref == null) return null;
    if (typeof ref === "number") return ref + 1;
    return (await pdf.getPageIndex(ref as never)) + 1;
  } catch {
    return null;
  }
}
