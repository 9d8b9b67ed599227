import { cleanText } from "./clean-text.ts";
import type { Line } from "./font-headings.ts";

/** A text item as pdf.js streams it: its string, the id of its font, its transform. */
export interface TextItem {
  str?: string;
  hasEOL?: boolean;
  transform?: number[];
  fontName?: string;
}

interface Run {
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
  const flush = () => {
    if (line.trim() && runs.length > 0) lines.push({ text: cleanText(line).trim(), page, ...lineStyle(runs) });
    line = "";
    runs = [];
  };
  for (const item of items) {
    if (item.str == null) continue;
    line += item.str;
    const t = item.transform;
    if (item.str.trim()) {
      const font = item.fontName ?? "";
      runs.push({ font, size: t ? Math.hypot(t[2] ?? 0, t[3] ?? 0) : 0, monospace: monospace(font), letters: /\p{L}/u.test(item.str) });
    }
    if (item.hasEOL) {
      text += line + "\n";
      flush();
    }
  }
  text += line;
  flush();
  return text;
}

/**
 * A line's size is its largest run's, monospaced runs aside when there are others (TeX sets
 * an 11.8 pt `\command` in 11 pt text: not a larger line); its first font is its first run's
 * (a heading's marker or number included), its last the last run with letters.
 */
function lineStyle(runs: Run[]): Omit<Line, "text" | "page"> {
  const proportional = runs.filter((r) => !r.monospace);
  const size = Math.max(...(proportional.length > 0 ? proportional : runs).map((r) => r.size));
  const lettered = runs.filter((r) => r.letters);
  return { size, firstFont: runs[0]!.font, lastFont: (lettered.at(-1) ?? runs.at(-1)!).font, monospaced: proportional.length === 0 };
}
