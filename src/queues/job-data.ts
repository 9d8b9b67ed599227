import type { OcrMode } from "../extraction/ocr/ocr-pages.ts";
import type { TraceCarrier } from "../tracing/tracing.ts";
import type { Pipeline } from "../jobs/pipelines.ts";

/** What every queue's job carries: ids and keys only, never file bytes or text. */
export interface BaseJobData {
  jobId: string;
  userId: string;
  /** When the job was put on this queue (ms since epoch): queue wait is measured from here. */
  acceptedAt: number;
  /** Set when the upload asked for a webhook on its final status. */
  callbackUrl?: string;
  /** The upload request's span (W3C trace context), when tracing is on: the job's spans are its children. */
  trace?: TraceCarrier;
  /** How many of the user's jobs were unfinished when this one was accepted, itself included: its place in the fair queue. */
  rank?: number;
}

/** A stored PDF on its way through the pipeline. */
export interface PdfJobData extends BaseJobData {
  fileId: string;
  storageKey: string;
  sha256: string;
  pipeline: Pipeline;
  /** Set for an upload by URL: its download time is the fetch's, not the storage read's. */
  sourceUrl?: string;
  /** The upload asked for new notes: the cache is not consulted, and its entry is replaced. */
  refresh?: boolean;
  /** Which pages OCR reads; absent means `auto`. */
  ocr?: OcrMode;
  /** Only these pages are read, `1-5,9`; absent: every page. */
  pages?: string;
}

/** An upload by URL: fetched into `storageKey`, then handed to `pipeline`. */
export interface UrlJobData extends Omit<PdfJobData, "sha256" | "sourceUrl"> {
  url: string;
}
