import type { Pipeline } from "./names.ts";

/** The payload every queue's job carries: ids and keys only, never file bytes or text. */
export interface PdfJobData {
  jobId: string;
  fileId: string;
  userId: string;
  storageKey: string;
  sha256: string;
  pipeline: Pipeline;
  /** When the upload was accepted (ms since epoch): queue wait is measured from here. */
  acceptedAt: number;
}

/** BullMQ ids of the staged flow's jobs; the completion job carries the Folio job id itself. */
export function stagedJobIds(jobId: string): { extract: string; notes: string; completion: string } {
  return { extract: `${jobId}-extract`, notes: `${jobId}-notes`, completion: jobId };
}

/** The Folio job id behind any BullMQ job id of either pipeline. */
export function folioJobId(bullJobId: string): string {
  return bullJobId.replace(/-(extract|notes)$/, "");
}
