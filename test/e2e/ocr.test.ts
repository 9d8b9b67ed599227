/**
 * Scans through the running service, as a user uploads them: notes from the words on the
 * page image, through both pipelines; the upload's ocr choice (form field, query, JSON).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { getJson, uploadBlob, uploadFile, waitFinal } from "../support/client.ts";
import { fixture, fixtureBytes } from "../support/fixtures.ts";
import { startInProcess, type InProcessService } from "../support/in-process-service.ts";
import { freshDatabase } from "../support/postgres.ts";

let db: { url: string; drop: () => Promise<void> };
let svc: InProcessService;

beforeAll(async () => {
  db = await freshDatabase("ocr");
  // 150 dpi reads the fixtures' 11-point text as well as 200, in less time.
  svc = await startInProcess({ name: "ocr", env: { DATABASE_URL: db.url, FOLIO_EXTRACT_THREADS: "2", FOLIO_OCR_DPI: "150" } });
}, 60_000);
afterAll(async () => {
  await svc?.stop();
  svc?.cleanup();
  await db?.drop();
});

async function notesOf(job: any): Promise<string> {
  expect(job).toMatchObject({ status: "completed", error: null });
  const notes = await getJson(`${svc.url}/notes/${job.notesId}`);
  return `${notes.body.summary} ${notes.body.keyPoints.join(" ")} ${notes.body.markdown}`;
}

describe("scans become notes", () => {
  test("a scanned page, through the one-job and the staged pipeline, gives notes in its own words", async () => {
    const one = await uploadFile(svc.url, fixture("scan-paper.pdf"));
    expect(one.status).toBe(202);
    const text = await notesOf(await waitFinal(svc.url, one.body.jobId, 90_000));
    for (const words of ["revision control", "developers", "earlier version of a file"]) expect(text.toLowerCase()).toContain(words);
    // refresh: the staged pipeline makes its own instead of taking the cached notes.
    const staged = await uploadFile(svc.url, fixture("scan-paper.pdf"), { pipeline: "staged", refresh: "true" });
    expect(await notesOf(await waitFinal(svc.url, staged.body.jobId, 90_000))).toContain("Software is rarely written by one person");
  }, 120_000);

  test("ocr=off (query) keeps a scan's old answer, pdf_no_text; it is not answered from the OCR'd notes in the cache", async () => {
    const res = await fetch(`${svc.url}/uploads?ocr=off&filename=scan.pdf`, { method: "POST", body: await fixtureBytes("scan-paper.pdf"), headers: { "content-type": "application/pdf" } });
    expect(res.status).toBe(202);
    const job = await waitFinal(svc.url, ((await res.json()) as any).jobId);
    expect(job).toMatchObject({ status: "failed", error: { code: "pdf_no_text" } });
  }, 60_000);

  test("ocr=force (form field) on a born-digital PDF gives notes; a bad choice is a 400", async () => {
    const forced = await uploadFile(svc.url, fixture("form.pdf"), { ocr: "force" });
    expect(forced.status).toBe(202);
    expect((await notesOf(await waitFinal(svc.url, forced.body.jobId, 90_000))).length).toBeGreaterThan(50);
    const bad = await uploadBlob(svc.url, await fixtureBytes("form.pdf"), "form.pdf", { ocr: "sometimes" });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: "invalid_ocr" } } });
    const badQuery = await fetch(`${svc.url}/uploads?ocr=sometimes`, { method: "POST", body: await fixtureBytes("form.pdf"), headers: { "content-type": "application/pdf" } });
    expect(badQuery.status).toBe(400);
  }, 120_000);

  test("a mixed PDF: GET /jobs/:id and the notes say one page from the text layer, one from OCR, with its confidence (and the job its time); /metrics counts OCR pages and seconds", async () => {
    const up = await uploadFile(svc.url, fixture("scan-mixed.pdf"));
    const job = await waitFinal(svc.url, up.body.jobId, 90_000);
    const text = await notesOf(job);
    expect(text).toContain("revision");
    expect(job.pages).toBe(2);
    // The notes (one-job path) say the same as the job: in JSON, and in their Markdown under the title.
    const notes = (await getJson(`${svc.url}/notes/${job.notesId}`)).body;
    expect(notes.source).toEqual({ range: null, pages: 2, totalPages: 2, ocr: { pages: 1, textLayerPages: 1, meanConfidence: job.ocr.meanConfidence } });
    const md = await (await fetch(`${svc.url}/notes/${job.notesId}?format=md`)).text();
    expect(md).toContain(`\n\n_2 pages: 1 from the text layer, 1 read by OCR (mean confidence ${job.ocr.meanConfidence})._\n\n## Summary`);
    expect(job.ocr).toEqual({ pages: 1, pagesDone: 1, textLayerPages: 1, meanConfidence: expect.any(Number) });
    expect(job.ocr.meanConfidence).toBeGreaterThan(80);
    expect(job.timings.ocrMs).toBeGreaterThan(0);
    expect(job.timings.ocrMs).toBeLessThanOrEqual(job.timings.extractMs);
    // The text it read: plain, pages split by form feeds, or JSON saying where each page's text came from.
    const plain = await fetch(`${svc.url}/jobs/${job.id}/text`);
    expect(plain.headers.get("content-type")).toStartWith("text/plain");
    const [first, second, ...more] = (await plain.text()).split("\f");
    expect(more).toEqual([]);
    expect(first).toContain("A revision control system stores a sequence of versions");
    expect(second).toContain("Software is rarely written by one person.");
    const perPage = (await (await fetch(`${svc.url}/jobs/${job.id}/text`, { headers: { accept: "application/json" } })).json()) as any;
    expect(perPage.pages.map((p: any) => [p.page, p.source, p.confidence === null])).toEqual([
      [1, "layer", true],
      [2, "ocr", false],
    ]);
    expect(perPage.pages[1].confidence).toBe(job.ocr.meanConfidence);
    expect((await fetch(`${svc.url}/jobs/j_nosuchjob0000000000/text`)).status).toBe(404);
    const born = await waitFinal(svc.url, (await uploadFile(svc.url, fixture("paper-bookmarks.pdf"))).body.jobId);
    expect(born.ocr).toMatchObject({ pages: 0, textLayerPages: 2, meanConfidence: null });
    let metrics = "";
    // The worker posts its pool's counts every 2 s.
    for (let i = 0; i < 50 && !/folio_ocr_pages_total [1-9]/.test(metrics); i++, await Bun.sleep(100)) metrics = await (await fetch(`${svc.url}/metrics`)).text();
    expect(metrics).toMatch(/folio_ocr_pages_total [1-9]/);
    expect(metrics).toMatch(/folio_ocr_seconds_total \d/);
    expect(metrics).toContain('folio_stage_duration_seconds_count{stage="ocr"');
  }, 120_000);

  test("a page range reads only those pages (and is its own cache entry), which the notes say; past the end is a 400 naming the page count, as is a malformed one", async () => {
    const whole = await waitFinal(svc.url, (await uploadFile(svc.url, fixture("scan-mixed.pdf"), { ocr: "auto" })).body.jobId, 90_000);
    expect(whole.status).toBe("completed");
    const up = await uploadFile(svc.url, fixture("scan-mixed.pdf"), { pages: "2", pipeline: "staged" });
    expect(up.body).toMatchObject({ status: "queued", cached: false });
    const job = await waitFinal(svc.url, up.body.jobId, 90_000);
    expect(job).toMatchObject({ status: "completed", pages: 1, ocr: { pages: 1, textLayerPages: 0 } });
    // The notes (staged path) say which pages they cover, and so do the same notes from the cache.
    const source = { range: "2", pages: 1, totalPages: 2, ocr: { pages: 1, textLayerPages: 0, meanConfidence: job.ocr.meanConfidence } };
    const notes = (await getJson(`${svc.url}/notes/${job.notesId}`)).body;
    expect(notes.source).toEqual(source);
    expect(notes.markdown).toContain(`_Page 2 of 2: read by OCR (mean confidence ${job.ocr.meanConfidence})._`);
    const again = await uploadFile(svc.url, fixture("scan-mixed.pdf"), { pages: "2" });
    expect(again.body).toMatchObject({ status: "completed", cached: true });
    expect((await getJson(`${svc.url}/notes/${again.body.notesId}`)).body).toMatchObject({ cached: true, source, markdown: notes.markdown });
    const text = (await (await fetch(`${svc.url}/jobs/${job.id}/text`, { headers: { accept: "application/json" } })).json()) as any;
    expect(text.pages.map((p: any) => [p.page, p.source])).toEqual([[2, "ocr"]]);
    const past = await fetch(`${svc.url}/uploads`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url: "http://127.0.0.1:1/never-fetched.pdf", pages: "x-y" }),
    });
    expect(past.status).toBe(400);
    expect(((await past.json()) as any).error.code).toBe("invalid_pages");
    // Past the end: a 400 at upload naming the page count (form field, and query on a raw body).
    const beyond = await uploadFile(svc.url, fixture("scan-mixed.pdf"), { pages: "1-5" });
    expect(beyond).toMatchObject({ status: 400, body: { error: { code: "pages_out_of_range", message: expect.stringContaining("the PDF has 2 pages") } } });
    const raw = await fetch(`${svc.url}/uploads?pages=3`, { method: "POST", body: await fixtureBytes("scan-mixed.pdf"), headers: { "content-type": "application/pdf" } });
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as any).error).toMatchObject({ code: "pages_out_of_range", message: "pages=3 goes past the end: the PDF has 2 pages" });
    const bad = await uploadFile(svc.url, fixture("scan-mixed.pdf"), { pages: "3-1" });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: "invalid_pages" } } });
  }, 120_000);
});
