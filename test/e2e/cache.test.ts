/**
 * The cache as users meet it: duplicates answered at upload, one run for concurrent
 * duplicates, privacy, scope, off switch. The services run inside the test process, two of
 * them at once where a test needs another configuration.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fixture } from "../support/fixtures.ts";
import { uploadFileAs, waitFinal } from "../support/client.ts";
import { freshDatabase } from "../support/postgres.ts";
import { startInProcess, type InProcessService } from "../support/in-process-service.ts";

const ALICE = "alice-key-0123456789abcdef";
const BOB = "bob-key-0123456789abcdef00";
let db: { url: string; drop: () => Promise<void> };
let svc: InProcessService;

beforeAll(async () => {
  db = await freshDatabase("cache");
  svc = await startInProcess({
    name: "cache",
    env: { DATABASE_URL: db.url, FOLIO_API_KEYS: `${ALICE}:alice,${BOB}:bob`, FOLIO_CACHE_SCOPE: "global" },
  });
});
afterAll(async () => {
  await svc?.stop();
  svc?.cleanup();
  await db?.drop();
});

const upload = (file: string, key: string, pipeline = "optimized") => uploadFileAs(svc.url, key, fixture(file), { pipeline });
const get = async (path: string, key: string) => {
  const res = await fetch(`${svc.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, body: (await res.json()) as any };
};
async function final(jobId: string, key: string) {
  for (let i = 0; i < 600; i++) {
    const { body } = await get(`/jobs/${jobId}`, key);
    if (body.status === "completed" || body.status === "failed") return body;
    await Bun.sleep(100);
  }
  throw new Error(`job ${jobId} not final`);
}

describe("cache", () => {
  for (const pipeline of ["optimized", "staged"]) {
    test(`a duplicate is answered at upload time (${pipeline})`, async () => {
      const file = pipeline === "optimized" ? "cyrillic-ru.pdf" : "cjk-ja-zh.pdf";
      const first = await upload(file, ALICE, pipeline);
      expect(first.status).toBe(202);
      const job = await final(first.body.jobId, ALICE);
      expect(job).toMatchObject({ status: "completed", cached: false });
      const started = performance.now();
      const again = await upload(file, ALICE, pipeline);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ cached: true, status: "completed", pipeline });
      expect(performance.now() - started).toBeLessThan(2000);
      const born = await get(`/jobs/${again.body.jobId}`, ALICE);
      expect(born.body).toMatchObject({ status: "completed", progress: 100, cached: true, notesId: again.body.notesId });
      const [n1, n2] = await Promise.all([get(`/notes/${job.notesId}`, ALICE), get(`/notes/${again.body.notesId}`, ALICE)]);
      expect(n2.status).toBe(200);
      expect(n2.body.id).not.toBe(n1.body.id);
      // The same notes, marked as served from the cache; the first job's usage is not copied.
      expect(n2.body).toMatchObject({ cached: true, usage: { inputTokens: 0, outputTokens: 0 } });
      const same = (n: any) => ({ ...n, id: 0, jobId: 0, createdAt: 0, cached: 0, usage: 0 });
      expect(same(n2.body)).toEqual(same(n1.body));
    });
  }

  test("another user's cache hit gets their own rows, and cannot read the first user's", async () => {
    const a = await upload("paper-two-column.pdf", ALICE);
    const aJob = await final(a.body.jobId, ALICE);
    const b = await upload("paper-two-column.pdf", BOB);
    expect(b.status).toBe(200);
    expect(b.body.cached).toBe(true);
    expect(b.body.jobId).not.toBe(a.body.jobId);
    expect(b.body.fileId).not.toBe(a.body.fileId);
    expect(JSON.stringify(b.body)).not.toContain(a.body.jobId);
    expect((await get(`/notes/${b.body.notesId}`, BOB)).status).toBe(200);
    expect((await get(`/jobs/${a.body.jobId}`, BOB)).status).toBe(404);
    expect((await get(`/notes/${aJob.notesId}`, BOB)).status).toBe(404);
    expect((await get(`/notes/${b.body.notesId}`, ALICE)).status).toBe(404);
  });

  test("ten parallel uploads of one new PDF run the pipeline once", async () => {
    for (const pipeline of ["optimized", "staged"]) {
      const file = pipeline === "optimized" ? "manual-long.pdf" : "form.pdf";
      const ups = await Promise.all(Array.from({ length: 10 }, (_, i) => upload(file, i % 2 ? ALICE : BOB, pipeline)));
      expect(ups.every((u) => u.status === 202)).toBe(true);
      const jobs = await Promise.all(ups.map((u, i) => final(u.body.jobId, i % 2 ? ALICE : BOB)));
      expect(jobs.every((j) => j.status === "completed")).toBe(true);
      expect(jobs.filter((j) => !j.cached)).toHaveLength(1);
      const notes = await Promise.all(jobs.map((j, i) => get(`/notes/${j.notesId}`, i % 2 ? ALICE : BOB)));
      expect(new Set(notes.map((n) => n.body.summary)).size).toBe(1);
    }
  });

  test("requests without a valid key are refused", async () => {
    expect((await fetch(`${svc.url}/jobs/j_x`)).status).toBe(401);
    const wrong = await fetch(`${svc.url}/jobs/j_x`, { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.code).toBe("unauthorized");
  });
});

test("by default (FOLIO_CACHE_SCOPE=user) another user's upload of the same PDF is a miss and runs the pipeline: no one learns what others uploaded", async () => {
  const scoped = await startInProcess({ name: "cache-user", env: { FOLIO_API_KEYS: `${ALICE}:alice,${BOB}:bob`, FOLIO_RATE_LIMIT_PER_MIN: "5" } });
  try {
    const send = async (key: string) => {
      const form = new FormData();
      form.append("file", Bun.file(fixture("paper-bookmarks.pdf")), "p.pdf");
      const res = await fetch(`${scoped.url}/uploads`, { method: "POST", body: form, headers: { authorization: `Bearer ${key}` } });
      return { status: res.status, body: (await res.json()) as any };
    };
    const status = async (jobId: string, key: string) => {
      for (let i = 0; i < 600; i++) {
        const res = await fetch(`${scoped.url}/jobs/${jobId}`, { headers: { authorization: `Bearer ${key}` } });
        const body = (await res.json()) as any;
        if (body.status === "completed" || body.status === "failed") return body;
        await Bun.sleep(100);
      }
      throw new Error(`job ${jobId} not final`);
    };
    const a = await send(ALICE);
    expect(a.status).toBe(202);
    expect((await status(a.body.jobId, ALICE)).status).toBe("completed");
    const b = await send(BOB);
    expect(b).toMatchObject({ status: 202, body: { cached: false } });
    expect(await status(b.body.jobId, BOB)).toMatchObject({ status: "completed", cached: false });
    // Each user still hits their own entry.
    expect((await send(ALICE)).status).toBe(200);
    expect((await send(BOB)).status).toBe(200);
    // A cache hit costs no model call but counts against the upload rate like any upload: at
    // 5 a minute, 11 quick tries put at least 6 in one clock minute, however the minutes fall.
    const tries: number[] = [];
    for (let i = 0; i < 11 && tries.at(-1) !== 429; i++) tries.push((await send(BOB)).status);
    expect(tries.at(-1)).toBe(429);
    expect(new Set(tries.slice(0, -1))).toEqual(new Set([200]));
  } finally {
    await scoped.stop();
    scoped.cleanup();
  }
});

test("FOLIO_CACHE=off runs every upload", async () => {
  const off = await startInProcess({ name: "cache-off", env: { DATABASE_URL: db.url, FOLIO_CACHE: "off" } });
  try {
    const send = async () => {
      const form = new FormData();
      form.append("file", Bun.file(fixture("slides.pdf")), "s.pdf");
      return (await fetch(`${off.url}/uploads`, { method: "POST", body: form })).json() as Promise<any>;
    };
    const first = await send();
    await waitFinal(off.url, first.jobId);
    const second = await send();
    expect(second).toMatchObject({ status: "queued", cached: false });
    expect((await waitFinal(off.url, second.jobId)).cached).toBe(false);
  } finally {
    await off.stop();
    off.cleanup();
  }
});
