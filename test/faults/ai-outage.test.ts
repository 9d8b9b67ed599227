/** The model endpoint failing half its calls and hanging some for 30 s: the breaker opens, every job ends. */
import { afterAll, expect, test } from "bun:test";
import { fastRecoveryEnv, report, tally, uploadMany } from "../support/load.ts";
import { startOpenAIStandIn } from "../support/openai-standin.ts";
import { freshDatabase } from "../support/postgres.ts";
import { startServiceProcess, type ServiceProcess } from "../support/service-process.ts";

const standIn = startOpenAIStandIn({ latencyMs: { median: 150, p95: 600 } });
let svc: ServiceProcess | undefined;
let drop: (() => Promise<void>) | undefined;
afterAll(async () => {
  await svc?.stop();
  svc?.cleanup();
  await standIn.stop();
  await drop?.();
});

test("a 30 s model outage (50 % errors, some hangs) opens the breaker and loses nothing", async () => {
  const db = await freshDatabase("aioutage");
  drop = db.drop;
  svc = await startServiceProcess({
    name: "ai-outage",
    env: {
      DATABASE_URL: db.url,
      OPENAI_BASE_URL: standIn.url,
      FOLIO_CACHE: "off",
      FOLIO_AI_TIMEOUT_MS: "2000",
      FOLIO_BREAKER_HALF_OPEN_MS: "4000",
      FOLIO_AI_CHUNK_TOKENS: "50000",
      ...fastRecoveryEnv(),
    },
  });
  Object.assign(standIn.knobs, { errorRate: 0.5, hangRate: 0.15 });
  const outageEnds = Date.now() + 30_000;
  const { accepted, refused } = await uploadMany(svc.url, 150, { pauseMs: 100 });
  const sawOpen = await (async () => {
    while (Date.now() < outageEnds) {
      const r = (await (await fetch(`${svc!.url}/jobs/monitoring/report`)).json()) as { breaker: { state: string } };
      if (r.breaker.state === "open" || r.breaker.state === "half-open") return true;
      await Bun.sleep(200);
    }
    return false;
  })();
  await Bun.sleep(Math.max(0, outageEnds - Date.now()));
  Object.assign(standIn.knobs, { errorRate: 0, hangRate: 0 });
  const t = await tally(svc.url, accepted, refused, 240_000);
  report("AI outage 30 s", t);
  expect(sawOpen).toBe(true);
  expect(t.lost).toBe(0);
  expect(t.completed + t.failedWithReason).toBe(t.accepted);
}, 400_000);
