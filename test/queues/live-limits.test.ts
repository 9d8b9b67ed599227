/** Per-queue concurrency changed while the fleet runs: followed by every worker, kept for a restarted one. */
import { afterAll, expect, test } from "bun:test";
import { Redis } from "ioredis";
import { LiveLimits } from "../../src/queues/live-limits.ts";

const redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
afterAll(() => redis.quit());
const prefix = `{live-limits-test-${process.pid}}`;
/** A worker's concurrency as it is now (the follower changes it behind the test's back). */
const current = (worker: { concurrency: number }) => worker.concurrency;

test("a change reaches every process's worker within 2 s, a restarted one starts from it, and default puts the configured value back", async () => {
  const limits = new LiveLimits(redis, prefix);
  const [a, b] = [{ concurrency: 5 }, { concurrency: 5 }];
  const stops = [limits.follow("ai-notes", a, "host:1", 5), limits.follow("ai-notes", b, "host:2", 5)];
  const changedAt = Date.now();
  await limits.setConcurrency("ai-notes", 12);
  while (current(a) !== 12 || current(b) !== 12) await Bun.sleep(20);
  expect(Date.now() - changedAt).toBeLessThan(2000);
  while ((await limits.running()).filter((r) => r.concurrency === 12).length < 2) await Bun.sleep(20);
  expect((await limits.running()).sort((x, y) => x.process.localeCompare(y.process))).toEqual([
    { process: "host:1", queue: "ai-notes", concurrency: 12 },
    { process: "host:2", queue: "ai-notes", concurrency: 12 },
  ]);

  // Process 2 restarts: its worker is made with the configured 5, and takes the stored 12 at once.
  stops[1]!();
  const restarted = { concurrency: 5 };
  stops[1] = limits.follow("ai-notes", restarted, "host:2", 5);
  while (current(restarted) !== 12) await Bun.sleep(10);
  expect(await limits.stored()).toEqual({ "ai-notes": 12 });

  await limits.setConcurrency("ai-notes", null);
  while (current(a) !== 5 || current(restarted) !== 5) await Bun.sleep(20);
  for (const stop of stops) stop();
  await Bun.sleep(50);
  expect(await limits.running()).toEqual([]);
});
