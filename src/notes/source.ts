import type { ExtractedText } from "../extraction/extract.ts";
import { pagesRead, rangeOf } from "../extraction/page-range.ts";
import type { Notes, NotesSource } from "./schema.ts";

/** Which pages were read and where their text came from, as GET /jobs/:id has it. */
export function sourceOf(text: ExtractedText): NotesSource {
  const read = pagesRead(text);
  const confidences = Object.values(text.ocr?.confidence ?? {});
  return {
    range: text.range ? rangeOf(text.range) : null,
    pages: read,
    totalPages: text.totalPages,
    ocr: {
      pages: confidences.length,
      textLayerPages: Math.max(0, read - confidences.length),
      meanConfidence: confidences.length ? Math.round(confidences.reduce((a, b) => a + b, 0) / confidences.length) : null,
    },
  };
}

/** One line under the title, when the notes cover a range or OCR read some of it: `_Pages 2-3 of 40: all read by OCR (mean confidence 91)._` */
export function sourceLine(source: NotesSource): string | undefined {
  const { range, pages, totalPages, ocr } = source;
  if (!range && ocr.pages === 0) return undefined;
  const s = (n: number) => (n === 1 ? "" : "s");
  const which = range ? `Page${range.includes(",") || range.includes("-") ? "s" : ""} ${range.replace(/,/g, ", ")} of ${totalPages}` : `${pages} page${s(pages)}`;
  const confidence = `mean confidence ${ocr.meanConfidence ?? 0}`;
  const from =
    ocr.pages === 0
      ? "all from the text layer"
      : ocr.textLayerPages === 0
        ? `${pages === 1 ? "read" : "all read"} by OCR (${confidence})`
        : `${ocr.textLayerPages} from the text layer, ${ocr.pages} read by OCR (${confidence})`;
  return `_${which}: ${from}._`;
}

/** The notes, saying what they were made from: in `source`, and in their Markdown under the title. */
export function withSource(notes: Notes, text: ExtractedText): Notes {
  const source = sourceOf(text);
  const line = sourceLine(source);
  if (!line) return { ...notes, source };
  const end = notes.markdown.indexOf("\n");
  const markdown = end < 0 ? `${notes.markdown}\n\n${line}\n` : `${notes.markdown.slice(0, end)}\n\n${line}${notes.markdown.slice(end)}`;
  return { ...notes, source, markdown };
}
