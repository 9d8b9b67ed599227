import type { MessagePort } from "node:worker_threads";
import { INTERNAL_MESSAGE, PipelineError } from "../errors/pipeline-error.ts";
import type { ExtractedText } from "./extract.ts";
import type { Extractor, ExtractRequest } from "./extractor.ts";
import type { ExtractCall, ExtractProgress, WireFailure } from "./messages.ts";
import type { ExtractionPool } from "./pool.ts";
import { transferable } from "./transferable.ts";
import { rpcClient, serveRpc } from "../threads/port-rpc.ts";

/**
 * The pool lives in the process's main thread, one for all its consumer threads (so N
 * threads is N for the process); consumers reach it over a MessagePort, bytes transferred.
 */
export function serveExtraction(port: MessagePort, pool: ExtractionPool): void {
  serveRpc(
    port,
    { extract: (call: ExtractCall, note: (p: ExtractProgress) => void) => pool.extract({ ...call, onProgress: (done, total, stage) => note({ done, total, stage }) }) },
    toWire,
  );
}

function toWire(err: unknown): WireFailure {
  if (err instanceof PipelineError) return { code: err.code, message: err.message, retryable: err.retryable, detail: err.detail };
  return { code: "internal_error", message: INTERNAL_MESSAGE, retryable: true, detail: (err as Error)?.message ?? String(err) };
}

const fromWire = (error: unknown) => {
  const f = error as WireFailure;
  return new PipelineError(f.code, f.message, f.retryable, undefined, f.detail);
};

export function remoteExtractor(port: MessagePort): Extractor {
  const rpc = rpcClient<{ extract(call: ExtractCall): Promise<ExtractedText> }>(port, fromWire);
  return {
    extract: (req) => {
      const bytes = transferable(req.bytes);
      const call: ExtractCall = { bytes, sha256: req.sha256, userId: req.userId, jobId: req.jobId, ocr: req.ocr ?? "auto", pages: req.pages };
      const onNote = (p: unknown) => {
        const { done, total, stage } = p as ExtractProgress;
        req.onProgress?.(done, total, stage);
      };
      return rpc.call("extract", call, { transfer: [bytes.buffer as ArrayBuffer], onNote });
    },
  };
}
