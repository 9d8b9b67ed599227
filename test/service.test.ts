/**
 * startService inside the test process: config, connections, database, storage, breaker
 * and logger are built from the one config passed in (src/runtime.ts), so a test needs no
 * subprocess. One PGlite for the file, torn down with the service.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { loadConfig } from "../src/config.ts";
import { startService, type Service } from "../src/service.ts";
import { getJson, uploadFile, waitFinal } from "./support/client.ts";
import { fixture } from "./support/fixtures.ts";
import { freePort } from "./support/service-process.ts";

const dataDir = mkdtempSync(join(tmpdir(), "folio-inprocess-"));
const prefix = `{folio-test-inprocess-${process.pid}-${Date.now()}}`;
let svc: Service | undefined;
let url = "";

beforeAll(async () => {
  const cfg = loadConfig({ PORT: String(await freePort()), FOLIO_DATA_DIR: dataDir, FOLIO_REDIS_PREFIX: prefix, LOG_LEVEL: "warn", FOLIO_EXTRACT_THREADS: "1" });
  svc = await startService(cfg, { role: "all" });
  url = `http://127.0.0.1:${svc.port}`;
});
afterAll(async () => {
  await svc?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test("both pipelines complete in a service started inside the test process", async () => {
  for (const [pipeline, file] of [["optimized", "paper-bookmarks.pdf"], ["staged", "slides.pdf"]] as const) {
    const up = await uploadFile(url, fixture(file), { pipeline });
    expect(up.status).toBe(202);
    const job = await waitFinal(url, up.body.jobId, 60_000);
    expect(job).toMatchObject({ status: "completed", pipeline });
    expect((await getJson(`${url}/notes/${job.notesId}`)).body.generator).toBe("extractive");
  }
}, 90_000);

test("its state lives under its own prefix, and stopping it closes its connections", async () => {
  const redis = new Redis("redis://127.0.0.1:6379");
  try {
    const folioClients = async () => String(await redis.client("LIST")).split("\n").filter((l: string) => /name=folio:/.test(l)).length;
    const before = await folioClients();
    expect(before).toBeGreaterThan(0);
    expect((await redis.keys(`${prefix}*`)).length).toBeGreaterThan(0);
    await svc!.stop();
    svc = undefined;
    const after = await folioClients();
    // Other test files' services may hold folio connections too: this one's are gone.
    expect(after).toBeLessThan(before);
    expect((await fetch(`${url}/health`).catch(() => undefined))?.ok).not.toBe(true);
  } finally {
    redis.disconnect();
  }
}, 60_000);
