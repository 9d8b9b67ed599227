import type { ExtractedText } from "../pipeline/extract.ts";
import type { FailureCode } from "../pipeline/errors.ts";

/** A failure as it crosses a thread boundary (a PipelineError's fields). */
export interface WireFailure {
  code: FailureCode;
  message: string;
  retryable: boolean;
  /** For the log only (see PipelineError). */
  detail?: string;
}

/** The pool to one of its threads. */
export type ToPoolThread = { type: "extract"; id: number; bytes: Uint8Array } | { type: "proceed"; id: number } | { type: "yield"; id: number };

/** One of the pool's threads to the pool. */
export type FromPoolThread =
  | { type: "ready" }
  /** Sent only for a PDF over the large-page threshold; the thread waits for proceed or yield. */
  | { type: "opened"; id: number; pages: number }
  | { type: "progress"; id: number; done: number; total: number }
  | { type: "done"; id: number; text: ExtractedText }
  | { type: "yielded"; id: number; bytes: Uint8Array }
  | { type: "failed"; id: number; failure: WireFailure };

/** A consumer thread to the pool's owner, and back. */
export type ExtractCall = { id: number; bytes: Uint8Array; sha256: string; userId: string; jobId: string };
export type ExtractAnswer =
  | { id: number; type: "progress"; done: number; total: number }
  | { id: number; type: "done"; text: ExtractedText }
  | { id: number; type: "failed"; failure: WireFailure };
