/**
 * Fair shares between users: `bun run bench:fairness [--backlog 300 --after 10]`. One service
 * process on Postgres with its default settings, notes from the OpenAI stand-in (log-normal
 * latency, median 600 ms), cache off. Bob uploads one PDF on the idle service: his time to
 * notes alone. Then Alice uploads `--backlog` distinct PDFs, and `--after` seconds after her
 * first, Bob uploads one more: his time to notes behind her backlog, against the idle one.
 * Once with FOLIO_FAIR_SHARES=on (the default), once off (first come, first served).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { smallPdfs } from "../../test/support/load.ts";
import { startOpenAIStandIn } from "../../test/support/openai-standin.ts";
import { freshDatabase } from "../../test/support/postgres.ts";
import { startServiceProcess } from "../../test/support/service-process.ts";
import { workload, type Upload } from "./workload.ts";

const { values } = parseArgs({ options: { backlog: { type: "string", default: "300" }, after: { type: "string", default: "10" } } });
const backlog = Number(values.backlog);
const afterS = Number(values.after);
const ALICE = "alice-key-0123456789abcdef";
const BOB = "bob-key-0123456789abcdef00";

async function upload(url: string, key: string, u: Upload): Promise<string> {
  const form = new FormData();
  form.append("file", new Blob([await Bun.file(u.path).arrayBuffer(), `\n%folio-fair-${u.variant}\n`]), u.file);
  const res = await fetch(`${url}/uploads`, { method: "POST", body: form, headers: { authorization: `Bearer ${key}` } });
  const body = (await res.json()) as { jobId?: string };
  if (res.status !== 202 || !body.jobId) throw new Error(`upload refused: ${res.status} ${JSON.stringify(body)}`);
  return body.jobId;
}

/** Bob's upload followed to its notes: ms from sending it to completed, and its queue wait. */
async function bobsUpload(url: string, u: Upload): Promise<{ totalMs: number; waitMs: number }> {
  const sent = Date.now();
  const jobId = await upload(url, BOB, u);
  for (;;) {
    const job = (await (await fetch(`${url}/jobs/${jobId}`, { headers: { authorization: `Bearer ${BOB}` } })).json()) as { status: string; timings: { waitMs: number } };
    if (job.status === "completed") return { totalMs: Date.now() - sent, waitMs: job.timings.waitMs };
    if (job.status === "failed") throw new Error(`Bob's job failed: ${JSON.stringify(job)}`);
    await Bun.sleep(50);
  }
}

interface Row {
  fair: string;
  idle: { totalMs: number; waitMs: number };
  behind: { totalMs: number; waitMs: number };
  aliceUploaded: number;
}

async function run(fair: "on" | "off"): Promise<Row> {
  const standIn = startOpenAIStandIn({ latencyMs: { median: 600, p95: 1500 } });
  const db = await freshDatabase(`fairness${fair}`);
  const dataDir = mkdtempSync(join(tmpdir(), "folio-fairness-"));
  const files = workload({ jobs: backlog + 2, duplicates: 0, seed: 28 }, smallPdfs());
  const svc = await startServiceProcess({
    name: `fairness-${fair}`,
    dataDir,
    env: {
      DATABASE_URL: db.url,
      OPENAI_BASE_URL: standIn.url,
      OPENAI_API_KEY: "stand-in",
      FOLIO_CACHE: "off",
      LOG_LEVEL: "warn",
      FOLIO_API_KEYS: `${ALICE}:alice,${BOB}:bob`,
      FOLIO_FAIR_SHARES: fair,
      // Alice's backlog must get in: admission is not what is measured.
      FOLIO_RATE_LIMIT_PER_MIN: "100000",
      FOLIO_MAX_IN_FLIGHT_PER_USER: "100000",
      FOLIO_MAX_UPLOADS_IN_PROGRESS_PER_USER: "100000",
      FOLIO_DRAIN_TIMEOUT_MS: "2000",
    },
  });
  try {
    const idle = await bobsUpload(svc.url, files[0]!);
    const started = Date.now();
    let next = 2;
    let aliceUploaded = 0;
    const uploaders = Array.from({ length: 8 }, async () => {
      for (let i = next++; i < files.length; i = next++) await upload(svc.url, ALICE, files[i]!).then(() => aliceUploaded++);
    });
    await Bun.sleep(Math.max(0, started + afterS * 1000 - Date.now()));
    const uploadedBefore = aliceUploaded;
    const behind = await bobsUpload(svc.url, files[1]!);
    await Promise.all(uploaders);
    const row = { fair, idle, behind, aliceUploaded: uploadedBefore };
    console.error(JSON.stringify(row));
    return row;
  } finally {
    await svc.stop();
    svc.cleanup();
    await standIn.stop();
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const rows = [await run("on"), await run("off")];
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
console.log(
  `\nCommand: \`bun run bench:fairness ${process.argv.slice(2).join(" ")}\` — Alice queues ${backlog} distinct PDFs (the repo's small fixtures), Bob uploads one ${afterS} s after her first; stand-in latency median 600 ms, default settings otherwise (cache off), ${cpus().length} cores.\n`,
);
console.log("| FOLIO_FAIR_SHARES | Bob's upload on the idle service: to notes (queue wait) | Bob's behind Alice's backlog: to notes (queue wait) | × idle | Alice's uploads in before Bob's |");
console.log("|---|---|---|---|---|");
for (const r of rows) {
  console.log(`| ${r.fair} | ${s(r.idle.totalMs)} (${s(r.idle.waitMs)}) | ${s(r.behind.totalMs)} (${s(r.behind.waitMs)}) | ${(r.behind.totalMs / r.idle.totalMs).toFixed(2)} | ${r.aliceUploaded} |`);
}
process.exit(0);
