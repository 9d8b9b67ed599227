import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { PDFiumLibrary } from "@hyzyla/pdfium";

const require = createRequire(import.meta.url);

/**
 * Renders pages for OCR with PDFium (WebAssembly): pdf.js as bundled by unpdf draws JBIG2
 * scans blank, and PDFium reads them. Loaded once per thread (warmRenderer).
 */
let library: Promise<PDFiumLibrary> | undefined;

function pdfium(): Promise<PDFiumLibrary> {
  const wasmBinary = () => {
    const bytes = readFileSync(require.resolve("@hyzyla/pdfium/pdfium.wasm"));
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  };
  library ??= PDFiumLibrary.init({ wasmBinary: wasmBinary() });
  return library;
}

/**
 * PDFium takes ~0.4 s to load, and any PDF with a nearly empty page (a title slide) asks
 * it whether the page holds an image: threads start loading it when they start, not on such a PDF.
 */
export async function warmRenderer(): Promise<void> {
  await pdfium();
}

/** Past this many pixels a page is drawn at a lower resolution (a poster-sized page at 200 dpi would take gigabytes). */
const MAX_PIXELS = 40_000_000;

export interface RenderedPage {
  grey: Uint8Array;
  width: number;
  height: number;
  dpi: number;
}

export interface ScanDocument {
  /** Whether page `n` (1-based) draws an image: what a scanned page is made of. */
  hasImage(n: number): boolean;
  render(n: number, dpi: number): Promise<RenderedPage>;
  close(): void;
}

export async function openScan(bytes: Uint8Array): Promise<ScanDocument> {
  const doc = await (await pdfium()).loadDocument(bytes);
  return {
    hasImage: (n) => {
      for (const object of doc.getPage(n - 1).objects()) if (object.type === "image") return true;
      return false;
    },
    async render(n, dpi) {
      const page = doc.getPage(n - 1);
      const { originalWidth, originalHeight } = page.getOriginalSize();
      const fit = Math.sqrt(MAX_PIXELS / ((originalWidth * dpi * originalHeight * dpi) / 72 / 72));
      const used = fit < 1 ? Math.floor(dpi * fit) : dpi;
      const out = await page.render({ scale: used / 72, colorSpace: "Gray", render: "bitmap" });
      return { grey: out.data, width: out.width, height: out.height, dpi: used };
    },
    close: () => doc.destroy(),
  };
}
