/**
 * A page range as uploads give it, `1-5,9`: pages counted from 1, ranges inclusive, in any
 * order, overlaps allowed. Parsed once at upload (a malformed one is a 400), and again where
 * the PDF is read, against its page count.
 */
export class PageRangeError extends Error {
  override name = "PageRangeError";
}

/** Longer is not a range anyone types; it bounds the parse. */
const MAX_LENGTH = 200;
const PART = /^(\d{1,6})(?:-(\d{1,6}))?$/;

/** The range's parts, checked for form only (the page count is not known yet). */
export function parsePageRange(value: string): [from: number, to: number][] {
  const compact = value.replace(/\s+/g, "");
  if (!compact || compact.length > MAX_LENGTH) throw new PageRangeError(`pages must be like 1-5,9 (at most ${MAX_LENGTH} characters)`);
  return compact.split(",").map((part) => {
    const m = PART.exec(part);
    if (!m) throw new PageRangeError(`pages: "${part}" is not a page or a range like 1-5`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from < 1 || to < from) throw new PageRangeError(`pages: "${part}" is empty (pages count from 1, ranges go up)`);
    return [from, to];
  });
}

/** The sorted pages of `value` in a PDF of `total` pages; a page past the end throws, naming the count. */
export function pagesIn(value: string, total: number): number[] {
  const pages = new Set<number>();
  for (const [from, to] of parsePageRange(value)) {
    if (to > total) throw new PageRangeError(`pages=${value} goes past the end: the PDF has ${total} page${total === 1 ? "" : "s"}`);
    for (let n = from; n <= to; n++) pages.add(n);
  }
  return [...pages].sort((a, b) => a - b);
}

/** The pages a text covers: its range's, or the whole PDF's. */
export const pagesRead = (text: { range?: readonly number[]; totalPages: number }) => text.range?.length ?? text.totalPages;

/** Sorted pages as a range again, runs joined: [1,2,3,4,5,9] → `1-5,9`. */
export function rangeOf(pages: readonly number[]): string {
  const runs: string[] = [];
  for (let i = 0; i < pages.length; ) {
    let j = i;
    while (j + 1 < pages.length && pages[j + 1] === pages[j]! + 1) j++;
    runs.push(j === i ? `${pages[i]}` : `${pages[i]}-${pages[j]}`);
    i = j + 1;
  }
  return runs.join(",");
}
