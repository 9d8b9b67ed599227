import { sha256Hex } from "../crypto/sha256.ts";

/**
 * What determined a generator's notes: its kind and every setting that changes what it
 * writes. Notes are cached under the id, so a change of model, endpoint, prompt or
 * summariser settings is a cache miss, never a stale hit.
 */
export interface GeneratorFingerprint {
  /** 16 hex digits of SHA-256 over the settings, in a fixed key order. */
  id: string;
  kind: "ai" | "extractive";
  settings: Record<string, string | number>;
}

/**
 * Bump when extraction changes what every generator's notes show (their title or the
 * outline taken from the PDF): notes cached before are then made again.
 */
export const OUTLINE_VERSION = 3;

/** What read the text the notes are made from, beyond pdf.js: the OCR engine, its version, languages and resolution. */
export interface ReaderSetting {
  reader?: string;
}

export function fingerprintOf(kind: GeneratorFingerprint["kind"], settings: Record<string, string | number>, { reader }: ReaderSetting = {}): GeneratorFingerprint {
  const all = { kind, outline: OUTLINE_VERSION, ...settings, ...(reader && { reader }) };
  const ordered = Object.fromEntries(Object.entries(all).sort(([a], [b]) => (a < b ? -1 : 1)));
  return { id: sha256Hex(JSON.stringify(ordered)).slice(0, 16), kind, settings: all };
}
