/** An outline entry: from the PDF's bookmarks, or detected from font sizes here. */
export interface Heading {
  title: string;
  level: number;
  page: number | null;
}

/** A line of text as extraction saw it: its largest font size and its page. */
export interface Line {
  text: string;
  size: number;
  page: number;
}

export const MAX_HEADINGS = 200;

/** The first run of consecutive lines on page 1 set in that page's largest font. */
export function firstPageTitle(lines: Line[]): string | null {
  const page1 = lines.filter((l) => l.page === 1 && /\p{L}/u.test(l.text));
  const max = Math.max(0, ...page1.map((l) => l.size));
  const start = page1.findIndex((l) => l.size >= max - 0.5);
  if (start < 0) return null;
  const run: string[] = [];
  for (let i = start; i < page1.length && page1[i]!.size >= max - 0.5 && run.length < 4; i++) run.push(page1[i]!.text);
  const title = run.join(" ").replace(/\s+/g, " ").trim();
  return title.length >= 3 && title.length <= 200 ? title : null;
}

/**
 * Lines in a font clearly larger than the body text, read as an outline: wrapped heading
 * lines joined, figure and table captions and the title block dropped, levels from section
 * numbers where there are some, else from font sizes (largest first).
 */
export function fontHeadings(lines: Line[]): Heading[] {
  const round = (size: number) => Math.round(size * 2) / 2;
  const weight = new Map<number, number>();
  for (const l of lines) weight.set(round(l.size), (weight.get(round(l.size)) ?? 0) + l.text.length);
  const body = [...weight.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0;
  if (body === 0) return [];
  const larger: Candidate[] = [];
  lines.forEach((l, index) => {
    if (l.size >= body * 1.07 && !LABEL.test(l.text) && l.text.length <= 120 && /\p{L}/u.test(l.text)) larger.push({ title: l.text, size: round(l.size), page: l.page, first: index, last: index });
  });
  const headingSizes = new Set(
    [...new Set(larger.map((c) => c.size))]
      .filter((size) => headingLike(larger.filter((c) => c.size === size), lines.at(-1)?.page ?? 1))
      .sort((a, b) => b - a)
      .slice(0, 3),
  );
  const candidates = larger.filter((c) => headingSizes.has(c.size));
  const joined = joinWrapped(candidates).filter((c) => c.title.length >= 3 && /\p{L}{2}/u.test(c.title) && !CAPTION.test(c.title));
  const kept = withoutTitleBlock(joined);
  const sizes = [...new Set(kept.map((c) => c.size))].sort((a, b) => b - a);
  const levelOfSize = new Map(sizes.map((size, rank) => [size, mostCommon(kept.filter((c) => c.size === size).map((c) => numberingDepth(c.title))) ?? rank + 1]));
  const seen = new Set<string>();
  const out: Heading[] = [];
  let previous = 0;
  for (const c of kept) {
    const sized = levelOfSize.get(c.size)!;
    if (seen.has(c.title)) continue;
    seen.add(c.title);
    // Never deeper than one below the heading before: an outline a reader can follow.
    const level = Math.min(numberingDepth(c.title) ?? sized, previous + 1, 3);
    out.push({ title: c.title, level, page: c.page });
    previous = level;
    if (out.length >= MAX_HEADINGS) break;
  }
  return out;
}

/**
 * A size used for headings: on more than one page (a cover's display sizes are not levels),
 * and a few lines a page at most (a size that fills pages is emphasis, as slides' bullets).
 * In a document of one or two pages every larger size counts.
 */
function headingLike(ofSize: Candidate[], pages: number): boolean {
  if (pages <= 2) return true;
  const onPages = new Set(ofSize.map((c) => c.page)).size;
  return onPages >= 2 && ofSize.length / onPages <= 3;
}

interface Candidate {
  title: string;
  size: number;
  page: number;
  /** Indexes of its first and last line, to tell adjacent lines. */
  first: number;
  last: number;
}

/** "Chapter 2" alone on its line, above the chapter's title: a label, not a heading. */
const LABEL = /^(chapter|part|appendix|book|kapitel|teil|anhang|chapitre|partie|annexe|cap[ií]tulo|parte|ap[eê]ndice|глава|часть|приложение)\s+([\dIVXLC]+|[A-Z])\.?$|^第\s*[\d一二三四五六七八九十百]+\s*[章部節]$/iu;

/** "Figure 3.", "Table 1:", "Fig. 2", "Abbildung 4", "Таблица 1", "図 1", "表2". */
const CAPTION = /^(fig(ure)?|tab(le)?|listing|algorithm|exhibit|chart|abbildung|tabelle|tableau|рис(унок)?|таблица|図|表|图)\.?\s*[\dIVX]/iu;
const CJK_END = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]$/u;

/**
 * A heading too long for one line comes as several lines of one size, one after another:
 * they are one heading, unless the next starts a numbered section. A caption's own
 * continuation lines join it (and go with it).
 */
function joinWrapped(candidates: Candidate[]): Candidate[] {
  const out: Candidate[] = [];
  for (const c of candidates) {
    const prev = out.at(-1);
    const continues =
      prev &&
      prev.last === c.first - 1 &&
      prev.page === c.page &&
      prev.size === c.size &&
      numberingDepth(c.title) === undefined &&
      !CAPTION.test(c.title) &&
      prev.title.length + c.title.length < 200 &&
      (CAPTION.test(prev.title) || !/[.!?。]$/.test(prev.title));
    if (!continues) {
      out.push({ ...c });
      continue;
    }
    prev.title += CJK_END.test(prev.title) ? c.title : ` ${c.title}`;
    prev.last = c.last;
  }
  return out;
}

/**
 * Page 1's lines in a size no later heading uses are the title block (title, subtitle,
 * authors): the document's title, not a level above its sections.
 */
function withoutTitleBlock(candidates: Candidate[]): Candidate[] {
  const laterSizes = new Set(candidates.filter((c) => c.page > 1).map((c) => c.size));
  if (laterSizes.size === 0) return candidates.slice(1);
  // In a paper with numbered sections, page 1's lines before the first are its authors.
  const firstNumbered = candidates.findIndex((c) => numberingDepth(c.title) !== undefined);
  return candidates.filter((c, i) => c.page > 1 || (laterSizes.has(c.size) && (firstNumbered < 0 || candidates[firstNumbered]!.page > 1 || i >= firstNumbered)));
}

/** The depth a section number gives: "2" or "2." is 1, "2.3" is 2; appendix "A." is 1, "A.1" 2. */
function numberingDepth(title: string): number | undefined {
  const m = /^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+\p{L}/u.exec(title) ?? /^[A-Z]((?:\.\d{1,2})*)\.?\s+\p{Lu}/u.exec(title);
  if (!m) return undefined;
  if (/^[A-Z]/.test(m[0]) && !/^[A-Z](\.\d|\.\s)/.test(m[0])) return undefined;
  return /^\d/.test(m[0]) ? m[1]!.split(".").length : 1 + (m[1]!.match(/\./g)?.length ?? 0);
}

function mostCommon(values: (number | undefined)[]): number | undefined {
  const counts = new Map<number, number>();
  for (const v of values) if (v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0];
}
