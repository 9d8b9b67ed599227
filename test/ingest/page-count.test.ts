/** The upload path's page counter: pdf.js on a thread of its own, bounded in time, waiting and memory. */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Worker } from "node:worker_threads";
import { getDocumentProxy } from "unpdf";
import { PageCounter, type PageCountOptions } from "../../src/ingest/page-count.ts";
import { fixtureBytes } from "../support/fixtures.ts";
import { longPdf } from "../support/pdf-factory.ts";

let counter: PageCounter | undefined;
afterEach(async () => {
  await counter?.stop();
  counter = undefined;
});

const make = (opts: Partial<PageCountOptions> = {}) => (counter = new PageCounter({ budgetMs: 5000, maxWaiting: 8, idleMs: 60_000, ...opts }));

/** The longest the event loop went without running a 1 ms timer while `work` ran. */
async function longestBlock(work: () => Promise<unknown>): Promise<number> {
  let longest = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  await Bun.sleep(5);
  await work();
  // A block at the very end shows at the next tick.
  await Bun.sleep(5);
  clearInterval(timer);
  return longest;
}

describe("page counter", () => {
  test("counts pages; what pdf.js cannot open, or a file gone from storage, is no count", async () => {
    const c = make();
    expect(await c.count(async () => fixtureBytes("manual-long.pdf"))).toBe(120);
    expect(await c.count(async () => fixtureBytes("scan-mixed.pdf"))).toBe(2);
    expect(await c.count(async () => fixtureBytes("bad-first-1kb.pdf"))).toBeUndefined();
    expect(await c.count(async () => fixtureBytes("encrypted-userpw.pdf"))).toBeUndefined();
    expect(await c.count(async () => undefined)).toBeUndefined();
  });

  test("pdf.js runs off the event loop: an 8,000-page PDF whose xref must be rebuilt blocks it briefly on the thread's side only", async () => {
    const pdf = longPdf(8000);
    // A damaged startxref makes pdf.js scan the whole file for its objects.
    const at = Buffer.from(pdf).lastIndexOf("startxref");
    pdf.set(new TextEncoder().encode("startxrXf"), at);
    const inline = await longestBlock(async () => {
      const doc = await getDocumentProxy(pdf.slice(), { verbosity: 0 });
      expect(doc.numPages).toBe(8000);
      await doc.loadingTask.destroy();
    });
    const c = make();
    await c.count(async () => fixtureBytes("form.pdf")); // the thread started, pdf.js loaded
    // Read as the upload route reads it from local storage.
    const file = join(mkdtempSync(join(tmpdir(), "folio-count-")), "long.pdf");
    writeFileSync(file, pdf);
    let pages: number | undefined;
    const counted = await longestBlock(async () => (pages = await c.count(async () => new Uint8Array(await Bun.file(file).arrayBuffer()))));
    rmSync(dirname(file), { recursive: true });
    expect(pages).toBe(8000);
    // Measured on 2 cores (23 MB): inline one block of 0.3 s idle, 1.6 s under load; through the thread ~20 ms idle.
    expect(inline).toBeGreaterThan(100);
    expect(counted).toBeLessThan(inline / 4);
  }, 30_000);

  test("a count past its budget is given up within it, and its thread ended; the next count gets a new thread", async () => {
    const threads: Worker[] = [];
    let stuck = true;
    const c = make({
      budgetMs: 1000,
      spawn: () => {
        // The first thread never answers (a PDF pdf.js takes forever over); the next is real.
        const w = stuck
          ? new Worker(`const { parentPort } = require("node:worker_threads"); parentPort.postMessage({ type: "ready" }); setInterval(() => {}, 1000);`, { eval: true })
          : new Worker(new URL("../../src/ingest/page-count-thread.ts", import.meta.url));
        stuck = false;
        threads.push(w);
        return w;
      },
    });
    const exited = new Promise((r) => setTimeout(() => threads[0]?.once("exit", r), 50));
    const started = Date.now();
    expect(await c.count(async () => fixtureBytes("form.pdf"))).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2500);
    await exited;
    expect(await c.count(async () => fixtureBytes("slides.pdf"))).toBe(8);
    expect(threads).toHaveLength(2);
  }, 20_000);

  test("past maxWaiting, an upload is not counted (it does not wait); one PDF's bytes are read at a time", async () => {
    const c = make({ maxWaiting: 2 });
    let reading = 0;
    let most = 0;
    const slowLoad = async () => {
      most = Math.max(most, ++reading);
      await Bun.sleep(100);
      reading--;
      return fixtureBytes("form.pdf");
    };
    // The first is taken at once (not waiting); two wait; the fourth is turned away.
    const counts = [c.count(slowLoad), c.count(slowLoad), c.count(slowLoad), c.count(slowLoad)];
    expect(await counts[3]).toBeUndefined();
    expect(await Promise.all(counts.slice(0, 3))).toEqual([1, 1, 1]);
    expect(most).toBe(1);
  });

  test("an idle thread is ended, and started again on the next count", async () => {
    const threads: Worker[] = [];
    const c = make({
      idleMs: 200,
      spawn: () => {
        const w = new Worker(new URL("../../src/ingest/page-count-thread.ts", import.meta.url));
        threads.push(w);
        return w;
      },
    });
    expect(await c.count(async () => fixtureBytes("form.pdf"))).toBe(1);
    const ended = new Promise((r) => threads[0]!.once("exit", r));
    await ended;
    expect(await c.count(async () => fixtureBytes("form.pdf"))).toBe(1);
    expect(threads).toHaveLength(2);
  });
});
