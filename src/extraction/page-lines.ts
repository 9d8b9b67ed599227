import { cleanText } from "../text/clean-text.ts";
import type { Line } from "./font-headings.ts";

/** A text item as pdf.js streams it: its string, the id of its font, its transform. */
export interface TextItem {
  str?: string;
  hasEOL?: boolean;
  transform?: number[];
  fontName?: string;
}

interface Run {
  str: string;
  y: number;
  font: string;
  size: number;
  monospace: boolean;
  letters: boolean;
}

/**
 * A page's text, and its lines (with sizes and fonts, for the outline) appended to `lines`.
 * `monospace` tells whether pdf.js reads a font (by its id) as monospaced.
 */
export function pageText(items: TextItem[], page: number, lines: Line[], monospace: (font: string) => boolean): string {
  let text = "";
  let line = "";
  let runs: Run[] = [];
  let row = 0;
  const flush = () => {
    if (line.trim() && runs.length > 0) {
      const style = lineStyle(runs);
      lines.push({ text: cleanText(withoutNoteMark(line, runs, style.size)).trim(), page, row, y: runs[0]!.y, ...style });
    }
    line = "";
    runs = [];
  };
  for (const item of items) {
    if (item.str == null) continue;
    line += item.str;
    const t = item.transform;
    if (item.str.trim()) {
      const font = item.fontName ?? "";
      runs.push({ str: item.str, y: t?.[5] ?? 0, font, size: t ? Math.hypot(t[2] ?? 0, t[3] ?? 0) : 0, monospace: monospace(font), letters: /\p{L}/u.test(item.str) });
    }
    if (item.hasEOL) {
      text += line + "\n";
      flush();
      row++;
    }
  }
  text += line;
  flush();
  return text;
}

/**
 * A line's size is its largest run's among those with letters, and monospaced runs aside
 * when there are others: a 20 pt glyph with no text behind it (an Arabic word pdf.js cannot
 * map, a big operator) or an 11.8 pt `\command` in 11 pt text (TeX scales its typewriter
 * font) does not make a larger line. Its first font is its first run's (a heading's marker
 * or number included), its last the last run with letters.
 */
function lineStyle(runs: Run[]): Omit<Line, "text" | "page" | "row" | "y"> {
  const preferred = (all: Run[], keep: (r: Run) => boolean) => (all.some(keep) ? all.filter(keep) : all);
  const sized = preferred(preferred(runs, (r) => r.letters), (r) => !r.monospace);
  const lettered = runs.filter((r) => r.letters);
  return {
    size: Math.max(...sized.map((r) => r.size)),
    firstFont: runs[0]!.font,
    lastFont: (lettered.at(-1) ?? runs.at(-1)!).font,
    monospaced: runs.every((r) => r.monospace),
  };
}

/**
 * A line without the footnote mark set small after it ("Software Conflict Resolution⁴"):
 * the heading or title is the words, not the note's number.
 */
function withoutNoteMark(line: string, runs: Run[], size: number): string {
  const last = runs.at(-1)!;
  const mark = last.str.trim();
  if (runs.length < 2 || last.letters || mark.length > 3 || last.size >= size * 0.8) return line;
  return line.trimEnd().slice(0, -mark.length);
}
