/**
 * Memory under a long run: N small jobs (default 10,000) through the whole pipeline; the
 * service's RSS after a warm-up of 500 jobs against its RSS at the end (target < 10 % growth).
 * `bun run bench:memory [--jobs 10000]`
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { corpusPath } from "../../test/support/corpus.ts";
import { freshDatabase } from "../../test/support/postgres.ts";
import { startServiceProcess } from "../../test/support/service-process.ts";

const { values } = parseArgs({ options: { jobs: { type: "string", default: "10000" } } });
const total = Number(values.jobs);
const rssMb = (pid: number) => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024);

// Postgres, so that the figure is the service's own memory, not an embedded database's page cache.
const db = await freshDatabase("memory");
const svc = await startServiceProcess({
  name: "memory",
  env: { DATABASE_URL: db.url, FOLIO_CACHE: "off", LOG_LEVEL: "warn", FOLIO_RATE_LIMIT_PER_MIN: "1000000", FOLIO_MAX_IN_FLIGHT_PER_USER: "1000000", FOLIO_KEEP_COMPLETED: "100" },
});
const pdf = new Uint8Array(await Bun.file(corpusPath("form-openoffice-example.pdf")).arrayBuffer());
let sent = 0;
let warm = 0;
try {
  const inFlight = new Set<Promise<void>>();
  const one = async (i: number) => {
    const res = await fetch(`${svc.url}/uploads?filename=m.pdf`, { method: "POST", body: new Blob([pdf, `\n%m${i}\n`]), headers: { "content-type": "application/pdf" } });
    const { jobId } = (await res.json()) as { jobId: string };
    await (await fetch(`${svc.url}/jobs/${jobId}/events`)).text();
  };
  const started = performance.now();
  while (sent < total) {
    if (sent === 500) warm = rssMb(svc.proc.pid);
    const p = one(sent++).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= 16) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  Bun.gc(true);
  await Bun.sleep(3000);
  const end = rssMb(svc.proc.pid);
  console.log(`| ${total} small jobs in ${((performance.now() - started) / 1000).toFixed(0)} s | RSS after 500: ${warm} MB | at the end: ${end} MB | growth ${(((end - warm) / warm) * 100).toFixed(1)} % (target < 10 %) |`);
} finally {
  await svc.stop();
  svc.cleanup();
  await db.drop();
}
process.exit(0);
