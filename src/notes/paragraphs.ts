import type { ExtractedText } from "../extraction/extract.ts";
import { CAPTION_START, edgeKey, LineKind, repeatedEdgeKeys } from "../extraction/line-kinds.ts";
import { CJK } from "./sentences.ts";
import { displayWidth } from "./not-prose.ts";

/** Where a paragraph stands: the sections a summary prefers, the body, or what it never quotes. */
export type Role = "front" | "abstract" | "introduction" | "conclusion" | "body" | "skip";

export interface Paragraph {
  text: string;
  role: Role;
  /** Its order in the document. */
  pos: number;
  /** A list item (it began with a bullet glyph) or a short line standing alone. */
  item: boolean;
  /** Which titled stretch it is in: a slide, a form's section (an index into `titles`). */
  segment: number;
}

export interface Reading {
  paragraphs: Paragraph[];
  /** The title of each stretch, in order: a slide's title, a heading. */
  titles: string[];
}

/** Section names by role, in the languages Folio meets most; a heading may go on ("Introduction and preliminaries"). */
const ROLES: [Role, RegExp][] = [
  ["abstract", /^(abstract|summary|résumé|zusammenfassung|kurzfassung|аннотация|резюме|概要|要旨|摘要|内容提要)$/iu],
  ["introduction", /^(introduction|preface|foreword|overview|about this (manual|document|guide|book)|einleitung|einführung|vorwort|avant-propos|préface|введение|предисловие|はじめに|まえがき|序論|引言|简介|介绍|概述|前言)(?![\p{L}\p{N}])/iu],
  ["conclusion", /^(conclusions?|concluding remarks|summary and conclusions?|discussion|fazit|schlussfolgerungen?|заключение|выводы|おわりに|結論|まとめ|结论|总结)(?![\p{L}\p{N}])/iu],
  [
    "skip",
    /^(references|bibliography|literatur(verzeichnis)?|références|bibliographie|bibliografia|список литературы|литература|参考文献|contents|table of contents|inhalt(sverzeichnis)?|table des matières|содержание|оглавление|目次|目录|index|acknowledg(e)?ments?|danksagung|remerciements|благодарности|謝辞|致谢)$/iu,
  ],
];

/** A heading's words without its label and number ("2.", "IV", "A.1", "Appendix F", "Глава 3") or a trailing colon. */
const headingWords = (line: string) =>
  line
    .replace(/^(?:(?:appendix|chapter|part|anhang|kapitel|annexe|chapitre|приложение|глава)\s+)?(\d+(\.\d+)*|[IVX]{1,4}|[A-Z](\.\d+)*)\.?\s+/iu, "")
    .replace(/[.:]$/u, "")
    .trim();

/** "2.3" of "2.3 Fitting", "IV" of "IV. Results"; none for an unnumbered heading. */
const sectionNumber = (heading: string) => /^(\d+(?:\.\d+)*|[IVX]{1,4})\.?\s/u.exec(heading)?.[1];

export function roleOf(heading: string): Role | undefined {
  const words = headingWords(heading);
  return ROLES.find(([, re]) => re.test(words))?.[0];
}

const BULLET = /^(?:[•·▪◦‣▶►▸▹■□◆◇○●★☞➤❖§✓]+\s*|[-–—*]\s+)/u;
/** Lines that are never prose: captions, numbered algorithm steps, contents lines with leaders. */
const NOT_PROSE_LINE = /^\d{1,2}:\s|(?:\.\s?){4,}|…{2,}/u;
const SKIPPED: string = LineKind.note + LineKind.running;
const BREAKS: string = LineKind.caption + LineKind.code + LineKind.contents;

/**
 * The document's paragraphs of body text, in order: lines joined (hyphenation mended,
 * no space between CJK lines), footnotes and running heads skipped so a paragraph runs on
 * across a page break, and captions, code, contents and headings ending one. Headings set
 * the role of what follows them. Without line kinds (text extracted before them) running
 * heads are found by repetition and the rest by the line's words.
 */
export function readParagraphs(doc: ExtractedText): Reading {
  const paragraphs: Paragraph[] = [];
  const titles: string[] = [];
  let role: Role = "front";
  let open: Paragraph | undefined;
  let pos = 0;
  let headingOpen = false;
  let lastWidth = 0;
  let roleNumber: string | undefined;
  const measure = measureOf(doc);
  const close = () => {
    if (open?.text) paragraphs.push(open);
    open = undefined;
  };
  const start = (text: string, item: boolean) => {
    close();
    open = { text, role, pos: pos++, item, segment: Math.max(0, titles.length - 1) };
  };
  for (const { text: line, kind, page: p } of classifiedLines(doc)) {
    if (SKIPPED.includes(kind)) continue;
    const heading = kind === LineKind.larger;
    if (heading) {
      close();
      // A heading wrapped over lines is one title.
      if (headingOpen) titles[titles.length - 1] += `${CJK.test(line) ? "" : " "}${line}`;
      else titles.push(line);
      headingOpen = true;
      const title = titles.at(-1)!;
      const named = roleOf(title);
      const number = sectionNumber(title);
      // A subsection ("1.2") of a preferred section ("1 Introduction") keeps its role.
      if (named) [role, roleNumber] = [named, number];
      else if (!(number && roleNumber && number.startsWith(`${roleNumber}.`))) [role, roleNumber] = [role === "front" && p === 0 ? "front" : "body", undefined];
      continue;
    }
    headingOpen = false;
    if (BREAKS.includes(kind) || CAPTION_START.test(line) || NOT_PROSE_LINE.test(line)) {
      close();
      continue;
    }
    const bullet = BULLET.exec(line);
    const text = bullet ? line.slice(bullet[0].length) : line;
    const width = displayWidth(text);
    // A line carries on the paragraph when the one before it ran to the measure (it wrapped) or
    // it starts in lower case; a short line without closing punctuation is a heading, a label
    // or an address, and stands alone.
    if (open && !bullet && (lastWidth >= 0.7 * measure || /^\p{Ll}/u.test(text))) {
      open.text = joinLine(open.text, text);
    } else if (width < 0.7 * measure && !/[.,;:!?。，、]$/u.test(text)) {
      role = roleOf(text) ?? role;
      start(text, true);
      close();
    } else {
      start(text, Boolean(bullet));
    }
    lastWidth = width;
  }
  close();
  return { paragraphs, titles };
}

/**
 * The width of a full line of body text: the width of the line in which the text's middle
 * character sits, lines sorted by width (a plot's thousand one-letter labels weigh little).
 */
function measureOf(doc: ExtractedText): number {
  const widths: number[] = [];
  for (const page of doc.pages) for (const line of page.split("\n")) if (line.trim()) widths.push(displayWidth(line.trim()));
  widths.sort((a, b) => a - b);
  let left = widths.reduce((n, w) => n + w, 0) / 2;
  for (const w of widths) {
    left -= w;
    if (left <= 0) return w;
  }
  return 60;
}

function joinLine(before: string, line: string): string {
  if (/\p{L}-$/u.test(before) && /^\p{Ll}/u.test(line)) return before.slice(0, -1) + line;
  return CJK.test(before.at(-1) ?? "") ? before + line : `${before} ${line}`;
}

interface KindedLine {
  text: string;
  kind: string;
  /** 0-based. */
  page: number;
}

/**
 * Every non-blank line with its kind: extraction's, or, for text extracted without kinds,
 * running heads found by repetition and the rest body. A running head that pdf.js ran
 * into the next line ("…Wuhan China, 2005Note (cow.pdf) has…") is cut off that line.
 */
function classifiedLines(doc: ExtractedText): KindedLine[] {
  const out: KindedLine[] = [];
  const running = doc.lineKinds ? undefined : repeatedEdgeKeys(doc.pages.map((p) => edgeTexts(p)));
  doc.pages.forEach((page, p) => {
    const lines = page.split("\n");
    const kinds = doc.lineKinds?.[p]?.length === lines.length ? doc.lineKinds[p] : undefined;
    lines.forEach((raw, i) => {
      const text = raw.trim();
      if (text) out.push({ text, kind: kinds?.[i] ?? (running?.has(edgeKey(text)) ? LineKind.running : LineKind.body), page: p });
    });
  });
  const heads = new Map<string, string[]>();
  for (const l of out) {
    if (l.kind !== LineKind.running || l.text.length < 20) continue;
    const key = l.text.slice(0, 20);
    if (!heads.get(key)?.includes(l.text)) heads.set(key, [...(heads.get(key) ?? []), l.text]);
  }
  for (const l of out) {
    if (l.kind === LineKind.running) continue;
    const head = heads.get(l.text.slice(0, 20))?.find((h) => l.text.startsWith(h) && l.text.length > h.length);
    if (head) l.text = l.text.slice(head.length).trim();
  }
  return out.filter((l) => l.text);
}

/** The first and last lines of a page's text. */
function edgeTexts(page: string): string[] {
  const lines = page
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return [...new Set([...lines.slice(0, 1), ...lines.slice(-1)])];
}
