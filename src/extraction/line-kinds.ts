import { bodyStyle, contentsPages, styleOf, type Body, type Line } from "./font-headings.ts";

/**
 * What a line of a page is, as one letter, from what extraction knows of it: its size
 * against the body's, its font, where it sits on its page and whether it repeats from page
 * to page. The offline summariser draws only on body lines; the letters are kept per page,
 * one per line of the page's text, so they stay cheap to store and send.
 */
export const LineKind = {
  body: "b",
  /** Larger than the body: a heading, a title, a slide's title. */
  larger: "h",
  /** Smaller than the body, within the page: a table, a label, an abstract set small. */
  small: "s",
  /** All monospaced: code, a listing, a command line. */
  code: "m",
  /** Small type below the page's last body line: a footnote. */
  note: "n",
  /** At the top or foot of many pages alike (digits aside): a running head or foot. */
  running: "r",
  /** On a page of contents (most lines end in a page number). */
  contents: "t",
  /** "Figure 2: …", "Table 1." and the caption's own continuation lines. */
  caption: "c",
} as const;

/** "Figure 3:", "Table 2.", "Fig. 1,", "Listing 4 —", "図 1", alone or before the caption's text. */
export const CAPTION_START = /^(fig(ure)?s?|tab(le)?|listing|algorithm|exhibit|chart|abbildung|tabelle|tableau|рис(унок)?|таблица|図|表|图)\.?\s*[\dIVX]+[a-z]?(\s*[.:,–—|]|\s*$)/iu;

/** One string a page, one letter a line of its text (`rows` lines each). */
export function lineKinds(lines: Line[], rows: number[]): string[] {
  const kinds = rows.map((n) => Array<string>(n).fill(LineKind.body));
  const body = bodyStyle(lines);
  if (body) {
    const contents = contentsPages(lines);
    const running = runningLines(lines, rows.length);
    const sizes = pageBodySizes(lines, body);
    const notes = footnotes(lines, sizes, running);
    const captions = captionLines(lines, body);
    lines.forEach((l, i) => {
      const page = kinds[l.page - 1];
      if (!page || l.row >= page.length) return;
      const size = sizes.get(l.page)!;
      page[l.row] = running.has(i)
        ? LineKind.running
        : contents.has(l.page)
          ? LineKind.contents
          : notes.has(i)
            ? LineKind.note
            : captions.has(i)
              ? LineKind.caption
              : l.monospaced
                ? LineKind.code
                : l.size >= size * 1.07
                  ? LineKind.larger
                  : l.size <= size * 0.92
                    ? LineKind.small
                    : LineKind.body;
    });
  }
  return kinds.map((k) => k.join(""));
}

/**
 * The line nearest each edge of every page, by their baselines, and the next one in where
 * that is a bare page number (a running head often sits just inside its page number).
 */
function edgeLines(lines: Line[]): number[] {
  const byPage = new Map<number, number[]>();
  lines.forEach((l, i) => {
    const page = byPage.get(l.page);
    if (page) page.push(i);
    else byPage.set(l.page, [i]);
  });
  const out: number[] = [];
  for (const indexes of byPage.values()) {
    const sorted = [...indexes].sort((a, b) => lines[b]!.y - lines[a]!.y);
    const inward = (edge: number[]) => (PAGE_NUMBER.test(edgeKey(lines[edge[0]!]!.text)) ? edge.slice(0, 2) : edge.slice(0, 1));
    out.push(...new Set([...inward(sorted), ...inward([...sorted].reverse())]));
  }
  return out;
}

/** A page number alone ("12", "- 12 -", "page 3 of 9", "xiv"), digits already made "#". */
const PAGE_NUMBER = /^[-–—\s]*(?:page\s|seite\s|стр\.\s)?#(?:\s?(?:\/|of|von|из)\s?#)?[-–—\s]*$|^[ivxlc]{1,5}$/iu;

/** A line's text for telling repeats: case, digits (page numbers) and spacing aside. */
export const edgeKey = (text: string) => text.toLowerCase().replace(/\d+/g, "#").replace(/\s+/g, " ").trim();

/**
 * The keys of edge lines (each page's, as texts) that repeat on at least three pages and a
 * tenth of them, and of bare page numbers: running heads and feet.
 */
export function repeatedEdgeKeys(edges: string[][]): Set<string> {
  const pagesOf = new Map<string, number>();
  for (const page of edges) for (const key of new Set(page.map(edgeKey))) pagesOf.set(key, (pagesOf.get(key) ?? 0) + 1);
  const least = Math.max(3, edges.length * 0.1);
  return new Set([...pagesOf].filter(([key, n]) => n >= least || PAGE_NUMBER.test(key)).map(([key]) => key));
}

/** Lines whose text repeats at the edges of many pages, wherever they sit on a page (a slide's footer may be set mid-page). */
function runningLines(lines: Line[], pages: number): Set<number> {
  const edges = edgeLines(lines);
  const texts: string[][] = Array.from({ length: pages }, () => []);
  for (const i of edges) texts[lines[i]!.page - 1]?.push(lines[i]!.text);
  const repeated = repeatedEdgeKeys(texts);
  const out = new Set<number>();
  lines.forEach((l, i) => {
    if (repeated.has(edgeKey(l.text))) out.add(i);
  });
  return out;
}

/**
 * The body size of each page: the size carrying most of its text where it has a page of
 * text, else the document's. An OCR layer is set in a size of its own on every page.
 */
function pageBodySizes(lines: Line[], body: Body): Map<number, number> {
  const weights = new Map<number, Map<number, number>>();
  for (const l of lines) {
    const page = weights.get(l.page) ?? new Map<number, number>();
    const size = Math.round(l.size * 2) / 2;
    page.set(size, (page.get(size) ?? 0) + l.text.length);
    weights.set(l.page, page);
  }
  const out = new Map<number, number>();
  for (const [page, bySize] of weights) {
    const total = [...bySize.values()].reduce((a, b) => a + b, 0);
    const [size] = [...bySize].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]!;
    out.set(page, total >= 500 ? size : body.size);
  }
  return out;
}

/** Small lines below every body-sized line of their page (running feet aside). */
function footnotes(lines: Line[], sizes: Map<number, number>, running: Set<number>): Set<number> {
  const lowestBody = new Map<number, number>();
  lines.forEach((l, i) => {
    const size = sizes.get(l.page)!;
    if (running.has(i) || l.size < size * 0.93 || l.size >= size * 1.07) return;
    lowestBody.set(l.page, Math.min(lowestBody.get(l.page) ?? Number.POSITIVE_INFINITY, l.y));
  });
  const out = new Set<number>();
  lines.forEach((l, i) => {
    const floor = lowestBody.get(l.page);
    if (floor !== undefined && l.size <= sizes.get(l.page)! * 0.92 && l.y < floor) out.add(i);
  });
  return out;
}

/**
 * Caption lines and their continuations: the lines after one in the caption's own style,
 * or, where captions are set like the body, up to the line that ends its sentence.
 */
function captionLines(lines: Line[], body: Body): Set<number> {
  const out = new Set<number>();
  lines.forEach((l, i) => {
    if (!CAPTION_START.test(l.text)) return;
    out.add(i);
    const style = styleOf(l);
    const likeBody = style === body.style;
    for (let j = i + 1, last = l; j < lines.length && j <= i + 6; j++) {
      const next = lines[j]!;
      if (next.page !== l.page || styleOf(next) !== style || (likeBody && /[.!?]$/.test(last.text))) break;
      out.add(j);
      last = next;
    }
  });
  return out;
}
