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

beforeAll(async () => {
  db = await freshDatabase("retention");
  svc = await startInProcess({
    name: "retention",
    env: {
      DATABASE_URL: db.url,
      FOLIO_API_KEYS: `${ALICE}:alice-r3t`,
      FOLIO_RETAIN_PDF: "1s",
      FOLIO_RETAIN_TEXT: "1s",
      FOLIO_RETAIN_JOBS: "4s",
      FOLIO_RETENTION_INTERVAL_S: "1",
    },
  });
  redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  sql = postgres(db.url, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await svc?.stop();
  svc?.cleanup();
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
const stored = () => readdirSync(join(svc.dataDir, "uploads")).filter((f) => !f.startsWith("probe_"));

describe("retention", () => {
  test("the PDF and text go after their setting, the job row after its own, the notes stay", async () => {
    const up = await uploadFileAs(svc.url, ALICE, fixture("paper-two-column.pdf"));
    const jobId = up.body.jobId as string;
    const job = await until("the job is final", async () => {
      const { body } = await call(`/jobs/${jobId}`);
      return body?.status === "completed" && body;
    });
    expect(job.notesId).toBeTruthy();

    await until("the PDF and the text are swept", async () => stored().length === 0);
    expect((await call(`/jobs/${jobId}/text`)).status).toBe(404);
    expect((await call(`/jobs/${jobId}`)).status).toBe(200);
    // A stage that needs the swept PDF again (a retry) fails with a code the user can act on, not a crash.
    const [file] = await sql`SELECT f.storage_key FROM files f JOIN jobs j ON j.file_id = f.id WHERE j.id = ${jobId}`;
    expect(file!.storage_key).toBe(contentKey("user", up.body.sha256, "alice-r3t"));
    const data = { jobId, storageKey: file!.storage_key } as PdfJobData;
    const tracker = { progress: async () => {}, timed: <T>(_: string, f: () => Promise<T>) => f() } as unknown as Parameters<typeof download>[2];
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
});
