/**
 * The corpus's scans (no text layer: `expect` failed pdf_no_text, `expect_ocr` notes in its
 * MANIFEST) become notes through a running service, read by OCR; with ocr=off they keep
 * failing pdf_no_text.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { corpus, corpusPath } from "../support/corpus.ts";
import { getJson, uploadFile, waitFinal } from "../support/client.ts";
import { startServiceProcess, type ServiceProcess } from "../support/service-process.ts";

/**
 * Words each scan's notes must hold (read off the page images), and the pages read: the
 * NASA report's first 12 of 58 (all 58 take 4–7 min of CI's time on 2 cores).
 */
const SCANS: Record<string, { words: string[]; pages?: string; read?: number }> = {
  "scanned-nasa-cea-rp1311-part1.pdf": { words: ["equilibrium", "chemical"], pages: "1-12", read: 12 },
  "scanned-imageonly-shattered-1.pdf": { words: ["collision", "sha-1"] },
};

let svc: ServiceProcess;
beforeAll(async () => {
  svc = await startServiceProcess({ name: "corpus-ocr", env: { FOLIO_CACHE: "off", FOLIO_EXTRACT_THREADS: "2" } });
}, 120_000);
afterAll(async () => {
  await svc?.stop();
  svc?.cleanup();
});

describe("scans become notes by OCR", () => {
  const scans = corpus().filter((e) => e.expect !== "notes" && e.expectOcr === "notes");
  test("the corpus lists its scans", () => {
    expect(scans.map((e) => e.filename).sort()).toEqual(Object.keys(SCANS).sort());
  });
  for (const entry of scans) {
    const { words, pages, read = entry.pages } = SCANS[entry.filename] ?? { words: [] };
    test(`${entry.filename}${pages ? ` pages ${pages}` : ""} → notes, every page from OCR`, async () => {
      const up = await uploadFile(svc.url, corpusPath(entry.filename), pages ? { pages } : {});
      expect(up.status).toBe(202);
      const job = await waitFinal(svc.url, up.body.jobId, 540_000);
      expect(job).toMatchObject({ status: "completed", error: null, pages: read });
      expect(job.ocr).toMatchObject({ pages: read, textLayerPages: 0 });
      expect(job.ocr.meanConfidence).toBeGreaterThan(60);
      const notes = await getJson(`${svc.url}/notes/${job.notesId}`);
      const text = `${notes.body.title} ${notes.body.summary} ${notes.body.keyPoints.join(" ")} ${notes.body.markdown}`.toLowerCase();
      for (const word of words) expect(text).toContain(word);
      console.log(`${entry.filename}: ${read} pages by OCR in ${job.timings.ocrMs} ms, mean confidence ${job.ocr.meanConfidence}`);
    }, 600_000);
  }
  test("with ocr=off they fail pdf_no_text, as before OCR", async () => {
    for (const entry of scans) {
      const up = await uploadFile(svc.url, corpusPath(entry.filename), { ocr: "off" });
      expect((await waitFinal(svc.url, up.body.jobId)).error?.code).toBe("pdf_no_text");
    }
  }, 120_000);
});
