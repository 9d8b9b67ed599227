/** Nobody let in: API keys on every route, isolation between users, admission control, hostile uploads. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { contentKey } from "../../src/cache/cache-keys.ts";
import { join, resolve } from "node:path";
import { fixture } from "../support/fixtures.ts";
import { freshDatabase } from "../support/postgres.ts";
import { startServiceProcess, type ServiceProcess } from "../support/service-process.ts";

const ROOT = resolve(import.meta.dir, "../..");
const ADMIN = "admin-key-0123456789abcdef";
const ALICE = "alice-key-0123456789abcdef";
let db: { url: string; drop: () => Promise<void> };
let svc: ServiceProcess;
let bobKey = "";

beforeAll(async () => {
  db = await freshDatabase("security");
  // A key created with the CLI lives (hashed) in the database.
  const created = Bun.spawnSync(["bun", "run", "keys", "create", "--user", "bob"], { cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url } });
  expect(created.exitCode).toBe(0);
  bobKey = created.stdout.toString().trim();
  svc = await startServiceProcess({
    name: "security",
    env: {
      DATABASE_URL: db.url,
      FOLIO_API_KEYS: `${ADMIN}:ops:admin,${ALICE}:alice`,
      FOLIO_RATE_LIMIT_PER_MIN: "8",
      FOLIO_MAX_IN_FLIGHT_PER_USER: "3",
      FOLIO_UPLOAD_TIMEOUT_MS: "1500",
      FOLIO_CACHE: "off",
    },
  });
});
afterAll(async () => {
  await svc?.stop();
  svc?.cleanup();
  await db?.drop();
});

const as = (key?: string): Record<string, string> => (key ? { authorization: `Bearer ${key}` } : {});
async function upload(key: string, file = "slides.pdf", filename = file) {
  const form = new FormData();
  form.append("file", Bun.file(fixture(file)), filename);
  const res = await fetch(`${svc.url}/uploads`, { method: "POST", body: form, headers: as(key) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

describe("API keys", () => {
  test("`keys create` prints a key once; it works and only its digest is stored", async () => {
    expect(bobKey).toMatch(/^folio_[\w-]{32}$/);
    const res = await fetch(`${svc.url}/jobs/j_none`, { headers: as(bobKey) });
    expect(res.status).toBe(404);
    const sql = (await import("postgres")).default(db.url, { max: 1 });
    const rows = await sql`select key_hash, user_id from api_keys`;
    await sql.end();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.user_id).toBe("bob");
    expect(rows[0]!.key_hash).not.toContain(bobKey);
  });

  test("every route: no key or a wrong key → 401; another user's ids → 404; monitoring needs admin", async () => {
    const up = await upload(ALICE);
    expect(up.status).toBe(202);
    const job = await (async () => {
      for (;;) {
        const r = await (await fetch(`${svc.url}/jobs/${up.body.jobId}`, { headers: as(ALICE) })).json();
        if (r.status === "completed") return r as { notesId: string; id: string };
        await Bun.sleep(100);
      }
    })();
    const routes = [
      ["POST", "/uploads"],
      ["GET", `/jobs/${job.id}`],
      ["GET", `/jobs/${job.id}/events`],
      ["GET", `/notes/${job.notesId}`],
      ["GET", "/jobs/monitoring/report"],
      ["GET", "/jobs/monitoring/pdf-extract"],
      ["GET", "/metrics"],
      ["GET", "/dashboard"],
      ["GET", "/admin/queues"],
    ];
    for (const [method, path] of routes) {
      for (const headers of [{}, as("wrong-key-0123456789abcdef")]) {
        const res = await fetch(`${svc.url}${path}`, { method, headers });
        expect([path, res.status]).toEqual([path, 401]);
        expect((await res.json()).error.code).toBe("unauthorized");
      }
    }
    for (const path of [`/jobs/${job.id}`, `/jobs/${job.id}/events`, `/notes/${job.notesId}`]) {
      const res = await fetch(`${svc.url}${path}`, { headers: as(bobKey) });
      expect([path, res.status]).toEqual([path, 404]);
    }
    for (const path of ["/jobs/monitoring/report", "/metrics", "/dashboard", "/admin/queues"]) {
      expect([path, (await fetch(`${svc.url}${path}`, { headers: as(ALICE) })).status]).toEqual([path, 403]);
      expect([path, (await fetch(`${svc.url}${path}`, { headers: as(ADMIN) })).status]).toEqual([path, 200]);
    }
    expect((await fetch(`${svc.url}/health`)).status).toBe(200);
  });
});

describe("admission control", () => {
  test("a user over the in-flight cap or the rate limit gets 429 with Retry-After; others are not affected", async () => {
    const answers = [];
    for (let i = 0; i < 12; i++) answers.push(await upload(bobKey, "manual-long.pdf"));
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.map((a) => a.body.error.code)).toEqual(expect.arrayContaining(["too_many_jobs_in_flight"]));
    for (const a of limited) expect(Number(a.headers.get("retry-after"))).toBeGreaterThan(0);
    const other = await upload(ALICE);
    expect(other.status).toBe(202);
    for (const a of answers.filter((x) => x.status === 202)) {
      const r = await fetch(`${svc.url}/jobs/${a.body.jobId}`, { headers: as(bobKey) });
      expect(r.status).toBe(200);
    }
  }, 60_000);
});

describe("hostile uploads", () => {
  test("a filename is display metadata only: path tricks never reach the file system", async () => {
    const up = await upload(ADMIN, "paper-bookmarks.pdf", "../../etc/passwd");
    expect(up.status).toBe(202);
    const huge = await upload(ADMIN, "paper-bookmarks.pdf", `${"x".repeat(5000)}.pdf`);
    expect(huge.status).toBe(202);
    const stored = readdirSync(join(svc.dataDir, "uploads"));
    // Only generated names: stored copies (by content), uploads on their way (by file id), the text jobs read (by job id), and the storage probe the server writes at start.
    expect(stored.filter((f) => !/^(c_[0-9a-f]{64}\.pdf|f_[a-z0-9]{20}\.pdf|j_[a-z0-9]{20}\.text\.json|probe_[0-9a-f]{32}\.pdf)$/.test(f))).toEqual([]);
    expect(stored).toContain(contentKey("user", up.body.sha256, "ops"));
  });

  test("a slow-loris upload is cut with 408 at the deadline", async () => {
    let timer: ReturnType<typeof setInterval> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode("%PDF-1.4\n"));
        timer = setInterval(() => c.enqueue(new Uint8Array([0x20])), 200);
      },
      cancel() {
        clearInterval(timer);
      },
    });
    const started = performance.now();
    // The server answers 408 and closes; a client still sending may only see the connection cut.
    const outcome = await fetch(`${svc.url}/uploads`, { method: "POST", body, headers: { ...as(ADMIN), "content-type": "application/pdf" } }).then(
      async (res) => ({ status: res.status, code: String(((await res.json()) as any).error.code) }),
      (err: Error) => ({ status: 0, code: String((err as { code?: string }).code) }),
    );
    clearInterval(timer);
    expect([{ status: 408, code: "upload_timeout" }, { status: 0, code: "ECONNRESET" }]).toContainEqual(outcome);
    expect(performance.now() - started).toBeLessThan(5000);
    // Nothing of it was kept, and the server carries on.
    const after = await upload(ADMIN, "form.pdf");
    expect(after.status).toBe(202);
  });
});

test("without API keys Folio refuses to listen beyond loopback", async () => {
  const empty = await freshDatabase("nokeys");
  try {
    const r = Bun.spawnSync(["bun", "src/cli/start.ts"], {
      cwd: ROOT,
      env: { ...process.env, HOST: "0.0.0.0", DATABASE_URL: empty.url, FOLIO_API_KEYS: "" },
      stderr: "pipe",
    });
    expect(r.exitCode).toBe(1);
    expect(r.stderr.toString()).toContain("listens on loopback only");
  } finally {
    await empty.drop();
  }
});
