import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { readManifest, type PdfEntry } from "./fixtures.ts";

/**
 * The wide corpus of real PDFs, for the corpus suite (test/corpus) and the benchmarks only:
 * FOLIO_CORPUS, or ../shared/corpus beside the checkout. The default suite uses test/fixtures.
 */
export const CORPUS_DIR = resolve(process.env.FOLIO_CORPUS ?? resolve(import.meta.dir, "../../../shared/corpus"));

export const corpusAvailable = () => existsSync(resolve(CORPUS_DIR, "MANIFEST.tsv"));
export const corpus = (): PdfEntry[] => readManifest(CORPUS_DIR);
export const corpusPath = (filename: string) => resolve(CORPUS_DIR, filename);
export const goodPdfs = () => corpus().filter((e) => e.expect === "notes");
