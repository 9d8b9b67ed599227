/** An upload's fields (form fields, query parameters or the JSON body's), checked: a bad one is a 400 naming it. */
import type { Config } from "../config.ts";
import { checkUrl, UrlRefused, urlPolicy } from "../ingest/url-policy.ts";
import { OCR_MODES, type OcrMode } from "../extraction/ocr/ocr-pages.ts";
import { PageRangeError, parsePageRange } from "../extraction/page-range.ts";
import { PIPELINES, type Pipeline } from "../jobs/pipelines.ts";
import { HttpError } from "./http-error.ts";

/** `refresh` as a form field or query parameter: "true" or "1" (anything else is no). */
export function isTrue(value: string | undefined): boolean {
  return value === "true" || value === "1";
}

export function pipelineOf(value: string | undefined): Pipeline {
  if (value === undefined) return "optimized";
  if (!(PIPELINES as readonly string[]).includes(value)) throw new HttpError(400, "invalid_pipeline", `pipeline must be one of ${PIPELINES.join(", ")}`);
  return value as Pipeline;
}

/** A form field is not checked by the query's schema: the same choice, checked here. */
export function ocrOf(value: string | undefined): OcrMode | undefined {
  if (value === undefined) return undefined;
  if (!(OCR_MODES as readonly string[]).includes(value)) throw new HttpError(400, "invalid_ocr", `ocr must be one of ${OCR_MODES.join(", ")}`);
  return value as OcrMode;
}

/** `1-5,9`, checked for form here (the page count is known only where the PDF is read); stored without spaces. */
export function pagesOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    parsePageRange(value);
  } catch (err) {
    if (err instanceof PageRangeError) throw new HttpError(400, "invalid_pages", err.message);
    throw err;
  }
  return value.replace(/\s+/g, "");
}

export async function callbackOf(cfg: Config, value: string | undefined): Promise<string | undefined> {
  if (value === undefined) return undefined;
  try {
    return (await checkUrl(value, urlPolicy(cfg))).url.href;
  } catch (err) {
    if (err instanceof UrlRefused) throw new HttpError(400, "invalid_callback_url", `callbackUrl: ${err.message}`);
    throw err;
  }
}
