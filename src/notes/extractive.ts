import type { ExtractedText } from "../extraction/extract.ts";
import { chooseKeyPoints, chooseSummary, scoreSentences, type Candidate, type Length } from "./choose.ts";
import { fingerprintOf, type GeneratorFingerprint, type ReaderSetting } from "./fingerprint.ts";
import type { NotesGenerator } from "./generator.ts";
import { listNotes } from "./list-notes.ts";
import { isListItem, isProse, leansOnBefore } from "./not-prose.ts";
import { readParagraphs, type Paragraph } from "./paragraphs.ts";
import { NotesSchema, notesMarkdown, type Notes, type OutlineEntry } from "./schema.ts";
import { splitSentences, termsOf, wordCount } from "./sentences.ts";
import { STOPWORDS } from "./stopwords.ts";

/**
 * Offline, deterministic notes from the document's own sentences. Only body prose is
 * quoted: extraction marks captions, footnotes, code, running heads and contents lines
 * (src/extraction/line-kinds.ts), and the sentences' words tell the rest (not-prose.ts).
 */
export interface ExtractiveOptions extends ReaderSetting {
  summarySentences: number;
  keyPoints: number;
}

const MAX_OUTLINE = 100;
/** A summary a reader takes in at a glance. */
const SUMMARY_WORDS = 150;
/**
 * Below this share of its words in whole sentences (the rest in list items), or below this
 * many words of sentences a page over three pages or more, a document is slides or a form.
 */
const PROSE_SHARE = 0.35;
const PROSE_WORDS_A_PAGE = 40;

/** Bump when the summariser's algorithm changes what it writes: notes cached before are made again. */
const SUMMARISER_VERSION = 4;

export function extractiveFingerprint(opts: ExtractiveOptions): GeneratorFingerprint {
  return fingerprintOf("extractive", { version: SUMMARISER_VERSION, sentences: opts.summarySentences, keyPoints: opts.keyPoints }, opts);
}

export function extractiveGenerator(opts: ExtractiveOptions): NotesGenerator {
  const fingerprint = extractiveFingerprint(opts);
  return {
    name: "extractive",
    fingerprint,
    async generate(doc) {
      return { ...summarise(doc, opts), fingerprint: fingerprint.id };
    },
  };
}

export function summarise(doc: ExtractedText, opts: ExtractiveOptions): Notes {
  const title = clip(doc.title ?? doc.headings[0]?.title ?? firstLine(doc.pages) ?? "Untitled document", 300);
  const reading = readParagraphs(doc);
  const candidates = reading.paragraphs.flatMap(sentencesOf);
  const length: Length = { maxSentences: opts.summarySentences, maxWords: SUMMARY_WORDS };
  const proseWords = candidates.reduce((n, c) => n + c.words, 0);
  const itemWords = reading.paragraphs.reduce((n, p) => n + (p.item && isListItem(p.text) ? wordCount(p.text) : 0), 0);
  let summary: string[];
  let keyPoints: string[];
  // With a range, the pages not read are empty: only those read say how much prose a page holds.
  const pages = doc.range?.length ?? doc.pages.length;
  if (candidates.length < 3 || proseWords < PROSE_SHARE * (proseWords + itemWords) || (pages >= 3 && proseWords < PROSE_WORDS_A_PAGE * pages)) {
    ({ summary, keyPoints } = listNotes(reading, title, length, opts.keyPoints));
  } else {
    const scored = scoreSentences(candidates);
    const chosen = chooseSummary(scored, length);
    summary = chosen.map((s) => s.text);
    keyPoints = chooseKeyPoints(scored, opts.keyPoints, chosen).map((s) => s.text);
  }
  const fallback = summary[0] ?? firstLine(doc.pages) ?? "(no sentences found)";
  const content = {
    title,
    summary: clip(summary.join(" ") || fallback, 5000),
    keyPoints: (keyPoints.length ? keyPoints : [fallback]).map((t) => clip(t, 1000)),
    outline: outlineOf(doc),
  };
  return NotesSchema.parse({
    ...content,
    markdown: notesMarkdown(content),
    generator: "extractive",
    model: null,
    usage: null,
  });
}

function sentencesOf(p: Paragraph): Candidate[] {
  return splitSentences(p.text)
    .filter(isProse)
    .map((text) => ({ text, terms: termsOf(text, STOPWORDS), role: p.role, leans: leansOnBefore(text), words: wordCount(text) }));
}

function outlineOf(doc: ExtractedText): OutlineEntry[] {
  return doc.headings
    .slice(0, MAX_OUTLINE)
    .map((h) => ({ title: clip(h.title, 300), level: Math.min(3, Math.max(1, h.level)), page: h.page }));
}

function firstLine(pages: string[]): string | undefined {
  for (const page of pages) {
    for (const line of page.split("\n")) if (/\p{L}{2}/u.test(line)) return line.trim();
  }
  return undefined;
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
