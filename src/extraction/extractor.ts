import type { ExtractedText } from "./extract.ts";
import type { OcrMode } from "./ocr/ocr-pages.ts";
import type { ProgressStage } from "./messages.ts";

/** One PDF to read, and whose it is (the pool's fairness is per user). */
export interface ExtractRequest {
  /** Moved to the extraction thread (transferred, not copied): do not use them afterwards. */
  bytes: Uint8Array;
  sha256: string;
  userId: string;
  jobId: string;
  /** Which pages are read by OCR; `auto` when not said. */
  ocr?: OcrMode;
  /** Only these pages, `1-5,9`. */
  pages?: string;
  onProgress?: (pagesDone: number, totalPages: number, stage: ProgressStage) => void;
}

/** What the stages extract with: the pool, reached from a consumer thread over a port. */
export interface Extractor {
  extract(req: ExtractRequest): Promise<ExtractedText>;
}
