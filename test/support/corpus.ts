import { readFileSync } from "node:fs";
import { resolve } from "node:path";

/** The shared corpus of real PDFs beside the repo (../shared/corpus); FOLIO_CORPUS overrides. */
export const CORPUS_DIR = resolve(process.env.FOLIO_CORPUS ?? resolve(import.meta.dir, "../../../shared/corpus"));

export interface CorpusEntry {
  filename: string;
  /** "notes", "failed <code>", "<status> <code>", or "notes or pdf_unreadable" */
  expect: string;
  category: string;
  pages: number | null;
  size: number;
  sha256: string;
}

export function corpus(): CorpusEntry[] {
  const [header, ...rows] = readFileSync(resolve(CORPUS_DIR, "MANIFEST.tsv"), "utf8").trim().split("\n");
  const cols = header!.split("\t");
  const at = (row: string[], name: string) => row[cols.indexOf(name)] ?? "";
  return rows.map((line) => {
    const row = line.split("\t");
    const pages = Number(at(row, "pages"));
    return {
      filename: at(row, "filename"),
      expect: at(row, "expect"),
      category: at(row, "category"),
      pages: Number.isFinite(pages) ? pages : null,
      size: Number(at(row, "size_bytes")),
      sha256: at(row, "sha256"),
    };
  });
}

export function corpusPath(filename: string): string {
  return resolve(CORPUS_DIR, filename);
}

export const goodPdfs = () => corpus().filter((e) => e.expect === "notes");
