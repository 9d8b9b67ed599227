/**
 * The database is the truth: jobs Redis has lost (here, every queue obliterated, as a
 * Redis without persistence forgets them on a restart) are found by the reconciler and
 * enqueued again, on both pipelines, and finish.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { QUEUE_NAMES } from "../../src/jobs/pipelines.ts";
import { uploadFile, waitFinal } from "../support/client.ts";
import { fixture } from "../support/fixtures.ts";
import { startServiceProcess, type ServiceProcess } from "../support/service-process.ts";

let svc: ServiceProcess;
let connection: Redis;
beforeAll(async () => {
  svc = await startServiceProcess({ name: "reconciler", env: { FOLIO_RECONCILE_INTERVAL_MS: "500", FOLIO_RECONCILE_GRACE_MS: "1000", FOLIO_CACHE: "off" } });
  connection = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
});
afterAll(async () => {
  await connection?.quit();
  await svc?.stop();
  svc?.cleanup();
});

test("jobs accepted but lost from Redis are enqueued again by their ids and complete, on both pipelines", async () => {
  const queues = QUEUE_NAMES.map((name) => new Queue(name, { connection, prefix: svc.prefix }));
  try {
    for (const q of queues) await q.pause();
    const ups = [await uploadFile(svc.url, fixture("slides.pdf")), await uploadFile(svc.url, fixture("form.pdf"), { pipeline: "staged" })];
    expect(ups.map((u) => u.status)).toEqual([202, 202]);
    // Redis forgets every job it held.
    for (const q of queues) await q.obliterate({ force: true });
    for (const q of queues) await q.resume();
    const finals = await Promise.all(ups.map((u) => waitFinal(svc.url, u.body.jobId, 30_000)));
    expect(finals.map((f) => f.status)).toEqual(["completed", "completed"]);
    const logged = await Bun.file(svc.logFile).text();
    for (const u of ups) expect(logged).toContain(`Job ${u.body.jobId} was in no queue (Redis lost it); enqueued again`);
    // A job still in its queue is left alone.
    const waiting = await uploadFile(svc.url, fixture("paper-two-column.pdf"));
    await waitFinal(svc.url, waiting.body.jobId);
    expect(await Bun.file(svc.logFile).text()).not.toContain(`Job ${waiting.body.jobId} was in no queue`);
  } finally {
    for (const q of queues) await q.close();
  }
}, 60_000);
