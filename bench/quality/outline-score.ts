import type { Heading } from "../../src/extraction/extract.ts";

/**
 * How well detected headings match the bookmarks: precision, recall and F1 over
 * normalised titles (case, section numbers, punctuation and spacing ignored). A heading
 * matches a bookmark when the titles are equal or one begins with the other at a word
 * boundary (bookmarks often shorten a heading: "2 Strings" for "2 Strings in TeX and PDF");
 * each bookmark is matched at most once.
 */
export function normaliseTitle(title: string): string {
  return title
    .normalize("NFKC")
    .toLowerCase()
    .replace(/^\s*((\d{1,2}(\.\d{1,2})*|[a-z](\.\d{1,2})*|[ivx]{1,4})[.:)]?\s+)/u, "")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

export interface OutlineScore {
  precision: number;
  recall: number;
  f1: number;
  detected: number;
  bookmarks: number;
}

export function scoreOutline(detected: Heading[], bookmarks: Heading[]): OutlineScore {
  const left = bookmarks.map((b) => normaliseTitle(b.title));
  const matches = (a: string, b: string) => a === b || (a.length > 0 && b.length > 0 && (a.startsWith(`${b} `) || b.startsWith(`${a} `)));
  let hits = 0;
  for (const d of detected) {
    const title = normaliseTitle(d.title);
    // An exact match first, so a shortened one does not take another heading's bookmark.
    let i = left.indexOf(title);
    if (i < 0) i = left.findIndex((b) => matches(title, b));
    if (i < 0) continue;
    hits++;
    left.splice(i, 1);
  }
  const precision = detected.length ? hits / detected.length : 0;
  const recall = bookmarks.length ? hits / bookmarks.length : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1, detected: detected.length, bookmarks: bookmarks.length };
}
