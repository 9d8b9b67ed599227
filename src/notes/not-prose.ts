import { CAPTION_START } from "../extraction/line-kinds.ts";
import { CJK } from "./sentences.ts";

/**
 * Sentence-level tests for text that reads as prose: what line kinds cannot tell (a caption
 * set like the body, an algorithm's numbered steps, inline code, a form's labels) is told
 * here from the words alone, and also covers text extracted without line kinds.
 */

/** List glyphs and syntax brackets: debris of a bullet list, a syntax summary or a broken cross-reference. */
const GLYPHS = /[§•◦‣\u25A0-\u25FF★☞➤✓✗❖∵∴⟨⟩〈〉]/u;
/** "4: Set n2 = n − n1", "5: for i in 1:B:". */
const ALGORITHM_STEP = /(?:^|\s)\d{1,2}:\s/u;
/** A footnote's mark before its text ("1 With other…", "2О том…", "⁴Смотрите…", "∗Requires…"). */
const NOTE_MARK = /^(?:[⁰¹²³⁴⁵⁶⁷⁸⁹]+|[∗*†‡]|\d{1,2}(?=\p{L})|\d{1,2}\s+\p{Lu}\p{Ll})/u;
/** A form's line numbers before its label ("57 58 Additional tax…", "1–Dec. 31"). */
const LINE_NUMBERS = /^\d+[a-z]?\s+\d+[a-z]?\s|^\d+\s?[–-]\s?\p{L}/u;
const LEADERS = /(?:\.\s?){3,}|\s\.\s\.$|…{2,}|(?:·\s?){3,}|_{3,}/u;
const KEYWORDS = /^(?:keywords?|key words|index terms|jel|msc|schlüsselwörter|mots[- ]clés|ключевые слова)\b/iu;
const CODE = /[{};]\s*$|<-|==|!=|&&|\|\||=>|->|:=|::|\w\([^)]*\)\s*;|\\[a-z]+\{|^(?:#include|import|def|function|return|var|let|const)\b/u;
const CODE_CHARS = /[{}[\]<>=;#$_\\|^~@]/gu;
const MATH_CHARS = /[=<>≤≥≈≠±∑∏∫√∞∂∇×÷]/gu;
const REFERENCE = /^\[\d+\]|\bdoi:|\bpp\.\s?\d+\s?[–-]\s?\d+|^\p{Lu}[\p{L}'’-]+,\s(?:\p{Lu}\.\s?)+/u;
const URL = /\b(?:https?:\/\/|www\.)\S+/gu;

/** Width as a reader sees it: a CJK character takes two columns. */
export function displayWidth(s: string): number {
  let n = 0;
  for (const ch of s) n += CJK.test(ch) ? 2 : 1;
  return n;
}

/** Not prose whatever its shape: glyph debris, a caption, a footnote, code, a formula, a form's labels, a reference. */
export function isDebris(s: string): boolean {
  const letters = s.match(/\p{L}/gu)?.length ?? 0;
  const visible = s.replace(/\s+/g, "").length;
  if (letters / Math.max(1, s.length) < 0.6) return true;
  if (GLYPHS.test(s) || LEADERS.test(s) || KEYWORDS.test(s) || NOTE_MARK.test(s) || LINE_NUMBERS.test(s) || CAPTION_START.test(s) || REFERENCE.test(s)) return true;
  if (ALGORITHM_STEP.test(s) || CODE.test(s) || (s.match(CODE_CHARS)?.length ?? 0) > 0.05 * visible) return true;
  if ((s.match(MATH_CHARS)?.length ?? 0) >= 3 || (s.match(/:\s/g)?.length ?? 0) >= 3) return true;
  if ((s.match(URL) ?? []).join("").length > 0.25 * s.length) return true;
  // A form's line or a table row: numbers and single letters between the words.
  const tokens = s.split(" ");
  if (tokens.length >= 8 && tokens.filter((t) => /^(\d+[a-z]?|\p{L})$/u.test(t)).length > 0.2 * tokens.length) return true;
  const upper = s.match(/\p{Lu}/gu)?.length ?? 0;
  return letters >= 12 && upper > 0.6 * letters;
}

/** A sentence of body prose: whole (capital to full stop), of a reader's length, not debris. */
export function isProse(s: string): boolean {
  const width = displayWidth(s);
  if (width < 20 || width > 500 || isDebris(s)) return false;
  if (CJK.test(s)) return /[。！？.!?][」』）)"”]?$/u.test(s);
  const words = s.split(" ").length;
  // A full stop, "!" or "?" ends it, inside closing quotes or a bracket at most ("??)" is an operator).
  return words >= 5 && words <= 70 && /(?<![.!?])[.!?]["'»”’)]{0,2}$/u.test(s) && /^[\p{Lu}\p{N}"'(«„“‘]/u.test(s);
}

/** A list item or a slide's bullet worth saying: a few words, not debris. */
export function isListItem(s: string): boolean {
  const width = displayWidth(s);
  return width >= 8 && width <= 300 && (CJK.test(s) || s.split(" ").length >= 3) && !isDebris(s);
}

/**
 * A sentence that leans on the one before it ("This shows…", "As shown above…", "However,
 * …"): kept only right after that sentence. "This paper describes…" stands on its own.
 */
const LEANS =
  /^(?:this|these|that|those|they|them|their|such|he|she|here|thus|hence|however|moreover|furthermore|also|in addition|in this case|in the (?:first|second|former|latter)|as (?:shown|mentioned|described|noted|seen|discussed|explained) (?:above|before|earlier|previously)|the (?:above|former|latter)|dies(?:e[rsmn]?)?|das|sie|solche|jedoch|außerdem|ce(?:tte|s)?|cela|ceci|ils?|elles?|cependant|это|этот|эта|эти|он|она|они|такой|такие|однако|поэтому|кроме того)\b/iu;
/** "Overall, it…", "In short, these…": a pronoun after an opening adverb leans as much. */
const LEANS_AFTER_ADVERB = /^\p{L}+,\s+(?:it|this|these|they|such)\b/iu;
const LEANS_CJK = /^(?:これ|それ|その|こうした|こう|しかし|また|这|该|它|他们|此|但是|因此|然而)/u;
const STANDS_ALONE =
  /^(?:this|these) (?:paper|article|report|document|manual|chapter|section|work|package|thesis|tutorial|guide|book|study|note|memo|release|version|program|system|tool)s?\b|^it (?:is|was|has been|can be|may be|seems|appears|would be|should be)\b/iu;

export function leansOnBefore(s: string): boolean {
  return (LEANS.test(s) && !STANDS_ALONE.test(s)) || LEANS_AFTER_ADVERB.test(s) || LEANS_CJK.test(s);
}
