/**
 * The ways into Folio, end to end against one running service, in one run:
 * - CLI: `bun run folio upload DIR --out` for a batch, against the same batch uploaded and
 *   followed by a bare HTTP client (fetch + polling) with the same concurrency;
 * - URL: the same batch by `POST /uploads {url}` from a local server, against file uploads.
 * Every round uses fresh bytes (a unique trailing comment), so nothing is a cache hit.
 * `bun run bench:ingest [--files 50] [--rounds 3]`
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { mapLimit } from "../../src/notes/chunks.ts";
import { waitFinal } from "../../test/support/client.ts";
import { corpusPath } from "../../test/support/corpus.ts";
import { smallPdfs } from "../../test/support/load.ts";
import { startServiceProcess } from "../../test/support/service-process.ts";

const { values } = parseArgs({ options: { files: { type: "string", default: "50" }, rounds: { type: "string", default: "3" } } });
const n = Number(values.files);
const rounds = Number(values.rounds);
const CONCURRENCY = 6;
const ROOT = resolve(import.meta.dir, "../..");
const work = mkdtempSync(join(tmpdir(), "folio-ingest-"));
const sources = smallPdfs();

/** n unique PDFs in a fresh directory. */
function batch(tag: string): string {
  const dir = join(work, tag);
  mkdirSync(dir);
  for (let i = 0; i < n; i++) {
    const bytes = readFileSync(corpusPath(sources[i % sources.length]!));
    writeFileSync(join(dir, `doc-${i}.pdf`), Buffer.concat([bytes, Buffer.from(`\n%${tag}-${i}\n`)]));
  }
  return dir;
}

const files = new Map<string, Buffer<ArrayBuffer>>();
const origin = Bun.serve({ port: 0, fetch: (req) => new Response(files.get(new URL(req.url).pathname) ?? null, { status: files.has(new URL(req.url).pathname) ? 200 : 404 }) });
const svc = await startServiceProcess({
  name: "ingest-bench",
  env: { FOLIO_CACHE: "off", LOG_LEVEL: "warn", FOLIO_ALLOW_PRIVATE_URLS: "1", FOLIO_URL_ALLOWED_PORTS: "any", FOLIO_RATE_LIMIT_PER_MIN: "100000", FOLIO_MAX_IN_FLIGHT_PER_USER: "100000" },
});

async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

const byHttp = (dir: string) =>
  timed(async () => {
    await mapLimit([...Array(n).keys()], CONCURRENCY, async (i) => {
      const res = await fetch(`${svc.url}/uploads?filename=doc-${i}.pdf`, { method: "POST", body: Bun.file(join(dir, `doc-${i}.pdf`)), headers: { "content-type": "application/pdf" } });
      const job = await waitFinal(svc.url, ((await res.json()) as { jobId: string }).jobId);
      if (job.status !== "completed") throw new Error(`job ${job.id} ${job.status}`);
      await (await fetch(`${svc.url}/notes/${job.notesId}?format=md`)).text();
    });
  });

const byCli = (dir: string) =>
  timed(async () => {
    const proc = Bun.spawn(["bun", "src/cli/folio/main.ts", "upload", dir, "--out", `${dir}-notes`, "--concurrency", String(CONCURRENCY)], {
      cwd: ROOT,
      env: { ...process.env, FOLIO_URL: svc.url },
      stdout: "ignore",
      stderr: "ignore",
    });
    if ((await proc.exited) !== 0) throw new Error("folio upload failed");
  });

const byUrl = (dir: string, tag: string) =>
  timed(async () => {
    for (let i = 0; i < n; i++) files.set(`/${tag}/doc-${i}.pdf`, readFileSync(join(dir, `doc-${i}.pdf`)) as Buffer<ArrayBuffer>);
    await mapLimit([...Array(n).keys()], CONCURRENCY, async (i) => {
      const res = await fetch(`${svc.url}/uploads`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ url: `http://127.0.0.1:${origin.port}/${tag}/doc-${i}.pdf` }) });
      const job = await waitFinal(svc.url, ((await res.json()) as { jobId: string }).jobId);
      if (job.status !== "completed") throw new Error(`job ${job.id} ${job.status}: ${JSON.stringify(job.error)}`);
    });
  });

const times: Record<"http" | "cli" | "url", number[]> = { http: [], cli: [], url: [] };
try {
  await byHttp(batch("warmup"));
  for (let r = 0; r < rounds; r++) {
    // Alternate the order so drift in the machine's speed does not favour one side.
    const order = r % 2 ? (["cli", "url", "http"] as const) : (["http", "url", "cli"] as const);
    for (const mode of order) {
      const dir = batch(`${mode}-${r}`);
      times[mode].push(mode === "http" ? await byHttp(dir) : mode === "cli" ? await byCli(dir) : await byUrl(dir, `${mode}-${r}`));
    }
  }
} finally {
  await svc.stop();
  svc.cleanup();
  origin.stop(true);
  rmSync(work, { recursive: true, force: true });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const [http, cli, url] = [median(times.http), median(times.cli), median(times.url)];
console.log(`| measure (${n} PDFs, concurrency ${CONCURRENCY}, median of ${rounds}) | seconds | ratio (baseline / this) |`);
console.log("|---|---|---|");
console.log(`| bare HTTP client: upload, poll, fetch notes (baseline) | ${http.toFixed(2)} | 1.00 |`);
console.log(`| \`folio upload DIR --out\` (CLI process, SSE, files written) | ${cli.toFixed(2)} | ${(http / cli).toFixed(2)} |`);
console.log(`| \`POST /uploads {url}\` from a local server, polled | ${url.toFixed(2)} | ${(http / url).toFixed(2)} |`);
console.log(`raw seconds: ${JSON.stringify(times)}`);
