/** The extraction pool with real threads and real pdf.js: limits enforced from outside, threads replaced, fairness. */
import { afterEach, describe, expect, test } from "bun:test";
import { Worker } from "node:worker_threads";
import { getDocumentProxy } from "unpdf";
import { ExtractionPool, type PoolOptions } from "../../src/extraction/pool.ts";
import { resolveLanguages } from "../../src/extraction/ocr/languages.ts";
import { fixtureBytes } from "../support/fixtures.ts";
import { emptyTextItemsPdf, flateBombPdf, longPdf, nestedXObjectPdf, variant } from "../support/pdf-factory.ts";

const base: PoolOptions = {
  perUser: true,
  threads: 2,
  timeoutMs: 3000,
  maxRssMb: 1024,
  maxPages: 5000,
  minTextChars: 50,
  maxTextChars: 8_000_000,
  largePages: 500,
  ocrPageTimeoutMs: 30_000,
  ocr: { langs: resolveLanguages(["eng"]), dpi: 100, maxPages: 10 },
};
let pool: ExtractionPool | undefined;
afterEach(async () => {
  await pool?.stop(0);
  pool = undefined;
});

async function started(opts: Partial<PoolOptions> = {}) {
  pool = new ExtractionPool({ ...base, ...opts });
  await pool.start();
  return pool;
}

const job = (bytes: Uint8Array, userId = "alice") => ({ bytes, sha256: "x", userId, jobId: "j_test" });
const until = async (what: () => boolean, ms = 10_000) => {
  for (const end = Date.now() + ms; !what() && Date.now() < end; ) await Bun.sleep(20);
  return what();
};

describe("extraction pool", () => {
  test("reads PDFs on N threads, with progress", async () => {
    const p = await started();
    expect(p.stats()).toEqual({ threads: 2, busy: 0, waiting: 0, terminations: { timeout: 0, memory: 0, crash: 0 }, ocr: { pages: 0, seconds: 0 } });
    const bytes = await fixtureBytes("paper-bookmarks.pdf");
    const progress: number[] = [];
    const text = await p.extract({ ...job(bytes), onProgress: (done) => progress.push(done) });
    expect(text.title).toBe("Concurrent Versions: Parallelizing Software Development");
    expect(progress).toEqual([1, 2]);
    const many = await Promise.all(["slides.pdf", "form.pdf", "cyrillic-ru.pdf"].map(async (f) => p.extract(job(await fixtureBytes(f)))));
    expect(many.map((t) => t.totalPages)).toEqual([8, 1, 1]);
  });

  test("a PDF that unfolds into 10⁷ text operations is stopped at the timeout (pdf_too_complex), its thread replaced, memory bounded", async () => {
    const p = await started();
    const rssBefore = process.memoryUsage().rss;
    const started_ = performance.now();
    await expect(p.extract(job(nestedXObjectPdf(7, 10)))).rejects.toMatchObject({ code: "pdf_too_complex", retryable: false });
    const took = performance.now() - started_;
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(1024 * 1024 * 1024);
    expect(p.stats().terminations.timeout).toBe(1);
    expect(await until(() => p.stats().threads === 2)).toBe(true);
    const t0 = performance.now();
    const after = await p.extract(job(await fixtureBytes("slides.pdf")));
    expect(after.totalPages).toBe(8);
    // Stopped at the timeout, not later: the slack is what an ordinary PDF takes this machine now (a thread's ending and start-up included).
    expect(took).toBeGreaterThanOrEqual(3000);
    expect(took).toBeLessThan(3000 + 500 + 3 * (performance.now() - t0));
  }, 30_000);

  test("text over FOLIO_MAX_TEXT_CHARS stops the extraction mid-document (pdf_too_complex)", async () => {
    const p = await started({ maxTextChars: 20_000 });
    await expect(p.extract(job(await fixtureBytes("manual-long.pdf")))).rejects.toMatchObject({
      code: "pdf_too_complex",
      message: expect.stringContaining("more than 20000 characters"),
    });
    expect(p.stats().terminations).toEqual({ timeout: 0, memory: 0, crash: 0 });
  });

  test("blank text items count against FOLIO_MAX_TEXT_CHARS too: every item is kept", async () => {
    const bytes = await fixtureBytes("paper-two-column.pdf");
    // What pdf.js makes of it: characters other than spaces, and items holding none.
    const pdf = await getDocumentProxy(bytes.slice(), { verbosity: 0 });
    let chars = 0;
    let blank = 0;
    for (let n = 1; n <= pdf.numPages; n++) {
      for (const item of (await (await pdf.getPage(n)).getTextContent()).items as { str?: string }[]) {
        const k = (item.str ?? "").replace(/\s+/g, "").length;
        chars += k;
        blank += k === 0 ? 1 : 0;
      }
    }
    expect(blank).toBeGreaterThan(10);
    const p = await started({ maxTextChars: chars + Math.floor(blank / 2) });
    await expect(p.extract(job(bytes.slice()))).rejects.toMatchObject({ code: "pdf_too_complex" });
    await p.stop(0);
    const roomy = await started({ maxTextChars: chars + blank });
    expect((await roomy.extract(job(bytes.slice()))).totalPages).toBeGreaterThan(0);
  });

  test("two hostile PDFs of one user do not hold up another user's ordinary one", async () => {
    const p = await started();
    const bobs = await fixtureBytes("paper-bookmarks.pdf");
    let t0 = performance.now();
    await p.extract(job(bobs.slice(), "bob"));
    const idleMs = performance.now() - t0;
    const hostile = [p.extract(job(nestedXObjectPdf(7, 10), "mallory")), p.extract(job(nestedXObjectPdf(7, 10), "mallory"))];
    for (const h of hostile) h.catch(() => {});
    await Bun.sleep(200);
    t0 = performance.now();
    await p.extract(job(bobs, "bob"));
    // Within a few times its time on the idle pool (it shares the cores with one hostile thread), far from the 3 s timeout it would wait behind.
    expect(performance.now() - t0).toBeLessThan(4 * idleMs + 300);
    for (const h of hostile) await expect(h).rejects.toMatchObject({ code: "pdf_too_complex" });
  }, 30_000);

  test("large PDFs leave a thread for small ones", async () => {
    const p = await started({ largePages: 100, timeoutMs: 60_000 });
    const longSince = performance.now();
    const long = [p.extract(job(longPdf(1500), "alice")), p.extract(job(longPdf(1500), "bob"))];
    await Bun.sleep(300);
    const t0 = performance.now();
    await p.extract(job(await fixtureBytes("slides.pdf"), "carol"));
    const smallMs = performance.now() - t0;
    expect((await Promise.all(long)).map((t) => t.totalPages)).toEqual([1500, 1500]);
    // Had it waited for a long one it would have taken nearly that one's time; the yardstick is
    // measured here, on whatever this machine is doing now.
    expect(smallMs).toBeLessThan((performance.now() - longSince) / 3);
  }, 60_000);

  test("a thread that dies mid-extraction fails that PDF pdf_too_complex (not retried: it would die again) and is replaced", async () => {
    const threads: Worker[] = [];
    const p = await started({
      timeoutMs: 60_000,
      spawn: (data) => {
        const w = new Worker(new URL("../../src/extraction/pool-thread.ts", import.meta.url), { workerData: data });
        threads.push(w);
        return w;
      },
    });
    // Caught at once: the pool may reject it before terminate() resolves.
    const running = p.extract(job(longPdf(3000))).then(
      () => new Error("the extraction finished"),
      (err: unknown) => err,
    );
    expect(await until(() => p.stats().busy === 1)).toBe(true);
    await Bun.sleep(200);
    // Every thread ends; the idle one's end reaches the pool later, and a PDF handed to it before would die with it.
    const ended = threads.map((t) => new Promise((resolve) => t.once("exit", resolve)));
    await Promise.all(threads.map((t) => t.terminate()));
    expect(await running).toMatchObject({ code: "pdf_too_complex", retryable: false, message: expect.stringContaining("died") });
    await Promise.all(ended);
    expect(p.stats().terminations.crash).toBe(1);
    expect(await until(() => p.stats().threads === 2)).toBe(true);
    expect((await p.extract(job(await fixtureBytes("form.pdf")))).totalPages).toBe(1);
  }, 60_000);

  describe("memory: FOLIO_EXTRACT_MAX_RSS_MB, watched from outside the threads", () => {
    const MB = 1024 * 1024;
    const ceilingMb = 256;
    // Room for the watch's 50 ms between looks and the thread's last allocations.
    const slackMb = 128;
    const rssMb = () => process.memoryUsage.rss() / MB;

    async function peakWhile<T>(work: Promise<T>): Promise<{ peak: number; outcome: T | Error }> {
      let peak = rssMb();
      const sampler = setInterval(() => (peak = Math.max(peak, rssMb())), 10);
      const outcome = await work.catch((err: Error) => err);
      clearInterval(sampler);
      return { peak, outcome };
    }

    for (const [name, pdf] of [
      ["a Flate bomb (an 800 KB content stream inflating to 800 MB)", () => flateBombPdf(800)],
      ["20 million empty text operations `() Tj`", () => emptyTextItemsPdf(20)],
    ] as const) {
      test(`${name} is stopped past the ceiling (pdf_too_complex), the process's RSS bounded, while another user's PDF is read`, async () => {
        const p = await started({ maxRssMb: ceilingMb, timeoutMs: 60_000 });
        const bytes = pdf();
        Bun.gc(true);
        const before = rssMb();
        const hostile = p.extract(job(bytes, "mallory"));
        const ordinary = p.extract(job(await fixtureBytes("paper-bookmarks.pdf"), "bob"));
        const { peak, outcome } = await peakWhile(hostile);
        console.log(`${name}: RSS ${before.toFixed(0)} MB before, ${peak.toFixed(0)} MB at peak (ceiling ${ceilingMb} MB)`);
        expect(outcome).toMatchObject({ code: "pdf_too_complex", retryable: false, message: expect.stringContaining(`more than ${ceilingMb} MB of memory`) });
        expect(peak - before).toBeLessThan(ceilingMb + slackMb);
        expect((await ordinary).title).toBe("Concurrent Versions: Parallelizing Software Development");
        expect(p.stats().terminations).toMatchObject({ memory: 1, crash: 0 });
        // The stopped thread's memory goes back and a new thread takes its place.
        expect(await until(() => p.stats().threads === 2 && rssMb() - before < slackMb)).toBe(true);
      }, 120_000);
    }

    test("two Flate bombs at once: neither can be blamed alone, so the first stopped is read again alone; both fail pdf_too_complex, RSS bounded by both threads' ceilings", async () => {
      const p = await started({ maxRssMb: ceilingMb, timeoutMs: 60_000 });
      const bombs = [flateBombPdf(800), variant(flateBombPdf(800), 1)];
      Bun.gc(true);
      const before = rssMb();
      const { peak, outcome } = await peakWhile(Promise.all(bombs.map((b, i) => p.extract(job(b, `user${i}`)).catch((err: Error) => err))));
      console.log(`two Flate bombs: RSS ${before.toFixed(0)} MB before, ${peak.toFixed(0)} MB at peak (2 × ${ceilingMb} MB)`);
      expect(outcome).toMatchObject([{ code: "pdf_too_complex" }, { code: "pdf_too_complex" }]);
      expect(peak - before).toBeLessThan(2 * ceilingMb + slackMb);
      // The first stopped not surely (half of the growth was the other's), then each read alone and
      // stopped: three stops, or four when the second swelled past the stop before the first
      // thread's memory was back (judged then, not surely, and read alone too).
      const { memory, crash } = p.stats().terminations;
      expect(crash).toBe(0);
      expect([3, 4]).toContain(memory);
    }, 120_000);
  });

  test("a scan's pages are OCR'd on the pool's threads with progress per page; a page over its OCR budget fails ocr_timeout and its thread is replaced", async () => {
    const p = await started({ timeoutMs: 60_000 });
    const progress: string[] = [];
    const text = await p.extract({ ...job(await fixtureBytes("scan-mixed.pdf")), onProgress: (done, total, stage) => progress.push(`${stage} ${done}/${total}`) });
    expect(Object.keys(text.ocr!.confidence)).toEqual(["2"]);
    expect(progress).toEqual(["text 1/2", "text 2/2", "ocr 0/1"]);
    expect(p.stats().ocr).toEqual({ pages: 1, seconds: expect.any(Number) });
    expect(p.stats().ocr.seconds).toBeGreaterThan(0);
    await p.stop(0);

    const tight = await started({ timeoutMs: 60_000, ocrPageTimeoutMs: 100 });
    await expect(tight.extract(job(await fixtureBytes("scan-paper.pdf")))).rejects.toMatchObject({
      code: "ocr_timeout",
      message: expect.stringContaining("OCR of page 1 of 1 to read took longer than 100 ms (FOLIO_OCR_PAGE_TIMEOUT_MS)"),
    });
    expect(tight.stats().terminations).toEqual({ timeout: 1, memory: 0, crash: 0 });
    expect(await until(() => tight.stats().threads === 2)).toBe(true);
    expect((await tight.extract(job(await fixtureBytes("form.pdf")))).totalPages).toBe(1);
  }, 60_000);

  test("a scan is large work: two scans take turns on one of the two threads, and a small PDF is read on the other meanwhile", async () => {
    const p = await started({ timeoutMs: 60_000, perUser: false });
    const events: string[] = [];
    const scan = (name: string) =>
      fixtureBytes("scan-paper.pdf").then((bytes) =>
        p.extract({ ...job(bytes), onProgress: (_d, _t, stage) => stage === "ocr" && events.push(`${name} ocr`) }).then(() => events.push(`${name} done`)),
      );
    const scans = [scan("a"), scan("b")];
    await until(() => events.length > 0);
    await p.extract(job(await fixtureBytes("form.pdf")));
    events.push("small done");
    await Promise.all(scans);
    const first = events[0]!.slice(0, 1);
    const second = first === "a" ? "b" : "a";
    // The second scan starts its OCR only once the first is done; the small PDF did not wait for either.
    expect(events).toEqual([`${first} ocr`, "small done", `${first} done`, `${second} ocr`, `${second} done`]);
  }, 90_000);
});
