/**
 * Entry of one extraction thread: pdf.js loaded when it starts, then one PDF at a time;
 * pages without a text layer are OCR'd here too (PDFium and tesseract, loaded on the
 * thread's first scan). Nothing here enforces time: the pool terminates a thread that takes
 * too long.
 */
import { parentPort, workerData } from "node:worker_threads";
import { PipelineError } from "../errors/pipeline-error.ts";
import { extractPdf, warmExtractor } from "./extract.ts";
import { ocrPages, type OcrSettings } from "./ocr/ocr-pages.ts";
import { warmRenderer } from "./ocr/render.ts";
import type { FromPoolThread, ToPoolThread } from "./messages.ts";

export interface PoolThreadOptions {
  maxPages: number;
  minTextChars: number;
  maxTextChars: number;
  largePages: number;
  ocr: OcrSettings;
}

class Yielded extends Error {}

const opts = workerData as PoolThreadOptions;
const port = parentPort!;
const send = (m: FromPoolThread, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
const answers = new Map<number, (proceed: boolean) => void>();

/** Asks the pool whether this PDF may go on as large work; throws Yielded when it may not (yet). */
async function mayGoOn(id: number, pages: number): Promise<void> {
  const proceed = await new Promise<boolean>((resolve) => {
    answers.set(id, resolve);
    send({ type: "opened", id, pages });
  });
  if (!proceed) throw new Yielded();
}

await warmExtractor();
// After pdf.js, and not awaited: the thread is ready for born-digital PDFs as soon as before.
void warmRenderer().catch(() => {});

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
        if (pages > opts.largePages) await mayGoOn(id, pages);
      },
      onProgress(done, total) {
        const percent = Math.floor((100 * done) / total);
        if (percent === lastPercent) return;
        lastPercent = percent;
        send({ type: "progress", id, done, total, stage: "text" });
      },
      // A scan is large work whatever its page count: a page of OCR costs seconds.
      pages: m.pages,
      ocr: (layer, ranged) =>
        ocrPages(
          bytes,
          layer,
          m.ocr,
          opts.ocr,
          {
            onPlanned: (pages) => mayGoOn(id, pages),
            onPage: (done, total) => send({ type: "progress", id, done, total, stage: "ocr" }),
          },
          ranged,
        ),
    });
    send({ type: "done", id, text });
  } catch (err) {
    if (err instanceof Yielded) send({ type: "yielded", id, bytes }, [bytes.buffer as ArrayBuffer]);
    else if (err instanceof PipelineError) send({ type: "failed", id, failure: { code: err.code, message: err.message, retryable: err.retryable, detail: err.detail } });
    else send({ type: "failed", id, failure: { code: "pdf_unreadable", message: `the PDF cannot be read: ${(err as Error)?.message ?? err}`, retryable: false } });
  }
});

send({ type: "ready" });
