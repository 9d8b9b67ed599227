/**
 * Entry of one extraction thread: pdf.js loaded when it starts, then one PDF at a time.
 * Nothing here enforces time: the pool terminates a thread that takes too long.
 */
import { parentPort, workerData } from "node:worker_threads";
import { PipelineError } from "../pipeline/errors.ts";
import { extractPdf, warmExtractor } from "../pipeline/extract.ts";
import type { FromPoolThread, ToPoolThread } from "./messages.ts";

export interface PoolThreadOptions {
  maxPages: number;
  minTextChars: number;
  maxTextChars: number;
  largePages: number;
}

class Yielded extends Error {}

const opts = workerData as PoolThreadOptions;
const port = parentPort!;
const send = (m: FromPoolThread, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
const answers = new Map<number, (proceed: boolean) => void>();

await warmExtractor();

port.on("message", async (m: ToPoolThread) => {
  if (m.type !== "extract") {
    answers.get(m.id)?.(m.type === "proceed");
    answers.delete(m.id);
    return;
  }
  const { id, bytes } = m;
  // Progress crosses two threads to reach the job: once per percent is plenty.
  let lastPercent = -1;
  try {
    const text = await extractPdf(bytes, {
      ...opts,
      async onOpened(pages) {
        if (pages <= opts.largePages) return;
        const proceed = await new Promise<boolean>((resolve) => {
          answers.set(id, resolve);
          send({ type: "opened", id, pages });
        });
        if (!proceed) throw new Yielded();
      },
      onProgress(done, total) {
        const percent = Math.floor((100 * done) / total);
        if (percent === lastPercent) return;
        lastPercent = percent;
        send({ type: "progress", id, done, total });
      },
    });
    send({ type: "done", id, text });
  } catch (err) {
    if (err instanceof Yielded) send({ type: "yielded", id, bytes }, [bytes.buffer as ArrayBuffer]);
    else if (err instanceof PipelineError) send({ type: "failed", id, failure: { code: err.code, message: err.message, retryable: err.retryable, detail: err.detail } });
    else send({ type: "failed", id, failure: { code: "pdf_unreadable", message: `the PDF cannot be read: ${(err as Error)?.message ?? err}`, retryable: false } });
  }
});

send({ type: "ready" });
