import { pagesRead } from "../src/extraction/page-range.ts";
import { notesRow } from "../src/jobs/notes-row.ts";
import type { JobStore } from "../db/job-store.ts";
import type { Caches } from "../src/cache/index.ts";
import { BreakerOpen } from "../src/resilience/ai-breaker.ts";
import type { PdfJobData } from "../src/queues/job-data.ts";
import type { Storage } from "../src/storage/storage.ts";
import { PipelineError } from "../src/errors/pipeline-error.ts";
import { saveJobText } from "../src/storage/job-text.ts";
import { recordChildSpan } from "../src/tracing/tracing.ts";
import type { Extractor } from "../src/extraction/extractor.ts";
import type { ExtractedText } from "../src/extraction/extract.ts";
import type { JobTracker } from "../src/jobs/job-tracker.ts";
import type { TokenBudget } from "../src/jobs/token-budget.ts";
import type { NotesGenerator } from "../src/notes/generator.ts";
import type { Notes } from "../src/notes/schema.ts";
import { sourceOf, withSource } from "../src/notes/source.ts";
import { PHASES, progressIn } from "../src/jobs/phases.ts";

export interface StageDeps {
  storage: Storage;
  caches: Caches;
  store: JobStore;
  generator: NotesGenerator;
  /** Used while the model's circuit breaker is open (FOLIO_AI_FALLBACK=extractive). */
  fallback?: NotesGenerator;
  /** The extraction pool: pdf.js never runs on a consumer's own event loop. */
  extractor: Extractor;
  /** Each user's model tokens today, checked at upload (FOLIO_USER_TOKENS_PER_DAY). */
  tokens: TokenBudget;
}

/** download: the stored PDF's bytes. A missing object is final (nothing to retry). */
export async function download(deps: StageDeps, data: PdfJobData, t: JobTracker): Promise<Uint8Array> {
  await t.enter("downloading");
  const read = () => deps.storage.get(data.storageKey);
  // An upload by URL keeps the fetch's time as its download time.
  const bytes = data.sourceUrl ? await read() : await t.timed("downloading", read);
  if (!bytes) throw new PipelineError("source_expired", "the uploaded PDF is no longer stored (deleted by the retention policy, FOLIO_RETAIN_PDF, or on request): upload it again");
  return bytes;
}

/** extract: text per page, reported as the extracting phase's progress; each OCR'd page reported as it starts. */
export async function extract(deps: StageDeps, data: PdfJobData, bytes: Uint8Array, t: JobTracker): Promise<ExtractedText> {
  await t.enter("extracting");
  // Where the text pages last put the bar: OCR's page counts are written at the same place.
  let reported = { done: 0, total: 0, progress: PHASES.extracting.from as number };
  const text = await t.timed("extracting", async () => {
    const read = await deps.extractor.extract({
      bytes,
      sha256: data.sha256,
      userId: data.userId,
      jobId: data.jobId,
      ocr: data.ocr,
      pages: data.pages,
      onProgress(done, total, stage) {
        if (stage === "ocr") {
          // Seconds a page: every one is worth a write (the CLI shows `ocr 3/40`).
          void t.advance("extracting", reported.done, reported.total, { ocrPages: total, ocrPagesDone: done }).catch(() => {});
          return;
        }
        const progress = progressIn("extracting", done, total);
        if (progress - reported.progress >= 10) {
          reported = { done, total, progress };
          void t.advance("extracting", done, total, { pages: total }).catch(() => {});
        }
      },
    });
    // OCR ended as the text came back: its span sits under the extract span, ending now.
    if (read.ocr) recordChildSpan("ocr", Date.now() - read.ocr.ms, Date.now(), { "folio.job_id": data.jobId, "folio.ocr_pages": Object.keys(read.ocr.confidence).length });
    return read;
  });
  if (text.ocr) t.record("ocrMs", text.ocr.ms);
  return text;
}

/** How many pages OCR read and how sure it was, for the job's row (none read: zero pages). */
export function ocrOf(text: ExtractedText): { ocrPages: number; ocrPagesDone: number; ocrConfidence?: number } {
  const { ocr } = sourceOf(text);
  return { ocrPages: ocr.pages, ocrPagesDone: ocr.pages, ...(ocr.meanConfidence !== null && { ocrConfidence: ocr.meanConfidence }) };
}

/**
 * notes: the configured generator, progress 60–90, after keeping the text the job read
 * (job-text.ts); the notes say which pages they cover and where their text came from (notes/source.ts). While the breaker is open the fallback (if any) writes them, marked by its
 * name in `generator`; otherwise BreakerOpen goes up and the job waits, its attempts untouched.
 */
export async function generate(deps: StageDeps, data: PdfJobData, text: ExtractedText, t: JobTracker): Promise<Notes> {
  await t.enter("generating", { pages: pagesRead(text), ...ocrOf(text) });
  await saveJobText(deps.storage, t.jobId, text);
  const notes = await t.timed("generating", async () => {
    try {
      return withSource(await deps.generator.generate(text), text);
    } catch (err) {
      if (err instanceof BreakerOpen && deps.fallback) return withSource(await deps.fallback.generate(text), text);
      throw err;
    }
  });
  await deps.tokens.spend(data.userId, (notes.usage?.inputTokens ?? 0) + (notes.usage?.outputTokens ?? 0));
  return notes;
}

/**
 * The notes cached for this job's PDF by the generator this worker runs, unless the upload
 * asked for them afresh (`refresh`).
 */
export function cachedNotes(deps: StageDeps, data: PdfJobData): Promise<Notes | undefined> {
  if (data.refresh) return Promise.resolve(undefined);
  return deps.caches.notes.get(deps.caches.notesKey(data, deps.generator.fingerprint.id));
}

/**
 * Caches notes under the generator that actually wrote them, so the fallback's notes,
 * written during a model outage, never answer for the model afterwards. A refresh replaces
 * the entry, in every process's L1 too.
 */
export async function cacheNotes(deps: StageDeps, data: PdfJobData, notes: Notes): Promise<void> {
  if (!notes.fingerprint) return;
  const key = deps.caches.notesKey(data, notes.fingerprint);
  await (data.refresh ? deps.caches.notes.replace(key, notes) : deps.caches.notes.set(key, notes));
}

/**
 * Makes a PDF's notes once across the fleet (single flight by notes key): the others take
 * them from the cache. `shared` says they came from the cache (or another job's work).
 */
export function notesOnce(deps: StageDeps, data: PdfJobData, work: () => Promise<Notes>): Promise<{ value: Notes; shared: boolean }> {
  const key = deps.caches.notesKey(data, deps.generator.fingerprint.id);
  return deps.caches.once(`notes:${key}`, data.jobId, () => cachedNotes(deps, data), work);
}

/** save: the notes row, once per job however often this runs. `cached`: the notes were not made for this job. */
export async function save(deps: StageDeps, data: PdfJobData, notes: Notes, t: JobTracker, cached: boolean): Promise<string> {
  await t.enter("saving");
  return t.timed("saving", () => deps.store.saveNotes(notesRow(data, notes, cached)));
}
