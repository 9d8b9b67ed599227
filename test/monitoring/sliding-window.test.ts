/** The alert window slides in 10 s steps: a condition that holds across a minute boundary keeps firing. */
import { afterAll, expect, test } from "bun:test";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { noCache } from "../../src/cache/notes-cache.ts";
import { countOutcome } from "../../src/monitoring/counters.ts";
import { LatencyRecorder } from "../../src/monitoring/latency.ts";
import { QueueMonitor } from "../../src/monitoring/queue-monitor.ts";

const redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
const prefix = `{folio-test-window-${process.pid}-${Date.now()}}`;
const queue = new Queue("pdf-notes-optimized", { connection: redis, prefix });
afterAll(async () => {
  await queue.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

test("13 % failing over the last minute still fires 2 s after a minute boundary, and resolves once the failures slide out", async () => {
  // A minute boundary two minutes from now (the keys expire; the clock is the monitor's).
  const boundary = (Math.floor(Date.now() / 60_000) + 2) * 60_000;
  let now = boundary + 2000;
  const monitor = new QueueMonitor(redis, prefix, noCache, {
    windowMinutes: 1,
    thresholds: { failureRate: 0.1, minThroughputPerMin: 0, maxWaiting: 100, maxAvgProcessingMs: 30_000 },
    now: () => now,
  });
  monitor.registerQueue("pdf-notes-optimized", queue);
  // From 50 s before the boundary to 1 s after it: 13 completed, 2 failed (13 %). A window of
  // whole minutes would see only the new minute's one completion, and resolve.
  for (let i = 0; i < 12; i++) await countOutcome(redis, prefix, "pdf-notes-optimized", "completed", boundary - 50_000 + i * 4000);
  await countOutcome(redis, prefix, "pdf-notes-optimized", "completed", boundary + 1000);
  await countOutcome(redis, prefix, "pdf-notes-optimized", "failed", boundary - 20_000);
  await countOutcome(redis, prefix, "pdf-notes-optimized", "failed", boundary - 15_000);
  const latency = new LatencyRecorder(redis, prefix, "test", 60_000);
  latency.record("pdf-notes-optimized:processing", 40_000, boundary - 30_000);
  await latency.close();

  const firing = (await monitor.checkHealth()).map((a) => a.rule);
  expect(firing).toContain("high_failure_rate");
  // The processing time of 30 s before the boundary is in the window too.
  expect(firing).toContain("slow_processing");
  const stats = await monitor.getDetailedStats("pdf-notes-optimized");
  expect([stats?.completedInWindow, stats?.failedInWindow]).toEqual([13, 2]);

  // 40 s later the window is the six 10 s buckets from boundary - 10 s: the completions at
  // -10 s, -6 s and +1 s, no failure; the alert resolves.
  now = boundary + 42_000;
  const later = await monitor.getDetailedStats("pdf-notes-optimized");
  expect([later?.completedInWindow, later?.failedInWindow]).toEqual([3, 0]);
  expect((await monitor.checkHealth()).map((a) => a.rule)).not.toContain("high_failure_rate");
});
