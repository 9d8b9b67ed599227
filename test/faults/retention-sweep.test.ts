/**
 * The retention sweep cut short three ways: its process killed with SIGKILL halfway, Redis
 * restarted empty under it, Postgres cut under it. Each time the next sweep finishes the work,
 * and nothing that should stay (a copy a recent or running job needs, a copy an upload has
 * just claimed, a running URL upload's file) is deleted.
 */
import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { openDatabase } from "../../db/client.ts";
import { isListening } from "../../src/dependencies/local-redis.ts";
import { spawnGuarded } from "../support/process-guard.ts";
import { freshDatabase } from "../support/postgres.ts";
import { freePort, startServiceProcess, type ServiceProcess } from "../support/service-process.ts";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.ts";

/** Enough stored copies that a sweep takes seconds (measured: ~2 ms each on this machine's Postgres). */
const COPIES = 2500;
const OWN = 300;
const KEPT_EACH = 20;

type Sql = ReturnType<typeof postgres>;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

interface Seeded {
  uploads: string;
  /** Objects the sweep must delete. */
  expired: string[];
  /** Objects it must leave. */
  kept: string[];
}

/**
 * A database and a data dir as a long-running service leaves them: many jobs that ended two
 * days ago (their copies due under FOLIO_RETAIN_PDF=1h), and everything the sweep must pass by.
 */
async function seed(sql: Sql, dataDir: string): Promise<Seeded> {
  const uploads = join(dataDir, "uploads");
  mkdirSync(uploads, { recursive: true, mode: 0o700 });
  const blobs: object[] = [];
  const files: object[] = [];
  const jobs: object[] = [];
  const old = new Date(Date.now() - 2 * 86_400_000);
  const job = (id: string, fileId: string, status: string, finishedAt: Date | null) =>
    jobs.push({ id, user_id: "u-sweep", file_id: fileId, pipeline: "optimized", status, finished_at: finishedAt, updated_at: finishedAt ?? new Date() });
  const file = (id: string, key: string, createdAt = old) => files.push({ id, user_id: "u-sweep", filename: `${id}.pdf`, storage_key: key, created_at: createdAt });
  const blob = (key: string) => blobs.push({ key, sha256: key, size: 16 });
  const expired: string[] = [];
  const kept: string[] = [];

  for (let i = 0; i < COPIES; i++) {
    const key = `copy-old-${i}.pdf`;
    blob(key);
    file(`f-old-${i}`, key);
    job(`j-old-${i}`, `f-old-${i}`, i % 5 ? "completed" : "failed", old);
    expired.push(key);
  }
  for (let i = 0; i < OWN; i++) {
    const key = `f-url-${i}.pdf`;
    file(`f-url-${i}`, key);
    job(`j-url-${i}`, `f-url-${i}`, "completed", old);
    expired.push(key);
  }
  for (let i = 0; i < KEPT_EACH; i++) {
    const recent = `copy-recent-${i}.pdf`;
    blob(recent);
    file(`f-recent-${i}`, recent);
    job(`j-recent-${i}`, `f-recent-${i}`, "completed", new Date());
    // Shared by a job that ended long ago and one still running.
    const shared = `copy-shared-${i}.pdf`;
    blob(shared);
    file(`f-shared-a-${i}`, shared);
    job(`j-shared-a-${i}`, `f-shared-a-${i}`, "completed", old);
    file(`f-shared-b-${i}`, shared);
    job(`j-shared-b-${i}`, `f-shared-b-${i}`, "running", null);
    // Claimed by an upload a moment ago, its job not written yet; an older job used it too.
    const claimed = `copy-claimed-${i}.pdf`;
    blob(claimed);
    file(`f-claimed-a-${i}`, claimed);
    job(`j-claimed-a-${i}`, `f-claimed-a-${i}`, "completed", old);
    file(`f-claimed-b-${i}`, claimed, new Date());
    const running = `f-url-running-${i}.pdf`;
    file(`f-url-running-${i}`, running);
    job(`j-url-running-${i}`, `f-url-running-${i}`, "running", null);
    kept.push(recent, shared, claimed, running);
  }
  await Promise.all([...expired, ...kept].map((key) => Bun.write(join(uploads, key), "%PDF-1.4 seeded\n")));
  await sql.begin(async (tx) => {
    for (const [table, rows] of [["blobs", blobs], ["files", files], ["jobs", jobs]] as const) {
      for (let i = 0; i < rows.length; i += 1000) await tx`INSERT INTO ${tx(table)} ${tx(rows.slice(i, i + 1000) as Record<string, unknown>[])}`;
    }
  });
  return { uploads, expired, kept };
}

const left = (s: Seeded, keys: string[]) => keys.filter((k) => existsSync(join(s.uploads, k))).length;

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 180_000, everyMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never: ${what}`);
    await Bun.sleep(everyMs);
  }
}

/** Waits until the sweep has deleted half the expired objects; answers how many are left. */
async function midSweep(s: Seeded): Promise<number> {
  let n = s.expired.length;
  await until("the sweep is halfway", () => (n = left(s, s.expired)) <= s.expired.length * 0.5, 120_000, 10);
  expect(n).toBeGreaterThan(s.expired.length * 0.2);
  return n;
}

/** The sweep finished: every expired object and copy row gone, their files rows marked, everything kept in place. */
async function expectFinished(s: Seeded, sql: Sql): Promise<void> {
  await until("every expired object is swept", () => left(s, s.expired) === 0);
  expect(left(s, s.kept)).toBe(s.kept.length);
  const [copies] = await sql`SELECT count(*)::int AS n FROM blobs WHERE key LIKE 'copy-old-%'`;
  expect(copies!.n).toBe(0);
  const [keptRows] = await sql`SELECT count(*)::int AS n FROM blobs WHERE key NOT LIKE 'copy-old-%'`;
  expect(keptRows!.n).toBe(KEPT_EACH * 3);
  const [marked] = await sql`SELECT count(*)::int AS n FROM files WHERE expired_at IS NOT NULL`;
  expect(marked!.n).toBe(COPIES + OWN);
  // The job rows stay: only their PDFs were due.
  const [jobRows] = await sql`SELECT count(*)::int AS n FROM jobs`;
  expect(jobRows!.n).toBe(COPIES + OWN + KEPT_EACH * 5);
}

async function prepare(tag: string) {
  const db = await freshDatabase(tag);
  cleanups.push(db.drop);
  // The service's own migrations, applied before it starts, so the data is there at its first sweep.
  await (await openDatabase({ url: db.url })).close();
  const sql = postgres(db.url, { max: 2, onnotice: () => {} });
  cleanups.push(() => sql.end());
  const dataDir = mkdtempSync(join(tmpdir(), `folio-${tag}-`));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const seeded = await seed(sql, dataDir);
  const env = {
    FOLIO_RETAIN_PDF: "1h",
    FOLIO_RETENTION_INTERVAL_S: "1",
    // The seeded running jobs are not in any queue: the reconciler must not take them up meanwhile.
    FOLIO_RECONCILE_GRACE_MS: "3600000",
  };
  return { db, sql, dataDir, seeded, env };
}

const track = (svc: ServiceProcess) => {
  cleanups.push(async () => {
    await svc.stop("SIGKILL");
    svc.cleanup();
  });
  return svc;
};

test("a sweep killed with SIGKILL halfway is finished by the next one, in a new process", async () => {
  const { db, sql, dataDir, seeded, env } = await prepare("sweepkill");
  const svc = track(await startServiceProcess({ name: "sweep-kill", dataDir, env: { DATABASE_URL: db.url, ...env } }));
  await midSweep(seeded);
  svc.proc.kill("SIGKILL");
  await svc.proc.exited;
  const atKill = left(seeded, seeded.expired);
  console.log(`sweep killed with ${atKill} of ${seeded.expired.length} expired objects left`);
  expect(atKill).toBeGreaterThan(0);
  track(await svc.restart());
  await expectFinished(seeded, sql);
}, 400_000);

test("a Redis restart (no persistence) under a sweep: the scheduler is set again and the sweep finishes", async () => {
  const { db, sql, dataDir, seeded, env } = await prepare("sweepredis");
  const port = await freePort();
  const redisDir = mkdtempSync(join(tmpdir(), "folio-sweep-redis-"));
  cleanups.push(() => rmSync(redisDir, { recursive: true, force: true }));
  const startRedis = async () => {
    const proc = spawnGuarded(["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--dir", redisDir, "--appendonly", "no", "--save", ""], { stdout: "ignore", stderr: "ignore" });
    cleanups.push(() => proc.kill());
    await until("redis listens", () => isListening("127.0.0.1", port), 10_000, 50);
    return proc;
  };
  const redis = await startRedis();
  track(await startServiceProcess({ name: "sweep-redis", dataDir, env: { DATABASE_URL: db.url, REDIS_URL: `redis://127.0.0.1:${port}`, FOLIO_REDIS_AUTOSTART: "0", ...env } }));
  await midSweep(seeded);
  Bun.spawnSync(["redis-cli", "-p", String(port), "shutdown", "nosave"]);
  await redis.exited;
  await Bun.sleep(2000);
  await startRedis();
  await expectFinished(seeded, sql);
}, 400_000);

test("a Postgres cut under a sweep: nothing that should stay goes, and the sweep finishes once it is back", async () => {
  const { db, sql, dataDir, seeded, env } = await prepare("sweeppg");
  const proxy: TcpProxy = startTcpProxy("127.0.0.1", 5432);
  cleanups.push(() => proxy.stop());
  const viaProxy = new URL(db.url);
  viaProxy.port = String(proxy.port);
  track(await startServiceProcess({ name: "sweep-pg", dataDir, env: { DATABASE_URL: viaProxy.toString(), ...env } }));
  await midSweep(seeded);
  proxy.cut();
  await Bun.sleep(3000);
  const duringCut = left(seeded, seeded.expired);
  expect(left(seeded, seeded.kept)).toBe(seeded.kept.length);
  proxy.restore();
  console.log(`postgres cut with ${duringCut} of ${seeded.expired.length} expired objects left`);
  await expectFinished(seeded, sql);
}, 400_000);
