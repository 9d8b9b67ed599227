import { cleanText } from "./clean-text.ts";

/** Reason codes a failed job can carry; users see them in `error.code`. */
export type FailureCode =
  | "pdf_encrypted"
  | "pdf_unreadable"
  | "pdf_no_text"
  | "pdf_too_many_pages"
  | "pdf_too_complex"
  | "ocr_too_many_pages"
  | "ocr_timeout"
  | "pages_out_of_range"
  | "file_missing"
  | "text_missing"
  | "ai_invalid_output"
  | "ai_unavailable"
  | "enqueue_failed"
  | "invalid_url"
  | "url_not_allowed"
  | "url_http_error"
  | "too_many_redirects"
  | "download_timeout"
  | "download_too_slow"
  | "download_failed"
  | "file_too_large"
  | "not_a_pdf"
  | "empty_file"
  | "internal_error";

/**
 * An error the pipeline understands. `retryable: false` fails the job at once (a broken
 * PDF stays broken); `retryAfterMs` overrides the backoff (a provider's Retry-After).
 */
export class PipelineError extends Error {
  override name = "PipelineError";
  constructor(
    readonly code: FailureCode,
    message: string,
    readonly retryable = false,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export function retryAfterOf(err: unknown): number | undefined {
  return err instanceof PipelineError ? err.retryAfterMs : undefined;
}

/** The reason a user sees: short, printable, and without the SQL or stack of a wrapped error. */
export function failureOf(err: unknown): { code: FailureCode; message: string } {
  if (err instanceof PipelineError) return { code: err.code, message: cleanText(err.message).slice(0, 500) };
  const root = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const message = root instanceof Error ? root.message : String(root);
  return { code: "internal_error", message: cleanText(message).slice(0, 500) };
}

/**
 * Not the job's fault, and not now: the harness puts the job back in BullMQ's delayed set
 * until `retryAt` without spending an attempt (a model outage, a user's download slots
 * all taken).
 */
export class NotYet extends Error {
  override name = "NotYet";
  constructor(
    readonly retryAt: number,
    message: string,
  ) {
    super(message);
  }
}
