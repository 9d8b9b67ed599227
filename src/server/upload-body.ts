import busboy from "busboy";
import type { Context } from "hono";
import { once } from "node:events";
import type { Readable } from "node:stream";
import type { Config } from "../config.ts";
import { UploadRejected } from "../ingest/upload-guard.ts";
import { HttpError } from "./http-error.ts";
import type { AppEnv } from "./middleware/identity/index.ts";
import { sanitizeFilename } from "./ids.ts";

/** Room for multipart boundaries and headers on top of the file itself. */
const MULTIPART_OVERHEAD = 64 * 1024;

export interface Incoming {
  body: ReadableStream<Uint8Array>;
  filename: string;
  /**
   * The rest of the request, once the file has been read: the form fields (which may come
   * after the file) and whether another file followed. Rejects if the body broke off or
   * was cut, so a file stored from a broken body is never accepted.
   */
  rest: Promise<FormFields & { extraFile: boolean }>;
}

/** The form fields an upload may carry beside its file (each also a query parameter). */
const FORM_FIELDS = ["pipeline", "callbackUrl", "refresh", "ocr", "pages"] as const;
type FormFields = Record<(typeof FORM_FIELDS)[number], string | undefined>;
const noFields = (): FormFields => Object.fromEntries(FORM_FIELDS.map((f) => [f, undefined])) as FormFields;

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
    return readMultipart(c, cfg, deadline);
  }
  if (type.startsWith("application/pdf") || type.startsWith("application/octet-stream")) {
    if (declared > cfg.maxUploadBytes) {
      throw new HttpError(413, "file_too_large", `the upload is larger than MAX_UPLOAD_MB=${cfg.MAX_UPLOAD_MB}`);
    }
    const body = c.req.raw.body;
    if (!body || declared === 0) throw new HttpError(400, "empty_file", "the uploaded file is empty");
    return { body, filename: sanitizeFilename(c.req.query("filename") ?? "upload.pdf"), rest: Promise.resolve({ ...noFields(), extraFile: false }) };
  }
  throw new HttpError(
    415,
    "unsupported_media_type",
    "send multipart/form-data with a `file` field, the PDF itself as application/pdf, or JSON {url}",
  );
}

const asHttp = (cut: UploadRejected) => new HttpError(cut.code === "file_too_large" ? 413 : 408, cut.code, cut.message);

/**
 * A multipart body, parsed as it streams (busboy): the `file` part goes on to be hashed and
 * stored while it arrives, so an upload costs a few chunks of memory, never the whole file
 * (Response.formData() would buffer it). Resolves when the file part starts.
 */
function readMultipart(c: Context<AppEnv>, cfg: Config, deadline: AbortSignal): Promise<Incoming> {
  const guarded = guardedStream(c.req.raw.body ?? new Blob([]).stream(), cfg.maxUploadBytes + MULTIPART_OVERHEAD, deadline);
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      // The boundary is case-sensitive: pass the header as it came. One byte over the file
      // limit reaches hashingStream, which answers it as file_too_large.
      parser = busboy({
        headers: { "content-type": c.req.header("content-type")! },
        limits: { fileSize: cfg.maxUploadBytes + 1, fields: 20, fieldSize: 8 * 1024, parts: 30 },
      });
    } catch {
      return reject(new HttpError(400, "invalid_multipart", "the multipart body could not be parsed"));
    }
    const fields = new Map<string, string>();
    let fileSeen = false;
    let extraFile = false;
    let settleRest!: (v: Awaited<Incoming["rest"]>) => void;
    let failRest!: (e: unknown) => void;
    const rest = new Promise<Awaited<Incoming["rest"]>>((ok, no) => {
      settleRest = ok;
      failRest = no;
    });
    rest.catch(() => {});
    const fail = () => {
      const cut = guarded.cut();
      const err = cut ? asHttp(cut) : new HttpError(400, "invalid_multipart", "the multipart body could not be parsed");
      reject(err);
      failRest(err);
    };
    parser.on("file", (name, stream, info) => {
      if (name !== "file" || fileSeen) {
        extraFile ||= name === "file";
        stream.resume();
        return;
      }
      fileSeen = true;
      resolve({ body: webStream(stream), filename: sanitizeFilename(info.filename ?? "upload.pdf"), rest });
    });
    parser.on("field", (name, value) => fields.set(name, value));
    parser.on("error", fail);
    parser.on("close", () => {
      if (!fileSeen) reject(new HttpError(400, "missing_file", "send the PDF in a form field named `file`"));
      settleRest({ ...(Object.fromEntries(FORM_FIELDS.map((f) => [f, fields.get(f)])) as FormFields), extraFile });
    });
    void pump(guarded.stream, parser);
  });
}

/**
 * Feeds the body to the parser, waiting whenever it is full. Written out rather than
 * Readable.fromWeb().pipe(): with those adapters a fast client's body piled up in memory
 * (measured: +170 MB of RSS for 20 parallel 50 MB uploads; with this, as the raw path).
 */
async function pump(source: ReadableStream<Uint8Array>, parser: busboy.Busboy): Promise<void> {
  try {
    for await (const chunk of source) if (!parser.write(chunk)) await once(parser, "drain");
    parser.end();
  } catch (err) {
    parser.destroy(err as Error);
  }
}

/** A part's Node stream as a web stream that pauses the part (and so the parser) while nobody reads. */
function webStream(part: Readable): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        part.on("data", (chunk: Buffer) => {
          controller.enqueue(chunk);
          if ((controller.desiredSize ?? 0) <= 0) part.pause();
        });
        part.on("end", () => controller.close());
        part.on("error", (err) => controller.error(err));
      },
      pull() {
        part.resume();
      },
      cancel() {
        part.resume();
      },
    },
    { highWaterMark: 4 },
  );
}

/** A JSON body of at most `maxBytes` (an upload by URL is a few hundred bytes): 413 past it, never read further. */
export async function readSmallJson(c: Context<AppEnv>, maxBytes: number, deadline: AbortSignal): Promise<unknown> {
  const tooLarge = () => new HttpError(413, "body_too_large", `a JSON body may be at most ${maxBytes} bytes`);
  if (Number(c.req.header("content-length") ?? "0") > maxBytes) throw tooLarge();
  const guarded = guardedStream(c.req.raw.body ?? new Blob([]).stream(), maxBytes, deadline);
  let text: string;
  try {
    text = await new Response(guarded.stream).text();
  } catch {
    const cut = guarded.cut();
    throw cut?.code === "file_too_large" ? tooLarge() : cut ? asHttp(cut) : new HttpError(400, "upload_interrupted", "the body ended early");
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "invalid_json", "the body is not valid JSON");
  }
}
