import type { Storage } from "../storage/storage.ts";
import type { ExtractedText } from "./extract.ts";

/** One page of the text a job read: from the PDF's text layer, or by OCR with tesseract's confidence. */
export interface PageText {
  page: number;
  source: "layer" | "ocr";
  confidence: number | null;
  text: string;
}

const keyOf = (jobId: string) => `${jobId}.text.json`;

export function pagesOf(text: ExtractedText): PageText[] {
  return text.pages.map((t, i) => {
    const confidence = text.ocr?.confidence[String(i + 1)];
    return { page: i + 1, source: confidence === undefined ? "layer" : "ocr", confidence: confidence ?? null, text: t };
  });
}

/** Kept beside the PDF, so `GET /jobs/:id/text` answers what this job read (also once the staged path's Redis copy has expired). */
export async function saveJobText(storage: Storage, jobId: string, text: ExtractedText): Promise<void> {
  await storage.put(keyOf(jobId), new Blob([JSON.stringify(pagesOf(text))]).stream());
}

export async function readJobText(storage: Storage, jobId: string): Promise<PageText[] | undefined> {
  const bytes = await storage.get(keyOf(jobId));
  return bytes ? (JSON.parse(new TextDecoder().decode(bytes)) as PageText[]) : undefined;
}
