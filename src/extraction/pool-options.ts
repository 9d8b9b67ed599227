import { availableParallelism } from "node:os";
import type { Config } from "../config.ts";
import type { PoolOptions } from "./pool.ts";

export function poolOptions(cfg: Config, multiUser: boolean): PoolOptions {
  return {
    perUser: multiUser,
    threads: cfg.FOLIO_EXTRACT_THREADS || Math.max(1, availableParallelism()),
    timeoutMs: cfg.FOLIO_EXTRACT_TIMEOUT_MS,
    maxRssMb: cfg.FOLIO_EXTRACT_MAX_RSS_MB,
    ocrPageTimeoutMs: cfg.FOLIO_OCR_PAGE_TIMEOUT_MS,
    ocr: { langs: cfg.ocrLanguages, dpi: cfg.FOLIO_OCR_DPI, maxPages: cfg.FOLIO_OCR_MAX_PAGES },
    maxPages: cfg.FOLIO_MAX_PAGES,
    minTextChars: cfg.FOLIO_MIN_TEXT_CHARS,
    maxTextChars: cfg.FOLIO_MAX_TEXT_CHARS,
    largePages: cfg.FOLIO_EXTRACT_LARGE_PAGES,
  };
}
