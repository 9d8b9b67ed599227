import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/** A language's traineddata, found on this machine (never fetched). */
export interface OcrLanguage {
  code: string;
  /** A `.traineddata` file, or a gzipped one (`.traineddata.gz`, as npm packages ship them). */
  file: string;
}

/** Languages with traineddata on npm (`@tesseract.js-data/<code>`); only eng comes with Folio. */
const ON_NPM = new Set(["eng", "fra", "osd"]);
/**
 * The npm packages' LSTM-only integer model: a fifth of the size of the 4.0.0 folder (which
 * adds the legacy engine Folio does not run) and the same words on the pages tried.
 */
const NPM_MODEL = "4.0.0_best_int";

export class OcrLanguageMissing extends Error {
  override name = "OcrLanguageMissing";
}

/** `eng+fra` (tesseract's own spelling) or `eng,fra`. */
export function parseLanguages(value: string): string[] {
  return value
    .split(/[+,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Where each language's traineddata is: FOLIO_OCR_DATA_DIR first (e.g. Debian's
 * /usr/share/tesseract-ocr/5/tessdata), then an installed `@tesseract.js-data/<code>`
 * package. A language found nowhere throws one line that says how to install it.
 */
export function resolveLanguages(codes: string[], dataDir?: string): OcrLanguage[] {
  return codes.map((code) => {
    if (!/^[a-z]{3}(_[a-z]+)?$/i.test(code)) throw new OcrLanguageMissing(`FOLIO_OCR_LANGS: "${code}" is not a tesseract language code (eng, fra, deu, chi_sim, …)`);
    if (dataDir) {
      for (const name of [`${code}.traineddata`, `${code}.traineddata.gz`]) {
        if (existsSync(join(dataDir, name))) return { code, file: join(dataDir, name) };
      }
    }
    const packaged = npmTraineddata(code);
    if (packaged) return { code, file: packaged };
    const hint = ON_NPM.has(code)
      ? `bun add @tesseract.js-data/${code}`
      : `apt-get install tesseract-ocr-${code.replace(/_/g, "-").toLowerCase()} and set FOLIO_OCR_DATA_DIR=/usr/share/tesseract-ocr/5/tessdata`;
    throw new OcrLanguageMissing(`OCR language "${code}" is not installed${dataDir ? ` (not in ${dataDir} either)` : ""}: ${hint}`);
  });
}

function npmTraineddata(code: string): string | undefined {
  try {
    const file = join(dirname(require.resolve(`@tesseract.js-data/${code}/package.json`)), NPM_MODEL, `${code}.traineddata.gz`);
    return existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

/** The engine as the cache knows it: a new engine version or model is a cache miss. */
export function ocrEngineTag(langs: OcrLanguage[], dpi: number): string {
  const { version } = JSON.parse(readFileSync(require.resolve("tesseract.js-core/package.json"), "utf8")) as { version: string };
  const models = langs.map((l) => `${l.code}:${l.file.includes(NPM_MODEL) ? NPM_MODEL : "datadir"}`).join("+");
  return `tesseract.js-core@${version};${models};${dpi}dpi`;
}
