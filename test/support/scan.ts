/**
 * Scans made from born-digital pages, as a copier would: the page rendered to grey pixels,
 * turned slightly, speckled, and put back into a PDF as a page that is nothing but an image.
 * The fixtures (test/fixtures/generate.ts) and bench:ocr make theirs here.
 */
import PDFDocument from "pdfkit";
import { openScan } from "../../src/extraction/ocr/render.ts";
import { fixtureBytes } from "./fixtures.ts";
import { greyPngOf } from "./png.ts";

export interface ScanLook {
  dpi: number;
  /** Degrees, clockwise. */
  angle: number;
  /** Share of pixels flipped to a random grey. */
  noise: number;
  seed: number;
}

/** Page `n` (1-based) of `pdf` as a scanned image: a PNG, and the page's size in points. */
export async function scanPage(pdf: Uint8Array, n: number, look: ScanLook): Promise<{ png: Uint8Array; widthPt: number; heightPt: number }> {
  const doc = await openScan(pdf);
  try {
    const page = await doc.render(n, look.dpi);
    const pixels = speckle(rotate(page.grey, page.width, page.height, look.angle), look.noise, look.seed);
    return { png: greyPngOf(pixels, page.width, page.height), widthPt: (page.width * 72) / page.dpi, heightPt: (page.height * 72) / page.dpi };
  } finally {
    doc.close();
  }
}

/** Turned about the centre, nearest pixel; what comes in from outside the page is paper white. */
function rotate(grey: Uint8Array, w: number, h: number, degrees: number): Uint8Array {
  const out = new Uint8Array(w * h).fill(255);
  const [cos, sin] = [Math.cos((degrees * Math.PI) / 180), Math.sin((degrees * Math.PI) / 180)];
  const [cx, cy] = [w / 2, h / 2];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const sx = Math.round(cos * (x - cx) + sin * (y - cy) + cx);
      const sy = Math.round(-sin * (x - cx) + cos * (y - cy) + cy);
      if (sx >= 0 && sx < w && sy >= 0 && sy < h) out[y * w + x] = grey[sy * w + sx]!;
    }
  }
  return out;
}

function speckle(grey: Uint8Array, share: number, seed: number): Uint8Array {
  let s = seed >>> 0 || 1;
  const rand = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  for (let i = 0; i < grey.length; i++) if (rand() < share) grey[i] = Math.floor(rand() * 256);
  return grey;
}

/**
 * A PDF of the given pages in order: a scan (its PNG) fills its page with no text layer; a
 * `text` page is set in Helvetica, a born-digital page beside the scans.
 */
export function pagesPdf(pages: ({ png: Uint8Array; widthPt: number; heightPt: number } | { text: string })[], title?: string): Promise<Buffer> {
  const doc = new PDFDocument({ autoFirstPage: false, compress: true, info: { CreationDate: new Date("2026-01-01T00:00:00Z"), ...(title && { Title: title }) } });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((ok) => doc.on("end", () => ok(Buffer.concat(chunks))));
  for (const page of pages) {
    if ("text" in page) {
      doc.addPage({ size: "A4", margin: 64 });
      doc.font("Helvetica").fontSize(11).text(page.text, { align: "left" });
    } else {
      doc.addPage({ size: [page.widthPt, page.heightPt], margin: 0 });
      doc.image(Buffer.from(page.png), 0, 0, { width: page.widthPt, height: page.heightPt });
    }
  }
  doc.end();
  return done;
}

/**
 * A scan of `pages` pages, each the page of test/fixtures/scan-paper.pdf (redrawn at 150 dpi):
 * the long scan of the OCR memory test and bench:head-of-line --scan. `salt` makes its bytes
 * distinct (a cache miss) without changing what is read.
 */
export async function longScan(pages: number, salt = ""): Promise<Uint8Array<ArrayBuffer>> {
  const page = await scanPage(await fixtureBytes("scan-paper.pdf"), 1, { dpi: 150, angle: 0, noise: 0, seed: 1 });
  return new Uint8Array(await pagesPdf(Array(pages).fill(page), `Scan ${pages} ${salt}`));
}
