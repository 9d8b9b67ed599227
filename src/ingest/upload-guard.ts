/** The PDF magic: every PDF starts with it (after at most a few bytes of junk, which we refuse). */
const PDF_MAGIC = [0x25, 0x50, 0x44, 0x46, 0x2d]; // %PDF-

export function hasPdfMagic(head: Uint8Array): boolean {
  return PDF_MAGIC.every((b, i) => head[i] === b);
}

/**
 * Collects garbage each time the process's uploads have passed another GC_EVERY bytes in
 * all. JSC sizes its next collection by the live heap, so in a process holding PGlite
 * (hundreds of MB) the chunks uploads have already passed on pile up as garbage: measured
 * +690 MB of RSS for 20 parallel 50 MB uploads without this, +70 to +111 MB with a
 * collection per stream per 4 MiB, +56 to +64 MB with one per 32 MiB in the process (+37
 * to +61 MB per 16 MiB, which cost a lone 1 MiB upload's hashing 10 % instead of 6 %). Counted for the process, not
 * per stream, so the garbage between two collections is bounded whatever the number of
 * uploads in progress (test/faults/upload-memory).
 */
const GC_EVERY = 32 * 1024 * 1024;
let passedSinceGc = 0;
function nudgeCollector(bytes: number): void {
  passedSinceGc += bytes;
  if (passedSinceGc < GC_EVERY) return;
  passedSinceGc = 0;
  Bun.gc(false);
}

/** Why an upload stream was cut: the HTTP layer turns these into 413 / 415. */
export class UploadRejected extends Error {
  override name = "UploadRejected";
  constructor(
    readonly code: "file_too_large" | "not_a_pdf" | "upload_timeout",
    message: string,
  ) {
    super(message);
  }
}

export interface HashedStream {
  stream: ReadableStream<Uint8Array>;
  /** Resolves when the stream has been read to its end. */
  result: Promise<{ sha256: string; size: number; head: Uint8Array }>;
}

/**
 * Passes an upload through while hashing it (SHA-256) and counting its bytes, so the
 * bytes are read once on their way to storage. Errors the stream past maxBytes, or as soon
 * as the first bytes show it is not a PDF, so a bad upload is never stored whole.
 * `onBytes` hears the running byte count after each accepted chunk (download progress).
 */
export function hashingStream(source: ReadableStream<Uint8Array>, maxBytes: number, deadline?: AbortSignal, onBytes?: (size: number) => void): HashedStream {
  const hasher = new Bun.CryptoHasher("sha256");
  const head = new Uint8Array(PDF_MAGIC.length);
  let size = 0;
  let settle!: (v: { sha256: string; size: number; head: Uint8Array }) => void;
  let fail!: (e: unknown) => void;
  const result = new Promise<{ sha256: string; size: number; head: Uint8Array }>((res, rej) => {
    settle = res;
    fail = rej;
  });
  result.catch(() => {});
  const transform = new TransformStream<Uint8Array, Uint8Array>({
    start(controller) {
      // A slow-loris upload is cut at the deadline instead of holding the request open.
      deadline?.addEventListener("abort", () => {
        const err = new UploadRejected("upload_timeout", "the upload took too long");
        fail(err);
        controller.error(err);
      });
    },
    transform(chunk, controller) {
      const before = size;
      if (before < head.length) head.set(chunk.subarray(0, head.length - before), before);
      size += chunk.byteLength;
      let rejected: UploadRejected | undefined;
      if (size > maxBytes) rejected = new UploadRejected("file_too_large", `upload exceeds the limit of ${maxBytes} bytes`);
      else if (before < head.length && size >= head.length && !hasPdfMagic(head)) {
        rejected = new UploadRejected("not_a_pdf", "the file does not start with %PDF-: not a PDF");
      }
      if (rejected) {
        fail(rejected);
        controller.error(rejected);
        return;
      }
      hasher.update(chunk);
      onBytes?.(size);
      nudgeCollector(chunk.byteLength);
      controller.enqueue(chunk);
    },
    flush() {
      settle({ sha256: hasher.digest("hex"), size, head: head.slice(0, Math.min(size, head.length)) });
    },
  });
  return { stream: source.pipeThrough(transform), result };
}
