/**
 * Postgres cut for 10 s under load, through a TCP proxy the test controls: every job that
 * was accepted ends completed, with exactly one notes row, once the database is back.
 */
import { afterAll, expect, test } from "bun:test";
import postgres from "postgres";
import { fixture, goodFixtures } from "../support/fixtures.ts";
import { uploadFile, waitFinal } from "../support/client.ts";
import { freshDatabase } from "../support/postgres.ts";
import { startServiceProcess, type ServiceProcess } from "../support/service-process.ts";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.ts";

let svc: ServiceProcess | undefined;
let proxy: TcpProxy | undefined;
let drop: (() => Promise<void>) | undefined;
afterAll(async () => {
  await svc?.stop();
  svc?.cleanup();
  proxy?.stop();
  await drop?.();
});

test("a 10 s Postgres outage under load loses nothing", async () => {
  const db = await freshDatabase("pgoutage");
  drop = db.drop;
  proxy = startTcpProxy("127.0.0.1", 5432);
  const viaProxy = new URL(db.url);
  viaProxy.port = String(proxy.port);
  svc = await startServiceProcess({ name: "pg-outage", env: { DATABASE_URL: viaProxy.toString() } });

  const small = goodFixtures().filter((e) => e.size < 400_000);
  const accepted: string[] = [];
  const refused: number[] = [];
  /** Uploads accepted before the cut and after the restore. */
  const by = { before: 0, after: 0 };
  let cutAt = 0;
  let restoredAt = 0;
  const started = Date.now();
  // 3 s of load, 10 s cut, then on until three uploads are taken again (30 s at most: the
  // reconnection took 4.3 s here once uploads went through a locking transaction).
  for (let i = 0; !restoredAt || Date.now() - started < 16_000 || (by.after < 3 && Date.now() - restoredAt < 30_000); i++) {
    if (!cutAt && Date.now() - started > 3_000) {
      proxy.cut();
      cutAt = Date.now();
    }
    if (cutAt && !restoredAt && Date.now() - cutAt > 10_000) {
      proxy.restore();
      restoredAt = Date.now();
    }
    const entry = small[i % small.length]!;
    const up = await uploadFile(svc.url, fixture(entry.filename), { pipeline: i % 2 ? "staged" : "optimized" }).catch(() => ({ status: 0, body: {} as any }));
    if (up.status === 202 || up.status === 200) {
      accepted.push(up.body.jobId);
      if (!cutAt) by.before++;
      if (restoredAt) by.after++;
    } else refused.push(up.status);
    await Bun.sleep(100);
  }
  // Load on both sides of the cut, and uploads taken again once the database is back.
  expect(by.before).toBeGreaterThan(0);
  expect(by.after).toBeGreaterThanOrEqual(3);
  // While the database was gone, uploads were refused honestly, never half-accepted.
  expect(refused.every((s) => s === 503)).toBe(true);

  const finals = await Promise.all(accepted.map((id) => waitFinal(svc!.url, id, 180_000)));
  const notDone = finals.filter((j) => j.status !== "completed").map((j) => `${j.id}: ${j.status} ${JSON.stringify(j.error)}`);
  expect(notDone).toEqual([]);

  const sql = postgres(db.url, { max: 1 });
  try {
    const rows = await sql`select j.id, j.status, count(n.id)::int as notes from jobs j left join notes n on n.job_id = j.id where j.id in ${sql(accepted)} group by j.id, j.status`;
    expect(rows.length).toBe(accepted.length);
    for (const r of rows) expect([r.status, r.notes]).toEqual(["completed", 1]);
  } finally {
    await sql.end();
  }
  console.log(`postgres outage: ${accepted.length} accepted (${by.before} before the cut, ${by.after} after it), ${refused.length} refused with 503, all completed`);
}, 300_000);
