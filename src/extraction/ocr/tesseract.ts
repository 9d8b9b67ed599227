import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { gunzipSync } from "node:zlib";
import type { OcrLanguage } from "./languages.ts";

const require = createRequire(import.meta.url);

export interface OcrResult {
  text: string;
  /** Tesseract's mean word confidence, 0–100. */
  confidence: number;
}

/** The slice of tesseract.js-core's embind API Folio calls. */
interface TessModule {
  FS: { writeFile(path: string, data: Uint8Array): void; unlink(path: string): void };
  TessBaseAPI: new () => TessApi;
}
interface TessApi {
  Init(dataPath: string, langs: string, oem: number): number;
  SetVariable(name: string, value: string): boolean;
  SetImageFile(exif: number, angle: number): number;
  SetSourceResolution(dpi: number): void;
  Recognize(monitor: null): number;
  GetUTF8Text(): string;
  MeanTextConf(): number;
  Clear(): void;
  End(): void;
}

const LSTM_ONLY = 1;
/** The API's default reads a page as one block, running columns together; the tesseract CLI's is this. */
const PSM_AUTO = "3";
const CORE = "tesseract.js-core/tesseract-core-simd-lstm";

/**
 * Tesseract compiled to WebAssembly, run synchronously on the calling thread: the pool's
 * thread is the fence (terminated past its budget), so no worker of tesseract.js's own is
 * started, and every file it needs (core, wasm, traineddata) is read from disk, never
 * fetched.
 */
export class TesseractReader {
  private constructor(
    private readonly module: TessModule,
    private readonly api: TessApi,
  ) {}

  static async load(langs: OcrLanguage[]): Promise<TesseractReader> {
    const factory = require(`${CORE}.js`) as (opts: object) => Promise<TessModule>;
    const wasmBinary = readFileSync(require.resolve(`${CORE}.wasm`));
    // Tesseract prints notes ("Detected 39 diacritics") to stdout: not for the service's JSON log.
    const module = await factory({ wasmBinary, TesseractProgress() {}, print() {} });
    for (const lang of langs) {
      const data = readFileSync(lang.file);
      module.FS.writeFile(`/${lang.code}.traineddata`, lang.file.endsWith(".gz") ? gunzipSync(data) : data);
    }
    const api = new module.TessBaseAPI();
    if (api.Init("/", langs.map((l) => l.code).join("+"), LSTM_ONLY) !== 0) {
      throw new Error(`tesseract could not load the traineddata of ${langs.map((l) => l.code).join("+")}`);
    }
    api.SetVariable("tessedit_pageseg_mode", PSM_AUTO);
    return new TesseractReader(module, api);
  }

  /** One page of 8-bit grey pixels, `width` per row, scanned at `dpi`. */
  read(grey: Uint8Array, width: number, height: number, dpi: number): OcrResult {
    // Leptonica reads PGM with no codec: a header before the pixels is the whole format.
    const header = new TextEncoder().encode(`P5\n${width} ${height}\n255\n`);
    const pgm = new Uint8Array(header.length + grey.length);
    pgm.set(header);
    pgm.set(grey, header.length);
    this.module.FS.writeFile("/input", pgm);
    try {
      if (this.api.SetImageFile(1, 0) !== 0) throw new Error("tesseract could not read the rendered page");
      this.api.SetSourceResolution(dpi);
      this.api.Recognize(null);
      return { text: this.api.GetUTF8Text(), confidence: Math.max(0, this.api.MeanTextConf()) };
    } finally {
      this.api.Clear();
      this.module.FS.unlink("/input");
    }
  }
}
