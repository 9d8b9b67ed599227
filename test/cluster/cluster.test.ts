/**
 * Folio on a real Redis Cluster (3 masters, 3 replicas on this machine): both pipelines, a
 * cache hit, the monitoring report, rate limiting, and single flight across two worker
 * processes. Every key shares the prefix's hash tag, so Folio lives in one slot.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getJson, uploadBlob, uploadFile, waitFinal } from "../support/client.ts";
import { fixture, fixtureBytes } from "../support/fixtures.ts";
import { variant } from "../support/pdf-factory.ts";
import { freshDatabase } from "../support/postgres.ts";
import { startLocalCluster, type LocalCluster } from "../support/redis-cluster.ts";
import { startServiceProcess, type ServiceProcess } from "../support/service-process.ts";

let cluster: LocalCluster;
const procs: ServiceProcess[] = [];
let drop: (() => Promise<void>) | undefined;
const dataDir = mkdtempSync(join(tmpdir(), "folio-cluster-data-"));
beforeAll(async () => {
  cluster = await startLocalCluster();
  // Six servers and their joining: a CI run once took past 60 s here on a busy machine.
}, 120_000);
afterAll(async () => {
  for (const p of procs.reverse()) {
    await p.stop();
    p.cleanup();
  }
  await cluster?.stop();
  await drop?.();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("one process on a Redis Cluster", () => {
  let svc: ServiceProcess;
  beforeAll(async () => {
    svc = await startServiceProcess({ name: "cluster-one", env: { REDIS_URL: cluster.url, FOLIO_RATE_LIMIT_PER_MIN: "6" } });
    procs.push(svc);
  }, 120_000);

  test("uploads become notes on both pipelines; a repeat is a cache hit; the report reads the cluster", async () => {
    const ups = [await uploadFile(svc.url, fixture("slides.pdf")), await uploadFile(svc.url, fixture("form.pdf"), { pipeline: "staged" })];
    expect(ups.map((u) => u.status)).toEqual([202, 202]);
    const finals = await Promise.all(ups.map((u) => waitFinal(svc.url, u.body.jobId, 60_000)));
    expect(finals.map((f) => f.status)).toEqual(["completed", "completed"]);
    const again = await uploadFile(svc.url, fixture("slides.pdf"));
    expect([again.status, again.body.cached]).toEqual([200, true]);
    const report = (await getJson(`${svc.url}/jobs/monitoring/report`)).body;
    expect(report.totalJobsProcessed).toBeGreaterThanOrEqual(2);
    expect(report.queues.map((q: { name: string }) => q.name)).toContain("pdf-notes-optimized");
    expect(report.cache.l2.hits + report.cache.l1.hits).toBeGreaterThanOrEqual(1);
  }, 90_000);

  test("the per-user rate limit holds (its counters live in the cluster)", async () => {
    // 13 quick uploads against a limit of 6 a minute: even split by a minute boundary, one side has 7.
    const answers: number[] = [];
    for (let i = 0; i < 13; i++) answers.push((await uploadBlob(svc.url, variant(await fixtureBytes("form.pdf"), 9000 + i), "f.pdf")).status);
    expect(answers).toContain(429);
  });
});

test("single flight across two worker processes: parallel uploads of one new PDF run it once", async () => {
  const db = await freshDatabase("cluster");
  drop = db.drop;
  const prefix = `{folio-test-cluster-sf-${process.pid}}`;
  const env = { REDIS_URL: cluster.url, DATABASE_URL: db.url };
  procs.push(...(await Promise.all(["a", "b"].map((w) => startServiceProcess({ name: `cluster-workers-${w}`, workersOnly: true, prefix, env, dataDir })))));
  const server = await startServiceProcess({ name: "cluster-server", args: ["--role", "server"], prefix, env, dataDir });
  procs.push(server);
  const bytes = variant(await fixtureBytes("paper-two-column.pdf"), 424242);
  const ups = await Promise.all(Array.from({ length: 8 }, () => uploadBlob(server.url, bytes, "same.pdf")));
  expect(ups.every((u) => u.status === 202)).toBe(true);
  const jobs = await Promise.all(ups.map((u) => waitFinal(server.url, u.body.jobId, 60_000)));
  expect(jobs.every((j) => j.status === "completed")).toBe(true);
  expect(jobs.filter((j) => !j.cached)).toHaveLength(1);
}, 120_000);
