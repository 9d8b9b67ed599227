/** The process model: four consumers in worker threads of one process, and a clean drain on SIGTERM. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { QUEUE_NAMES } from "../../src/jobs/pipelines.ts";
import { getJson, uploadBlob, waitFinal } from "../support/client.ts";
import { freshDatabase } from "../support/postgres.ts";
import { startServiceProcess, type ServiceProcess } from "../support/service-process.ts";
import { fixtureBytes } from "../support/fixtures.ts";
import { longPdf } from "../support/pdf-factory.ts";

let db: { url: string; drop: () => Promise<void> };
const fastRecovery: Record<string, string> = {};
for (const q of QUEUE_NAMES) {
  const k = `FOLIO_${q.toUpperCase().replace(/-/g, "_")}`;
  fastRecovery[`${k}_LOCK_DURATION_MS`] = "4000";
  fastRecovery[`${k}_STALLED_INTERVAL_MS`] = "2000";
}

beforeAll(async () => {
  db = await freshDatabase("process");
});
afterAll(async () => {
  await db.drop();
});

describe("worker threads", () => {
  let svc: ServiceProcess;
  afterAll(async () => {
    await svc?.stop();
    svc?.cleanup();
  });

  test("one process registers a consumer on each of the four queues", async () => {
    svc = await startServiceProcess({ name: "threads", env: { DATABASE_URL: db.url } });
    const connection = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
    try {
      const workers = await Promise.all(
        QUEUE_NAMES.map(async (name) => {
          const queue = new Queue(name, { connection, prefix: svc.prefix });
          const list = await queue.getWorkers();
          await queue.close();
          return [name, list.map((w) => w.name)] as const;
        }),
      );
      for (const [name, names] of workers) expect(names).toEqual([name]);
    } finally {
      await connection.quit();
    }
  });
});

describe("SIGTERM", () => {
  test("drains with exit 0, and after a restart every accepted job is final", async () => {
    const env = { DATABASE_URL: db.url, FOLIO_DRAIN_TIMEOUT_MS: "3000", ...fastRecovery };
    const svc = await startServiceProcess({ name: "sigterm", env });
    // Long documents keep the consumers busy when the signal comes.
    const files = [longPdf(400), longPdf(300), await fixtureBytes("paper-bookmarks.pdf"), await fixtureBytes("manual-long.pdf"), await fixtureBytes("slides.pdf"), longPdf(500)];
    const accepted: string[] = [];
    for (const [i, f] of files.entries()) {
      const up = await uploadBlob(svc.url, f, `f${i}.pdf`, { pipeline: i % 2 ? "staged" : "optimized" });
      expect(up.status).toBe(202);
      accepted.push(up.body.jobId);
    }
    // Wait until work is under way, then stop mid-flight.
    for (let i = 0; i < 100; i++) {
      const states = await Promise.all(accepted.map(async (id) => (await getJson(`${svc.url}/jobs/${id}`)).body.status));
      if (states.some((s) => s !== "queued")) break;
      await Bun.sleep(50);
    }
    const stopped = performance.now();
    const code = await svc.stop("SIGTERM");
    expect(code).toBe(0);
    const busyStopMs = performance.now() - stopped;

    const again = await svc.restart();
    let idleStopMs = Number.POSITIVE_INFINITY;
    try {
      const finals = await Promise.all(accepted.map((id) => waitFinal(again.url, id, 120_000)));
      for (const job of finals) expect(job.status).toBe("completed");
    } finally {
      const t0 = performance.now();
      await again.stop();
      idleStopMs = performance.now() - t0;
      again.cleanup();
    }
    // The drain timeout (3 s), plus a few times what stopping the idle service takes on this machine now.
    expect(busyStopMs).toBeLessThan(3000 + 4 * idleStopMs + 2000);
  }, 180_000);
});
