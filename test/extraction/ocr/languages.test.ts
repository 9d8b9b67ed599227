import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../../src/config.ts";
import { parseLanguages, resolveLanguages } from "../../../src/extraction/ocr/languages.ts";

describe("OCR languages", () => {
  test("English comes with Folio, from npm", () => {
    const [eng] = resolveLanguages(["eng"]);
    expect(eng!.file).toMatch(/@tesseract\.js-data\/eng\/4\.0\.0_best_int\/eng\.traineddata\.gz$/);
    expect(loadConfig({}).ocrLanguages.map((l) => l.code)).toEqual(["eng"]);
    expect(parseLanguages("eng+fra, deu")).toEqual(["eng", "fra", "deu"]);
  });

  test("a language not installed stops start-up with one line saying how to install it", () => {
    expect(() => loadConfig({ FOLIO_OCR_LANGS: "eng+deu" })).toThrow(/^OCR language "deu" is not installed: apt-get install tesseract-ocr-deu and set FOLIO_OCR_DATA_DIR=/);
    expect(() => loadConfig({ FOLIO_OCR_LANGS: "chi_sim" })).toThrow(/apt-get install tesseract-ocr-chi-sim /);
    expect(() => loadConfig({ FOLIO_OCR_LANGS: "fra" })).toThrow(/^OCR language "fra" is not installed: bun add @tesseract\.js-data\/fra$/);
    expect(() => loadConfig({ FOLIO_OCR_LANGS: "../etc" })).toThrow(/not a tesseract language code/);
  });

  test("FOLIO_OCR_DATA_DIR is looked in first", () => {
    const dir = mkdtempSync(join(tmpdir(), "folio-tessdata-"));
    try {
      writeFileSync(join(dir, "deu.traineddata"), "not really");
      expect(resolveLanguages(["deu", "eng"], dir).map((l) => l.file)).toEqual([join(dir, "deu.traineddata"), expect.stringContaining("@tesseract.js-data/eng")]);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  test("the start command exits 1 with that line", async () => {
    const proc = Bun.spawn(["bun", "src/cli/start.ts"], { env: { ...process.env, FOLIO_OCR_LANGS: "deu" }, stderr: "pipe", stdout: "pipe" });
    expect(await proc.exited).toBe(1);
    expect((await new Response(proc.stderr).text()).trim()).toMatch(/^folio: OCR language "deu" is not installed: apt-get install tesseract-ocr-deu/);
  });
});
