/** The font-size heading detector on small generated PDFs (no bookmarks): what a reader of the outline sees. */
import { expect, test } from "bun:test";
import { extractPdf } from "../../src/extraction/extract.ts";
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

test("headings set in the body's size but a bold face of their own are the level below the larger ones", async () => {
  const bold = (text: string): SizedLine => [10, text, "Helvetica-Bold"];
  const headings = await outline([
    [[20, "A Manual"], ...body(5), [14, "1 Getting started"], ...body(3), bold("Installing from source"), ...body(4), bold("Installing a package"), ...body(4)],
    [...body(3), bold("Running the service"), ...body(5), [14, "2 Going further"], ...body(3), bold("Tuning the pool"), ...body(4)],
    [...body(4), bold("Watching the queues"), ...body(6)],
  ]);
  expect(headings).toEqual([
    "1 1 Getting started",
    "2 Installing from source",
    "2 Installing a package",
    "2 Running the service",
    "1 2 Going further",
    "2 Tuning the pool",
    "2 Watching the queues",
  ]);
});

test("running heads, repeated labels, code, emphasised sentences and a table of contents are not headings", async () => {
  const bold = (text: string): SizedLine => [10, text, "Helvetica-Bold"];
  const code = (text: string): SizedLine => [10, text, "Courier"];
  const contents: SizedLine[] = ["1 Getting started", "1.1 Install", "1.2 Configure", "2 Running", "2.1 Queues", "2.2 Workers", "3 Tuning", "3.1 Pools", "3.2 Caches"].map((t, i) => bold(`${t} . . . . . ${i + 2}`));
  const page = (n: number, section: string): SizedLine[] => [
    bold(`Folio Manual, page ${n}`),
    ...body(3),
    [14, section],
    ...body(2),
    bold("Usage"),
    ...body(2),
    code(`folio upload --file paper-${n}.pdf`),
    ...body(2),
    bold(`Note that this sentence is emphasised in full, as a warning that runs the whole line ${n}.`),
    ...body(3),
  ];
  const headings = await outline([[[20, "A Manual"], ...body(4)], [[14, "Contents"], ...contents], page(3, "1 Getting started"), page(4, "2 Running"), page(5, "3 Tuning")]);
  expect(headings).toEqual(["1 Contents", "1 1 Getting started", "1 2 Running", "1 3 Tuning"]);
});

test("a large glyph without letters in a body line makes neither a title nor a heading; footnote marks go", async () => {
  const doc = await extractPdf(
    sizedLinesPdf([
      [[18, "The Real Title*"], ...body(3), [10, "the word between", "Helvetica", [30, " = = "]], ...body(3), [14, "1 Method"], ...body(4)],
      [[14, "2 Results", "Helvetica", [8, "4"]], ...body(3), [10, "and again here", "Helvetica", [30, " = = "]], ...body(4)],
    ]),
    { maxPages: 100, minTextChars: 1 },
  );
  expect(doc.title).toBe("The Real Title");
  expect(doc.headings.map((h) => h.title)).toEqual(["1 Method", "2 Results"]);
});
