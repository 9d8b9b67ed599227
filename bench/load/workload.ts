import { basename } from "node:path";
import { corpusPath, goodPdfs } from "../../test/support/corpus.ts";
import { fixture, goodFixtures } from "../../test/support/fixtures.ts";

export interface LoadOptions {
  jobs: number;
  /** Uploads in flight at once. */
  concurrency: number;
  /** Share of uploads that repeat an earlier PDF (exercises the cache). */
  duplicates: number;
  seed: number;
  timeoutS: number;
  /** Service-side API key, when the target has auth on. */
  apiKey?: string;
  pipeline?: "optimized" | "staged";
}

export interface JobResult {
  file: string;
  acceptedAt: number;
  finishedAt: number | null;
  status: string;
  cached: boolean;
  errorCode: string | null;
  timings: Record<string, number | null>;
}

/** One upload: a PDF, made distinct by `variant` (a comment after %%EOF changes its SHA-256, not its text). */
export interface Upload {
  path: string;
  file: string;
  variant: number;
}

/**
 * The PDFs a load draws from: the corpus's papers, slides, forms and short manuals, or, for
 * the smoke run that the default tests make, the repo's own fixtures.
 */
export function pdfPool(source: "corpus" | "fixtures"): string[] {
  const small = (e: { size: number; pages: number | null }) => e.size < 1_500_000 && (e.pages ?? 999) <= 120;
  return source === "corpus" ? goodPdfs().filter(small).map((e) => corpusPath(e.filename)) : goodFixtures().filter(small).map((e) => fixture(e.filename));
}

/**
 * A seeded sequence drawn from `pool`. A share of the uploads repeats an earlier one byte
 * for byte (a cache hit); the others are new to the service, even when the pool runs out
 * of distinct files.
 */
export function workload(opts: Pick<LoadOptions, "jobs" | "duplicates" | "seed">, pool: string[]): Upload[] {
  let seed = opts.seed;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / (1 << 24);
  const out: Upload[] = [];
  for (let i = 0; i < opts.jobs; i++) {
    if (out.length > 0 && rand() < opts.duplicates) out.push(out[Math.floor(rand() * out.length)]!);
    else {
      const path = pool[Math.floor(rand() * pool.length)]!;
      out.push({ path, file: basename(path), variant: i });
    }
  }
  return out;
}

/**
 * A service whose notes come from a model stand-in at `modelUrl`, each job making its own
 * call (no cache), `perProcess` pipeline jobs at a time per worker process and no limiter, and
 * admission out of the way: what the model-bound benches (scale, adaptive) run.
 */
export function modelBoundEnv(databaseUrl: string, modelUrl: string, perProcess: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    OPENAI_BASE_URL: modelUrl,
    OPENAI_API_KEY: "stand-in",
    FOLIO_MODEL: "stand-in",
    FOLIO_CACHE: "off",
    LOG_LEVEL: "warn",
    FOLIO_EXTRACT_THREADS: "1",
    FOLIO_PDF_NOTES_OPTIMIZED_CONCURRENCY: perProcess,
    FOLIO_PDF_NOTES_OPTIMIZED_LIMITER_MAX: "0",
    FOLIO_RATE_LIMIT_PER_MIN: "100000",
    FOLIO_MAX_IN_FLIGHT_PER_USER: "100000",
    FOLIO_MAX_UPLOADS_IN_PROGRESS_PER_USER: "100000",
    FOLIO_MAX_UPLOADS_IN_PROGRESS: "100000",
  };
}

async function bytesOf(u: Upload): Promise<Blob> {
  return new Blob([await Bun.file(u.path).arrayBuffer(), `\n%folio-load-${u.variant}\n`]);
}

/** Uploads the workload at the given concurrency and follows every job to its end (polling). */
export async function drive(url: string, files: Upload[], opts: LoadOptions): Promise<JobResult[]> {
  const headers: Record<string, string> = opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {};
  const results: JobResult[] = [];
  const deadline = Date.now() + opts.timeoutS * 1000;
  let next = 0;
  const isFinal = (job: any) => job && (job.status === "completed" || job.status === "failed");
  const record = (r: JobResult, job: any, finishedAt: number) =>
    Object.assign(r, { finishedAt, status: job.status, cached: job.cached, errorCode: job.error?.code ?? null, timings: job.timings });
  /**
   * Follows a job over its SSE stream (polling 200+ jobs would load the server more than the
   * work does). A stream that ends without a final state is not a lost job: the job's row is
   * read until the run's deadline, and only a row still not final then counts as lost.
   */
  const follow = async (jobId: string, r: JobResult) => {
    const res = await fetch(`${url}/jobs/${jobId}/events`, { headers, signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())) }).catch(() => null);
    const text = res ? await res.text().catch(() => "") : "";
    const last = [...text.matchAll(/^data: (.*)$/gm)].at(-1)?.[1];
    const job = last ? (JSON.parse(last) as any) : null;
    if (isFinal(job)) return void record(r, job, Date.now());
    while (Date.now() < deadline) {
      const row = await fetch(`${url}/jobs/${jobId}`, { headers }).then((x) => x.json(), () => null);
      if (isFinal(row)) return void record(r, row, Date.parse(row.finishedAt) || Date.now());
      await Bun.sleep(500);
    }
    r.status = "lost";
  };
  const followers: Promise<void>[] = [];
  const uploader = async () => {
    for (let i = next++; i < files.length; i = next++) {
      const upload = files[i]!;
      const file = upload.file;
      const form = new FormData();
      form.append("file", await bytesOf(upload), file);
      form.append("pipeline", opts.pipeline ?? "optimized");
      const acceptedAt = Date.now();
      const res = await fetch(`${url}/uploads`, { method: "POST", body: form, headers });
      const body = (await res.json()) as any;
      const r: JobResult = { file, acceptedAt, finishedAt: null, status: "refused", cached: false, errorCode: body.error?.code ?? null, timings: {} };
      results.push(r);
      if (res.status === 202 || res.status === 200) followers.push(follow(body.jobId, r));
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, uploader));
  await Promise.all(followers);
  return results;
}
