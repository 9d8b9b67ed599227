/**
 * Control characters other than tab and newline. PDFs carry them (glyph ids mapped to
 * U+0000…), and Postgres refuses NUL in text: they never leave extraction.
 */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

export function cleanText(s: string): string {
  return s.replace(CONTROL, "");
}
