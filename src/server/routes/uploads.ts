import { Hono, type Context } from "hono";
import { z } from "zod";
import type { JobsRepo } from "../../../db/jobs-repo.ts";
import type { Config } from "../../config.ts";
import { log } from "../../log.ts";
import { hashingStream, hasPdfMagic, UploadRejected } from "../../pipeline/hash.ts";
import type { PdfJobData } from "../../queues/job-data.ts";
import { PIPELINES } from "../../queues/names.ts";
import type { Producer } from "../../queues/producer.ts";
import type { Storage } from "../../storage/storage.ts";
import type { NotesLookup } from "../../cache/index.ts";
import { notesRow } from "../../pipeline/stages.ts";
import { HttpError } from "../http-error.ts";
import type { AppEnv } from "../middleware/identity/index.ts";
import { newId, sanitizeFilename } from "../ids.ts";
import type { Admission } from "../admission.ts";

export interface UploadDeps {
  cfg: Config;
  admission: Admission;
  repo: JobsRepo;
  storage: Storage;
  cache: NotesLookup;
  producer: Producer;
}

const PipelineParam = z.enum(PIPELINES).default("optimized");
/** Room for multipart boundaries and headers on top of the file itself. */
const MULTIPART_OVERHEAD = 64 * 1024;

interface Incoming {
  body: ReadableStream<Uint8Array>;
  filename: string;
  pipeline: string | undefined;
}

export function uploadRoutes(deps: UploadDeps) {
  const { cfg } = deps;
  return new Hono<AppEnv>().post(
    "/",
    async (c) => {
      await deps.admission.admit(c.get("userId"));
      const deadline = AbortSignal.timeout(cfg.FOLIO_UPLOAD_TIMEOUT_MS);
      const incoming = await readIncoming(c, cfg, deadline);
      const parsedPipeline = PipelineParam.safeParse(incoming.pipeline ?? c.req.query("pipeline") ?? undefined);
      if (!parsedPipeline.success) {
        throw new HttpError(400, "invalid_pipeline", `pipeline must be one of ${PIPELINES.join(", ")}`);
      }
      const pipeline = parsedPipeline.data;
      const userId = c.get("userId");
      const fileId = newId("f");
      const jobId = newId("j");
      const storageKey = `${fileId}.pdf`;

      const hashed = hashingStream(incoming.body, cfg.maxUploadBytes, deadline);
      let meta: { sha256: string; size: number; head: Uint8Array };
      try {
        await deps.storage.put(storageKey, hashed.stream);
        meta = await hashed.result;
      } catch (err) {
        await deps.storage.delete(storageKey).catch(() => {});
        if (err instanceof UploadRejected) {
          throw new HttpError(({ file_too_large: 413, not_a_pdf: 415, upload_timeout: 408 } as const)[err.code], err.code, err.message);
        }
        throw new HttpError(400, "upload_interrupted", "the upload ended before the file was complete");
      }
      if (meta.size === 0) {
        await deps.storage.delete(storageKey);
        throw new HttpError(400, "empty_file", "the uploaded file is empty");
      }
      if (!hasPdfMagic(meta.head)) {
        await deps.storage.delete(storageKey);
        throw new HttpError(415, "not_a_pdf", "the file does not start with %PDF-: not a PDF");
      }

      const acceptedAt = Date.now();
      const file = { id: fileId, userId, sha256: meta.sha256, size: meta.size, filename: incoming.filename, storageKey };
      // A PDF whose notes are cached is answered now: the job is born completed, with this user's own notes row.
      const cached = await deps.cache.get(meta.sha256).catch(() => undefined);
      const notes = cached ? notesRow({ jobId, userId, sha256: meta.sha256 }, cached) : undefined;
      const job = notes
        ? { id: jobId, userId, fileId, pipeline, status: "completed", progress: 100, cacheHit: true, notesId: notes.id, finishedAt: new Date() }
        : { id: jobId, userId, fileId, pipeline, status: "queued" };
      try {
        await deps.repo.createUpload(file, job, notes);
      } catch (err) {
        // Not accepted: leave nothing behind.
        await deps.storage.delete(storageKey).catch(() => {});
        throw err;
      }
      if (notes) {
        log.info({ jobId, fileId, pipeline }, "upload answered from the cache");
        return c.json({ jobId, fileId, sha256: meta.sha256, status: "completed", pipeline, cached: true, size: meta.size, notesId: notes.id }, 200);
      }
      const data: PdfJobData = { jobId, fileId, userId, storageKey, sha256: meta.sha256, pipeline, acceptedAt };
      try {
        await deps.producer.enqueue(data);
      } catch (err) {
        log.error({ jobId, err: (err as Error).message }, "enqueue failed");
        await deps.repo.markFailed(jobId, "enqueue_failed", "the job queue is unavailable; upload again later");
        throw new HttpError(503, "queue_unavailable", "the job queue is unavailable; try again shortly", { "retry-after": "5" });
      }
      log.info({ jobId, fileId, pipeline, size: meta.size }, "upload accepted");
      return c.json(
        { jobId, fileId, sha256: meta.sha256, status: "queued", pipeline, cached: false, size: meta.size },
        202,
      );
    },
  );
}

/** Passes a body through, erroring it past maxBytes or at the deadline; `cut()` says which. */
function guardedStream(source: ReadableStream<Uint8Array>, maxBytes: number, deadline: AbortSignal) {
  let size = 0;
  let cut: UploadRejected | undefined;
  const stream = source.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      start(controller) {
        deadline.addEventListener("abort", () => controller.error((cut ??= new UploadRejected("upload_timeout", "the upload took too long"))));
      },
      transform(chunk, controller) {
        size += chunk.byteLength;
        if (size > maxBytes) controller.error((cut ??= new UploadRejected("file_too_large", `the upload is larger than ${maxBytes} bytes`)));
        else controller.enqueue(chunk);
      },
    }),
  );
  return { stream, cut: () => cut };
}

/** The file's bytes as a stream, from a multipart form (field `file`) or a raw PDF body. */
async function readIncoming(c: Context<AppEnv>, cfg: Config, deadline: AbortSignal): Promise<Incoming> {
  const type = (c.req.header("content-type") ?? "").toLowerCase();
  const declared = Number(c.req.header("content-length") ?? "NaN");
  if (type.startsWith("multipart/form-data")) {
    if (declared > cfg.maxUploadBytes + MULTIPART_OVERHEAD) {
      throw new HttpError(413, "file_too_large", `the upload is larger than MAX_UPLOAD_MB=${cfg.MAX_UPLOAD_MB}`);
    }
    // The form is parsed from a body that is cut past the limit or the deadline, never read further.
    const guarded = guardedStream(c.req.raw.body ?? new Blob([]).stream(), cfg.maxUploadBytes + MULTIPART_OVERHEAD, deadline);
    let form: FormData;
    try {
      // The boundary is case-sensitive: pass the header as it came.
      form = await new Response(guarded.stream, { headers: { "content-type": c.req.header("content-type")! } }).formData();
    } catch {
      const cut = guarded.cut();
      if (cut) throw new HttpError(cut.code === "file_too_large" ? 413 : 408, cut.code, cut.message);
      throw new HttpError(400, "invalid_multipart", "the multipart body could not be parsed");
    }
    const files = form.getAll("file").filter((f): f is File => f instanceof File);
    if (files.length === 0) throw new HttpError(400, "missing_file", "send the PDF in a form field named `file`");
    if (files.length > 1) throw new HttpError(400, "too_many_files", "send one file per upload");
    const file = files[0]!;
    const pipeline = form.get("pipeline");
    return {
      body: file.stream(),
      filename: sanitizeFilename(file.name),
      pipeline: typeof pipeline === "string" ? pipeline : undefined,
    };
  }
  if (type.startsWith("application/pdf") || type.startsWith("application/octet-stream")) {
    if (declared > cfg.maxUploadBytes) {
      throw new HttpError(413, "file_too_large", `the upload is larger than MAX_UPLOAD_MB=${cfg.MAX_UPLOAD_MB}`);
    }
    const body = c.req.raw.body;
    if (!body || declared === 0) throw new HttpError(400, "empty_file", "the uploaded file is empty");
    return { body, filename: sanitizeFilename(c.req.query("filename") ?? "upload.pdf"), pipeline: undefined };
  }
  throw new HttpError(
    415,
    "unsupported_media_type",
    "send multipart/form-data with a `file` field, or the PDF itself as application/pdf",
  );
}
