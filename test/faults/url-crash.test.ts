/**
 * kill -9 of a `bun run workers` process while URL downloads and webhook deliveries are in
 * flight; restarted, every URL job completes with its notes once, and every webhook arrives.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { fixture } from "../support/fixtures.ts";
import { getJson } from "../support/client.ts";
import { fastRecoveryEnv, report, tally } from "../support/load.ts";
import { freshDatabase } from "../support/postgres.ts";
import { startServiceProcess, type ServiceProcess } from "../support/service-process.ts";

const procs: ServiceProcess[] = [];
let drop: (() => Promise<void>) | undefined;
let source: ReturnType<typeof Bun.serve> | undefined;
afterAll(async () => {
  for (const p of procs) {
    await p.stop("SIGKILL");
    p.cleanup();
  }
  source?.stop(true);
  await drop?.();
});

test("kill -9 of a worker process mid-download loses no URL job and no webhook", async () => {
  const db = await freshDatabase("urlcrash");
  drop = db.drop;
  const pdf = new Uint8Array(await Bun.file(fixture("paper-bookmarks.pdf")).arrayBuffer());
  const delivered = new Map<string, number>();
  let downloadsStarted = 0;
  source = Bun.serve({
    port: 0,
    idleTimeout: 60,
    async fetch(req) {
      const url = new URL(req.url);
      if (url.pathname === "/hook") {
        const body = (await req.json()) as { job: { id: string } };
        delivered.set(body.job.id, (delivered.get(body.job.id) ?? 0) + 1);
        return new Response("ok");
      }
      downloadsStarted++;
      // Each PDF (made unique by its query) trickles out over about 2 s.
      const bytes = new Uint8Array([...pdf, ...new TextEncoder().encode(`\n%${url.search}\n`)]);
      let sent = 0;
      return new Response(
        new ReadableStream({
          async pull(c) {
            const end = Math.min(sent + 8192, bytes.length);
            c.enqueue(bytes.slice(sent, end));
            sent = end;
            if (sent >= bytes.length) c.close();
            else await Bun.sleep(200);
          },
        }),
      );
    },
  });
  const origin = `http://127.0.0.1:${source.port}`;
  const prefix = `{folio-fault-urlcrash-${process.pid}}`;
  const dataDir = mkdtempSync(join(tmpdir(), "folio-urlcrash-"));
  const env = { DATABASE_URL: db.url, FOLIO_CACHE: "off", FOLIO_ALLOW_PRIVATE_URLS: "1", FOLIO_URL_ALLOWED_PORTS: "any", FOLIO_WEBHOOK_BACKOFF_MS: "200", ...fastRecoveryEnv() };
  const server = await startServiceProcess({ name: "urlcrash-server", prefix, dataDir, env, args: ["--role", "server"] });
  const workers = await startServiceProcess({ name: "urlcrash-workers", prefix, dataDir, env, workersOnly: true });
  procs.push(server, workers);

  const accepted: string[] = [];
  for (let i = 0; i < 30; i++) {
    const res = await fetch(`${server.url}/uploads`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url: `${origin}/doc.pdf?n=${i}`, pipeline: i % 3 === 0 ? "staged" : "optimized", callbackUrl: `${origin}/hook` }),
    });
    expect(res.status).toBe(202);
    accepted.push(((await res.json()) as { jobId: string }).jobId);
  }
  // Kill it while downloads are under way and some jobs (and webhooks) are done.
  for (;;) {
    const done = (await getJson(`${server.url}/jobs/monitoring/report`)).body.totals["url-fetch"].completed;
    if (done >= 5 && downloadsStarted >= 10) break;
    await Bun.sleep(100);
  }
  expect(await workers.stop("SIGKILL")).not.toBe(0);
  procs.push(await workers.restart());

  const t = await tally(server.url, accepted, 0);
  report("kill -9 workers mid-download", t);
  expect(t.lost).toBe(0);
  expect(t.completed).toBe(accepted.length);
  const sql = postgres(db.url, { max: 1 });
  try {
    const [row] = await sql`select count(*)::int as n, count(distinct job_id)::int as jobs from notes where job_id in ${sql(accepted)}`;
    expect(row).toEqual({ n: accepted.length, jobs: accepted.length });
  } finally {
    await sql.end();
  }
  // Every job's webhook arrives (at least once: a delivery cut by the kill is sent again).
  const deadline = Date.now() + 120_000; // a delivery cut by the kill waits out its lock (30 s)
  while (accepted.some((id) => !delivered.has(id)) && Date.now() < deadline) await Bun.sleep(200);
  expect(accepted.filter((id) => !delivered.has(id))).toEqual([]);
}, 300_000);
