/**
 * A paper's abstract, found the way its layout marks it: a line that is only "Abstract"
 * (any case), then text up to the keywords line or the first numbered section heading.
 * Cut from the pages, so a summariser cannot copy it.
 */
const START = /^\s*abstract\s*[.:]?\s*$/i;
const END = /^\s*(keywords?|key words|index terms)\b|^\s*(\d{1,2}|[IVX]{1,4})\.?\s+\p{Lu}/iu;

export interface Cut {
  abstract: string;
  /** The pages with the abstract's lines (its heading line included) blanked: each page keeps its line count, so line kinds still match. */
  pages: string[];
}

export function cutAbstract(pages: string[]): Cut | undefined {
  for (let p = 0; p < Math.min(2, pages.length); p++) {
    const lines = pages[p]!.split("\n");
    const start = lines.findIndex((l) => START.test(l));
    if (start < 0) continue;
    let end = start + 1;
    while (end < lines.length && !END.test(lines[end]!)) end++;
    const abstract = joinLines(lines.slice(start + 1, end));
    if (abstract.split(" ").length < 30) return undefined;
    const rest = lines.map((l, i) => (i >= start && i < end ? "" : l)).join("\n");
    return { abstract, pages: pages.map((text, i) => (i === p ? rest : text)) };
  }
  return undefined;
}

/** Lines as running text: hyphenation mended, line breaks as spaces. */
export function joinLines(lines: string[]): string {
  return lines
    .join("\n")
    .replace(/(\p{L})-\n(\p{Ll})/gu, "$1$2")
    .replace(/\s+/g, " ")
    .trim();
}
