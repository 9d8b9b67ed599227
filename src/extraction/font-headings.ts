/** An outline entry: from the PDF's bookmarks, or detected from font sizes here. */
export interface Heading {
  title: string;
  level: number;
  page: number | null;
}

/**
 * A line of text as extraction saw it: its size, its page, the fonts (pdf.js's ids for them)
 * of its first run and of its last run with letters, and whether it is all monospaced.
 */
export interface Line {
  text: string;
  size: number;
  page: number;
  /** Its index among the lines of its page's text. */
  row: number;
  /** Its baseline, up from the page's foot (PDF space). */
  y: number;
  firstFont: string;
  lastFont: string;
  monospaced: boolean;
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
  // A footnote mark on the title ("…Arabic texts∗") points at a note, not part of the title.
  const title = run.join(" ").replace(/\s+/g, " ").replace(/[\s∗*†‡§¶]+$/u, "").trim();
  return title.length >= 3 && title.length <= 200 ? title : null;
}

/**
 * Lines set apart from the body text, read as an outline: in a clearly larger size, or at
 * about the body's size in fonts of their own (a bold run-in title, a sans-serif subsection,
 * a reference entry's name). Wrapped heading lines are joined, figure and table captions and
 * the title block dropped; levels come from section numbers where there are some, else from
 * the styles' ranks (larger first, then the size-alike styles).
 */
export function fontHeadings(lines: Line[]): Heading[] {
  const body = bodyStyle(lines);
  if (!body) return [];
  const pages = lines.at(-1)?.page ?? 1;
  const tocPages = contentsPages(lines);
  const larger: Candidate[] = [];
  const alike: Candidate[] = [];
  lines.forEach((l, index) => {
    if (LABEL.test(l.text) || l.text.length > 120 || !/\p{L}/u.test(l.text) || (tocPages.has(l.page) && PAGE_NUMBER_END.test(l.text))) return;
    const size = round(l.size);
    if (l.size >= body.size * 1.07) larger.push({ title: l.text, style: `${size}`, size, page: l.page, first: index, last: index });
    else if (inFontsOfItsOwn(l, body)) alike.push({ title: l.text, style: styleOf(l), size, page: l.page, first: index, last: index });
  });
  const sized = bySize(larger, pages);
  // Size-alike styles are the lowest levels: below three larger ones, deeper than outlines go.
  const fonted = byFont(alike, lines, body).slice(0, 3 - sized.length);
  const ranks = new Map([...sized, ...fonted].map((style, rank) => [style, rank + 1]));
  const candidates = [...larger, ...alike].filter((c) => ranks.has(c.style)).sort((x, y) => x.first - y.first);
  const joined = joinWrapped(candidates).filter((c) => c.title.length >= 3 && /\p{L}{2}/u.test(c.title) && !CAPTION.test(c.title));
  const kept = withoutTitleBlock(joined);
  const levelOf = new Map([...ranks].map(([style, rank]) => [style, mostCommon(kept.filter((c) => c.style === style).map((c) => numberingDepth(c.title))) ?? rank]));
  const seen = new Set<string>();
  const out: Heading[] = [];
  let previous = 0;
  for (const c of kept) {
    if (seen.has(c.title)) continue;
    seen.add(c.title);
    // Never deeper than one below the heading before: an outline a reader can follow.
    const level = Math.min(numberingDepth(c.title) ?? levelOf.get(c.style)!, previous + 1, 3);
    out.push({ title: c.title.replace(MARKER, ""), level, page: c.page });
    previous = level;
    if (out.length >= MAX_HEADINGS) break;
  }
  return out;
}

/**
 * About the body's size, in fonts of its own that a heading may be set in: not all
 * monospaced (code), not ending a sentence, with a word in it (a display formula has none).
 */
function inFontsOfItsOwn(l: Line, body: Body): boolean {
  if (l.size < body.size * 0.85 || l.firstFont === body.font || styleOf(l) === body.style) return false;
  return !l.monospaced && !/[.,;:]$/.test(l.text) && /\p{L}{3}/u.test(l.text);
}

const PAGE_NUMBER_END = /(\s|\.)[\dxivlc]{1,4}$/i;

/** Pages of a table of contents: most lines end in a page number. */
export function contentsPages(lines: Line[]): Set<number> {
  const count = new Map<number, { all: number; numbered: number }>();
  for (const l of lines) {
    const c = count.get(l.page) ?? { all: 0, numbered: 0 };
    c.all++;
    if (PAGE_NUMBER_END.test(l.text)) c.numbered++;
    count.set(l.page, c);
  }
  return new Set([...count].filter(([, c]) => c.all >= 8 && c.numbered >= 0.6 * c.all).map(([page]) => page));
}

const round = (size: number) => Math.round(size * 2) / 2;
export const styleOf = (l: Line) => `${round(l.size)} ${l.firstFont} ${l.lastFont}`;

export interface Body {
  size: number;
  font: string;
  style: string;
  /** The median length of its lines: a full line of text. */
  measure: number;
}

/** The body text: the size, first font and style that carry the most text. */
export function bodyStyle(lines: Line[]): Body | undefined {
  const most = (key: (l: Line) => string) => {
    const weight = new Map<string, number>();
    for (const l of lines) weight.set(key(l), (weight.get(key(l)) ?? 0) + l.text.length);
    return [...weight.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  };
  const size = Number(most((l) => `${round(l.size)}`) ?? 0);
  if (size === 0) return undefined;
  const style = most(styleOf)!;
  const measure = median(lines.filter((l) => styleOf(l) === style).map((l) => l.text.length));
  return { size, font: most((l) => l.lastFont)!, style, measure };
}

/**
 * The larger sizes used for headings, largest first: up to three, each on at least a tenth as
 * many pages as the most widespread one (a size on a few pages is a figure's or an
 * appendix's), the largest excepted (chapters are few).
 */
function bySize(larger: Candidate[], pages: number): string[] {
  return byStyle(larger)
    .filter((g) => headingLike(g, pages))
    .sort((a, b) => b.size - a.size)
    .filter((s, i, all) => i === 0 || s.pages >= 0.1 * Math.max(...all.map((x) => x.pages)))
    .slice(0, 3)
    .map((s) => s.style);
}

/**
 * Styles at about the body's size that headings use: on three pages or more, a few lines a
 * page, short lines (not a full measure, as an emphasised sentence is), one at a time (code
 * comes in blocks), each saying something new (not a repeated label such as "Usage"), and
 * not at the top or bottom of the page (running heads and feet). The two on most pages, the
 * larger first.
 */
function byFont(alike: Candidate[], lines: Line[], body: Body): string[] {
  const edge = new Set<number>();
  lines.forEach((l, i) => {
    if (lines[i - 1]?.page !== l.page || lines[i + 1]?.page !== l.page) edge.add(i);
  });
  const sameStyle = (i: number, style: string) => lines[i] !== undefined && styleOf(lines[i]) === style;
  return byStyle(alike)
    .filter(({ of, pages }) => {
      const share = (test: (c: Candidate) => boolean) => of.filter(test).length / of.length;
      return (
        pages >= 3 &&
        of.length / pages <= 6 &&
        median(of.map((c) => c.title.length)) <= 0.6 * body.measure &&
        new Set(of.map((c) => c.title)).size >= 0.8 * of.length &&
        share((c) => edge.has(c.first)) < 0.5 &&
        share((c) => !sameStyle(c.first - 1, c.style) && !sameStyle(c.first + 1, c.style)) >= 0.7
      );
    })
    .sort((a, b) => b.pages - a.pages)
    .slice(0, 2)
    .sort((a, b) => b.size - a.size || b.pages - a.pages)
    .map((s) => s.style);
}

/**
 * A size used for headings: on more than one page (a cover's display sizes are not levels),
 * and a few lines a page at most (a size that fills pages is emphasis, as slides' bullets).
 * In a document of one or two pages every larger size counts.
 */
function headingLike(size: StyleGroup, pages: number): boolean {
  if (pages <= 2) return true;
  return size.pages >= 2 && size.of.length / size.pages <= 3;
}

interface StyleGroup {
  style: string;
  of: Candidate[];
  size: number;
  /** How many pages its lines are on. */
  pages: number;
}

/** Candidates grouped by style (in one pass: a PDF with a font subset a page has thousands). */
function byStyle(candidates: Candidate[]): StyleGroup[] {
  const groups = new Map<string, Candidate[]>();
  for (const c of candidates) {
    const group = groups.get(c.style);
    if (group) group.push(c);
    else groups.set(c.style, [c]);
  }
  return [...groups].map(([style, of]) => ({ style, of, size: of[0]!.size, pages: new Set(of.map((c) => c.page)).size }));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

interface Candidate {
  title: string;
  /** Lines of one style are one kind of heading: a size, or a size and fonts. */
  style: string;
  size: number;
  page: number;
  /** Indexes of its first and last line, to tell adjacent lines. */
  first: number;
  last: number;
}

/** "Chapter 2" alone on its line, above the chapter's title: a label, not a heading. */
const LABEL = /^(chapter|part|appendix|book|kapitel|teil|anhang|chapitre|partie|annexe|cap[ií]tulo|parte|ap[eê]ndice|глава|часть|приложение)\s+([\dIVXLC]+|[A-Z])\.?$|^第\s*[\d一二三四五六七八九十百]+\s*[章部節]$/iu;

/** A marker some documents set before an entry's heading ("▶ \pdfoutput"): not part of it. */
const MARKER = /^[▶►▸▹•·▪◦‣■□◆◇○●★☞➤→*–—-]+\s*/u;

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
      prev.style === c.style &&
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
  const laterStyles = new Set(candidates.filter((c) => c.page > 1).map((c) => c.style));
  if (laterStyles.size === 0) return candidates.slice(1);
  // In a paper with numbered sections, page 1's lines before the first are its authors.
  const firstNumbered = candidates.findIndex((c) => numberingDepth(c.title) !== undefined);
  return candidates.filter((c, i) => c.page > 1 || (laterStyles.has(c.style) && (firstNumbered < 0 || candidates[firstNumbered]!.page > 1 || i >= firstNumbered)));
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
