import type { ExtractedText } from "../extraction/extract.ts";
import type { GeneratorFingerprint } from "./fingerprint.ts";
import type { Notes } from "./schema.ts";

/** Turns extracted text into notes. The offline extractive one is the default; the AI one plugs in here. */
export interface NotesGenerator {
  readonly name: Notes["generator"];
  /** What determines this generator's notes: the notes it writes are cached under it. */
  readonly fingerprint: GeneratorFingerprint;
  generate(doc: ExtractedText, signal?: AbortSignal): Promise<Notes>;
}
