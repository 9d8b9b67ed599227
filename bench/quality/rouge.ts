/**
 * ROUGE-N and ROUGE-L F1 (Lin, 2004) over words: lower-cased, Unicode word segments, each
 * Han/kana character a word of its own. Small enough to own, and tested
 * (test/bench/quality/rouge.test.ts) against hand-counted cases.
 */
const words = new Intl.Segmenter(undefined, { granularity: "word" });
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

export function tokens(text: string): string[] {
  const out: string[] = [];
  for (const w of words.segment(text.normalize("NFKC").toLowerCase())) {
    if (!w.isWordLike) continue;
    if (CJK.test(w.segment)) out.push(...w.segment);
    else out.push(w.segment);
  }
  return out;
}

/** The first `n` words of a text's tokens: summaries are compared at the reference's length. */
export function truncateWords(toks: string[], n: number): string[] {
  return toks.slice(0, n);
}

const f1 = (overlap: number, candidate: number, reference: number) => {
  if (overlap === 0 || candidate === 0 || reference === 0) return 0;
  const p = overlap / candidate;
  const r = overlap / reference;
  return (2 * p * r) / (p + r);
};

function ngrams(toks: string[], n: number): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i + n <= toks.length; i++) {
    const g = toks.slice(i, i + n).join("\u0000");
    out.set(g, (out.get(g) ?? 0) + 1);
  }
  return out;
}

/** ROUGE-N F1: n-gram overlap, each n-gram counted at most as often as the other side has it. */
export function rougeN(candidate: string[], reference: string[], n: number): number {
  const c = ngrams(candidate, n);
  const r = ngrams(reference, n);
  let overlap = 0;
  for (const [g, k] of c) overlap += Math.min(k, r.get(g) ?? 0);
  return f1(overlap, Math.max(0, candidate.length - n + 1), Math.max(0, reference.length - n + 1));
}

/** ROUGE-L F1: the longest common subsequence of words. */
export function rougeL(candidate: string[], reference: string[]): number {
  let prev = new Array<number>(reference.length + 1).fill(0);
  for (const word of candidate) {
    const row = new Array<number>(reference.length + 1).fill(0);
    for (let j = 1; j <= reference.length; j++) row[j] = word === reference[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, row[j - 1]!);
    prev = row;
  }
  return f1(prev[reference.length]!, candidate.length, reference.length);
}
