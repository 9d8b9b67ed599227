/**
 * The junk judge of bench:quality: sentences of notes a reader would not call body prose,
 * told from their words and the document's pages alone (the summariser's own line kinds
 * are not consulted, so it cannot grade itself).
 */
export type Junk = "caption" | "footnote" | "algorithm" | "code" | "glyph" | "leaders" | "running head" | "symbols";

const tests: [Junk, RegExp][] = [
  ["caption", /^(fig(ure)?s?|tab(le)?|listing|algorithm|abbildung|tabelle|рис(унок)?|таблица|図|表|图)\.?\s*\d+[a-z]?\s*[:.,–—]|\b(Figure|Table) \d+: \p{Lu}/iu],
  ["footnote", /^([⁰¹²³⁴⁵⁶⁷⁸⁹]|[∗†‡]|\d{1,2}\p{L}|\d{1,2} \p{Lu}\p{Ll})/u],
  ["algorithm", /(^|\s)\d{1,2}:\s+\p{L}/u],
  ["code", /[;{}]\s*$|<-|==|\w\([^()]*\);|\\[a-z]+\{/u],
  ["glyph", /[§•◦‣▪■□▶►▸◆◇●○▲▼]|^[–—-]\s/u],
  ["leaders", /(\.\s?){3,}|…{2}/u],
];

/** The first and last line of each page, digits as '#', that recur on three pages and a tenth of them or more. */
export function runningHeads(pages: string[]): string[] {
  const count = new Map<string, number>();
  for (const page of pages) {
    const lines = page.split("\n").map((l) => l.trim()).filter((l) => l.split(" ").length >= 3);
    for (const line of new Set([lines[0], lines.at(-1)])) if (line) count.set(line.replace(/\d+/g, "#"), (count.get(line.replace(/\d+/g, "#")) ?? 0) + 1);
  }
  return [...count].filter(([, n]) => n >= Math.max(3, pages.length / 10)).map(([line]) => line);
}

export function judge(sentence: string, heads: string[]): Junk | undefined {
  const hit = tests.find(([, re]) => re.test(sentence));
  if (hit) return hit[0];
  const shape = sentence.replace(/\d+/g, "#");
  if (heads.some((h) => shape.includes(h))) return "running head";
  const visible = sentence.replace(/\s+/g, "");
  if ((visible.match(/\p{L}/gu)?.length ?? 0) < 0.5 * visible.length) return "symbols";
  const symbols = visible.match(/[{}[\]<>=;#$_\\|^~@]/g)?.length ?? 0;
  return symbols > 0.08 * visible.length ? "code" : undefined;
}
