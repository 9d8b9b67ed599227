/**
 * PDFs made by the tests themselves, written object by object: long documents of any page
 * count (made in milliseconds, too big to commit) and hostile ones. The format is simple
 * enough that a writer of plain objects and an xref table is clearer than a library here.
 */
import { constants, deflateRawSync } from "node:zlib";
import { paper, pipelinePaper } from "../fixtures/texts.ts";

const enc = new TextEncoder();
/** The standard fonts' own codes (StandardEncoding) for the list glyphs slides use; other non-ASCII becomes "?". */
const STANDARD_CODES: Record<string, string> = { "•": "\\267", "§": "\\247", "–": "\\261" };
const escape = (s: string) => s.replace(/[\\()]/g, (c) => `\\${c}`).replace(/[^\x20-\x7e]/g, (c) => STANDARD_CODES[c] ?? "?");

/** Serialises numbered objects (1..n, object 1 the catalog) with a correct xref table. */
function writePdf(objects: string[], info = ""): Uint8Array<ArrayBuffer> {
  let out = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, "0")} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R${info} >>\nstartxref\n${xref}\n%%EOF\n`;
  return enc.encode(out);
}

const stream = (content: string, extra = "") => `<< /Length ${content.length}${extra} >>\nstream\n${content}\nendstream`;
const FONT = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";

/** `pages` pages of real sentences (the fixtures' prose), a heading on every tenth page. */
export function longPdf(pages: number, title = "A Long Generated Manual"): Uint8Array<ArrayBuffer> {
  const sentences = [...paper.sections, ...pipelinePaper.sections].flatMap((s) => s.paragraphs.join(" ").split(/(?<=\.) /));
  // 1 catalog, 2 pages, 3 font, 4 info; then a page and its content per page.
  const objects = ["<< /Type /Catalog /Pages 2 0 R >>", "", FONT, `<< /Title (${escape(title)}) >>`];
  const kids: string[] = [];
  for (let p = 0; p < pages; p++) {
    const lines = p % 10 === 0 ? [`/F1 16 Tf (Part ${p / 10 + 1}) '`, "/F1 10 Tf"] : ["/F1 10 Tf"];
    for (let l = 0; l < 30; l++) lines.push(`(${escape(sentences[(p * 30 + l) % sentences.length]!.slice(0, 95))}) '`);
    const content = `BT 14 TL 60 790 Td ${lines.join("\n")} ET`;
    const pageNo = objects.length + 1;
    objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] /Resources << /Font << /F1 3 0 R >> >> /Contents ${pageNo + 1} 0 R >>`, stream(content));
    kids.push(`${pageNo} 0 R`);
  }
  objects[1] = `<< /Type /Pages /Kids [${kids.join(" ")}] /Count ${pages} >>`;
  return writePdf(objects, " /Info 4 0 R");
}

/** The standard fonts a generated line can be set in (no font file: every reader has them). */
const LINE_FONTS = ["Helvetica", "Helvetica-Bold", "Courier", "Times-Roman"] as const;

/**
 * A line of text in a font size (points), in Helvetica unless another font is named, and
 * optionally a run of another size after it on the same line.
 */
export type SizedLine = [size: number, text: string, font?: (typeof LINE_FONTS)[number], tail?: [size: number, text: string]];

/** Pages of lines, each set in its own font and size, top to bottom: for the heading detector. */
export function sizedLinesPdf(pages: SizedLine[][]): Uint8Array<ArrayBuffer> {
  const objects = ["<< /Type /Catalog /Pages 2 0 R >>", ""];
  const fonts = LINE_FONTS.map((name) => {
    objects.push(`<< /Type /Font /Subtype /Type1 /BaseFont /${name} >>`);
    return `/F${objects.length} ${objects.length} 0 R`;
  });
  const kids: string[] = [];
  for (const lines of pages) {
    let y = 800;
    const ops = lines.map(([size, text, font = "Helvetica", tail]) => {
      y -= size * 1.5;
      const f = `/F${3 + LINE_FONTS.indexOf(font)}`;
      return `BT ${f} ${size} Tf 60 ${y} Td (${escape(text)}) Tj${tail ? ` ${f} ${tail[0]} Tf (${escape(tail[1])}) Tj` : ""} ET`;
    });
    const pageNo = objects.length + 1;
    objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] /Resources << /Font << ${fonts.join(" ")} >> >> /Contents ${pageNo + 1} 0 R >>`, stream(ops.join("\n")));
    kids.push(`${pageNo} 0 R`);
  }
  objects[1] = `<< /Type /Pages /Kids [${kids.join(" ")}] /Count ${pages.length} >>`;
  return writePdf(objects);
}

/**
 * One page whose content draws a Form XObject `fanout` times, which draws the next level
 * `fanout` times, `depth` levels down to a text operation: fanout^depth text operations
 * from a file of a few KB (the "billion laughs" of PDF).
 */
export function nestedXObjectPdf(depth: number, fanout: number): Uint8Array<ArrayBuffer> {
  // 1 catalog, 2 pages, 3 font, 4 page, 5 page content, then X1..Xdepth as objects 6.. .
  const xobj = (level: number) => 5 + level;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
    FONT,
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> /XObject << /X1 ${xobj(1)} 0 R >> >> /Contents 5 0 R >>`,
    stream(Array(fanout).fill("/X1 Do").join("\n")),
  ];
  for (let level = 1; level <= depth; level++) {
    const body = level === depth ? "BT /F1 1 Tf 10 10 Td (deep text) Tj ET" : Array(fanout).fill(`/X${level + 1} Do`).join("\n");
    const resources = level === depth ? "<< /Font << /F1 3 0 R >> >>" : `<< /Font << /F1 3 0 R >> /XObject << /X${level + 1} ${xobj(level + 1)} 0 R >> >>`;
    objects.push(stream(body, ` /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources ${resources}`));
  }
  return writePdf(objects);
}

/** A one-page PDF whose content stream is binary (`content`, its filter in `extra`): objects and xref by hand. */
function onePagePdf(content: Uint8Array, extra: string): Uint8Array<ArrayBuffer> {
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
    FONT,
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>",
  ];
  let head = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(head.length);
    head += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  offsets.push(head.length);
  head += `5 0 obj\n<< /Length ${content.length}${extra} >>\nstream\n`;
  let tail = "\nendstream\nendobj\n";
  const xref = head.length + content.length + tail.length;
  tail += `xref\n0 6\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("")}`;
  tail += `trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return concat(enc.encode(head), content, enc.encode(tail));
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

/**
 * A zlib stream of each piece repeated its number of times, made by compressing each piece
 * once (a full-flush block, so copies concatenate) without ever holding the inflated bytes.
 */
function repeatedFlate(pieces: [bytes: Uint8Array, times: number][]): Uint8Array<ArrayBuffer> {
  const blocks: Uint8Array[] = [Uint8Array.of(0x78, 0xda)];
  let adler = 1;
  for (const [bytes, times] of pieces) {
    const block = deflateRawSync(bytes, { level: 9, finishFlush: constants.Z_FULL_FLUSH });
    const sum = adler32(bytes);
    for (let i = 0; i < times; i++) {
      blocks.push(block);
      adler = adler32Combine(adler, sum, bytes.length);
    }
  }
  const trailer = new Uint8Array(6);
  trailer.set([0x03, 0x00]); // an empty final block
  new DataView(trailer.buffer).setUint32(2, adler);
  return concat(...blocks, trailer);
}

const ADLER = 65521;
function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const x of bytes) {
    a = (a + x) % ADLER;
    b = (b + a) % ADLER;
  }
  return b * 65536 + a;
}
/** zlib's adler32_combine: the checksum of two pieces from theirs and the second's length. */
function adler32Combine(first: number, second: number, secondLength: number): number {
  const rem = secondLength % ADLER;
  const a1 = first % 65536;
  const b1 = Math.floor(first / 65536);
  const a2 = second % 65536;
  const b2 = Math.floor(second / 65536);
  const a = (a1 + a2 + ADLER - 1) % ADLER;
  const b = (((rem * a1) % ADLER) + b1 + b2 + ADLER - rem) % ADLER;
  return b * 65536 + a;
}

/** A Flate bomb: one page whose content stream, about `mb` KB compressed, inflates to `mb` MiB of spaces. */
export function flateBombPdf(mb: number): Uint8Array<ArrayBuffer> {
  return onePagePdf(repeatedFlate([[new Uint8Array(1024 * 1024).fill(0x20), mb]]), " /Filter /FlateDecode");
}

/** One page of `millions` × 2^20 empty text operations `() Tj` (about 6 KB compressed per million). */
export function emptyTextItemsPdf(millions: number): Uint8Array<ArrayBuffer> {
  const ops = enc.encode("() Tj\n".repeat(1024 * 1024));
  return onePagePdf(repeatedFlate([[enc.encode("BT /F1 12 Tf 72 720 Td\n"), 1], [ops, millions], [enc.encode("ET"), 1]]), " /Filter /FlateDecode");
}

/** The same document with a trailing comment: different bytes, so a different cache key. */
export function variant(bytes: Uint8Array, n: number): Uint8Array<ArrayBuffer> {
  const tail = enc.encode(`\n%variant ${n}\n`);
  const out = new Uint8Array(bytes.length + tail.length);
  out.set(bytes);
  out.set(tail, bytes.length);
  return out;
}
