/**
 * One stored copy per PDF: repeat uploads reference the stored copy instead of writing
 * another, the copy lives while any job references it, and uploads and deletions of the
 * same PDF racing through two processes of one deployment (shared Postgres, storage and
 * Redis prefix) lose nobody's file. Local storage, and Supabase's protocol (the stand-in).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";
import { contentKey } from "../../src/cache/cache-keys.ts";
import { uploadBlob } from "../support/client.ts";
import { fixture } from "../support/fixtures.ts";
import { freshDatabase } from "../support/postgres.ts";
import { startInProcess, type InProcessService } from "../support/in-process-service.ts";
import { startStorageStandIn, type StorageStandIn } from "../support/supabase-storage-standin.ts";

const ALICE = "alice-key-copies-0123456789";
const BOB = "bob-key-copies-0123456789ab";
let db: { url: string; drop: () => Promise<void> };
let a: InProcessService;
let b: InProcessService;
let sql: ReturnType<typeof postgres>;

beforeAll(async () => {
  db = await freshDatabase("copies");
  const env = { DATABASE_URL: db.url, FOLIO_API_KEYS: `${ALICE}:alice,${BOB}:bob`, FOLIO_CACHE_SCOPE: "global", FOLIO_RATE_LIMIT_PER_MIN: "100000" };
  a = await startInProcess({ name: "copies", env });
  b = await startInProcess({ name: "copies-b", env, share: a });
  sql = postgres(db.url, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  a?.cleanup();
  await sql?.end();
  await db?.drop();
});

const small = readFileSync(fixture("slides.pdf"));
/** A PDF of its own: the small fixture with a trailing comment (readers ignore it; the hash differs). */
const unique = (tag: string) => new Uint8Array([...small, ...new TextEncoder().encode(`\n% ${tag} ${Math.random()}\n`)]);
const upload = (svc: InProcessService, key: string, pdf: Uint8Array<ArrayBuffer>, fields: Record<string, string> = {}) => uploadBlob(svc.url, pdf, "x.pdf", fields, key);
const call = async (svc: InProcessService, method: string, path: string, key: string) => {
  const res = await fetch(`${svc.url}${path}`, { method, headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, body: res.headers.get("content-type")?.includes("json") ? ((await res.json()) as any) : null };
};
async function final(svc: InProcessService, jobId: string, key: string) {
  for (let i = 0; i < 1200; i++) {
    const { body } = await call(svc, "GET", `/jobs/${jobId}`, key);
    if (body.status === "completed" || body.status === "failed") return body;
    await Bun.sleep(100);
  }
  throw new Error(`job ${jobId} not final`);
}
const pdfs = () => readdirSync(join(a.dataDir, "uploads")).filter((f) => f.endsWith(".pdf") && !f.startsWith("probe_"));
const sha = (pdf: Uint8Array) => new Bun.CryptoHasher("sha256").update(pdf).digest("hex");

describe("one stored copy per PDF", () => {
  for (const pipeline of ["optimized", "staged"]) {
    test(`repeat uploads through both processes store one copy (${pipeline})`, async () => {
      const pdf = unique(pipeline);
      const before = pdfs();
      const first = await upload(a, ALICE, pdf, { pipeline });
      expect((await final(a, first.body.jobId, ALICE)).status).toBe("completed");
      const again = await Promise.all(Array.from({ length: 10 }, (_, i) => upload(i % 2 ? a : b, ALICE, pdf, { pipeline })));
      expect(again.map((r) => r.status)).toEqual(Array(10).fill(200));
      const added = pdfs().filter((f) => !before.includes(f));
      expect(added).toEqual([contentKey("global", sha(pdf), "alice")]);
      const [refs] = await sql`SELECT count(*)::int AS n FROM files WHERE storage_key = ${added[0]!}`;
      expect(refs!.n).toBe(11);
    });
  }

  test("the copy stays while any job references it, a running one included, and goes with the last", async () => {
    const pdf = unique("shared");
    const key = contentKey("global", sha(pdf), "any");
    const mine = await upload(a, ALICE, pdf);
    await final(a, mine.body.jobId, ALICE);
    // Bob's job reads the PDF afresh while Alice deletes the job that stored it.
    const his = await upload(b, BOB, pdf, { refresh: "true" });
    expect((await call(a, "DELETE", `/jobs/${mine.body.jobId}`, ALICE)).status).toBe(204);
    expect(pdfs()).toContain(key);
    expect((await final(b, his.body.jobId, BOB)).status).toBe("completed");
    expect((await call(b, "DELETE", `/jobs/${his.body.jobId}`, BOB)).status).toBe(204);
    expect(pdfs()).not.toContain(key);
    const [blobs] = await sql`SELECT count(*)::int AS n FROM blobs WHERE key = ${key}`;
    expect(blobs!.n).toBe(0);
  });

  test("a stored copy lost under the database (storage wiped) is stored again by the next upload", async () => {
    const pdf = unique("wiped");
    const key = contentKey("global", sha(pdf), "any");
    await final(a, (await upload(a, ALICE, pdf)).body.jobId, ALICE);
    rmSync(join(a.dataDir, "uploads", key));
    const again = await upload(b, BOB, pdf, { refresh: "true" });
    expect((await final(b, again.body.jobId, BOB)).status).toBe("completed");
    expect(pdfs()).toContain(key);
  });

  test("an upload and a deletion of the same PDF racing through two processes lose neither user's file", async () => {
    const rounds = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const pdf = unique(`race ${i}`);
        const mine = await upload(a, ALICE, pdf);
        await final(a, mine.body.jobId, ALICE);
        // Alice deletes the only job that references the copy as Bob uploads the same PDF (and has it read again).
        const [deleted, his] = await Promise.all([call(i % 2 ? a : b, "DELETE", `/jobs/${mine.body.jobId}`, ALICE), upload(i % 2 ? b : a, BOB, pdf, { refresh: "true" })]);
        expect(deleted.status).toBe(204);
        expect(his.status).toBe(202);
        return { key: contentKey("global", sha(pdf), "bob"), job: await final(a, his.body.jobId, BOB) };
      }),
    );
    for (const r of rounds) {
      expect(r.job).toMatchObject({ status: "completed", error: null });
      expect(pdfs()).toContain(r.key);
    }
  }, 120_000);
});

describe("on Supabase Storage", () => {
  let store: StorageStandIn;
  let svc: InProcessService;
  beforeAll(async () => {
    store = startStorageStandIn("copies-service-key");
    svc = await startInProcess({ name: "copies-supabase", env: { DATABASE_URL: db.url, FOLIO_API_KEYS: `${ALICE}:alice`, SUPABASE_URL: store.url, SUPABASE_SERVICE_KEY: "copies-service-key" } });
  });
  afterAll(async () => {
    await svc?.stop();
    svc?.cleanup();
    await store?.stop();
  });

  test("repeat uploads store one object; it goes with the last job", async () => {
    const pdf = unique("supabase");
    const ups = [];
    for (let i = 0; i < 5; i++) ups.push(await upload(svc, ALICE, pdf));
    await Promise.all(ups.map((u) => final(svc, u.body.jobId, ALICE)));
    const key = contentKey("user", sha(pdf), "alice");
    const uploads = store.requests.filter((r) => r.method === "POST" && /\/f_\w+\.pdf$/.test(r.path));
    // Each upload streams to its own temporary object; the first is moved to the content key, the others dropped.
    expect(uploads.length).toBe(5);
    expect(store.requests.filter((r) => r.path.endsWith("/object/move")).length).toBe(1);
    expect(await store.object("uploads", key)).toEqual(new Uint8Array(pdf));
    for (const u of ups) expect((await store.object("uploads", `${u.body.fileId}.pdf`)) ?? null).toBeNull();
    for (const u of ups) expect((await call(svc, "DELETE", `/jobs/${u.body.jobId}`, ALICE)).status).toBe(204);
    expect((await store.object("uploads", key)) ?? null).toBeNull();
  });
});
