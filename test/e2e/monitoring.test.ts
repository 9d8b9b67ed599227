/** Monitoring over real jobs: alert rules firing and resolving, the webhook, two processes reporting one truth, /metrics. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { getJson, uploadBlob, uploadFile, waitFinal } from "../support/client.ts";
import { freshDatabase } from "../support/postgres.ts";
import { startServiceProcess, type ServiceProcess } from "../support/service-process.ts";
import { promtool } from "../support/promtool.ts";
import { PerformanceReportSchema, QueueStatsSchema } from "../../src/monitoring/report-schema.ts";
import { fixture } from "../support/fixtures.ts";
import { longPdf } from "../support/pdf-factory.ts";

let db: { url: string; drop: () => Promise<void> };
const procs: ServiceProcess[] = [];
const hooks: { status: string; alert: { rule: string; queue: string } }[] = [];
const receiver = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(req) {
    hooks.push((await req.json()) as (typeof hooks)[number]);
    return new Response("ok");
  },
});

beforeAll(async () => {
  db = await freshDatabase("monitoring");
});
afterAll(async () => {
  for (const p of procs) {
    await p.stop();
    p.cleanup();
  }
  await receiver.stop(true);
  await db.drop();
});

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(200);
  }
}
const hook = (status: string, rule: string) => () => Promise.resolve(hooks.some((h) => h.status === status && h.alert.rule === rule));
const firing = async (svc: ServiceProcess) => ((await getJson(`${svc.url}/jobs/monitoring/report`)).body.alerts as { rule: string }[]).map((a) => a.rule);

describe("alert rules fire and resolve on real jobs", () => {
  let svc: ServiceProcess;
  beforeAll(async () => {
    svc = await startServiceProcess({
      name: "monitoring",
      env: {
        DATABASE_URL: db.url,
        FOLIO_CACHE: "off",
        FOLIO_HEALTH_INTERVAL_MS: "300",
        FOLIO_ALERT_WINDOW_MIN: "1",
        FOLIO_ALERT_MAX_WAITING: "3",
        FOLIO_ALERT_MAX_AVG_MS: "600",
        FOLIO_ALERT_MIN_THROUGHPUT: "5",
        ALERT_WEBHOOK_URL: `http://127.0.0.1:${receiver.port}/alerts`,
      },
    });
    procs.push(svc);
  });

  test("too many waiting and low throughput fire while the queue is stuck, and resolve when it drains", async () => {
    const connection = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
    const queue = new Queue("pdf-notes-optimized", { connection, prefix: svc.prefix });
    await queue.pause();
    const ups = [];
    for (let i = 0; i < 5; i++) ups.push(await uploadFile(svc.url, fixture("slides.pdf")));
    await until("too_many_waiting to fire", hook("firing", "too_many_waiting"));
    await until("low_throughput to fire", hook("firing", "low_throughput"));
    expect(await firing(svc)).toEqual(expect.arrayContaining(["too_many_waiting", "low_throughput"]));
    const stats = (await getJson(`${svc.url}/jobs/monitoring/pdf-notes-optimized`)).body;
    expect(stats).toMatchObject({ paused: true, healthy: false });
    expect(stats.counts.paused).toBe(5);
    await queue.resume();
    await Promise.all(ups.map((u) => waitFinal(svc.url, u.body.jobId)));
    await until("too_many_waiting to resolve", hook("resolved", "too_many_waiting"));
    await until("low_throughput to resolve", hook("resolved", "low_throughput"));
    // Each transition was sent once, not on every health check.
    expect(hooks.filter((h) => h.alert.rule === "too_many_waiting").map((h) => h.status)).toEqual(["firing", "resolved"]);
    await queue.close();
    await connection.quit();
  }, 90_000);

  test("failure rate and slow processing fire on real failures and slow jobs, and resolve", async () => {
    // The window (FOLIO_ALERT_WINDOW_MIN=1) slides in 10 s steps: the failure and the slow job
    // (~6 s) are both in it whenever in the clock minute they land.
    const bad = await uploadFile(svc.url, fixture("bad-truncated-half.pdf"));
    await waitFinal(svc.url, bad.body.jobId);
    await until("high_failure_rate to fire", hook("firing", "high_failure_rate"));
    // 3,000 generated pages take seconds to read: the window's average goes far over 400 ms.
    const slow = await uploadBlob(svc.url, longPdf(3000), "long.pdf");
    await waitFinal(svc.url, slow.body.jobId);
    await until("slow_processing to fire", hook("firing", "slow_processing"));
    // Many quick successes bring both figures back under their thresholds.
    const quick = [];
    for (let i = 0; i < 60; i++) quick.push(await uploadFile(svc.url, fixture("form.pdf")));
    await Promise.all(quick.map((u) => waitFinal(svc.url, u.body.jobId)));
    await until("high_failure_rate to resolve", hook("resolved", "high_failure_rate"));
    await until("slow_processing to resolve", hook("resolved", "slow_processing"));
    const report = (await getJson(`${svc.url}/jobs/monitoring/report`)).body;
    expect(report.totalJobsFailed).toBe(1);
    expect(report.totalJobsProcessed).toBeGreaterThanOrEqual(20);
  }, 150_000);

  test("unknown queue → 404 with the known names; /metrics is Prometheus text", async () => {
    const unknown = await getJson(`${svc.url}/jobs/monitoring/nope`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.queues).toEqual(["url-fetch", "pdf-notes-optimized", "pdf-extract", "ai-notes", "completion"]);
    // The answers are what the OpenAPI document (and the CLI) say they are.
    expect(PerformanceReportSchema.safeParse((await getJson(`${svc.url}/jobs/monitoring/report`)).body).error).toBeUndefined();
    expect(QueueStatsSchema.safeParse((await getJson(`${svc.url}/jobs/monitoring/ai-notes`)).body).error).toBeUndefined();
    const res = await fetch(`${svc.url}/metrics`);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    const families = new Map<string, string>();
    for (const line of text.trim().split("\n").filter(Boolean)) {
      const type = /^# TYPE (\w+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
      if (type) families.set(type[1]!, type[2]!);
      else if (!line.startsWith("# HELP ")) expect(line).toMatch(/^[a-zA-Z_:][\w:]*(\{(\w+="[^"]*",?)*\})? -?[\d.e+-]+$/);
    }
    expect(families.get("folio_jobs_total")).toBe("counter");
    expect(families.get("folio_job_processing_seconds")).toBe("histogram");
    // This process did the work (server and workers in one): its own counter has the jobs.
    expect(Number(/folio_jobs_total\{queue="pdf-notes-optimized",outcome="completed"\} (\d+)/.exec(text)![1])).toBeGreaterThanOrEqual(20);
    expect(text).toMatch(/folio_stage_duration_seconds_bucket\{le="\+Inf",stage="extract"\} [1-9]/);
    expect(text).toMatch(/folio_event_loop_delay_seconds\{thread="pdf-notes-optimized",stat="p99"\}/);
    expect(text).toMatch(/^process_cpu_seconds_total /m);
    expect(text).toContain("folio_fleet_reporter 1");
    expect(promtool(["check", "metrics"], text)).toEqual({ code: 0, output: "" });
    expect(text).toContain("folio_ai_breaker_state -1");
  });
});

test("two worker processes report one truth through Redis", async () => {
  const prefix = `{folio-test-twoproc-${process.pid}}`;
  // Local storage shared by the processes (one machine); across machines it would be Supabase Storage.
  const dataDir = mkdtempSync(join(tmpdir(), "folio-twoproc-"));
  const env = { DATABASE_URL: db.url, FOLIO_CACHE: "off" };
  const [w1, w2] = await Promise.all([
    startWorkersOnly("workers-a", prefix, env, dataDir),
    startWorkersOnly("workers-b", prefix, env, dataDir),
  ]);
  const server = await startServiceProcess({ name: "server-only", prefix, env, dataDir, args: ["--role", "server"] });
  procs.push(server);
  const ups = [];
  for (let i = 0; i < 16; i++) ups.push(await uploadFile(server.url, fixture(i % 2 ? "paper-bookmarks.pdf" : "slides.pdf")));
  const finals = await Promise.all(ups.map((u) => waitFinal(server.url, u.body.jobId)));
  expect(finals.every((f) => f.status === "completed")).toBe(true);
  const report = await until("both processes' histograms", async () => {
    const r = (await getJson(`${server.url}/jobs/monitoring/report`)).body;
    return r.queues.find((x: { name: string }) => x.name === "pdf-notes-optimized")?.processing.count === 16 ? r : undefined;
  });
  const q = report.queues.find((x: { name: string }) => x.name === "pdf-notes-optimized");
  expect(q.workers).toBe(2);
  expect(report.totalJobsProcessed).toBe(16);
  expect(q.completedInWindow).toBe(16);
  // Both processes did some of the work.
  const logs = await Promise.all([w1, w2].map((w) => Bun.file(w.logFile).text()));
  for (const l of logs) expect(l).toContain("breakdown");
  // Worker processes have no API, but answer liveness and readiness probes on FOLIO_WORKER_PORT.
  for (const w of [w1, w2]) {
    expect(await getJson(`${w.url}/health`)).toEqual({ status: 200, body: { status: "ok" } });
    expect(await getJson(`${w.url}/ready`)).toEqual({ status: 200, body: { status: "ready" } });
    expect((await fetch(`${w.url}/uploads`, { method: "POST" })).status).toBe(404);
  }
  // Each process exports what it did: the workers' job counters add up to the 16 jobs, the
  // server did none, and the fleet-wide gauges come from the server alone (summing every
  // target counts them once).
  const scraped = await Promise.all([w1, w2, server].map(async (p) => (await fetch(`${p.url}/metrics`)).text()));
  const done = (text: string) => Number(/folio_jobs_total\{queue="pdf-notes-optimized",outcome="completed"\} (\d+)/.exec(text)?.[1] ?? 0);
  expect(done(scraped[0]!) + done(scraped[1]!)).toBe(16);
  expect(done(scraped[2]!)).toBe(0);
  expect(scraped.map((t) => t.includes('folio_queue_workers{queue="pdf-notes-optimized"} 2'))).toEqual([false, false, true]);
  for (const text of scraped) expect(promtool(["check", "metrics"], text)).toEqual({ code: 0, output: "" });
  // A page that rebinds its own name to the worker's address sends that name: refused.
  const rebound = await fetch(`${w1.url}/metrics`, { headers: { host: `rebind.attacker.example:${w1.port}` } });
  expect([rebound.status, ((await rebound.json()) as any).error.code]).toEqual([403, "host_not_allowed"]);
  expect((await fetch(`${w1.url}/metrics`, { headers: { host: `localhost:${w1.port}` } })).status).toBe(200);
  for (const w of [w1, w2]) expect(await w.stop()).toBe(0);
}, 120_000);

async function startWorkersOnly(name: string, prefix: string, env: Record<string, string>, dataDir: string) {
  const svc = await startServiceProcess({ name, prefix, env, dataDir, workersOnly: true });
  procs.push(svc);
  return svc;
}
