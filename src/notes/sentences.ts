/**
 * Sentences of running text in any script. Intl.Segmenter (ICU) ends CJK sentences at
 * 。！？ and Latin and Cyrillic ones at . ! ?, but also after abbreviations, initials and
 * German ordinals ("z. B.", "Dr. Smith", "C. S. Gillespie", "am 3. Oktober"), and before
 * a dot file's name ("saved to .RData"): those pieces are joined again.
 */
const sentenceSegmenter = new Intl.Segmenter(undefined, { granularity: "sentence" });
const wordSegmenter = new Intl.Segmenter(undefined, { granularity: "word" });

export const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** Abbreviations that end with a full stop inside a sentence, in the languages Folio meets most. */
const ABBREVIATION =
  /(?:^|[\s(])(?:[zdueisтс]|dr|mr|mrs|ms|prof|st|no|nr|vol|pp|cf|vs|fig|figs|eq|eqs|sec|sect|ch|abb|abs|bzw|ca|vgl|usw|kap|bd|hr|fr|mme|mlle|ed|éd|см|рис|стр|табл|гл|им|ул|т\.\s?[дпе]|и\s?т\.\s?[дп]|т\.\s?е|z\.\s?b|d\.\s?h|u\.\s?a|i\.\s?e|e\.\s?g)\.$/iu;
/** Initials: a capital alone, or after another ("C. S. Gillespie"), not "We use R." */
const INITIAL = /(?:^\s*|\b\p{Lu}\.\s?)\p{Lu}\.$/u;
/** A German ordinal in a date or an edition ("am 3. Oktober", "2. Auflage"). */
const ORDINAL = /(?:^|\s)\d{1,2}\.$/u;
const ORDINAL_NEXT = /^(januar|februar|märz|april|mai|juni|juli|august|september|oktober|november|dezember|jahrhundert|jh|auflage|klasse|mal)\b/iu;

export function splitSentences(text: string): string[] {
  const pieces = [...sentenceSegmenter.segment(text)].map((s) => s.segment);
  const out: string[] = [];
  let carry = "";
  pieces.forEach((segment, i) => {
    const piece = carry + segment;
    const trimmed = piece.trimEnd();
    const next = pieces[i + 1]?.trimStart() ?? "";
    // " ." right before a letter is a dot file's name (".RData"), not a full stop.
    const dotFile = /\s\.$/u.test(segment) && /^\p{L}/u.test(pieces[i + 1] ?? "");
    if (next && (dotFile || ABBREVIATION.test(trimmed) || INITIAL.test(trimmed) || (ORDINAL.test(trimmed) && ORDINAL_NEXT.test(next)))) {
      carry = piece;
      return;
    }
    carry = "";
    const sentence = trimmed.replace(/\s+/g, " ").trim();
    if (sentence) out.push(sentence);
  });
  return out;
}

/** Words as a reader counts them: Unicode word segments (a CJK word is a dictionary word, not a character). */
export function wordCount(text: string): number {
  let n = 0;
  for (const w of wordSegmenter.segment(text)) if (w.isWordLike) n++;
  return n;
}

/** Terms for the centroid: lower-cased word segments, stopwords, numbers and very short Latin words left out. */
export function termsOf(sentence: string, stopwords: ReadonlySet<string>): string[] {
  const terms: string[] = [];
  for (const w of wordSegmenter.segment(sentence.toLowerCase())) {
    if (!w.isWordLike) continue;
    const t = w.segment;
    if ((t.length < 3 && !CJK.test(t)) || stopwords.has(t) || /^\d+$/.test(t)) continue;
    terms.push(t);
  }
  return terms;
}
