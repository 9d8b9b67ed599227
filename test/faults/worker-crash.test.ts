/** kill -9 of a `bun run workers` process mid-load; restarted, every job ends, with its notes saved exactly once. */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { getJson } from "../support/client.ts";
import { fastRecoveryEnv, report, tally, uploadMany } from "../support/load.ts";
import { freshDatabase } from "../support/postgres.ts";
import { startServiceProcess, type ServiceProcess } from "../support/service-process.ts";

const procs: ServiceProcess[] = [];
let drop: (() => Promise<void>) | undefined;
afterAll(async () => {
  for (const p of procs) {
    await p.stop("SIGKILL");
    p.cleanup();
  }
  await drop?.();
});

test("kill -9 of a worker process mid-load loses nothing", async () => {
  const db = await freshDatabase("crash");
  drop = db.drop;
  const prefix = `{folio-fault-crash-${process.pid}}`;
  const dataDir = mkdtempSync(join(tmpdir(), "folio-crash-"));
  const env = { DATABASE_URL: db.url, FOLIO_CACHE: "off", ...fastRecoveryEnv() };
  const server = await startServiceProcess({ name: "crash-server", prefix, dataDir, env, args: ["--role", "server"] });
  const workers = await startServiceProcess({ name: "crash-workers", prefix, dataDir, env, workersOnly: true });
  procs.push(server, workers);

  const { accepted, refused } = await uploadMany(server.url, 200);
  // Kill it while it is busy: some jobs done, many still to go.
  for (;;) {
    const done = (await getJson(`${server.url}/jobs/monitoring/report`)).body.totalJobsProcessed;
    if (done >= 30) break;
    await Bun.sleep(100);
  }
  expect(await workers.stop("SIGKILL")).not.toBe(0);
  const again = await workers.restart();
  procs.push(again);

  const t = await tally(server.url, accepted, refused);
  report("kill -9 workers", t);
  expect(t.refused).toBe(0);
  expect(t.lost).toBe(0);
  expect(t.completed).toBe(t.accepted);
  const sql = postgres(db.url, { max: 1 });
  try {
    const rows = await sql`select job_id, count(*)::int as n from notes group by job_id having count(*) <> 1`;
    expect(rows).toHaveLength(0);
    const [row] = await sql`select count(*)::int as n from notes where job_id in ${sql(accepted)}`;
    expect(row!.n).toBe(accepted.length);
  } finally {
    await sql.end();
  }
}, 300_000);
