import { readFileSync } from "node:fs";
import { resolve } from "node:path";

/** The PDFs committed under test/fixtures (made by test/fixtures/generate.ts): all the default suite reads. */
export const FIXTURES_DIR = resolve(import.meta.dir, "../fixtures");

export interface PdfEntry {
  filename: string;
  /** "notes", "failed <code>", "<status> <code>", or "notes or pdf_unreadable" */
  expect: string;
  /** What it gives with OCR on (the service's default, ocr=auto); `expect` is with OCR off. */
  expectOcr: string;
  category: string;
  pages: number | null;
  size: number;
  sha256: string;
}

/** A MANIFEST.tsv as the fixtures and the shared corpus both write it (a header row, tab-separated). */
export function readManifest(dir: string): PdfEntry[] {
  const [header, ...rows] = readFileSync(resolve(dir, "MANIFEST.tsv"), "utf8").trim().split("\n");
  const cols = header!.split("\t");
  const at = (row: string[], name: string) => row[cols.indexOf(name)] ?? "";
  return rows.map((line) => {
    const row = line.split("\t");
    const pages = Number(at(row, "pages"));
    return {
      filename: at(row, "filename"),
      expect: at(row, "expect"),
      expectOcr: at(row, "expect_ocr") || at(row, "expect"),
      category: at(row, "category"),
      pages: Number.isFinite(pages) ? pages : null,
      size: Number(at(row, "size_bytes")),
      sha256: at(row, "sha256"),
    };
  });
}

export const fixtures = () => readManifest(FIXTURES_DIR);
export const fixture = (filename: string) => resolve(FIXTURES_DIR, filename);
export const fixtureBytes = async (filename: string) => new Uint8Array(await Bun.file(fixture(filename)).arrayBuffer());
/**
 * The fixtures that become notes from their text layer: the load the service and fault tests
 * put on the service. Scans are left out (OCR costs seconds a page: another test's load).
 */
export const goodFixtures = () => fixtures().filter((e) => e.expect === "notes" && e.category !== "scanned");
