/**
 * Per-user quotas as users meet them: stored bytes (413 storage_quota_exceeded, freed by
 * deleting) and uploaded bytes per UTC day, cache hits included (429
 * daily_upload_quota_exceeded, with when it resets); GET /me/usage; another user unaffected.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { fixture } from "../support/fixtures.ts";
import { freshDatabase } from "../support/postgres.ts";
import { startInProcess, type InProcessService } from "../support/in-process-service.ts";

const ALICE = "alice-key-quotas-0123456789";
const BOB = "bob-key-quotas-0123456789ab";
const small = readFileSync(fixture("slides.pdf"));
/** PDFs of the same size, each its own content (a trailing comment). */
const pdf = (n: number) => new Uint8Array([...small, ...new TextEncoder().encode(`\n% quota ${n}\n`)]);
const SIZE = pdf(1).length;
let db: { url: string; drop: () => Promise<void> };
let svc: InProcessService;

beforeAll(async () => {
  db = await freshDatabase("quotas");
  svc = await startInProcess({
    name: "quotas",
    env: {
      DATABASE_URL: db.url,
      FOLIO_API_KEYS: `${ALICE}:alice,${BOB}:bob`,
      FOLIO_QUOTA_BYTES: String(Math.floor(2.5 * SIZE)),
      FOLIO_QUOTA_BYTES_PER_DAY: String(Math.floor(4.5 * SIZE)),
    },
  });
});
afterAll(async () => {
  await svc?.stop();
  svc?.cleanup();
  await db?.drop();
});

async function upload(key: string, n: number) {
  const form = new FormData();
  form.append("file", new Blob([pdf(n)]), `q${n}.pdf`);
  const res = await fetch(`${svc.url}/uploads`, { method: "POST", body: form, headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}
const call = async (method: string, path: string, key: string) => {
  const res = await fetch(`${svc.url}${path}`, { method, headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, headers: res.headers, body: res.headers.get("content-type")?.includes("json") ? ((await res.json()) as any) : null };
};

test("the stored-bytes and daily quotas answer 413 and 429 saying which limit and when it resets; another user is unaffected", async () => {
  const first = await upload(ALICE, 1);
  const second = await upload(ALICE, 2);
  expect([first.status, second.status]).toEqual([202, 202]);
  // A third PDF would store more than 2.5 copies' worth.
  const third = await upload(ALICE, 3);
  expect(third.status).toBe(413);
  expect(third.body.error.code).toBe("storage_quota_exceeded");
  expect(third.body.error.message).toContain("FOLIO_QUOTA_BYTES");
  expect(third.body.error.message).toContain("DELETE /jobs/:id");
  // Repeats store nothing new, but count against the day's bytes: 3 and 4 copies' worth, then past 4.5.
  const repeat = await upload(ALICE, 1);
  expect(repeat.status).toBeLessThan(300);
  expect((await upload(ALICE, 2)).status).toBeLessThan(300);
  const daily = await upload(ALICE, 1);
  expect(daily.status).toBe(429);
  expect(daily.body.error.code).toBe("daily_upload_quota_exceeded");
  expect(daily.body.error.message).toContain("FOLIO_QUOTA_BYTES_PER_DAY");
  expect(daily.body.error.message).toMatch(/resets at midnight UTC, \d{4}-\d\d-\d\dT00:00:00\.000Z/);
  const retry = Number(daily.headers.get("retry-after"));
  expect(retry).toBeGreaterThan(0);
  expect(retry).toBeLessThanOrEqual(86_400);

  const usage = await call("GET", "/me/usage", ALICE);
  expect(usage.status).toBe(200);
  expect(usage.body).toEqual({
    stored: { bytes: 2 * SIZE, limit: Math.floor(2.5 * SIZE) },
    uploadedToday: { bytes: 4 * SIZE, limit: Math.floor(4.5 * SIZE), resetsAt: expect.stringMatching(/T00:00:00\.000Z$/) },
  });
  // Deleting both jobs of the first PDF frees its copy's bytes; the day's bytes stay counted.
  for (const job of [first, repeat]) expect((await call("DELETE", `/jobs/${job.body.jobId}`, ALICE)).status).toBe(204);
  expect((await call("GET", "/me/usage", ALICE)).body).toMatchObject({ stored: { bytes: SIZE }, uploadedToday: { bytes: 4 * SIZE } });

  // Bob is unaffected.
  expect((await upload(BOB, 3)).status).toBe(202);
  expect((await call("GET", "/me/usage", BOB)).body).toMatchObject({ stored: { bytes: SIZE }, uploadedToday: { bytes: SIZE } });
}, 120_000);
