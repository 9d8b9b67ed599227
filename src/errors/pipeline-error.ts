import { cleanText } from "../text/clean-text.ts";

/** Reason codes a failed job can carry; users see them in `error.code`. */
export const FAILURE_CODES = [
  "pdf_encrypted",
  "pdf_unreadable",
  "pdf_no_text",
  "pdf_too_many_pages",
  "pdf_too_complex",
  "ocr_too_many_pages",
  "ocr_timeout",
  "pages_out_of_range",
  "source_expired",
  "text_missing",
  "ai_invalid_output",
  "ai_unavailable",
  "enqueue_failed",
  "invalid_url",
  "url_not_allowed",
  "url_http_error",
  "too_many_redirects",
  "download_timeout",
  "download_too_slow",
  "download_failed",
  "file_too_large",
  "not_a_pdf",
  "empty_file",
  "internal_error",
] as const;

export type FailureCode = (typeof FAILURE_CODES)[number];

/**
 * An error the pipeline understands. `retryable: false` fails the job at once (a broken
 * PDF stays broken); `retryAfterMs` overrides the backoff (a provider's Retry-After).
 * `message` is what the user reads; `detail` (a provider's answer, a socket error naming
 * an address) goes to the log with the job id and nowhere else.
 */
export class PipelineError extends Error {
  override name = "PipelineError";
  constructor(
    readonly code: FailureCode,
    message: string,
    readonly retryable = false,
    readonly retryAfterMs?: number,
    readonly detail?: string,
  ) {
    super(message);
  }
}

export function retryAfterOf(err: unknown): number | undefined {
  return err instanceof PipelineError ? err.retryAfterMs : undefined;
}

/**
 * The reason a user sees: short and printable. An error that is not the pipeline's own (a
 * driver's, a library's) says only that something failed inside: its words may name hosts,
 * SQL or paths, and go to the log instead (detailOf).
 */
export function failureOf(err: unknown): { code: FailureCode; message: string } {
  if (err instanceof PipelineError) return { code: err.code, message: cleanText(err.message).slice(0, 500) };
  return { code: "internal_error", message: INTERNAL_MESSAGE };
}

export const INTERNAL_MESSAGE = "an internal error stopped the job; the service's log has the details under this job's id";

/** What the log keeps beside the user's reason: the wrapped error's own words. */
export function detailOf(err: unknown): string | undefined {
  if (err instanceof PipelineError) return err.detail;
  const root = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  return (root instanceof Error ? root.message : String(root)).slice(0, 1000);
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
