import { z } from "@hono/zod-openapi";
import { JOB_STATUSES, TIMING_KEYS, TIMINGS, type TimingKey } from "../../../db/job-status.ts";
import { OCR_MODES } from "../../extraction/ocr/ocr-pages.ts";
import { PIPELINE_TABLE, PIPELINES } from "../../jobs/pipelines.ts";

/** The shapes of the API: validation and the OpenAPI document both come from these. */

export const ErrorBody = z
  .object({ error: z.object({ code: z.string().openapi({ example: "job_not_found" }), message: z.string() }) })
  .openapi("Error");

export const Pipeline = z.enum(PIPELINES).openapi({
  description: PIPELINES.map((name) => `${name}: ${PIPELINE_TABLE[name].map((s) => s.queue).join(" → ")}`).join("; "),
});

// Checked by the handler (scheme and SSRF policy), so its errors say `invalid_callback_url`.
const CallbackUrl = z.string().openapi({
  format: "uri",
  description: "POSTed with the job and its notes when the job completes or fails, signed with `X-Folio-Signature`",
  example: "https://example.com/folio-hook",
});

export const OcrOption = z.enum(OCR_MODES).openapi({
  description: "auto (default): OCR the pages that carry an image and (nearly) no text layer; force: OCR every page; off: never (a scan fails pdf_no_text)",
});

export const PagesOption = z.string().max(200).openapi({
  description: "Only these pages are read (text layer or OCR), counted from 1: `1-5,9`. A range past the end is a 400 `pages_out_of_range` naming the page count (for an upload by URL, known only once downloaded: its job fails so)",
  example: "1-5,9",
});

const REFRESH_DESCRIPTION = "Make the notes afresh: the cache is not consulted, and its entry is replaced by the new notes";
const RefreshFlag = z.enum(["true", "false"]).openapi({ description: REFRESH_DESCRIPTION });

export const UploadQuery = z.object({
  filename: z.string().max(255).optional().openapi({ description: "For a raw application/pdf body", example: "paper.pdf" }),
  pipeline: Pipeline.optional(),
  callbackUrl: CallbackUrl.optional(),
  refresh: RefreshFlag.optional(),
  ocr: OcrOption.optional(),
  pages: PagesOption.optional(),
});

export const UrlUpload = z
  .object({
    url: z.string().min(1).openapi({ description: "An http(s) URL serving the PDF", example: "https://arxiv.org/pdf/1706.03762" }),
    pipeline: Pipeline.optional(),
    callbackUrl: CallbackUrl.optional(),
    refresh: z.boolean().optional().openapi({ description: REFRESH_DESCRIPTION }),
    ocr: OcrOption.optional(),
    pages: PagesOption.optional(),
  })
  .openapi("UrlUpload");

export const UploadAnswer = z
  .object({
    jobId: z.string().openapi({ example: "j_4k2x9q0c1m8b7v6n5z3a" }),
    fileId: z.string(),
    sha256: z.string().nullable().openapi({ description: "Null for an upload by URL until it is downloaded" }),
    status: z.enum(["queued", "completed"]),
    pipeline: Pipeline,
    cached: z.boolean(),
    size: z.number().int().nullable(),
    notesId: z.string().optional(),
    url: z.string().optional(),
  })
  .openapi("UploadAnswer");

const ms = z.number().int().nullable();
export const JobView = z
  .object({
    id: z.string(),
    status: z.enum(JOB_STATUSES),
    progress: z.number().int().min(0).max(100),
    pipeline: Pipeline,
    fileId: z.string(),
    attempts: z.number().int(),
    cached: z.boolean(),
    pages: z.number().int().nullable(),
    ocr: z
      .object({
        pages: z.number().int().openapi({ description: "Pages read by OCR (or to be read, while extracting)" }),
        pagesDone: z.number().int(),
        textLayerPages: z.number().int().nullable().openapi({ description: "Pages whose text came from the PDF's text layer" }),
        meanConfidence: z.number().int().nullable().openapi({ description: "Tesseract's mean word confidence over the OCR'd pages, 0–100" }),
      })
      .nullable()
      .openapi({ description: "Where the text came from, once extraction has said: null before then, and for notes from the cache" }),
    notesId: z.string().nullable(),
    timings: z.object(Object.fromEntries(TIMING_KEYS.map((key) => [key, ms.openapi({ description: TIMINGS[key].about })])) as Record<TimingKey, typeof ms>),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    callback: z.object({ url: z.string(), status: z.enum(["pending", "delivered", "failed"]), attempts: z.number().int() }).nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.string().nullable(),
    traceId: z.string().nullable().openapi({ description: "The job's OpenTelemetry trace (when OTEL_EXPORTER_OTLP_ENDPOINT was set at upload)" }),
  })
  .openapi("Job");

export const JobText = z
  .object({
    jobId: z.string(),
    pages: z.array(
      z.object({
        page: z.number().int(),
        source: z.enum(["layer", "ocr"]),
        confidence: z.number().int().nullable().openapi({ description: "OCR's mean word confidence, 0–100; null for the text layer" }),
        text: z.string(),
      }),
    ),
  })
  .openapi("JobText");

export const NotesView = z
  .object({
    id: z.string(),
    jobId: z.string(),
    sha256: z.string(),
    title: z.string(),
    summary: z.string(),
    keyPoints: z.array(z.string()),
    outline: z.array(z.object({ title: z.string(), page: z.number().int().nullable().optional(), level: z.number().int() })),
    markdown: z.string(),
    generator: z.string(),
    model: z.string().nullable(),
    usage: z
      .object({ inputTokens: z.number(), outputTokens: z.number() })
      .nullable()
      .openapi({ description: "Tokens this job spent: zero when the notes came from the cache, null for the offline generator" }),
    cached: z.boolean().openapi({ description: "Made for an earlier upload of the same PDF by the same generator, and served from the cache" }),
    fingerprint: z.string().nullable().openapi({ description: "Which generator settings wrote the notes (16 hex digits)" }),
    source: z
      .object({
        range: z.string().nullable().openapi({ description: "The pages read, `1-5,9`, when the upload gave a range; null for the whole PDF" }),
        pages: z.number().int().openapi({ description: "Pages read" }),
        totalPages: z.number().int(),
        ocr: z.object({
          pages: z.number().int().openapi({ description: "Pages read by OCR" }),
          textLayerPages: z.number().int().openapi({ description: "Pages whose text came from the PDF's text layer" }),
          meanConfidence: z.number().int().nullable().openapi({ description: "Tesseract's mean word confidence over the OCR'd pages, 0–100" }),
        }),
      })
      .nullable()
      .openapi({ description: "What the notes were made from (also for notes from the cache); null for notes made before Folio kept it" }),
    createdAt: z.string(),
  })
  .openapi("Notes");

export const WebhookSecret = z
  .object({
    secret: z.string().openapi({ example: "whsec_…" }),
    header: z.string(),
    scheme: z.string(),
    previousValidUntil: z.string().nullable().openapi({ description: "After a rotation: until when deliveries are also signed with the previous secret" }),
  })
  .openapi("WebhookSecret");

export { PerformanceReportSchema as PerformanceReport, QueueStatsSchema as QueueStats } from "../../monitoring/report-schema.ts";

export const IdParam = (name: string, example: string) =>
  z.object({ id: z.string().min(1).openapi({ param: { name: "id", in: "path" }, description: `The ${name} id`, example }) });

/** The usual error answers of a route, by status. */
export function errors(...statuses: number[]) {
  const text: Record<number, string> = {
    400: "Bad request",
    401: "Missing or invalid API key",
    403: "Needs an admin key",
    404: "Not found",
    409: "Conflicts with the current state",
    408: "The upload took too long",
    413: "Over MAX_UPLOAD_MB",
    415: "Not a PDF / unsupported content type",
    429: "Rate limit or in-flight limit reached",
    503: "A dependency (queue, database, file store) is unavailable",
  };
  return Object.fromEntries(statuses.map((s) => [s, { description: text[s] ?? "Error", content: { "application/json": { schema: ErrorBody } } }]));
}
