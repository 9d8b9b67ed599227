import type { Config } from "../../config.ts";
import { extractiveGenerator } from "./extractive.ts";
import type { NotesGenerator } from "./generator.ts";

export type { NotesGenerator } from "./generator.ts";

export function createGenerator(cfg: Config): NotesGenerator {
  return extractiveGenerator({ summarySentences: cfg.FOLIO_NOTES_SENTENCES, keyPoints: cfg.FOLIO_NOTES_KEY_POINTS });
}
