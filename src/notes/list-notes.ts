import { repeats, scoreSentences, type Candidate, type Length, type Scored } from "./choose.ts";
import { isDebris, isListItem } from "./not-prose.ts";
import type { Reading } from "./paragraphs.ts";
import { CJK, termsOf, wordCount } from "./sentences.ts";
import { STOPWORDS } from "./stopwords.ts";

/**
 * Notes for documents with little prose (slides, forms): their bullets and labels are the
 * content. The summary takes the stretches (slides, a form's sections) whose best bullets
 * carry most of the document's centroid, one sentence each: the stretch's title, then its
 * one or two densest bullets. Key points are the other dense bullets, written as sentences.
 */
export interface ListNotes {
  summary: string[];
  keyPoints: string[];
}

interface Item extends Scored {
  segment: number;
}

export function listNotes(reading: Reading, docTitle: string, length: Length, keyPoints: number): ListNotes {
  const usable = reading.paragraphs.filter((p) => p.role !== "skip" && isListItem(p.text));
  // The title page's lines (title, authors, venue) are not content, unless they are all there is.
  const raw = usable.some((p) => p.role !== "front") ? usable.filter((p) => p.role !== "front") : usable;
  const candidates: Candidate[] = raw.map((p) => ({ text: p.text, terms: termsOf(p.text, STOPWORDS), role: "body", leans: false, words: wordCount(p.text) }));
  const items: Item[] = scoreSentences(candidates).map((s, i) => ({ ...s, segment: raw[i]!.segment }));
  const bySegment = new Map<number, Item[]>();
  for (const item of items) bySegment.set(item.segment, [...(bySegment.get(item.segment) ?? []), item]);
  const ranked = [...bySegment.entries()]
    .map(([segment, of]) => ({ segment, best: [...of].sort((a, b) => b.score - a.score || a.index - b.index).filter((item, i, all) => !repeats(item, all.slice(0, i))).slice(0, 2) }))
    .filter((s) => s.best[0]!.score > 0)
    .sort((a, b) => b.best[0]!.score - a.best[0]!.score || a.segment - b.segment);
  const chosen: typeof ranked = [];
  const used = new Set<number>();
  let words = 0;
  for (const s of ranked) {
    if (chosen.length >= length.maxSentences) break;
    const w = s.best.reduce((n, i) => n + i.words, wordCount(reading.titles[s.segment] ?? ""));
    if (words + w > length.maxWords || s.best.some((i) => repeats(i, chosen.flatMap((c) => c.best)))) continue;
    chosen.push(s);
    words += w;
    for (const i of s.best) used.add(i.index);
  }
  const summary = chosen
    .sort((a, b) => a.segment - b.segment)
    .map((s) => asSentence(titled(reading.titles[s.segment], docTitle, s.best.sort((a, b) => a.index - b.index).map((i) => i.text))));
  const points: Item[] = [];
  for (const item of items.filter((i) => !used.has(i.index) && i.score > 0).sort((a, b) => b.score - a.score || a.index - b.index)) {
    if (points.length >= keyPoints) break;
    if (!repeats(item, [...chosen.flatMap((c) => c.best), ...points])) points.push(item);
  }
  const keyPointTexts = points.sort((a, b) => a.index - b.index).map((i) => asSentence(i.text));
  return { summary, keyPoints: keyPointTexts };
}

/**
 * "Title: first bullet; second bullet", the bullets in lower case where they began with a
 * capitalised word; a question for a title is answered by its bullets ("What is it? A viewer; …").
 */
function titled(title: string | undefined, docTitle: string, bullets: string[]): string {
  const question = title !== undefined && /[?!？！]$/u.test(title);
  const items = bullets.map((b, i) => (i === 0 && (!title || question) ? b : lowerFirst(b)).replace(/[.;:,]+$/u, "")).join("; ");
  if (!title || title === docTitle || isDebris(title)) return items;
  return question ? `${title} ${items}` : `${title.replace(/[.:;,]$/u, "")}: ${items}`;
}

/** "Reading long PDFs" → "reading long PDFs", "A summariser" → "a summariser"; "PDF forms", "PostScript" and "I" stay. */
function lowerFirst(s: string): string {
  return /^(?!I\s)\p{Lu}\p{Ll}*(?![\p{L}\d])/u.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s;
}

function asSentence(s: string): string {
  const text = s.replace(/[;:,]$/u, "").trim();
  const capital = text[0]!.toUpperCase() + text.slice(1);
  if (/[.!?。！？]$/u.test(capital)) return capital;
  return capital + (CJK.test(capital.at(-1)!) ? "。" : ".");
}
