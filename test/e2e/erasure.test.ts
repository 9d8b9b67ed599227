/**
 * Deletion on request as users meet it: a job, notes, and everything of a user (and an
 * admin doing it for them). After DELETE /me/data the test looks where the user's data
 * could be: the storage directory, every Redis key under the prefix (names and values) and
 * every table of the database.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { contentKey } from "../../src/cache/cache-keys.ts";
import postgres from "postgres";
import { uploadFileAs } from "../support/client.ts";
import { fixture } from "../support/fixtures.ts";
import { freshDatabase } from "../support/postgres.ts";
import { startInProcess, type InProcessService } from "../support/in-process-service.ts";

const ALICE = "alice-key-erasure-0123456789";
const BOB = "bob-key-erasure-0123456789ab";
const OPS = "ops-key-erasure-0123456789ab";
const ALICE_ID = "alice-e7q2x";
const BOB_ID = "bob-e7q2x";
let db: { url: string; drop: () => Promise<void> };
let svc: InProcessService;
let redis: Redis;
let sql: ReturnType<typeof postgres>;

beforeAll(async () => {
  db = await freshDatabase("erasure");
  svc = await startInProcess({
    name: "erasure",
    env: { DATABASE_URL: db.url, FOLIO_API_KEYS: `${ALICE}:${ALICE_ID},${BOB}:${BOB_ID},${OPS}:ops:admin`, FOLIO_CACHE_SCOPE: "user" },
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

const call = async (method: string, path: string, key: string) => {
  const res = await fetch(`${svc.url}${path}`, { method, headers: { authorization: `Bearer ${key}` } });
  const text = await res.text();
  return { status: res.status, body: res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : null, text };
};
const upload = (file: string, key: string, pipeline = "optimized") => uploadFileAs(svc.url, key, fixture(file), { pipeline });
async function final(jobId: string, key: string) {
  for (let i = 0; i < 1200; i++) {
    const { body } = await call("GET", `/jobs/${jobId}`, key);
    if (body.status === "completed" || body.status === "failed") return body;
    await Bun.sleep(100);
  }
  throw new Error(`job ${jobId} not final`);
}
async function deletionDone(statusUrl: string, key: string) {
  for (let i = 0; i < 1200; i++) {
    const { status, body } = await call("GET", statusUrl, key);
    expect(status).toBe(200);
    if (body.status === "completed" || body.status === "failed") return body;
    await Bun.sleep(100);
  }
  throw new Error(`deletion ${statusUrl} not done`);
}
/** The stored files, but the probe a server leaves to check that its workers share its storage. */
const stored = () => readdirSync(join(svc.dataDir, "uploads")).filter((f) => !f.startsWith("probe_"));

/** Every key under the service's prefix whose name or value mentions `needle`. */
async function redisMentions(needle: string): Promise<string[]> {
  const found: string[] = [];
  for (let cursor = "0"; ; ) {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${svc.prefix}*`, "COUNT", 1000);
    for (const key of keys) {
      const type = await redis.type(key);
      const values: unknown =
        type === "string" ? await redis.getBuffer(key).then((b) => b?.toString("latin1"))
        : type === "hash" ? await redis.hgetall(key)
        : type === "list" ? await redis.lrange(key, "0", "-1")
        : type === "set" ? await redis.smembers(key)
        : type === "zset" ? await redis.zrange(key, "0", "-1")
        : type === "stream" ? await redis.xrange(key, "-", "+")
        : null;
      if (key.includes(needle) || JSON.stringify(values ?? "").includes(needle)) found.push(key);
    }
    if ((cursor = next) === "0") return found;
  }
}

/** Rows of any table whose text (every column) mentions `needle`, by table. */
async function rowsMentioning(needle: string): Promise<Record<string, number>> {
  const tables = await sql<{ table_name: string }[]>`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`;
  expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(["jobs", "notes", "files", "api_keys", "webhook_secrets"]));
  const out: Record<string, number> = {};
  for (const { table_name } of tables) {
    const [row] = await sql.unsafe(`SELECT count(*)::int AS n FROM "${table_name}" AS r WHERE r::text LIKE '%' || $1 || '%'`, [needle]);
    if (row!.n > 0) out[table_name] = row!.n;
  }
  return out;
}

/** The SSE stream's text until it ends (or `ms` pass). */
async function streamText(res: Response, ms: number, onFirst: () => Promise<unknown>): Promise<string> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let fired = false;
  const stop = setTimeout(() => void reader.cancel().catch(() => {}), ms);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
      if (!fired && text.includes("event: status")) {
        fired = true;
        await onFirst();
      }
    }
  } finally {
    clearTimeout(stop);
  }
  return text;
}

describe("deletion on request", () => {
  test("DELETE /jobs/:id takes the job, its notes, file, text and cache entry; its id answers 404", async () => {
    const up = await upload("paper-two-column.pdf", ALICE);
    expect(up.status).toBe(202);
    const job = await final(up.body.jobId, ALICE);
    expect(job.status).toBe("completed");
    expect((await call("GET", `/jobs/${job.id}/text`, ALICE)).status).toBe(200);
    const copy = contentKey("user", up.body.sha256, ALICE_ID);
    expect(stored()).toEqual(expect.arrayContaining([copy, `${job.id}.text.json`]));
    // Another user cannot delete it.
    expect((await call("DELETE", `/jobs/${job.id}`, BOB)).status).toBe(404);
    expect((await call("GET", `/jobs/${job.id}`, ALICE)).status).toBe(200);

    const del = await call("DELETE", `/jobs/${job.id}`, ALICE);
    expect(del.status).toBe(204);
    expect((await call("GET", `/jobs/${job.id}`, ALICE)).body.error.code).toBe("job_not_found");
    expect((await call("GET", `/notes/${job.notesId}`, ALICE)).status).toBe(404);
    expect((await call("GET", `/jobs/${job.id}/text`, ALICE)).status).toBe(404);
    expect(stored().filter((f) => f === copy || f.startsWith(job.id))).toEqual([]);
    expect((await call("DELETE", `/jobs/${job.id}`, ALICE)).status).toBe(404);
    // The user-scope cache entry went with it: the same PDF is made afresh, not answered from the cache.
    const again = await upload("paper-two-column.pdf", ALICE);
    expect(again.status).toBe(202);
    expect(again.body.cached).toBe(false);
    await final(again.body.jobId, ALICE);
  });

  test("a running job is cancelled: its event stream says deleted and ends, and its queue records go", async () => {
    const up = await upload("manual-long.pdf", ALICE, "staged");
    expect(up.status).toBe(202);
    const jobId = up.body.jobId;
    const res = await fetch(`${svc.url}/jobs/${jobId}/events`, { headers: { authorization: `Bearer ${ALICE}` } });
    let deleted = 0;
    const text = await streamText(res, 60_000, async () => (deleted = (await call("DELETE", `/jobs/${jobId}`, ALICE)).status));
    expect(deleted).toBe(204);
    expect(text).toContain("event: deleted");
    expect(text).not.toContain('"status":"completed"');
    expect((await call("GET", `/jobs/${jobId}`, ALICE)).status).toBe(404);
    // The worker drops it at its next stage boundary; then no record of it is left in Redis
    // but its deletion mark and the queues' event logs (which hold ids, never data).
    const records = async () => (await redisMentions(jobId)).filter((k) => !k.includes(":erased:") && !k.endsWith(":events"));
    for (let i = 0; i < 1200 && (await records()).length; i++) await Bun.sleep(100);
    expect(await records()).toEqual([]);
    expect(stored().filter((f) => f.startsWith(jobId) || f === contentKey("user", up.body.sha256, ALICE_ID))).toEqual([]);
  }, 180_000);

  test("DELETE /notes/:id takes the notes; the job stays, without notes", async () => {
    const up = await upload("slides.pdf", ALICE);
    const job = await final(up.body.jobId, ALICE);
    expect((await call("DELETE", `/notes/${job.notesId}`, BOB)).status).toBe(404);
    expect((await call("DELETE", `/notes/${job.notesId}`, ALICE)).status).toBe(204);
    expect((await call("GET", `/notes/${job.notesId}`, ALICE)).status).toBe(404);
    const after = await call("GET", `/jobs/${job.id}`, ALICE);
    expect(after.status).toBe(200);
    expect(after.body.notesId).toBeNull();
  });

  test("DELETE /me/data leaves nothing of the user in storage, Redis or any table; another user keeps everything", async () => {
    const bobUp = await upload("cyrillic-ru.pdf", BOB, "staged");
    const bobJob = await final(bobUp.body.jobId, BOB);
    for (const [file, pipeline] of [["cjk-ja-zh.pdf", "staged"], ["form.pdf", "optimized"]] as const) await final((await upload(file, ALICE, pipeline)).body.jobId, ALICE);
    // One still running when the deletion is asked for.
    const running = await upload("manual-long.pdf", ALICE, "staged");
    expect(running.status).toBe(202);
    expect((await rowsMentioning(ALICE_ID)).jobs).toBeGreaterThan(0);
    expect((await redisMentions(ALICE_ID)).length).toBeGreaterThan(0);

    const asked = await call("DELETE", "/me/data", ALICE);
    expect(asked.status).toBe(202);
    expect(asked.body.statusUrl).toBe(`/me/data/deletions/${asked.body.id}`);
    expect((await call("GET", asked.body.statusUrl, BOB)).status).toBe(404);
    const done = await deletionDone(asked.body.statusUrl, ALICE);
    expect(done).toMatchObject({ status: "completed", progress: 100 });
    expect(done.jobsDeleted).toBeGreaterThanOrEqual(5);

    expect(await rowsMentioning(ALICE_ID)).toEqual({});
    expect(await redisMentions(ALICE_ID)).toEqual([]);
    const aliceFiles = (await call("GET", `/jobs/${running.body.jobId}`, ALICE)).status;
    expect(aliceFiles).toBe(404);
    // Only Bob's files are left (the earlier tests' deletions took theirs).
    const bobFiles = [contentKey("user", bobUp.body.sha256, BOB_ID), `${bobJob.id}.text.json`];
    expect(stored().sort()).toEqual(bobFiles.sort());
    // Bob's data is all there, and the checks above would have seen it.
    expect((await call("GET", `/notes/${bobJob.notesId}`, BOB)).status).toBe(200);
    expect((await rowsMentioning(BOB_ID)).jobs).toBe(1);
    expect((await redisMentions(BOB_ID)).length).toBeGreaterThan(0);
  }, 180_000);

  test("an admin deletes a user's data through /admin/users/{user}; others may not", async () => {
    expect((await call("DELETE", `/admin/users/${BOB_ID}/data`, ALICE)).status).toBe(403);
    const asked = await call("DELETE", `/admin/users/${BOB_ID}/data`, OPS);
    expect(asked.status).toBe(202);
    expect(asked.body.statusUrl).toBe(`/admin/users/${BOB_ID}/data/deletions/${asked.body.id}`);
    expect(await deletionDone(asked.body.statusUrl, OPS)).toMatchObject({ status: "completed", jobsDeleted: 1 });
    expect(await rowsMentioning(BOB_ID)).toEqual({});
    expect(await redisMentions(BOB_ID)).toEqual([]);
    expect(stored()).toEqual([]);
  }, 120_000);
});
