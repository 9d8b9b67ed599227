import { createRoute, OpenAPIHono, type z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { contentKey, type KeyedPdf } from "../../cache/cache-keys.ts";
import type { Notes } from "../../notes/schema.ts";
import type { Config } from "../../config.ts";
import { checkUrl, UrlRefused, urlPolicy } from "../../ingest/url-policy.ts";
import { log } from "../../log.ts";
import { hashingStream, hasPdfMagic, UploadRejected } from "../../ingest/upload-guard.ts";
import { notesRow } from "../../jobs/notes-row.ts";
import { OCR_MODES, type OcrMode } from "../../extraction/ocr/ocr-pages.ts";
import { PageRangeError, pagesIn } from "../../extraction/page-range.ts";
import type { PageCounter } from "../../ingest/page-count.ts";
import { PIPELINES } from "../../jobs/pipelines.ts";
import type { Producer } from "../../queues/producer.ts";
import type { Storage } from "../../storage/storage.ts";
import { StorageUnavailable } from "../../storage/storage-unavailable.ts";
import type { JobLifecycle } from "../../jobs/lifecycle.ts";
import type { Admission } from "../admission.ts";
import type { Quotas } from "../quotas.ts";
import { HttpError } from "../http-error.ts";
import { newId, sanitizeFilename } from "../ids.ts";
import type { AppEnv } from "../middleware/identity/index.ts";
import { errors, UploadAnswer, UploadQuery, UrlUpload } from "../openapi/schemas.ts";
import { invalidRequest, validationHook } from "../openapi/validation-hook.ts";
import { readIncoming, readSmallJson } from "../upload-body.ts";
import { callbackOf, isTrue, ocrOf, pagesOf, pipelineOf } from "../upload-fields.ts";
import type { ConnectionSlots } from "../connection-slots.ts";
import { safeUrl } from "../../redact.ts";
import { currentCarrier } from "../../tracing/tracing.ts";

export interface UploadDeps {
  cfg: Config;
  admission: Admission;
  /** Creates the job (and fails it if the queue refuses it): the one writer of job state. */
  lifecycle: JobLifecycle;
  storage: Storage;
  cache: UploadCache;
  producer: Producer;
  slots: ConnectionSlots;
  /** FOLIO_QUOTA_BYTES and FOLIO_QUOTA_BYTES_PER_DAY. */
  quotas: Quotas;
  /** Counts an upload's pages when it gives a range (a range past the end is a 400); absent, the job checks. */
  pageCounter?: PageCounter;
}

/** The upload-time lookup: the PDF's notes as the workers' generator would have cached them. */
export interface UploadCache {
  lookup(pdf: KeyedPdf): Promise<Notes | undefined>;
}

/** An upload by URL is `{url, pipeline?, callbackUrl?}`: a few hundred bytes. */
const JSON_BODY_LIMIT = 8 * 1024;

type Answer = z.infer<typeof UploadAnswer>;

const route = createRoute({
  method: "post",
  path: "/",
  tags: ["Uploads"],
  summary: "Upload a PDF, or the URL of one",
  description:
    "Three bodies: `multipart/form-data` with a `file` field (as `curl -F file=@paper.pdf`), the PDF itself as `application/pdf`, " +
    "or JSON `{url}` for Folio to download. Answers 202 with a job id, or 200 when the PDF's notes are already cached.",
  request: {
    query: UploadQuery,
    body: {
      required: true,
      // Plain schemas, so that no validator reads the body before the handler: files stream
      // to storage, and the JSON form is checked against UrlUpload by the handler.
      content: {
        "multipart/form-data": {
          schema: {
            type: "object",
            properties: {
              file: { type: "string", format: "binary" },
              pipeline: { type: "string", enum: [...PIPELINES] },
              callbackUrl: { type: "string", format: "uri" },
              refresh: { type: "string", enum: ["true", "false"], description: "Make the notes afresh (see the refresh query parameter)" },
              ocr: { type: "string", enum: [...OCR_MODES], description: "Which pages are read by OCR (see the ocr query parameter)" },
              pages: { type: "string", description: "Only these pages, 1-5,9 (see the pages query parameter)" },
            },
            required: ["file"],
          },
        },
        "application/pdf": { schema: { type: "string", format: "binary" } },
        "application/octet-stream": { schema: { type: "string", format: "binary" } },
        "application/json": { schema: { $ref: "#/components/schemas/UrlUpload" } },
      },
    },
  },
  responses: {
    200: { description: "The notes were cached: the job is already completed", content: { "application/json": { schema: UploadAnswer } } },
    202: { description: "Accepted and queued", content: { "application/json": { schema: UploadAnswer } } },
    ...errors(400, 401, 408, 413, 415, 429, 503),
  },
});

export function uploadRoutes(deps: UploadDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.openAPIRegistry.register("UrlUpload", UrlUpload);
  return app.openapi(route, async (c) => {
    const rank = (await deps.admission.admit(c.get("userId"))) + 1;
    await deps.quotas.admit(c.get("userId"));
    const query = c.req.valid("query");
    const isJson = (c.req.header("content-type") ?? "").toLowerCase().startsWith("application/json");
    const release = deps.slots.acquire(c.get("userId"));
    try {
      const answer = isJson ? await acceptUrl(c, deps, await urlUploadOf(c, deps.cfg), rank) : await acceptFile(c, deps, query, rank);
      return c.json(answer, answer.status === "completed" ? 200 : 202);
    } finally {
      release();
    }
  });
}

async function urlUploadOf(c: Context<AppEnv>, cfg: Config): Promise<z.infer<typeof UrlUpload>> {
  const body = await readSmallJson(c, JSON_BODY_LIMIT, AbortSignal.timeout(cfg.FOLIO_UPLOAD_TIMEOUT_MS));
  const parsed = UrlUpload.safeParse(body);
  if (!parsed.success) throw invalidRequest(parsed.error);
  return parsed.data;
}

async function acceptFile(c: Context<AppEnv>, deps: UploadDeps, query: z.infer<typeof UploadQuery>, rank: number): Promise<Answer> {
  const { cfg } = deps;
  const deadline = AbortSignal.timeout(cfg.FOLIO_UPLOAD_TIMEOUT_MS);
  const incoming = await readIncoming(c, cfg, deadline);
  const userId = c.get("userId");
  const fileId = newId("f");
  const jobId = newId("j");
  // Where the upload streams to, until its hash says where its content is stored.
  const storageKey = `${fileId}.pdf`;

  const hashed = hashingStream(incoming.body, cfg.maxUploadBytes, deadline);
  let meta: { sha256: string; size: number; head: Uint8Array };
  let fields: Awaited<typeof incoming.rest>;
  try {
    await deps.storage.put(storageKey, hashed.stream);
    meta = await hashed.result;
    // Fields may follow the file in a form; a body that broke off after the file is refused.
    fields = await incoming.rest;
  } catch (err) {
    await deps.storage.delete(storageKey).catch(() => {});
    if (err instanceof HttpError) throw err;
    if (err instanceof StorageUnavailable) {
      throw new HttpError(503, "storage_unavailable", "the file store does not answer; send the upload again shortly", { "retry-after": "5" });
    }
    if (err instanceof UploadRejected) {
      throw new HttpError(({ file_too_large: 413, not_a_pdf: 415, upload_timeout: 408 } as const)[err.code], err.code, err.message);
    }
    throw new HttpError(400, "upload_interrupted", "the upload ended before the file was complete");
  }
  let pipeline: ReturnType<typeof pipelineOf>;
  let callbackUrl: Awaited<ReturnType<typeof callbackOf>>;
  let ocr: OcrMode | undefined;
  let pages: string | undefined;
  try {
    if (fields.extraFile) throw new HttpError(400, "too_many_files", "send one file per upload");
    pipeline = pipelineOf(fields.pipeline ?? query.pipeline);
    ocr = ocrOf(fields.ocr ?? query.ocr);
    pages = pagesOf(fields.pages ?? query.pages);
    callbackUrl = await callbackOf(cfg, fields.callbackUrl ?? query.callbackUrl);
    if (isTrue(fields.refresh ?? query.refresh)) await deps.admission.admitRefresh(userId);
  } catch (err) {
    await deps.storage.delete(storageKey).catch(() => {});
    throw err;
  }
  if (meta.size === 0) {
    await deps.storage.delete(storageKey);
    throw new HttpError(400, "empty_file", "the uploaded file is empty");
  }
  if (!hasPdfMagic(meta.head)) {
    await deps.storage.delete(storageKey);
    throw new HttpError(415, "not_a_pdf", "the file does not start with %PDF-: not a PDF");
  }
  if (pages) await checkRange(deps, storageKey, pages);

  // The PDF is stored once per content: a repeat upload references the stored copy and its own object goes.
  const copyKey = contentKey(cfg.FOLIO_CACHE_SCOPE, meta.sha256, userId);
  const file = { id: fileId, userId, sha256: meta.sha256, size: meta.size, filename: incoming.filename, storageKey: copyKey };
  const blob = { key: copyKey, sha256: meta.sha256, size: meta.size, place: () => deps.storage.move(storageKey, copyKey), present: () => deps.storage.exists(copyKey) };
  await deps.quotas.charge(userId, copyKey, meta.size).catch(async (err: unknown) => {
    await deps.storage.delete(storageKey).catch(() => {});
    throw err;
  });
  // A PDF whose notes are cached is answered now: the job is born completed, with this user's own notes row.
  const refresh = isTrue(fields.refresh ?? query.refresh);
  const cached = refresh ? undefined : await deps.cache.lookup({ sha256: meta.sha256, userId, ocr, pages }).catch(() => undefined);
  const notes = cached ? notesRow({ jobId, userId, sha256: meta.sha256 }, cached, true) : undefined;
  const trace = currentCarrier();
  const base = { id: jobId, userId, fileId, pipeline, callbackUrl, traceparent: trace?.traceparent };
  const job = notes
    ? { ...base, status: "completed", progress: 100, cacheHit: true, notesId: notes.id, finishedAt: new Date() }
    : { ...base, status: "queued" };
  try {
    const placed = await deps.lifecycle.created(file, job, notes, blob);
    if (!placed) await deps.storage.delete(storageKey).catch((err: unknown) => log.warn({ jobId, err: (err as Error).message }, "a repeat upload's own copy was not deleted"));
  } catch (err) {
    // Not accepted: leave nothing behind.
    await deps.storage.delete(storageKey).catch(() => {});
    throw err;
  }
  const answer = { jobId, fileId, sha256: meta.sha256, pipeline, size: meta.size };
  if (notes) {
    log.info({ jobId, fileId, pipeline }, "upload answered from the cache");
    return { ...answer, status: "completed", cached: true, notesId: notes.id };
  }
  await enqueueOrFail(deps, jobId, callbackUrl, () =>
    deps.producer.enqueue({ jobId, fileId, userId, storageKey: copyKey, sha256: meta.sha256, pipeline, acceptedAt: Date.now(), callbackUrl, trace, rank, ...(refresh && { refresh }), ...(ocr && { ocr }), ...(pages && { pages }) }),
  );
  log.info({ jobId, fileId, pipeline, size: meta.size, refresh }, "upload accepted");
  return { ...answer, status: "queued", cached: false };
}

/** JSON `{url}`: the job is accepted now and downloaded by the url-fetch queue. */
async function acceptUrl(c: Context<AppEnv>, deps: UploadDeps, body: z.infer<typeof UrlUpload>, rank: number): Promise<Answer> {
  const pages = pagesOf(body.pages);
  const { url } = await checkUrl(body.url, urlPolicy(deps.cfg)).catch((err: unknown) => {
    throw err instanceof UrlRefused ? new HttpError(400, err.code, err.message) : err;
  });
  const pipeline = pipelineOf(body.pipeline);
  const callbackUrl = await callbackOf(deps.cfg, body.callbackUrl);
  const userId = c.get("userId");
  if (body.refresh) await deps.admission.admitRefresh(userId);
  const fileId = newId("f");
  const jobId = newId("j");
  const storageKey = `${fileId}.pdf`;
  const filename = sanitizeFilename(decodeURIComponent(url.pathname.split("/").pop() || "") || "download.pdf");
  const trace = currentCarrier();
  await deps.lifecycle.created(
    { id: fileId, userId, filename, storageKey, sourceUrl: url.href },
    { id: jobId, userId, fileId, pipeline, status: "queued", callbackUrl, traceparent: trace?.traceparent },
  );
  await enqueueOrFail(deps, jobId, callbackUrl, () =>
    deps.producer.enqueueFetch({ jobId, fileId, userId, storageKey, pipeline, url: url.href, acceptedAt: Date.now(), callbackUrl, trace, rank, ...(body.refresh && { refresh: true }), ...(body.ocr && { ocr: body.ocr }), ...(pages && { pages }) }),
  );
  log.info({ jobId, fileId, pipeline, url: safeUrl(url.href) }, "upload by URL accepted");
  return { jobId, fileId, sha256: null, status: "queued", pipeline, cached: false, size: null, url: url.href };
}

/**
 * A range past the end of the PDF is refused now, with its page count, when the count comes
 * in time (page-count.ts); otherwise the job's extraction fails pages_out_of_range, as for
 * uploads by URL, whose PDF is not here yet.
 */
async function checkRange(deps: UploadDeps, storageKey: string, pages: string): Promise<void> {
  const total = await deps.pageCounter?.count(() => deps.storage.get(storageKey));
  if (total === undefined) return;
  try {
    pagesIn(pages, total);
  } catch (err) {
    if (!(err instanceof PageRangeError)) throw err;
    await deps.storage.delete(storageKey).catch(() => {});
    throw new HttpError(400, "pages_out_of_range", err.message);
  }
}

/** An accepted job whose queue is down is failed with a reason, never left queued. */
async function enqueueOrFail(deps: UploadDeps, jobId: string, callbackUrl: string | undefined, enqueue: () => Promise<void>): Promise<void> {
  try {
    await enqueue();
  } catch (err) {
    log.error({ jobId, err: (err as Error).message }, "enqueue failed");
    await deps.lifecycle.enqueueFailed(jobId, callbackUrl);
    throw new HttpError(503, "queue_unavailable", "the job queue is unavailable; try again shortly", { "retry-after": "5" });
  }
}
