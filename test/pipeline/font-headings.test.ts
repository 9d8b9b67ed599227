/** The font-size heading detector on small generated PDFs (no bookmarks): what a reader of the outline sees. */
import { expect, test } from "bun:test";
import { extractPdf } from "../../src/pipeline/extract.ts";
import { sizedLinesPdf, type SizedLine } from "../support/pdf-factory.ts";

const body = (n: number): SizedLine[] =>
  Array.from({ length: n }, (_, i) => [10, `Body sentence ${i} says something plain about the subject at hand, as body text does.`] as SizedLine);
const outline = async (pages: SizedLine[][]) =>
  (await extractPdf(sizedLinesPdf(pages), { maxPages: 100, minTextChars: 1 })).headings.map((h) => `${h.level} ${h.title}`);

test("a heading wrapped over two lines is one heading", async () => {
  const headings = await outline([
    [[24, "A Study of Outlines"], ...body(6), [16, "1 Why Long Section Headings"], [16, "Wrap Onto Two Lines"], ...body(8)],
    [[16, "2 Results"], ...body(10)],
  ]);
  expect(headings).toEqual(["1 1 Why Long Section Headings Wrap Onto Two Lines", "1 2 Results"]);
});

test("figure and table captions, and their continuation lines, are not headings", async () => {
  const headings = await outline([
    [[24, "Captions Are Not Sections"], ...body(4), [14, "1 Method"], ...body(6), [14, "Figure 1."], [14, "The pipeline at a glance"], ...body(4)],
    [[14, "2 Results"], ...body(5), [14, "Table 2: Timings per stage"], ...body(5)],
  ]);
  expect(headings).toEqual(["1 1 Method", "1 2 Results"]);
});

test("the title block is not a level above the sections; numbered levels stay consistent", async () => {
  const headings = await outline([
    [[24, "The Document Title"], [13, "An Author"], ...body(3), [16, "1 Introduction"], ...body(5), [13, "1.1 Background"], ...body(5)],
    [[16, "2 Design"], ...body(4), [13, "2.1 Parts"], ...body(4), [13, "2.2 Wiring"], ...body(4)],
    [[16, "3 Evaluation"], ...body(10)],
  ]);
  expect(headings).toEqual(["1 1 Introduction", "2 1.1 Background", "1 2 Design", "2 2.1 Parts", "2 2.2 Wiring", "1 3 Evaluation"]);
});

test("a \"Chapter 2\" label is not a heading of its own; the chapter's title is", async () => {
  const headings = await outline([
    [[28, "The Manual"], ...body(3)],
    [[20, "Chapter 1"], [24, "Getting Started"], ...body(6), [14, "Installing"], ...body(6)],
    [[20, "Chapter 2"], [24, "Going Further"], ...body(6), [14, "Tuning"], ...body(6)],
  ]);
  expect(headings).toEqual(["1 Getting Started", "2 Installing", "1 Going Further", "2 Tuning"]);
});
