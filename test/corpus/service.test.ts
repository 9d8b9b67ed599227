/**
 * Every PDF of ../shared/corpus through a real running service (HTTP on loopback, real
 * Redis, worker threads), alternating pipeline (optimized | staged) and database (PGlite |
 * Postgres, the latter storing files in the Supabase Storage stand-in), plus one PDF through
 * all four combinations.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { extractText, getDocumentProxy } from "unpdf";
import { corpus, corpusPath, goodPdfs } from "../support/corpus.ts";
import type { PdfEntry } from "../support/fixtures.ts";
import { getJson, uploadFile, uploadRaw, waitFinal } from "../support/client.ts";
import { freshDatabase } from "../support/postgres.ts";
import { startServiceProcess, type ServiceProcess } from "../support/service-process.ts";
import { startStorageStandIn, type StorageStandIn } from "../support/supabase-storage-standin.ts";

let pglite: ServiceProcess;
let pg: ServiceProcess;
let dropDb: () => Promise<void>;
let storage: StorageStandIn;
const timings: { file: string; extractMs: number; aiMs: number }[] = [];

beforeAll(async () => {
  storage = startStorageStandIn("standin-service-key");
  const db = await freshDatabase("corpus");
  dropDb = db.drop;
  [pglite, pg] = await Promise.all([
    // The cache is off here so that every upload really runs its pipeline (test/e2e/cache.test.ts covers the cache).
    startServiceProcess({ name: "corpus-pglite", env: { FOLIO_CACHE: "off" } }),
    startServiceProcess({
      name: "corpus-pg",
      env: { FOLIO_CACHE: "off", DATABASE_URL: db.url, SUPABASE_URL: storage.url, SUPABASE_SERVICE_KEY: "standin-service-key" },
    }),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([pglite?.stop(), pg?.stop()]);
  pglite?.cleanup();
  pg?.cleanup();
  await dropDb?.();
  await storage?.stop();
  if (timings.length) {
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(
      `corpus timings: ${timings.length} PDFs, median extract ${median(timings.map((t) => t.extractMs))} ms, median notes ${median(timings.map((t) => t.aiMs))} ms`,
    );
  }
});

const squash = (s: string) => s.replace(/\s+/g, "").toLowerCase();
async function referenceText(file: string): Promise<string> {
  const pdf = await getDocumentProxy(new Uint8Array(await Bun.file(corpusPath(file)).arrayBuffer()), { verbosity: 0 });
  return squash((await extractText(pdf, { mergePages: true })).text);
}

/** Most words of each key point occur in the PDF's own text (read with unpdf directly). */
async function expectGrounded(file: string, notes: any) {
  const text = await referenceText(file);
  for (const point of [notes.summary, ...notes.keyPoints] as string[]) {
    const words = point.match(/\p{L}{4,}/gu) ?? [point];
    const found = words.filter((w) => text.includes(w.toLowerCase()));
    expect(found.length / words.length).toBeGreaterThanOrEqual(0.9);
  }
}

async function runThrough(svc: ServiceProcess, entry: PdfEntry, pipeline: string) {
  const up = await uploadFile(svc.url, corpusPath(entry.filename), { pipeline });
  expect(up.status).toBe(202);
  expect(up.body).toMatchObject({ status: "queued", pipeline, sha256: entry.sha256 });
  expect(up.body.jobId).toMatch(/^j_/);
  expect(up.body.fileId).toMatch(/^f_/);
  const job = await waitFinal(svc.url, up.body.jobId, 240_000);
  expect(job.error).toBeNull();
  expect(job.status).toBe("completed");
  expect(job.progress).toBe(100);
  expect(job.timings.extractMs).toBeGreaterThan(0);
  const notes = await getJson(`${svc.url}/notes/${job.notesId}`);
  expect(notes.status).toBe(200);
  expect(notes.body.title.length).toBeGreaterThan(0);
  expect(notes.body.summary.length).toBeGreaterThan(0);
  expect(notes.body.keyPoints.length).toBeGreaterThan(0);
  await expectGrounded(entry.filename, notes.body);
  timings.push({ file: entry.filename, extractMs: job.timings.extractMs, aiMs: job.timings.aiMs });
  return { job, notes: notes.body };
}

describe("every good PDF completes with notes from its own text", () => {
  const good = goodPdfs();
  // Two services work in parallel (one per database): halve the list between them.
  const halves = [good.filter((_, i) => i % 2 === 0), good.filter((_, i) => i % 2 === 1)];
  test.each(halves.map((h, i) => [i === 0 ? "PGlite" : "Postgres + Supabase stand-in", i, h] as const))(
    "%s",
    async (_name, i, entries) => {
      const svc = i === 0 ? pglite : pg;
      const failures: string[] = [];
      await Promise.all(
        entries.map(async (entry, j) => {
          try {
            await runThrough(svc, entry, j % 2 === 0 ? "optimized" : "staged");
          } catch (err) {
            failures.push(`${entry.filename}: ${(err as Error).message}`);
          }
        }),
      );
      expect(failures).toEqual([]);
    },
    600_000,
  );
});

test("one PDF through all four combinations gives the same notes", async () => {
  const entry = goodPdfs().find((e) => e.filename === "paper-hyperref-tug.pdf")!;
  const results = await Promise.all(
    [pglite, pg].flatMap((svc) => ["optimized", "staged"].map((p) => runThrough(svc, entry, p))),
  );
  const contents = results.map(({ notes }) => ({ t: notes.title, s: notes.summary, k: notes.keyPoints, o: notes.outline }));
  for (const c of contents) expect(c).toEqual(contents[0]!);
}, 120_000);

describe("bad files: the documented 4xx or a failed job with the right code", () => {
  // With OCR on, as the service runs by default (test/corpus/ocr.test.ts reads the scans).
  const bad = corpus().filter((e) => e.expectOcr !== "notes");
  for (const entry of bad) {
    test(`${entry.filename} → ${entry.expectOcr}`, async () => {
      const svc = pg;
      const up = await uploadFile(svc.url, corpusPath(entry.filename));
      const [first, second] = entry.expectOcr.split(" ");
      if (/^4\d\d$/.test(first!)) {
        expect(up.status).toBe(Number(first));
        expect(up.body.error.code).toBe(second!);
        expect(up.body.error.message.length).toBeGreaterThan(0);
        return;
      }
      if (up.status !== 202) {
        // "(or 4xx at upload)" is allowed for unreadable files.
        expect(entry.expectOcr).toContain("4xx");
        expect(up.status).toBeGreaterThanOrEqual(400);
        expect(up.status).toBeLessThan(500);
        return;
      }
      const job = await waitFinal(svc.url, up.body.jobId);
      if (entry.expectOcr.startsWith("notes or")) {
        expect(["completed", "failed"]).toContain(job.status);
        if (job.status === "failed") expect(job.error.code).toBe("pdf_unreadable");
      } else {
        expect(job.status).toBe("failed");
        expect(job.error.code).toBe(second!);
        expect(job.attempts).toBe(1);
      }
    });
  }

  test("the raw-body form and bad requests get JSON errors, and the server carries on", async () => {
    const raw = await uploadRaw(pg.url, new Uint8Array(await Bun.file(corpusPath("paper-cvs-parallel-dev.pdf")).arrayBuffer()), "filename=cvs.pdf");
    expect(raw.status).toBe(202);
    expect((await uploadRaw(pg.url, new Uint8Array(0))).body.error.code).toBe("empty_file");
    const wrongType = await fetch(`${pg.url}/uploads`, { method: "POST", body: "hello", headers: { "content-type": "text/plain" } });
    expect(wrongType.status).toBe(415);
    expect((await wrongType.json()).error.code).toBe("unsupported_media_type");
    const noFile = new FormData();
    noFile.append("other", "x");
    const missing = await fetch(`${pg.url}/uploads`, { method: "POST", body: noFile });
    expect(missing.status).toBe(400);
    expect((await missing.json()).error.code).toBe("missing_file");
    const badPipeline = await uploadFile(pg.url, corpusPath("paper-cvs-parallel-dev.pdf"), { pipeline: "fast" });
    expect(badPipeline.status).toBe(400);
    expect(badPipeline.body.error.code).toBe("invalid_pipeline");
    const unknownJob = await getJson(`${pg.url}/jobs/j_doesnotexist`);
    expect(unknownJob.status).toBe(404);
    expect(unknownJob.body.error.code).toBe("job_not_found");
    expect((await waitFinal(pg.url, raw.body.jobId)).status).toBe("completed");
  });
});
