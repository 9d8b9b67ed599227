import { sha256Hex } from "../crypto/sha256.ts";

/**
 * Who may be served an entry made for someone else: everyone (`global`, the best hit
 * rate) or only the user who uploaded (`user`, so neither an answer nor its timing tells
 * a user what others uploaded).
 */
export type CacheScope = "global" | "user";

export interface KeyedPdf {
  sha256: string;
  userId: string;
  /** How the upload asked for it to be read (src/extraction/ocr); absent: `auto`, every page. */
  ocr?: string;
  pages?: string;
}

/** The upload's reading choices, when not the defaults (so keys made before OCR still match). */
const readingOf = (pdf: KeyedPdf) => (pdf.ocr && pdf.ocr !== "auto") || pdf.pages ? `\nread:ocr=${pdf.ocr ?? "auto"};pages=${pdf.pages ?? "all"}` : "";

const scopeOf = (scope: CacheScope, userId: string) => (scope === "user" ? `user:${userId}` : "global");

/**
 * sha256(PDF hash ‖ generator fingerprint ‖ scope ‖ reading choices) in hex: the one key of a
 * PDF's notes in L1 (64-hex keys), L2, single flight and the upload-time lookup.
 */
export function notesKey(scope: CacheScope, pdf: KeyedPdf, fingerprint: string): string {
  return sha256Hex(`notes\n${pdf.sha256}\n${fingerprint}\n${scopeOf(scope, pdf.userId)}${readingOf(pdf)}`);
}

/**
 * The staged path's extracted text, which no generator setting changes: the PDF's own hash
 * in the global scope when read the default way (as before keys had a scope), a derived one
 * in the user scope or when the upload chose how to read it.
 */
export function textKey(scope: CacheScope, pdf: KeyedPdf): string {
  const reading = readingOf(pdf);
  return scope === "global" && !reading ? pdf.sha256 : sha256Hex(`text\n${pdf.sha256}\n${scopeOf(scope, pdf.userId)}${reading}`);
}
