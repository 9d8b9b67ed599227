import type { Role } from "./paragraphs.ts";

/**
 * Which sentences make the summary and the key points: centroid-based scoring (Radev et
 * al.): a sentence scores by how much of the document's TF-IDF centroid it carries, so the
 * cost is linear in the text. The summary prefers the abstract, introduction and conclusion
 * and keeps to a reader's length; key points cover the whole document.
 */
export interface Candidate {
  text: string;
  terms: string[];
  role: Role;
  /** It leans on the sentence before it ("This shows…"). */
  leans: boolean;
  words: number;
}

export interface Scored extends Candidate {
  /** Its order among the candidates (document order). */
  index: number;
  score: number;
}

export interface Length {
  maxSentences: number;
  maxWords: number;
}

const CENTROID_TERMS = 150;
/** What a sentence's section is worth to a summary: the abstract says what the document is about, the introduction and conclusion nearly so. */
const ROLE_WEIGHT: Record<Role, number> = { abstract: 2, introduction: 1.5, conclusion: 1.4, front: 1, body: 1, skip: 0 };
/** A summary sentence longer than this is a paragraph in all but name. */
const MAX_SENTENCE_WORDS = 60;

export function scoreSentences(raw: Candidate[]): Scored[] {
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
    // Early sentences say what a document is about.
    const position = index < n * 0.1 ? 1.25 : 1;
    return { ...s, index, score: (mass / Math.sqrt(Math.max(unique.size, 4))) * position * ROLE_WEIGHT[s.role] };
  });
}

function jaccard(a: string[], b: string[]): number {
  const sa = new Set(a);
  const sb = new Set(b);
  let inter = 0;
  for (const t of sa) if (sb.has(t)) inter++;
  return inter / Math.max(1, sa.size + sb.size - inter);
}

/** The same sentence, or nearly (half its terms shared), as one already chosen. */
export const repeats = (s: Scored, others: Scored[]) => others.some((c) => c.index === s.index || c.text === s.text || jaccard(c.terms, s.terms) > 0.5);
const byScore = (a: Scored, b: Scored) => b.score - a.score || a.index - b.index;

/**
 * The best sentences that fit the length, without near-repeats, each leaning one right after
 * the sentence it leans on; in document order.
 */
export function chooseSummary(sentences: Scored[], length: Length): Scored[] {
  const ranked = sentences.filter((s) => s.role !== "skip" && s.words <= MAX_SENTENCE_WORDS).sort(byScore);
  const chosen: Scored[] = [];
  // Leaning sentences wait for the sentence they lean on.
  const waiting = new Map<number, Scored>();
  let words = 0;
  const take = (s: Scored) => {
    if (chosen.length >= length.maxSentences || words + s.words > length.maxWords || repeats(s, chosen)) return;
    if (s.leans && !chosen.some((c) => c.index === s.index - 1)) {
      waiting.set(s.index - 1, s);
      return;
    }
    chosen.push(s);
    words += s.words;
    const next = waiting.get(s.index);
    if (next) take(next);
  };
  for (const s of ranked) take(s);
  return inOrder(chosen);
}

/** The best sentence of each of k equal stretches of the document: key points span all of it. */
export function chooseKeyPoints(sentences: Scored[], k: number, exclude: Scored[]): Scored[] {
  const usable = sentences.filter((s) => s.role !== "skip" && !s.leans);
  const chosen: Scored[] = [];
  const size = Math.ceil(usable.length / k);
  for (let start = 0; start < usable.length && chosen.length < k; start += size) {
    const best = usable
      .slice(start, start + size)
      .sort(byScore)
      .find((s) => !repeats(s, [...exclude, ...chosen]));
    if (best) chosen.push(best);
  }
  return inOrder(chosen);
}

export function inOrder<T extends { index: number }>(s: T[]): T[] {
  return [...s].sort((a, b) => a.index - b.index);
}
