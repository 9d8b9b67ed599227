import type { Context } from "hono";
import type { Config } from "../config.ts";
import { UploadRejected } from "../pipeline/hash.ts";
import { HttpError } from "./http-error.ts";
import type { AppEnv } from "./middleware/identity/index.ts";
import { sanitizeFilename } from "./ids.ts";

/** Room for multipart boundaries and headers on top of the file itself. */
const MULTIPART_OVERHEAD = 64 * 1024;

export interface Incoming {
  body: ReadableStream<Uint8Array>;
  filename: string;
  pipeline: string | undefined;
  callbackUrl: string | undefined;
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
export async function readIncoming(c: Context<AppEnv>, cfg: Config, deadline: AbortSignal): Promise<Incoming> {
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
    const field = (name: string) => {
      const value = form.get(name);
      return typeof value === "string" ? value : undefined;
    };
    return { body: file.stream(), filename: sanitizeFilename(file.name), pipeline: field("pipeline"), callbackUrl: field("callbackUrl") };
  }
  if (type.startsWith("application/pdf") || type.startsWith("application/octet-stream")) {
    if (declared > cfg.maxUploadBytes) {
      throw new HttpError(413, "file_too_large", `the upload is larger than MAX_UPLOAD_MB=${cfg.MAX_UPLOAD_MB}`);
    }
    const body = c.req.raw.body;
    if (!body || declared === 0) throw new HttpError(400, "empty_file", "the uploaded file is empty");
    return { body, filename: sanitizeFilename(c.req.query("filename") ?? "upload.pdf"), pipeline: undefined, callbackUrl: undefined };
  }
  throw new HttpError(
    415,
    "unsupported_media_type",
    "send multipart/form-data with a `file` field, the PDF itself as application/pdf, or JSON {url}",
  );
}
