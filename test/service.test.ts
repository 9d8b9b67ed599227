/**
 * startService inside the test process: config, connections, database, storage, breaker
 * and log level come from the one config passed in (src/runtime.ts), so a test needs no
 * subprocess. One PGlite for the file, torn down with the service.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Redis } from "ioredis";
import { getJson, uploadFile, waitFinal } from "./support/client.ts";
import { fixture } from "./support/fixtures.ts";
import { startInProcess, type InProcessService } from "./support/in-process-service.ts";

let svc: InProcessService;

beforeAll(async () => {
  svc = await startInProcess({ name: "inprocess", env: { FOLIO_EXTRACT_THREADS: "1" } });
});
afterAll(async () => {
  await svc?.stop();
  svc?.cleanup();
});

test("both pipelines complete in a service started inside the test process", async () => {
  for (const [pipeline, file] of [["optimized", "paper-bookmarks.pdf"], ["staged", "slides.pdf"]] as const) {
    const up = await uploadFile(svc.url, fixture(file), { pipeline });
    expect(up.status).toBe(202);
    const job = await waitFinal(svc.url, up.body.jobId, 60_000);
    expect(job).toMatchObject({ status: "completed", pipeline });
    expect((await getJson(`${svc.url}/notes/${job.notesId}`)).body.generator).toBe("extractive");
  }
}, 90_000);

test("its state lives under its own prefix, and stopping it closes its connections", async () => {
  const redis = new Redis("redis://127.0.0.1:6379");
  try {
    const folioClients = async () => String(await redis.client("LIST")).split("\n").filter((l: string) => /name=folio:/.test(l)).length;
    const before = await folioClients();
    expect(before).toBeGreaterThan(0);
    expect((await redis.keys(`${svc.prefix}*`)).length).toBeGreaterThan(0);
    await svc.stop();
    // Other services may hold folio connections too: this one's are gone.
    expect(await folioClients()).toBeLessThan(before);
    expect((await fetch(`${svc.url}/health`).catch(() => undefined))?.ok).not.toBe(true);
  } finally {
    redis.disconnect();
  }
}, 60_000);
