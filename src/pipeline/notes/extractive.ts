import type { ExtractedText } from "../extract.ts";
import { fingerprintOf, type GeneratorFingerprint, type ReaderSetting } from "./fingerprint.ts";
import type { NotesGenerator } from "./generator.ts";
import { NotesSchema, notesMarkdown, type Notes, type OutlineEntry } from "./schema.ts";
import { STOPWORDS } from "./stopwords.ts";

/**
 * Offline, deterministic notes: centroid-based extractive summarisation (Radev et al.).
 * Sentences are scored by how much of the document's TF-IDF centroid they carry, so the
 * cost is linear in the text: one pass to count terms, one to score sentences.
 */
export interface ExtractiveOptions extends ReaderSetting {
  summarySentences: number;
  keyPoints: number;
}

interface Sentence {
  text: string;
  index: number;
  terms: string[];
  score: number;
}

const MAX_SENTENCE_CHARS = 400;
const CENTROID_TERMS = 150;
const MAX_OUTLINE = 100;
const sentenceSegmenter = new Intl.Segmenter(undefined, { granularity: "sentence" });
const wordSegmenter = new Intl.Segmenter(undefined, { granularity: "word" });
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** Bump when the summariser's algorithm changes what it writes: notes cached before are made again. */
const SUMMARISER_VERSION = 3;

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
  const body = bodyText(doc.pages);
  let candidates = splitSentences(body);
  // Slides and forms have few full sentences: their bullet lines are the content.
  if (candidates.length < opts.summarySentences + opts.keyPoints) {
    candidates = [...candidates, ...bulletLines(body, candidates)].sort((a, b) => a.pos - b.pos);
  }
  const sentences = scoreSentences(candidates);
  const ranked = [...sentences].sort((a, b) => b.score - a.score || a.index - b.index);
  const summary = pickDiverse(ranked, opts.summarySentences, []);
  const keyPoints = coverage(sentences, opts.keyPoints, summary);
  const fallback = sentences[0]?.text ?? firstLine(doc.pages) ?? "(no sentences found)";
  const content = {
    title: clip(doc.title ?? doc.headings[0]?.title ?? firstLine(doc.pages) ?? "Untitled document", 300),
    summary: clip(inOrder(summary).map((s) => s.text).join(" ") || fallback, 5000),
    keyPoints: (keyPoints.length ? inOrder(keyPoints).map((s) => s.text) : [fallback]).map((t) => clip(t, 1000)),
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

/** Joins wrapped lines, mends hyphenation and drops the reference list, which only dilutes the centroid. */
function bodyText(pages: string[]): string {
  let text = pages.join("\n");
  const refs = text.search(/\n\s*(references|bibliography|literaturverzeichnis|références|bibliografia)\s*\n/i);
  if (refs > text.length * 0.6) text = text.slice(0, refs);
  const lines = text.replace(/(\p{L})-\n(\p{Ll})/gu, "$1$2").split("\n");
  // Wrapped lines join into paragraphs; a short line without closing punctuation is a
  // heading, an address or a caption, and stands alone so it never opens a sentence.
  const parts: string[] = [];
  let last = "\n";
  for (const raw of lines) {
    const line = raw.trim();
    if (!line) continue;
    if (line.length < 60 && !/[.,;:!?。]$/.test(line)) {
      parts.push(`\n${line}\n`);
      last = "\n";
      continue;
    }
    if (last !== "\n" && !CJK.test(last)) parts.push(" ");
    parts.push(line);
    last = line.at(-1)!;
  }
  return parts.join("");
}

interface Candidate {
  text: string;
  terms: string[];
  /** Offset in the body text: candidates are told in document order. */
  pos: number;
}

function splitSentences(text: string): Candidate[] {
  const out: Candidate[] = [];
  for (const { segment, index } of sentenceSegmenter.segment(text)) {
    const sentence = segment.replace(/\s+/g, " ").trim();
    if (!plausible(sentence)) continue;
    out.push({ text: sentence, terms: termsOf(sentence), pos: index });
  }
  return out;
}

function bulletLines(text: string, taken: Candidate[]): Candidate[] {
  const seen = new Set(taken.map((c) => c.text));
  const out: Candidate[] = [];
  let pos = 0;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/^[\s•·▪◦‣\-–*]+/u, "").replace(/\s+/g, " ").trim();
    pos += raw.length + 1;
    const words = CJK.test(line) ? line.length / 2 : line.split(" ").length;
    const letters = line.match(/\p{L}/gu)?.length ?? 0;
    if (words < 3 || line.length > MAX_SENTENCE_CHARS || letters / Math.max(1, line.length) < 0.6 || seen.has(line)) continue;
    // A line inside a sentence, or a paragraph line holding sentences, says nothing new.
    if ([...seen].some((s) => s.includes(line) || line.includes(s))) continue;
    seen.add(line);
    out.push({ text: line, terms: termsOf(line), pos });
  }
  return out;
}

/** Prose, not a table row, a code line or a page header. */
function plausible(s: string): boolean {
  if (s.length < 20 || s.length > MAX_SENTENCE_CHARS || /(\. ?){4}/.test(s)) return false;
  const letters = s.match(/\p{L}/gu)?.length ?? 0;
  if (letters / s.length < 0.6) return false;
  if (CJK.test(s)) return true;
  const words = s.split(" ").length;
  return words >= 5 && words <= 70 && /[.!?:;)]$/.test(s) && /^[\p{Lu}\p{N}"'(«„]/u.test(s);
}

function termsOf(sentence: string): string[] {
  const terms: string[] = [];
  for (const w of wordSegmenter.segment(sentence.toLowerCase())) {
    if (!w.isWordLike) continue;
    const t = w.segment;
    if ((t.length < 3 && !CJK.test(t)) || STOPWORDS.has(t) || /^\d+$/.test(t)) continue;
    terms.push(t);
  }
  return terms;
}

function scoreSentences(raw: Candidate[]): Sentence[] {
  const tf = new Map<string, number>();
  const df = new Map<string, number>();
  for (const s of raw) {
    for (const t of s.terms) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const t of new Set(s.terms)) df.set(t, (df.get(t) ?? 0) + 1);
  }
  const n = raw.length;
  const weights = [...tf.entries()]
    .map(([t, f]) => [t, f * Math.log((n + 1) / (df.get(t)! + 0.5))] as const)
    .filter(([, w]) => w > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, CENTROID_TERMS);
  const centroid = new Map(weights);
  return raw.map((s, index) => {
    const unique = new Set(s.terms);
    let mass = 0;
    for (const t of unique) mass += centroid.get(t) ?? 0;
    // Early sentences (abstract, introduction) say what a document is about.
    const position = index < n * 0.1 ? 1.25 : 1;
    return { text: s.text, terms: s.terms, index, score: (mass / Math.sqrt(Math.max(unique.size, 4))) * position };
  });
}

function jaccard(a: string[], b: string[]): number {
  const sa = new Set(a);
  const sb = new Set(b);
  let inter = 0;
  for (const t of sa) if (sb.has(t)) inter++;
  return inter / Math.max(1, sa.size + sb.size - inter);
}

/** Best first, skipping near-repeats of what was already chosen (a cheap MMR). */
function pickDiverse(ranked: Sentence[], k: number, exclude: Sentence[]): Sentence[] {
  const chosen: Sentence[] = [];
  for (const s of ranked) {
    if (chosen.length >= k) break;
    if ([...exclude, ...chosen].some((c) => c.index === s.index || jaccard(c.terms, s.terms) > 0.5)) continue;
    chosen.push(s);
  }
  return chosen;
}

/** The best sentence of each of k equal stretches of the document: key points span all of it. */
function coverage(sentences: Sentence[], k: number, exclude: Sentence[]): Sentence[] {
  const chosen: Sentence[] = [];
  const size = Math.ceil(sentences.length / k);
  for (let start = 0; start < sentences.length; start += size) {
    const stretch = sentences.slice(start, start + size).sort((a, b) => b.score - a.score || a.index - b.index);
    chosen.push(...pickDiverse(stretch, 1, [...exclude, ...chosen]));
  }
  return chosen;
}

function inOrder(s: Sentence[]): Sentence[] {
  return [...s].sort((a, b) => a.index - b.index);
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
