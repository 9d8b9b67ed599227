import type { ExtractedText } from "./extract.ts";
import type { FailureCode } from "../errors/pipeline-error.ts";
import type { OcrMode } from "./ocr/ocr-pages.ts";

/** A failure as it crosses a thread boundary (a PipelineError's fields). */
export interface WireFailure {
  code: FailureCode;
  message: string;
  retryable: boolean;
  /** For the log only (see PipelineError). */
  detail?: string;
}

/** The pool to one of its threads. */
export type ToPoolThread = { type: "extract"; id: number; bytes: Uint8Array; ocr: OcrMode; pages?: string } | { type: "proceed"; id: number } | { type: "yield"; id: number };

/** One of the pool's threads to the pool. */
export type FromPoolThread =
  | { type: "ready" }
  /** Sent only for a PDF over the large-page threshold, or with pages to OCR; the thread waits for proceed or yield. */
  | { type: "opened"; id: number; pages: number }
  | { type: "progress"; id: number; done: number; total: number; stage: ProgressStage }
  | { type: "done"; id: number; text: ExtractedText }
  | { type: "yielded"; id: number; bytes: Uint8Array }
  | { type: "failed"; id: number; failure: WireFailure };

/** Reading the text layer, or OCR'ing (each OCR'd page starts its own time budget). */
export type ProgressStage = "text" | "ocr";

/** A consumer thread to the pool's owner (src/extraction/pool-rpc.ts), and its progress notes back. */
export type ExtractCall = { bytes: Uint8Array; sha256: string; userId: string; jobId: string; ocr: OcrMode; pages?: string };
export type ExtractProgress = { done: number; total: number; stage: ProgressStage };
