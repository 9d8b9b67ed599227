import { mkdirSync, writeFileSync } from "node:fs";
import { join, parse } from "node:path";
import Table from "cli-table3";
import { ApiError, type FolioClient, type JobInfo, type UploadChoices } from "./client.ts";
import type { Input } from "./inputs.ts";
import { Progress, type FileBar } from "./progress.ts";

export interface UploadOptions extends UploadChoices {
  out?: string;
  concurrency: number;
}

interface Outcome {
  input: Input;
  job?: JobInfo;
  error?: string;
  written?: string;
  markdown?: string;
  seconds: number;
}

/**
 * Uploads every input (a few at a time), follows each job to its end, and writes each
 * job's notes as Markdown into `--out` or prints them. Returns the outcomes for the summary.
 */
export async function uploadAll(client: FolioClient, inputs: Input[], opts: UploadOptions): Promise<Outcome[]> {
  if (opts.out) mkdirSync(opts.out, { recursive: true });
  const progress = new Progress();
  const outcomes: Outcome[] = new Array(inputs.length);
  const names = new Set<string>();
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) {
      const i = next++;
      outcomes[i] = await uploadOne(client, inputs[i]!, opts, progress.start(inputs[i]!.name), names);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(opts.concurrency, inputs.length) }, worker));
  } finally {
    progress.stop();
  }
  return outcomes;
}

async function uploadOne(client: FolioClient, input: Input, opts: UploadOptions, bar: FileBar, names: Set<string>): Promise<Outcome> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  try {
    const choices: UploadChoices = { pipeline: opts.pipeline, refresh: opts.refresh, ocr: opts.ocr, pages: opts.pages };
    const accepted =
      input.kind === "file"
        ? await client.uploadFile(input.path, input.name, { ...choices, onBytes: (sent) => bar.uploading(sent, input.size) })
        : await client.uploadUrl(input.url, choices);
    const job = await client.follow(accepted.jobId, (j) => bar.stage(phaseOf(j), j.progress));
    if (job.status !== "completed" || !job.notesId) {
      bar.done(`✗ ${input.name}: ${job.error?.code ?? job.status}: ${job.error?.message ?? ""}`);
      return { input, job, error: job.error ? `${job.error.code}: ${job.error.message}` : job.status, seconds: seconds() };
    }
    const markdown = await client.notesMarkdown(job.notesId);
    let written: string | undefined;
    if (opts.out) {
      written = join(opts.out, uniqueName(names, parse(input.name).name || job.id));
      writeFileSync(written, markdown);
    }
    bar.done(`✓ ${input.name}: ${job.cached ? "from cache" : `${job.pages} page${job.pages === 1 ? "" : "s"}`}${written ? ` → ${written}` : ""}`);
    return { input, job, written, markdown: written ? undefined : markdown, seconds: seconds() };
  } catch (err) {
    const message = err instanceof ApiError ? `${err.code}: ${err.message}` : (err as Error).message;
    bar.done(`✗ ${input.name}: ${message}`);
    return { input, error: message, seconds: seconds() };
  }
}

/** The job's status, or `ocr 3/40` while its scanned pages are being read. */
function phaseOf(job: JobInfo): string {
  return job.status === "extracting" && job.ocr && job.ocr.pages > 0 ? `ocr ${job.ocr.pagesDone}/${job.ocr.pages}` : job.status;
}

/** Two inputs called paper.pdf in different folders must not overwrite each other's notes. */
function uniqueName(taken: Set<string>, base: string): string {
  let name = `${base}.md`;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}.md`;
  taken.add(name);
  return name;
}

export function summaryTable(outcomes: Outcome[]): string {
  const table = new Table({ head: ["File", "Job", "Status", "Pages", "Seconds", "Notes / error"], style: { head: [], border: [], compact: true } });
  for (const o of outcomes) {
    table.push([
      o.input.name,
      o.job?.id ?? "-",
      o.job?.status ?? "error",
      o.job?.pages ?? "-",
      o.seconds.toFixed(1),
      o.error ?? o.written ?? o.job?.notesId ?? "",
    ]);
  }
  const done = outcomes.filter((o) => o.job?.status === "completed").length;
  return `${table.toString()}\n${done} of ${outcomes.length} completed, ${outcomes.length - done} failed`;
}
