/**
 * The offline summary and key points quote body prose only: generated PDFs carry captions,
 * footnotes, an algorithm block, a code listing, a contents page, running heads and
 * bulleted slides with glyphs and code, and none of it may reach the notes.
 */
import { describe, expect, test } from "bun:test";
import { extractPdf } from "../../src/extraction/extract.ts";
import { summarise } from "../../src/notes/extractive.ts";
import { chinese, japanese, paper, slides as deck } from "../fixtures/texts.ts";
import { fixture } from "../support/fixtures.ts";
import { sizedLinesPdf, type SizedLine } from "../support/pdf-factory.ts";

const opts = { summarySentences: 6, keyPoints: 8 };
const extract = async (bytes: Uint8Array) => extractPdf(bytes, { maxPages: 100, minTextChars: 1 });
const squash = (s: string) => s.replace(/\s+/g, "").toLowerCase();

/** A paragraph set as lines of at most `width` characters. */
function wrap(text: string, width = 90): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, line] : lines;
}

const body = (text: string): SizedLine[] => wrap(text).map((l) => [10, l]);

/** Sentence-shaped on purpose: only what the line is, not how it reads, keeps each out. */
const junk = {
  runningHead: "Folio Technical Report 7 describes how documents become notes",
  contents: ["Introduction", "Background", "Locking and its costs", "Design of the system", "Evaluation", "Conclusion", "References", "Appendix", "Index"],
  caption: "Figure 2: The waiting time of every developer falls when the locks are removed from the repository.",
  captionMore: "The working copies of all developers are merged when they commit their changes to the repository.",
  tableCaption: "Table 1. Commits per developer and week rose by a third after the move to merging.",
  algorithm: ["1: Set the waiting time of every developer to zero.", "2: For each commit in the history of the repository:", "3: Merge the working copy with the repository version."],
  code: ["The merge command combines the working copy with the repository version.", "status commit(working_copy, message, lock=false);"],
  footnote: "1 The developers were asked to record every lock they waited for during the three months.",
  footnoteNoMark: "Developers who forgot a lock overnight were reminded by email the next morning.",
};

function junkPaper(): Uint8Array {
  const [intro, background, design, evaluation, conclusion] = paper.sections;
  const head = (n: number): SizedLine => [8, `${junk.runningHead} ${n}`];
  return sizedLinesPdf([
    [[20, paper.title], [11, paper.authors], [12, "Abstract"], ...body(paper.abstract)],
    [head(2), [14, "Contents"], ...junk.contents.map((t, i): SizedLine => [10, `${i + 1} ${t} . . . . . . . . . . . . . . . ${i + 3}`])],
    [head(3), [14, intro!.title], ...intro!.paragraphs.flatMap(body), [8, junk.caption], [8, junk.captionMore], ...body(background!.paragraphs[0]!), [8, junk.footnote], [8, junk.footnoteNoMark]],
    [head(4), [14, background!.title], ...background!.paragraphs.slice(1).flatMap(body), [10, junk.tableCaption], ...junk.algorithm.map((l): SizedLine => [10, l]), ...design!.paragraphs.flatMap(body)],
    [head(5), [14, evaluation!.title], ...junk.code.map((l): SizedLine => [10, l, "Courier"]), ...evaluation!.paragraphs.flatMap(body), [14, conclusion!.title], ...conclusion!.paragraphs.flatMap(body)],
  ]);
}

function bulletDeck(): Uint8Array {
  const slide = (title: string, bullets: string[], code?: string): SizedLine[] => [
    [24, title],
    ...bullets.map((b): SizedLine => [16, `§ ${b}`]),
    ...(code ? [[12, code, "Courier"] as SizedLine] : []),
    [9, "Folio at the Test Conference 2026"],
  ];
  return sizedLinesPdf([
    [[28, "Channels and Modules"], [16, "A short deck of bullets"]],
    slide("Modules", ["Modules communicate via channels", "Channels implement interfaces", "Each module runs its own process"], "status burst_read(unique_priority, data*, start_address, length=1, lock=false);"),
    slide("Channels", ["A channel carries typed messages", "Writers block when the channel is full", "Readers wait for the next message"]),
    slide("Testing", ["Every channel is tested in isolation", "Modules are tested against recorded traffic", "Failures name the channel that broke"], "int main(void) { return run_all(); }"),
  ]);
}

const said = (notes: { summary: string; keyPoints: string[] }) => [notes.summary, ...notes.keyPoints].join("\n");

describe("offline notes quote body prose only", () => {
  test("captions, footnotes, an algorithm, code, contents and running heads stay out of the summary and key points", async () => {
    const doc = await extract(junkPaper());
    const notes = summarise(doc, opts);
    const text = squash(said(notes));
    const all = [junk.runningHead, ...junk.contents.map((t) => `${t} . . .`), junk.caption, junk.captionMore, junk.tableCaption, ...junk.algorithm, ...junk.code, junk.footnote, junk.footnoteNoMark];
    expect(all.filter((line) => text.includes(squash(line).slice(0, 40)))).toEqual([]);
    expect(notes.summary).not.toMatch(/[§•◦▶]/u);
    // The notes are the paper's own sentences.
    const prose = squash([paper.abstract, ...paper.sections.flatMap((s) => [...s.paragraphs, ...(s.subsections ?? []).flatMap((x) => x.paragraphs)])].join(" "));
    for (const point of notes.keyPoints) expect(prose).toContain(squash(point));
  });

  test("the summary reads as a summary: 3 to 6 whole sentences, about 60 to 150 words, none twice, in document order", async () => {
    const notes = summarise(await extract(junkPaper()), opts);
    const sentences = notes.summary.split(/(?<=\.) (?=\p{Lu})/u);
    expect(sentences.length).toBeGreaterThanOrEqual(3);
    expect(sentences.length).toBeLessThanOrEqual(6);
    const words = notes.summary.split(/\s+/).length;
    expect(words).toBeGreaterThanOrEqual(60);
    expect(words).toBeLessThanOrEqual(150);
    expect(new Set(sentences).size).toBe(sentences.length);
    const prose = [paper.abstract, ...paper.sections.flatMap((s) => [...s.paragraphs, ...(s.subsections ?? []).flatMap((x) => x.paragraphs)])].join(" ");
    const at = sentences.map((s) => prose.indexOf(s));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect(at).toEqual([...at].sort((a, b) => a - b));
  });

  test("bulleted slides get sentences from their titles and bullets, without glyphs, footers or code", async () => {
    const notes = summarise(await extract(bulletDeck()), opts);
    const text = said(notes);
    expect(text).not.toMatch(/[§•◦▶]|burst_read|run_all|Test Conference/u);
    const sentences = notes.summary.split(/(?<=\.) /u);
    expect(sentences.length).toBeGreaterThanOrEqual(2);
    for (const s of [...sentences, ...notes.keyPoints]) expect(s).toMatch(/^\p{Lu}.*\.$/u);
    expect(sentences.some((s) => ["Modules: ", "Channels: ", "Testing: "].some((t) => s.startsWith(t)))).toBe(true);
  });

  test("the fixture deck's summary is sentences, each naming its slide", async () => {
    const notes = summarise(await extract(new Uint8Array(await Bun.file(fixture("slides.pdf")).arrayBuffer())), opts);
    const sentences = notes.summary.split(/(?<=\.) /u);
    const titled = sentences.filter((s) => deck.slides.some((slide) => s.startsWith(`${slide.title}: `)));
    expect(titled.length).toBeGreaterThanOrEqual(3);
    for (const s of sentences) expect(s).toMatch(/^\p{Lu}.*\.$/u);
  });
});

describe("sentences in every script", () => {
  test("a Japanese and Chinese PDF's summary is whole sentences, split at 。", async () => {
    const notes = summarise(await extract(new Uint8Array(await Bun.file(fixture("cjk-ja-zh.pdf")).arrayBuffer())), opts);
    const sentences = notes.summary.split(/(?<=。)\s*/u).filter(Boolean);
    expect(sentences.length).toBeGreaterThanOrEqual(3);
    const written = new Set([...japanese.paragraphs, ...chinese.paragraphs].flatMap((p) => p.split(/(?<=。)/u)).map(squash));
    for (const s of sentences) expect(written.has(squash(s))).toBe(true);
  });

  test("a Russian PDF's summary is several whole sentences", async () => {
    const doc = await extract(new Uint8Array(await Bun.file(fixture("cyrillic-ru.pdf")).arrayBuffer()));
    const sentences = summarise(doc, opts).summary.split(/(?<=\.) (?=\p{Lu})/u);
    expect(sentences.length).toBeGreaterThanOrEqual(3);
    const text = squash(doc.pages.join("\n"));
    for (const s of sentences) expect(text).toContain(squash(s));
  });
});
