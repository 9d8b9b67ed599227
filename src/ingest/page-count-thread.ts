/**
 * Entry of the upload path's page-count thread (page-count.ts): pdf.js, loaded once, answers
 * how many pages each PDF it is given has. Opening a PDF reads its cross-reference table and
 * catalog only (no page is parsed), but that is still synchronous work the server's event
 * loop must not do: ~70 ms for a 2,415-page manual, over a second for hostile files.
 */
import { parentPort } from "node:worker_threads";
import { getDocumentProxy, getResolvedPDFJS } from "unpdf";

export type ToCountThread = { id: number; bytes: Uint8Array };
export type FromCountThread = { type: "ready" } | { type: "counted"; id: number; pages: number | null };

const port = parentPort!;
await getResolvedPDFJS();

port.on("message", async ({ id, bytes }: ToCountThread) => {
  let pages: number | null = null;
  try {
    const pdf = await getDocumentProxy(bytes, { verbosity: 0 });
    pages = pdf.numPages;
    await pdf.loadingTask.destroy().catch(() => {});
  } catch {
    // Encrypted, damaged, not a PDF: not this thread's to judge; the job's extraction says why.
  }
  port.postMessage({ type: "counted", id, pages } satisfies FromCountThread);
});

port.postMessage({ type: "ready" } satisfies FromCountThread);
