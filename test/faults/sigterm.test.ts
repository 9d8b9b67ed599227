/** SIGTERM under load: exit 0 within the drain timeout; after a restart every accepted job ends. */
import { afterAll, expect, test } from "bun:test";
import { getJson } from "../support/client.ts";
import { fastRecoveryEnv, report, tally, uploadMany } from "../support/load.ts";
import { freshDatabase } from "../support/postgres.ts";
import { startServiceProcess, type ServiceProcess } from "../support/service-process.ts";

let svc: ServiceProcess | undefined;
let drop: (() => Promise<void>) | undefined;
afterAll(async () => {
  await svc?.stop();
  svc?.cleanup();
  await drop?.();
});

test("SIGTERM under load drains and loses nothing", async () => {
  const db = await freshDatabase("sigterm");
  drop = db.drop;
  const drainMs = 5000;
  const first = await startServiceProcess({
    name: "sigterm-load",
    env: { DATABASE_URL: db.url, FOLIO_CACHE: "off", FOLIO_DRAIN_TIMEOUT_MS: String(drainMs), ...fastRecoveryEnv() },
  });
  svc = first;
  const { accepted, refused } = await uploadMany(first.url, 200);
  for (;;) {
    if ((await getJson(`${first.url}/jobs/monitoring/report`)).body.totalJobsProcessed >= 20) break;
    await Bun.sleep(100);
  }
  const started = performance.now();
  expect(await first.stop("SIGTERM")).toBe(0);
  const took = performance.now() - started;
  expect(took).toBeLessThan(drainMs + 10_000);
  svc = await first.restart();
  const t = await tally(svc.url, accepted, refused);
  report(`SIGTERM under load (drained in ${Math.round(took)} ms)`, t);
  expect(t.lost).toBe(0);
  expect(t.completed).toBe(t.accepted);
}, 300_000);
