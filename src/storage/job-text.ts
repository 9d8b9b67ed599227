import type { Storage } from "./storage.ts";
import type { ExtractedText } from "../extraction/extract.ts";

/** One page of the text a job read: from the PDF's text layer, or by OCR with tesseract's confidence. */
export interface PageText {
  page: number;
  source: "layer" | "ocr";
  confidence: number | null;
  text: string;
}

const keyOf = (jobId: string) => `${jobId}.text.json`;

/** The pages read (all, or the upload's range), each with where its text came from. */
export function pagesOf(text: ExtractedText): PageText[] {
  const read = text.range ?? text.pages.map((_, i) => i + 1);
  return read.map((page) => {
    const confidence = text.ocr?.confidence[String(page)];
    return { page, source: confidence === undefined ? "layer" : "ocr", confidence: confidence ?? null, text: text.pages[page - 1]! };
  });
}

/** Kept beside the PDF, so `GET /jobs/:id/text` answers what this job read (also once the staged path's Redis copy has expired). */
export async function saveJobText(storage: Storage, jobId: string, text: ExtractedText): Promise<void> {
  await storage.put(keyOf(jobId), new Blob([JSON.stringify(pagesOf(text))]).stream());
}

/** True when there was a text to delete. */
export async function deleteJobText(storage: Storage, jobId: string): Promise<boolean> {
  if (!(await storage.exists(keyOf(jobId)))) return false;
  await storage.delete(keyOf(jobId));
  return true;
}

export async function readJobText(storage: Storage, jobId: string): Promise<PageText[] | undefined> {
  const bytes = await storage.get(keyOf(jobId));
  return bytes ? (JSON.parse(new TextDecoder().decode(bytes)) as PageText[]) : undefined;
}
