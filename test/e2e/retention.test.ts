/**
 * Retention with settings in seconds: after a job ends its stored PDF, its text and (later)
 * its row go, counted per kind, while its notes stay.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import postgres from "postgres";
import { contentKey } from "../../src/cache/cache-keys.ts";
import { PipelineError } from "../../src/errors/pipeline-error.ts";
import type { PdfJobData } from "../../src/queues/job-data.ts";
import { keyspace } from "../../src/redis/keyspace.ts";
import { localStorage } from "../../src/storage/local.ts";
import { download, type StageDeps } from "../../workers/stages.ts";
import { uploadFileAs } from "../support/client.ts";
import { fixture } from "../support/fixtures.ts";
import { freshDatabase } from "../support/postgres.ts";
import { startInProcess, type InProcessService } from "../support/in-process-service.ts";

const ALICE = "alice-key-retention-012345678";
let db: { url: string; drop: () => Promise<void> };
let svc: InProcessService;
let redis: Redis;
let sql: ReturnType<typeof postgres>;
let source: ReturnType<typeof Bun.serve>;

beforeAll(async () => {
  db = await freshDatabase("retention");
  const pdf = await Bun.file(fixture("paper-bookmarks.pdf")).arrayBuffer();
  source = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(pdf, { headers: { "content-type": "application/pdf" } }) });
  svc = await startInProcess({
    name: "retention",
    env: {
      DATABASE_URL: db.url,
      FOLIO_API_KEYS: `${ALICE}:alice-r3t`,
      FOLIO_RETAIN_PDF: "1s",
      FOLIO_RETAIN_TEXT: "1s",
      FOLIO_RETAIN_JOBS: "6s",
      FOLIO_RETENTION_INTERVAL_S: "1",
      FOLIO_ALLOW_PRIVATE_URLS: "1",
      FOLIO_URL_ALLOWED_PORTS: "any",
    },
  });
  redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  sql = postgres(db.url, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await svc?.stop();
  svc?.cleanup();
  source?.stop(true);
  redis?.disconnect();
  await sql?.end();
  await db?.drop();
});

const call = async (path: string) => {
  const res = await fetch(`${svc.url}${path}`, { headers: { authorization: `Bearer ${ALICE}` } });
  const text = await res.text();
  return { status: res.status, body: res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : null };
};
async function until<T>(what: string, check: () => Promise<T | undefined | false>): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const got = await check();
    if (got) return got;
    await Bun.sleep(100);
  }
  throw new Error(`never: ${what}`);
}
const finalJob = (jobId: string) =>
  until("the job is final", async () => {
    const { body } = await call(`/jobs/${jobId}`);
    return ["completed", "failed"].includes(body?.status) && body;
  });
const stored = () => readdirSync(join(svc.dataDir, "uploads")).filter((f) => !f.startsWith("probe_"));

describe("retention", () => {
  test("the PDF and text go after their setting, the job row after its own, the notes stay", async () => {
    const up = await uploadFileAs(svc.url, ALICE, fixture("paper-two-column.pdf"));
    const jobId = up.body.jobId as string;
    const job = await finalJob(jobId);
    expect(job.status).toBe("completed");
    expect(job.notesId).toBeTruthy();

    await until("the PDF and the text are swept", async () => stored().length === 0);
    expect((await call(`/jobs/${jobId}/text`)).status).toBe(404);
    expect((await call(`/jobs/${jobId}`)).status).toBe(200);
    // A stage that needs the swept PDF again (a retry) fails with a code the user can act on, not a crash.
    const [file] = await sql`SELECT f.storage_key FROM files f JOIN jobs j ON j.file_id = f.id WHERE j.id = ${jobId}`;
    expect(file!.storage_key).toBe(contentKey("user", up.body.sha256, "alice-r3t"));
    const data = { jobId, storageKey: file!.storage_key } as PdfJobData;
    const tracker = { enter: async () => {}, timed: <T>(_: string, f: () => Promise<T>) => f() } as unknown as Parameters<typeof download>[2];
    const failed = await download({ storage: localStorage(join(svc.dataDir, "uploads")) } as StageDeps, data, tracker).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(PipelineError);
    expect((failed as PipelineError).code).toBe("source_expired");

    await until("the job row is swept", async () => (await call(`/jobs/${jobId}`)).status === 404);
    expect(await sql`SELECT id FROM jobs WHERE id = ${jobId}`).toHaveLength(0);
    expect(await sql`SELECT id FROM files`).toHaveLength(0);
    expect(await sql`SELECT key FROM blobs`).toHaveLength(0);
    const notes = await call(`/notes/${job.notesId}`);
    expect(notes.status).toBe(200);
    expect(notes.body.title).toBeTruthy();

    const counted = await redis.hgetall(keyspace.retentionDeleted(svc.prefix));
    expect(Number(counted.pdf)).toBeGreaterThanOrEqual(1);
    expect(Number(counted.text)).toBeGreaterThanOrEqual(1);
    expect(Number(counted.job)).toBeGreaterThanOrEqual(1);
  });

  test("an upload by URL keeps a file of its own: it goes after FOLIO_RETAIN_PDF too, its job row stays until its own time", async () => {
    const res = await fetch(`${svc.url}/uploads`, {
      method: "POST",
      headers: { authorization: `Bearer ${ALICE}`, "content-type": "application/json" },
      body: JSON.stringify({ url: `http://127.0.0.1:${source.port}/paper.pdf` }),
    });
    expect(res.status).toBe(202);
    const { jobId } = (await res.json()) as { jobId: string };
    const [file] = await sql`SELECT f.storage_key FROM files f JOIN jobs j ON j.file_id = f.id WHERE j.id = ${jobId}`;
    expect((await finalJob(jobId)).status).toBe("completed");
    const key = file!.storage_key as string;
    expect(key).toEndWith(".pdf");

    await until("the URL upload's own file is swept", async () => !stored().includes(key));
    const [row] = await sql`SELECT f.expired_at FROM files f JOIN jobs j ON j.file_id = f.id WHERE j.id = ${jobId}`;
    expect(row?.expired_at).toBeInstanceOf(Date);
    await until("the job row is swept", async () => (await call(`/jobs/${jobId}`)).status === 404);
  });

  test("a job that failed without a finish time is swept by its last write", async () => {
    // A failed row written outside the status writer (no finished_at), a day old, with its own file.
    const key = "f_nofinish.pdf";
    await Bun.write(join(svc.dataDir, "uploads", key), "%PDF-1.4 stale");
    await sql`INSERT INTO files (id, user_id, filename, storage_key) VALUES ('f_nofinish', 'alice-r3t', 'old.pdf', ${key})`;
    await sql`INSERT INTO jobs (id, user_id, file_id, pipeline, status, error_code, updated_at) VALUES ('j_nofinish', 'alice-r3t', 'f_nofinish', 'optimized', 'failed', 'pdf_unreadable', now() - interval '1 day')`;
    await until("the failed job's file and row are swept", async () => !stored().includes(key) && (await call("/jobs/j_nofinish")).status === 404);
  });
});
