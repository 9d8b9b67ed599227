/** What the notes say they were made from: the pages read, and how many came from the text layer and from OCR. */
import { describe, expect, test } from "bun:test";
import type { ExtractedText } from "../../src/extraction/extract.ts";
import { NotesSchema, notesMarkdown } from "../../src/notes/schema.ts";
import { sourceLine, sourceOf, withSource } from "../../src/notes/source.ts";

const text = (over: Partial<ExtractedText>): ExtractedText => ({ pages: ["a", "b", "c", "d"], totalPages: 4, title: null, headings: [], chars: 4, ...over });
const content = { title: "A Scan", summary: "It says things.", keyPoints: ["One thing."], outline: [] };
const notes = NotesSchema.parse({ ...content, markdown: notesMarkdown(content), generator: "extractive", model: null, usage: null });

describe("notes source", () => {
  test("a born-digital PDF read whole: all from the text layer, and no line in the Markdown", () => {
    const source = sourceOf(text({}));
    expect(source).toEqual({ range: null, pages: 4, totalPages: 4, ocr: { pages: 0, textLayerPages: 4, meanConfidence: null } });
    expect(sourceLine(source)).toBeUndefined();
    const made = withSource(notes, text({}));
    expect(made.markdown).toBe(notes.markdown);
    expect(made.source).toEqual(source);
  });

  test("a mixed PDF: pages from each, OCR's mean confidence rounded, said under the title", () => {
    const made = withSource(notes, text({ ocr: { confidence: { "2": 90, "3": 85 }, ms: 4000 } }));
    expect(made.source).toEqual({ range: null, pages: 4, totalPages: 4, ocr: { pages: 2, textLayerPages: 2, meanConfidence: 88 } });
    expect(made.markdown.split("\n").slice(0, 4)).toEqual(["# A Scan", "", "_4 pages: 2 from the text layer, 2 read by OCR (mean confidence 88)._", ""]);
    expect(made.markdown).toContain("## Summary\n\nIt says things.");
    expect(NotesSchema.parse(made)).toEqual(made);
  });

  test("a range: which pages of how many, and where their text came from", () => {
    expect(sourceLine(sourceOf(text({ range: [2, 3, 4], ocr: { confidence: { "2": 91, "3": 91, "4": 91 }, ms: 1 } })))).toBe("_Pages 2-4 of 4: all read by OCR (mean confidence 91)._");
    expect(sourceLine(sourceOf(text({ range: [3], ocr: { confidence: { "3": 77 }, ms: 1 } })))).toBe("_Page 3 of 4: read by OCR (mean confidence 77)._");
    expect(sourceLine(sourceOf(text({ range: [1, 2, 4] })))).toBe("_Pages 1-2, 4 of 4: all from the text layer._");
    expect(sourceOf(text({ range: [1, 2, 4], ocr: { confidence: { "4": 60 }, ms: 1 } }))).toEqual({
      range: "1-2,4",
      pages: 3,
      totalPages: 4,
      ocr: { pages: 1, textLayerPages: 2, meanConfidence: 60 },
    });
  });

  test("notes cached before the source was kept still parse, with none", () => {
    const { source: _, ...old } = notes;
    expect(NotesSchema.parse(old).source).toBeNull();
  });
});
