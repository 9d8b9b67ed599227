import type { MessagePort } from "node:worker_threads";
import { INTERNAL_MESSAGE, PipelineError } from "../errors/pipeline-error.ts";
import type { ExtractedText } from "./extract.ts";
import type { Extractor, ExtractRequest } from "./extractor.ts";
import type { ExtractAnswer, ExtractCall, WireFailure } from "./messages.ts";
import type { ExtractionPool } from "./pool.ts";
import { transferable } from "./transferable.ts";

/**
 * The pool lives in the process's main thread, one for all its consumer threads (so N
 * threads is N for the process); consumers reach it over a MessagePort, bytes transferred.
 */
export function serveExtraction(port: MessagePort, pool: ExtractionPool): void {
  port.on("message", async (call: ExtractCall) => {
    const answer = (a: ExtractAnswer) => port.postMessage(a);
    try {
      const text = await pool.extract({ ...call, onProgress: (done, total, stage) => answer({ id: call.id, type: "progress", done, total, stage }) });
      answer({ id: call.id, type: "done", text });
    } catch (err) {
      answer({ id: call.id, type: "failed", failure: toWire(err) });
    }
  });
}

function toWire(err: unknown): WireFailure {
  if (err instanceof PipelineError) return { code: err.code, message: err.message, retryable: err.retryable, detail: err.detail };
  return { code: "internal_error", message: INTERNAL_MESSAGE, retryable: true, detail: (err as Error)?.message ?? String(err) };
}

export function remoteExtractor(port: MessagePort): Extractor {
  let nextId = 0;
  const calls = new Map<number, { req: ExtractRequest; resolve(t: ExtractedText): void; reject(e: Error): void }>();
  port.on("message", (a: ExtractAnswer) => {
    const call = calls.get(a.id);
    if (!call) return;
    if (a.type === "progress") return call.req.onProgress?.(a.done, a.total, a.stage);
    calls.delete(a.id);
    if (a.type === "done") call.resolve(a.text);
    else call.reject(new PipelineError(a.failure.code, a.failure.message, a.failure.retryable, undefined, a.failure.detail));
  });
  return {
    extract: (req) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        calls.set(id, { req, resolve, reject });
        const bytes = transferable(req.bytes);
        port.postMessage({ id, bytes, sha256: req.sha256, userId: req.userId, jobId: req.jobId, ocr: req.ocr ?? "auto", pages: req.pages } satisfies ExtractCall, [bytes.buffer as ArrayBuffer]);
      }),
  };
}
