import { goodPdfs } from "../../test/support/corpus.ts";

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

/** A seeded sequence of corpus PDFs (papers, slides, forms, short manuals) with a share of repeats. */
export function workload(opts: Pick<LoadOptions, "jobs" | "duplicates" | "seed">): string[] {
  let seed = opts.seed;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / (1 << 24);
  const pool = goodPdfs()
    .filter((e) => e.size < 1_500_000 && (e.pages ?? 999) <= 120)
    .map((e) => e.filename);
  const out: string[] = [];
  const fresh = [...pool];
  for (let i = 0; i < opts.jobs; i++) {
    if (out.length > 0 && (rand() < opts.duplicates || fresh.length === 0)) out.push(out[Math.floor(rand() * out.length)]!);
    else out.push(fresh.splice(Math.floor(rand() * fresh.length), 1)[0]!);
  }
  return out;
}

/** Uploads the workload at the given concurrency and follows every job to its end (polling). */
export async function drive(url: string, files: string[], opts: LoadOptions, corpusPath: (f: string) => string): Promise<JobResult[]> {
  const headers: Record<string, string> = opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {};
  const results: JobResult[] = [];
  const deadline = Date.now() + opts.timeoutS * 1000;
  let next = 0;
  const follow = async (jobId: string, r: JobResult) => {
    while (Date.now() < deadline) {
      const job = (await (await fetch(`${url}/jobs/${jobId}`, { headers })).json()) as any;
      if (job.status === "completed" || job.status === "failed") {
        Object.assign(r, { finishedAt: Date.now(), status: job.status, cached: job.cached, errorCode: job.error?.code ?? null, timings: job.timings });
        return;
      }
      await Bun.sleep(200);
    }
    r.status = "lost";
  };
  const followers: Promise<void>[] = [];
  const uploader = async () => {
    for (let i = next++; i < files.length; i = next++) {
      const file = files[i]!;
      const form = new FormData();
      form.append("file", Bun.file(corpusPath(file)), file);
      form.append("pipeline", i % 4 === 3 ? "staged" : "optimized");
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
